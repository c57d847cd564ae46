/** Typed parsers for command-line values: bad input fails with the option's name and what it expects. */
import { InvalidArgumentError } from "commander";

export function intOption(min: number, max = Number.MAX_SAFE_INTEGER) {
  return (value: string): number => {
    const n = Number(value);
    if (value.trim() === "" || !Number.isInteger(n) || n < min || n > max) {
      throw new InvalidArgumentError(`received ${JSON.stringify(value)}; expected an integer ${max === Number.MAX_SAFE_INTEGER ? `>= ${min}` : `in [${min}, ${max}]`}.`);
    }
    return n;
  };
}

export function floatOption(min: number, max = Infinity) {
  return (value: string): number => {
    const n = Number(value);
    if (value.trim() === "" || !Number.isFinite(n) || n < min || n > max) {
      throw new InvalidArgumentError(`received ${JSON.stringify(value)}; expected a number ${max === Infinity ? `>= ${min}` : `in [${min}, ${max}]`}.`);
    }
    return n;
  };
}

/** "key=value,key=value" into a record of numbers, booleans and strings (for --set). */
export function parseSettings(value: string, previous: Record<string, unknown> = {}): Record<string, unknown> {
  const out = { ...previous };
  for (const part of value.split(",")) {
    const [key, raw] = part.split("=", 2);
    if (!key || raw === undefined) throw new InvalidArgumentError(`received ${JSON.stringify(value)}; expected key=value pairs separated by commas, e.g. "nLayers=2,dModel=32".`);
    const v = raw.trim();
    out[key.trim()] = v === "true" ? true : v === "false" ? false : v !== "" && Number.isFinite(Number(v)) ? Number(v) : v;
  }
  return out;
}

/** The options of `cmd` the user typed (not defaults), for resuming a run without overriding its settings. */
export function explicitOptions<T extends object>(cmd: import("commander").Command, opts: T): Partial<T> {
  return Object.fromEntries(Object.entries(opts).filter(([k]) => cmd.getOptionValueSource(k) === "cli")) as Partial<T>;
}
