import { spawn, type ChildProcess } from "node:child_process";
import { fileURLToPath } from "node:url";

const root = fileURLToPath(new URL("../..", import.meta.url));

/** Start the CLI from source (tsx), as a user would run `beliefscope ...`. */
export function startCli(args: string[], cwd = root): ChildProcess {
  return spawn(process.execPath, ["--import", "tsx", `${root}/src/cli/main.ts`, ...args], { cwd, stdio: ["ignore", "pipe", "pipe"] });
}

export interface CliResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

export function collect(child: ChildProcess): Promise<CliResult> {
  let stdout = "";
  let stderr = "";
  child.stdout!.on("data", (d) => (stdout += d));
  child.stderr!.on("data", (d) => (stderr += d));
  return new Promise((resolve) => child.on("close", (code, signal) => resolve({ code, signal, stdout, stderr })));
}

export function runCli(args: string[], cwd?: string): Promise<CliResult> {
  return collect(startCli(args, cwd));
}
