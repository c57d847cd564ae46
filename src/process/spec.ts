/**
 * Process specs as users type them on the command line:
 *   "mess3"                    catalogue defaults
 *   "mess3:x=0.1,alpha=0.7"    catalogue with parameters
 *   "path/to/process.json"     a JSON file (anything ending in .json or containing a slash),
 *                              read by resolveProcess in beliefscope/node
 */
import { ArgumentError } from "../util/errors.js";
import { makeProcess } from "./catalogue/index.js";
import type { Hmm } from "./hmm.js";

export function isFileSpec(spec: string): boolean {
  return spec.endsWith(".json") || spec.includes("/") || spec.includes("\\");
}

/** Parse "name:key=value,..." into a name and numeric parameters. */
export function parseCatalogueSpec(spec: string): { name: string; params: Record<string, number> } {
  const [name, rest] = spec.split(/:(.*)/s, 2);
  const params: Record<string, number> = {};
  if (rest) {
    for (const part of rest.split(",")) {
      const [key, value] = part.split("=", 2);
      const num = Number(value);
      if (!key || value === undefined || value.trim() === "" || !Number.isFinite(num)) {
        throw new ArgumentError({
          fn: "parseProcessSpec",
          argument: "spec",
          received: JSON.stringify(spec),
          expected: 'name or name:key=value,... with numeric values, e.g. "mess3:x=0.05,alpha=0.85"',
        });
      }
      params[key.trim()] = num;
    }
  }
  return { name: name.trim(), params };
}

/**
 * Build a process from a catalogue spec ("mess3", "mess3:x=0.1"). File specs
 * are read by `resolveProcess` in beliefscope/node; here they are an error.
 */
export function processFromSpec(spec: string): Hmm {
  if (isFileSpec(spec)) {
    throw new ArgumentError({ fn: "processFromSpec", argument: "spec", received: JSON.stringify(spec), expected: "a catalogue spec such as \"mess3:x=0.1\"", hint: "Read process files with resolveProcess or loadProcess from beliefscope/node." });
  }
  const { name, params } = parseCatalogueSpec(spec);
  return makeProcess(name, params);
}
