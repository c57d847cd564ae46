/**
 * An ArgumentError raised inside the library, rendered for the command line:
 * when it names an internal function and an argument that is a flag of the
 * command (arch -> --arch, preset -> --preset, ...), the message names the
 * command and the flag instead ("beliefscope train: --arch received ...").
 */
import type { Command } from "commander";
import { ArgumentError } from "../util/errors.js";

/** Library argument names that are the same setting as a command-line flag. */
const FLAG_OF: Readonly<Record<string, string>> = Object.freeze({ arch: "--arch", preset: "--preset" });

/** `beliefscope lm train` for the command being run. */
export function commandPathOf(cmd: Command): string {
  const names: string[] = [];
  for (let c: Command | null = cmd; c; c = c.parent) names.unshift(c.name());
  return names.join(" ");
}

/** Library functions that parse the `<process>` argument of a command (a catalogue spec, a composite). */
const PROCESS_SPEC_FNS: ReadonlySet<string> = new Set(["makeProcess", "resolveProcessName", "parseProcessSpec", "processFromSpec"]);

/** The command-line name of a process-spec argument: 'name' and 'spec' are `<process>`, 'params.x' its parameter x. */
function processArgument(argument: string): string | undefined {
  if (argument === "name" || argument === "spec") return "<process>";
  if (argument.startsWith("params.")) return `<process> parameter ${argument.slice("params.".length)}`;
  return undefined;
}

/** The message to print: the library's, with the command and flag named when they can be. */
export function commandLineMessage(err: ArgumentError, command: string | null): string {
  const processArg = PROCESS_SPEC_FNS.has(err.fn) ? processArgument(err.argument) : undefined;
  if (processArg && command) return new ArgumentError({ fn: command, argument: processArg, received: err.received, expected: err.expected, hint: err.hint }).message;
  const flag = FLAG_OF[err.argument];
  const fn = err.fn.startsWith("beliefscope") ? err.fn : command;
  if (!flag || !fn) return err.message;
  return new ArgumentError({ fn, argument: flag, received: err.received, expected: err.expected, hint: err.hint }).message;
}
