#!/usr/bin/env node
/**
 * beliefscope: the command line.
 *   beliefscope demo                  the anchor experiment on mess3 (train, evaluate, probe, figures, report)
 *   beliefscope process ...           catalogue, info, sampling, MSP, JSON
 *   beliefscope arch                  registered architectures, presets and hooks
 *   beliefscope train <process>       train a model on a process (resumable run folder)
 *   beliefscope probe <model>         probe a trained model for belief states, with controls and verdicts
 *   beliefscope evaluate <model>      held-out loss against the optimum, per position
 *   beliefscope activations <model>   activations, tokens and exact beliefs as safetensors
 *   beliefscope ladder <process>      the minimal-model ladder: transformers down to linear attention, RNNs, SSMs
 */
import { Command, CommanderError } from "commander";
import { ArgumentError } from "../util/errors.js";
import { commandLineMessage, commandPathOf } from "./commandLineError.js";
import { demoCommand } from "./demoCommand.js";
import { processCommand } from "./processCommand.js";
import { probeCommand } from "./probeCommand.js";
import { trainCommand } from "./trainCommand.js";
import { evaluateCommand } from "./evaluateCommand.js";
import { activationsCommand } from "./activationsCommand.js";
import { archCommand } from "./archCommand.js";
import { tokenizerCommand } from "./tokenizerCommand.js";
import { lmCommand } from "./lmCommand.js";
import { recoverCommand } from "./recoverCommand.js";
import { labCommand } from "./labCommand.js";
import { ladderCommand } from "./ladderCommand.js";
import { constructCommand } from "./constructCommand.js";
import { mechanismCommand } from "./mechanismCommand.js";
import { animateCommand } from "./animateCommand.js";
import { movieCommand } from "./movieCommand.js";
import { VERSION } from "../version.js";
// Training in Node uses every core: register the multi-threaded fused trainer.
import "../node/fast/engine.js";

export function buildProgram(): Command {
  const program = new Command("beliefscope")
    .description("Belief-state geometry in transformers trained on hidden Markov processes")
    .version(VERSION);
  program.addCommand(demoCommand());
  program.addCommand(processCommand());
  program.addCommand(trainCommand());
  program.addCommand(probeCommand());
  program.addCommand(evaluateCommand());
  program.addCommand(activationsCommand());
  program.addCommand(archCommand());
  program.addCommand(tokenizerCommand());
  program.addCommand(lmCommand());
  program.addCommand(recoverCommand());
  program.addCommand(labCommand());
  program.addCommand(ladderCommand());
  program.addCommand(constructCommand());
  program.addCommand(mechanismCommand());
  program.addCommand(animateCommand());
  program.addCommand(movieCommand());
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
  let running: string | null = null;
  program.hook("preAction", (_, action) => void (running = commandPathOf(action)));
  try {
    await program.parseAsync(argv);
    return 0;
  } catch (err) {
    if (err instanceof CommanderError) return err.exitCode === 0 ? 0 : 2;
    if (err instanceof ArgumentError) {
      process.stderr.write(`error: ${commandLineMessage(err, running)}\n`);
      return 1;
    }
    // Not a usage error: a bug or an environment problem. The message, and the stack only on request.
    const debug = process.env.BELIEFSCOPE_DEBUG === "1";
    process.stderr.write(`error: ${debug ? ((err as Error)?.stack ?? String(err)) : ((err as Error)?.message ?? String(err))}\n`);
    if (!debug) process.stderr.write("(an unexpected error: run with BELIEFSCOPE_DEBUG=1 to see where it came from, and please report it)\n");
    return 1;
  }
}

const code = await main(process.argv);
// jax-js keeps no handles open, but exit explicitly so a stray timer never holds the shell.
process.exit(code);
