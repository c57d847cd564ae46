#!/usr/bin/env node
/**
 * beliefscope: the command line.
 *   beliefscope demo                  the anchor experiment on mess3 (train, evaluate, probe, figures, report)
 *   beliefscope process ...           catalogue, info, sampling, MSP, JSON
 *   beliefscope train <process>       train a transformer on a process (resumable run folder)
 *   beliefscope probe <model>         probe a trained model for belief states
 */
import { Command, CommanderError } from "commander";
import { ArgumentError } from "../util/errors.js";
import { demoCommand } from "./demoCommand.js";
import { processCommand } from "./processCommand.js";
import { probeCommand } from "./probeCommand.js";
import { trainCommand } from "./trainCommand.js";
import { VERSION } from "../version.js";

export function buildProgram(): Command {
  const program = new Command("beliefscope")
    .description("Belief-state geometry in transformers trained on hidden Markov processes")
    .version(VERSION);
  program.addCommand(demoCommand());
  program.addCommand(processCommand());
  program.addCommand(trainCommand());
  program.addCommand(probeCommand());
  return program;
}

/** Commander exits by itself unless told otherwise, and subcommands built apart do not inherit that. */
function throwInsteadOfExit(cmd: Command): void {
  cmd.exitOverride();
  cmd.showHelpAfterError("(run with --help for usage)");
  for (const sub of cmd.commands) throwInsteadOfExit(sub);
}

export async function main(argv: string[]): Promise<number> {
  const program = buildProgram();
  throwInsteadOfExit(program);
  try {
    await program.parseAsync(argv);
    return 0;
  } catch (err) {
    if (err instanceof CommanderError) return err.exitCode === 0 ? 0 : 2;
    if (err instanceof ArgumentError) {
      process.stderr.write(`error: ${err.message}\n`);
      return 1;
    }
    process.stderr.write(`error: ${(err as Error)?.stack ?? String(err)}\n`);
    return 1;
  }
}

const code = await main(process.argv);
// jax-js keeps no handles open, but exit explicitly so a stray timer never holds the shell.
process.exit(code);
