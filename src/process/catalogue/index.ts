/**
 * The process catalogue. The registry is a mapped type over ProcessName, so a
 * process without a factory fails to compile.
 */
import { ArgumentError, describe } from "../../util/errors.js";
import type { Hmm } from "../hmm.js";
import { even, type EvenParams } from "./even.js";
import { goldenMean, type GoldenMeanParams } from "./goldenMean.js";
import { mess3, type Mess3Params } from "./mess3.js";
import { randomHmm, type RandomHmmParams } from "./randomHmm.js";
import { rrxor, type RrxorParams } from "./rrxor.js";
import { sns, type SnsParams } from "./sns.js";
import type { ProcessFactory } from "./types.js";
import { z1r, type Z1rParams } from "./z1r.js";

export type { ParamSpec, ProcessFactory } from "./types.js";

export interface ProcessParams {
  mess3: Mess3Params;
  z1r: Z1rParams;
  rrxor: RrxorParams;
  "golden-mean": GoldenMeanParams;
  even: EvenParams;
  sns: SnsParams;
  "random-hmm": RandomHmmParams;
}

export type ProcessName = keyof ProcessParams;

export const catalogue: { readonly [K in ProcessName]: ProcessFactory<ProcessParams[K]> } = {
  mess3,
  z1r,
  rrxor,
  "golden-mean": goldenMean,
  even,
  sns,
  "random-hmm": randomHmm,
};

/** Other names users type for catalogue processes. */
export const processAliases: Readonly<Record<string, ProcessName>> = {
  "zero-one-random": "z1r",
  "random-random-xor": "rrxor",
  golden: "golden-mean",
  "simple-nonunifilar-source": "sns",
  random: "random-hmm",
};

export const processNames = Object.keys(catalogue) as ProcessName[];

/** Resolve a name or alias to a catalogue name, or throw listing the choices. */
export function resolveProcessName(name: string, fn = "makeProcess"): ProcessName {
  if (name in catalogue) return name as ProcessName;
  const alias = processAliases[name];
  if (alias) return alias;
  throw new ArgumentError({
    fn,
    argument: "name",
    received: describe(name),
    expected: `a catalogue process: ${processNames.join(", ")} (aliases: ${Object.keys(processAliases).join(", ")})`,
    hint: "Or pass the path of a process JSON file.",
  });
}

/**
 * Build a catalogue process. Missing parameters take their documented
 * defaults; unknown or out-of-range parameters throw.
 */
export function makeProcess<K extends ProcessName>(name: K, params?: Partial<ProcessParams[K]>): Hmm;
export function makeProcess(name: string, params?: Record<string, number>): Hmm;
export function makeProcess(name: string, params: Record<string, number> = {}): Hmm {
  const fn = "makeProcess";
  const key = resolveProcessName(name, fn);
  const factory = catalogue[key] as unknown as ProcessFactory<Record<string, number>>;
  const specs = factory.params as Record<string, import("./types.js").ParamSpec>;
  for (const p of Object.keys(params)) {
    if (!(p in specs)) {
      throw new ArgumentError({
        fn,
        argument: `params.${p}`,
        received: "an unknown parameter",
        expected: `a parameter of ${key}: ${Object.keys(specs).join(", ") || "(none)"}`,
      });
    }
  }
  const full: Record<string, number> = {};
  for (const [p, spec] of Object.entries(specs)) {
    const v = params[p] ?? spec.default;
    if (typeof v !== "number" || !Number.isFinite(v) || v < spec.min || v > spec.max || (spec.integer && !Number.isInteger(v))) {
      throw new ArgumentError({
        fn,
        argument: `params.${p}`,
        received: describe(v),
        expected: `${spec.integer ? "an integer" : "a number"} in [${spec.min}, ${spec.max}] (${spec.doc})`,
      });
    }
    full[p] = v;
  }
  return factory.build(full);
}
