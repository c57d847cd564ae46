/**
 * Run `beliefscope <args>` in this process, for the given commands: stdout and stderr captured
 * (console.warn too), code 1 with `error: <message>` for a thrown error, as main.ts prints it. A spawned
 * CLI costs a second to start; tests that check many inputs of one command use this, and keep one
 * spawned run (test/cli/run.ts) for the wiring in main.ts.
 */
import { Command } from "commander";
import { vi } from "vitest";

export interface InProcessRun {
  code: number;
  stdout: string;
  stderr: string;
}

export async function runInProcess(commands: readonly Command[], args: string[]): Promise<InProcessRun> {
  const program = new Command("beliefscope");
  for (const c of commands) program.addCommand(c);
  const override = (c: Command) => {
    c.exitOverride();
    c.configureOutput({ writeOut: (s) => process.stdout.write(s), writeErr: (s) => process.stderr.write(s), getOutHelpWidth: () => 1000 });
    c.commands.forEach(override);
  };
  override(program);
  let stdout = "";
  let stderr = "";
  const out = vi.spyOn(process.stdout, "write").mockImplementation((chunk) => ((stdout += String(chunk)), true));
  const err = vi.spyOn(process.stderr, "write").mockImplementation((chunk) => ((stderr += String(chunk)), true));
  const warn = vi.spyOn(console, "warn").mockImplementation((...a) => void (stderr += a.join(" ") + "\n"));
  try {
    await program.parseAsync(["node", "beliefscope", ...args]);
    return { code: 0, stdout, stderr };
  } catch (e) {
    return { code: 1, stdout, stderr: stderr + `error: ${(e as Error).message}\n` };
  } finally {
    out.mockRestore();
    err.mockRestore();
    warn.mockRestore();
  }
}
