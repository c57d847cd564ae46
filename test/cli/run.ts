import { spawn, type ChildProcess } from "node:child_process";
import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";

const root = fileURLToPath(new URL("../..", import.meta.url));

/** The sources transpiled for this test run by test/setup/transpileCli.ts (vitest's globalSetup). */
const transpiled = `${root}/node_modules/.cache/beliefscope-cli/src/cli/main.js`;

/** Start the CLI from source, as a user would run `beliefscope ...`: this run's transpiled sources, else tsx. */
export function startCli(args: string[], cwd = root): ChildProcess {
  const entry = existsSync(transpiled) ? [transpiled] : ["--import", "tsx", `${root}/src/cli/main.ts`];
  return spawn(process.execPath, [...entry, ...args], { cwd, stdio: ["ignore", "pipe", "pipe"] });
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
