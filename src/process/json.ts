/**
 * Processes as JSON files. Two accepted shapes:
 *
 *   { "format": "beliefscope/hmm", "version": 1, "name": "...",
 *     "transitions": T[x][i][j], "symbols"?: [...], "states"?: [...], "params"?: {...} }
 *
 *   { "transition": A[i][j], "emission": B[i][x], "emitFrom"?: "source" | "destination", ... }
 *
 * Serialising always writes the first shape. Reading and writing files is in
 * node/processFiles.ts; this module is pure.
 */
import { ArgumentError, describe } from "../util/errors.js";
import { fromTransitionEmission } from "./classicForm.js";
import { createHmm, toNested, type Hmm } from "./hmm.js";

export const PROCESS_FORMAT = "beliefscope/hmm";
export const PROCESS_FORMAT_VERSION = 1;

export interface ProcessJson {
  readonly format: typeof PROCESS_FORMAT;
  readonly version: number;
  readonly name: string;
  readonly params: Record<string, number>;
  readonly symbols: readonly string[];
  readonly states: readonly string[];
  readonly transitions: number[][][];
}

export function processToJson(hmm: Hmm): ProcessJson {
  return {
    format: PROCESS_FORMAT,
    version: PROCESS_FORMAT_VERSION,
    name: hmm.name,
    params: { ...hmm.params },
    symbols: hmm.symbolLabels,
    states: hmm.stateLabels,
    transitions: toNested(hmm),
  };
}

const KNOWN_KEYS = ["format", "version", "name", "params", "symbols", "states", "transitions", "transition", "emission", "emitFrom", "description"];

/** Build an HMM from parsed JSON. `source` names the file in errors. */
export function processFromJson(value: unknown, source = "process JSON"): Hmm {
  const fn = `processFromJson(${source})`;
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    throw new ArgumentError({ fn, argument: "json", received: describe(value), expected: "an object with 'transitions' (or 'transition' and 'emission')" });
  }
  const obj = value as Record<string, unknown>;
  for (const key of Object.keys(obj)) {
    if (!KNOWN_KEYS.includes(key)) {
      throw new ArgumentError({ fn, argument: key, received: "an unknown key", expected: `one of ${KNOWN_KEYS.join(", ")}` });
    }
  }
  if (obj.format !== undefined && obj.format !== PROCESS_FORMAT) {
    throw new ArgumentError({ fn, argument: "format", received: describe(obj.format), expected: JSON.stringify(PROCESS_FORMAT) });
  }
  if (obj.version !== undefined && obj.version !== PROCESS_FORMAT_VERSION) {
    throw new ArgumentError({ fn, argument: "version", received: describe(obj.version), expected: `${PROCESS_FORMAT_VERSION}` });
  }
  const name = obj.name === undefined ? "custom" : obj.name;
  if (typeof name !== "string") throw new ArgumentError({ fn, argument: "name", received: describe(name), expected: "a string" });
  const params = obj.params ?? {};
  if (typeof params !== "object" || params === null || Object.values(params).some((v) => typeof v !== "number")) {
    throw new ArgumentError({ fn, argument: "params", received: describe(params), expected: "an object of numbers" });
  }
  const options = {
    name,
    params: params as Record<string, number>,
    symbolLabels: obj.symbols as string[] | undefined,
    stateLabels: obj.states as string[] | undefined,
  };
  if (obj.transitions !== undefined) {
    if (obj.transition !== undefined || obj.emission !== undefined) {
      throw new ArgumentError({ fn, argument: "transitions", received: "both 'transitions' and 'transition'/'emission'", expected: "one of the two forms" });
    }
    return createHmm(obj.transitions, options, fn);
  }
  if (obj.transition !== undefined || obj.emission !== undefined) {
    return fromTransitionEmission(obj.transition, obj.emission, { ...options, emitFrom: obj.emitFrom as "source" | "destination" | undefined });
  }
  throw new ArgumentError({ fn, argument: "transitions", received: "nothing", expected: "labelled matrices T[x][i][j], or 'transition' and 'emission'" });
}

/** Parse the text of a process JSON file; `source` (a file name) is named in errors. */
export function processFromJsonText(text: string, source = "process JSON"): Hmm {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (err) {
    throw new ArgumentError({ fn: "processFromJsonText", argument: source, received: `text that is not valid JSON (${(err as Error).message})`, expected: "a process JSON file" });
  }
  return processFromJson(parsed, source);
}
