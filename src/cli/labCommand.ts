/**
 * beliefscope lab: serve the lab (the built page in dist/web) on localhost and
 * print its address. Training, probing and recovery run in the browser; the
 * server only hands out static files. Ctrl-C stops it.
 */
import { readFile } from "node:fs/promises";
import { deflateRawSync } from "node:zlib";
import { Command } from "commander";
import { isLoopbackHost, startLabServer } from "../node/labServer.js";
import { resolveProcess } from "../node/processFiles.js";
import { resolveProcessName } from "../process/catalogue/index.js";
import { processToJson } from "../process/json.js";
import { isFileSpec, parseCatalogueSpec } from "../process/spec.js";
import { warn } from "../util/warn.js";
import { intOption } from "./options.js";

/**
 * The page's query for a process spec, checked here first (a bad spec fails
 * with the command line's message, before anything is served): a catalogue
 * entry as ?process=, anything else (a JSON file, a composite) as the page's
 * pasted process, ?json= raw DEFLATE in base64url (web/src/state.ts).
 */
async function processQuery(spec: string): Promise<string> {
  const hmm = await resolveProcess(spec);
  if (!isFileSpec(spec)) {
    try {
      resolveProcessName(parseCatalogueSpec(spec).name);
      return `?process=${encodeURIComponent(spec)}`;
    } catch {
      // a composite: the page's catalogue picker has no entry for it
    }
  }
  const text = isFileSpec(spec) ? await readFile(spec, "utf8") : JSON.stringify(processToJson(hmm), null, 2) + "\n";
  return `?json=${deflateRawSync(Buffer.from(text, "utf8"), { level: 9 }).toString("base64url")}`;
}

interface LabFlags {
  readonly port: number;
  readonly host: string;
  readonly isolated: boolean;
}

export function labCommand(): Command {
  return new Command("lab")
    .description("Serve the lab in the browser: pick or paste an HMM, train a transformer on it in the page (WebGPU or wasm), watch the probed belief geometry appear")
    .argument("[process]", 'open the page on this process: a catalogue spec ("rrxor", "mess3:x=0.1"), a composite, or a JSON file')
    .option("--port <n>", "port (0: any free port)", intOption(0, 65535), 5174)
    .option("--host <address>", "address to listen on (127.0.0.1: this machine only)", "127.0.0.1")
    .option("--isolated", "send COOP/COEP headers (cross-origin isolation: SharedArrayBuffer, and jax-js's wasm worker pool)", false)
    .action(async (processSpec: string | undefined, o: LabFlags) => {
      const query = processSpec ? await processQuery(processSpec) : "";
      const lab = await startLabServer({ port: o.port, host: o.host, crossOriginIsolated: o.isolated });
      const url = lab.url + query;
      if (!isLoopbackHost(o.host)) {
        warn(`--host ${o.host}: the lab is reachable from the network, by anyone who can reach this machine on port ${new URL(lab.url).port} (--host 127.0.0.1 serves this machine only)`);
      }
      process.stdout.write(`beliefscope lab: ${url}\n(serving ${lab.root}; Ctrl-C to stop)\n`);
      await new Promise<void>((resolve) => {
        const stop = () => {
          // Closing drops every connection; should anything still hold the event loop, leave anyway.
          setTimeout(() => process.exit(0), 2000).unref();
          void lab.close().then(resolve);
        };
        process.once("SIGINT", stop);
        process.once("SIGTERM", stop);
      });
    });
}
