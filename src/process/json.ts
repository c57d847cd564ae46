/**
 * Processes as JSON files. Two accepted shapes:
 *
 *   { "format": "beliefscope/hmm", "version": 1, "name": "...",
 *     "transitions": T[x][i][j], "symbols"?: [...], "states"?: [...], "params"?: {...} }
 *
 *   { "transition": A[i][j], "emission": B[i][x], "emitFrom"?: "source" | "destination", ... }
 *
 * Optional in both: "initial": the distribution of the first hidden state
 * (default stationary). It is required when the hidden chain has more than
 * one closed class (no unique stationary distribution); the error names
 * the classes.
 *
 * A generalized HMM says so: { "generalized": true, "transitions": T[x][i][j]
 * (any real numbers), "initial"?: row vector, "normalizer"?: r }; instead of
 * stochastic rows it is checked to give every word a nonnegative probability,
 * consistently, up to the length a work budget allows (ghmm.ts; named by
 * `process info`).
 *
 * Serialising always writes the first shape. Reading and writing files is in
 * node/processFiles.ts; this module is pure.
 */
import { ArgumentError, describe } from "../util/errors.js";
import { chainClasses, describeClasses } from "./classes.js";
import { fromTransitionEmission } from "./classicForm.js";
import { createGeneralizedHmm } from "./ghmm.js";
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
  /** Present when the process fixes its start (always for a generalized HMM). */
  readonly initial?: number[];
  /** Present (true) for a generalized HMM, with its normalizer r. */
  readonly generalized?: true;
  readonly normalizer?: number[];
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
    ...(hmm.initial ? { initial: Array.from(hmm.initial) } : {}),
    ...(hmm.generalized ? { generalized: true as const, normalizer: Array.from(hmm.normalizer!) } : {}),
  };
}

const KNOWN_KEYS = [
  "format",
  "version",
  "name",
  "params",
  "symbols",
  "states",
  "transitions",
  "transition",
  "emission",
  "emitFrom",
  "initial",
  "generalized",
  "normalizer",
  "description",
];

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
  if (obj.initial !== undefined && obj.initial !== null && !Array.isArray(obj.initial)) {
    throw new ArgumentError({ fn, argument: "initial", received: describe(obj.initial), expected: "an array of numbers, one per hidden state" });
  }
  const initial = (obj.initial ?? undefined) as number[] | undefined;
  const options = {
    name,
    params: params as Record<string, number>,
    symbolLabels: obj.symbols as string[] | undefined,
    stateLabels: obj.states as string[] | undefined,
    initial,
  };
  if (obj.generalized !== undefined && typeof obj.generalized !== "boolean") {
    throw new ArgumentError({ fn, argument: "generalized", received: describe(obj.generalized), expected: "true or false" });
  }
  if (obj.generalized === true) {
    if (obj.transitions === undefined) {
      throw new ArgumentError({ fn, argument: "transitions", received: "nothing", expected: "labelled matrices T[x][i][j] (a generalized HMM has no classic form)" });
    }
    return createGeneralizedHmm(obj.transitions, { ...options, normalizer: obj.normalizer as number[] | undefined }, fn);
  }
  if (obj.normalizer !== undefined) {
    throw new ArgumentError({ fn, argument: "normalizer", received: "a normalizer for a stochastic HMM", expected: 'no normalizer unless "generalized": true' });
  }
  let hmm: Hmm;
  if (obj.transitions !== undefined) {
    if (obj.transition !== undefined || obj.emission !== undefined) {
      throw new ArgumentError({ fn, argument: "transitions", received: "both 'transitions' and 'transition'/'emission'", expected: "one of the two forms" });
    }
    hmm = createHmm(obj.transitions, options, fn);
  } else if (obj.transition !== undefined || obj.emission !== undefined) {
    hmm = fromTransitionEmission(obj.transition, obj.emission, { ...options, emitFrom: obj.emitFrom as "source" | "destination" | undefined });
  } else {
    throw new ArgumentError({ fn, argument: "transitions", received: "nothing", expected: "labelled matrices T[x][i][j], or 'transition' and 'emission'" });
  }
  checkStartIsDefined(hmm, fn);
  return hmm;
}

/**
 * A process with several closed classes has one stationary distribution per
 * class, so without "initial" it does not say how it starts: reject it,
 * naming the classes.
 */
export function checkStartIsDefined(hmm: Hmm, fn: string): void {
  if (hmm.initial || hmm.generalized || hmm.nStates === 1) return;
  const { closed } = chainClasses(hmm);
  if (closed.length <= 1) return;
  throw new ArgumentError({
    fn,
    argument: "initial",
    received: `nothing, for a hidden chain with ${closed.length} closed classes ${describeClasses(hmm, closed)}`,
    expected: "an initial distribution: a process with more than one closed class has no unique stationary distribution",
    hint: `Add "initial": [${hmm.nStates} probabilities, one per state], e.g. weights on the classes.`,
  });
}

/** Parse the text of a process JSON file; `source` (a file name) is named in errors. */
export function processFromJsonText(text: string, source = "process JSON"): Hmm {
  let parsed: unknown;
  try {
    // Editors write a UTF-8 byte-order mark at the start of a file: not part of the JSON.
    parsed = JSON.parse(text.startsWith("\ufeff") ? text.slice(1) : text);
  } catch (err) {
    throw new ArgumentError({ fn: "processFromJsonText", argument: source, received: `text that is not valid JSON (${(err as Error).message})`, expected: "a process JSON file" });
  }
  return processFromJson(parsed, source);
}
