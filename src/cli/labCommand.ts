/**
 * beliefscope lab: serve the lab (the built page in dist/web) on localhost and
 * print its address. Training, probing and recovery run in the browser; the
 * server only hands out static files. Ctrl-C stops it.
 */
import { Command } from "commander";
import { startLabServer } from "../node/labServer.js";
import { intOption } from "./options.js";

interface LabFlags {
  readonly port: number;
  readonly host: string;
  readonly isolated: boolean;
}

export function labCommand(): Command {
  return new Command("lab")
    .description("Serve the lab in the browser: pick or paste an HMM, train a transformer on it in the page (WebGPU or wasm), watch the probed belief geometry appear")
    .argument("[process]", 'open the page on this catalogue process, e.g. "rrxor" or "mess3:x=0.1"')
    .option("--port <n>", "port (0: any free port)", intOption(0, 65535), 5174)
    .option("--host <address>", "address to listen on (127.0.0.1: this machine only)", "127.0.0.1")
    .option("--isolated", "send COOP/COEP headers (cross-origin isolation: SharedArrayBuffer, and jax-js's wasm worker pool)", false)
    .action(async (processSpec: string | undefined, o: LabFlags) => {
      const lab = await startLabServer({ port: o.port, host: o.host, crossOriginIsolated: o.isolated });
      const url = processSpec ? `${lab.url}?process=${encodeURIComponent(processSpec)}` : lab.url;
      process.stdout.write(`beliefscope lab: ${url}\n(serving ${lab.root}; Ctrl-C to stop)\n`);
      await new Promise<void>((resolve) => {
        const stop = () => void lab.close().then(resolve);
        process.once("SIGINT", stop);
        process.once("SIGTERM", stop);
      });
    });
}
