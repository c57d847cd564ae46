/**
 * The process catalogue. The registry is a mapped type over ProcessName, so a
 * process without a factory fails to compile.
 */
import { ArgumentError, describe } from "../../util/errors.js";
import type { Hmm } from "../hmm.js";
import { coin, type CoinParams } from "./coin.js";
import { daysOfWeek, type DaysOfWeekParams } from "./daysOfWeek.js";
import { even, type EvenParams } from "./even.js";
import { fanizza, type FanizzaParams } from "./fanizza.js";
import { goldenMean, type GoldenMeanParams } from "./goldenMean.js";
import { leakyRrxor, type LeakyRrxorParams } from "./leakyRrxor.js";
import { matchingParens, type MatchingParensParams } from "./matchingParens.js";
import { mess3, type Mess3Params } from "./mess3.js";
import { mrName, type MrNameParams } from "./mrName.js";
import { noConsecutiveOnes, type NoConsecutiveOnesParams } from "./noConsecutiveOnes.js";
import { postQuantum, type PostQuantumParams } from "./postQuantum.js";
import { randomHmm, type RandomHmmParams } from "./randomHmm.js";
import { rrxor, type RrxorParams } from "./rrxor.js";
import { sns, type SnsParams } from "./sns.js";
import { tomQuantum, type TomQuantumParams } from "./tomQuantum.js";
import { trap, type TrapParams } from "./trap.js";
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
  coin: CoinParams;
  "days-of-week": DaysOfWeekParams;
  "no-consecutive-ones": NoConsecutiveOnesParams;
  "leaky-rrxor": LeakyRrxorParams;
  "matching-parens": MatchingParensParams;
  "mr-name": MrNameParams;
  trap: TrapParams;
  fanizza: FanizzaParams;
  "post-quantum": PostQuantumParams;
  "tom-quantum": TomQuantumParams;
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
  coin,
  "days-of-week": daysOfWeek,
  "no-consecutive-ones": noConsecutiveOnes,
  "leaky-rrxor": leakyRrxor,
  "matching-parens": matchingParens,
  "mr-name": mrName,
  trap,
  fanizza,
  "post-quantum": postQuantum,
  "tom-quantum": tomQuantum,
};

/** Other names users type for catalogue processes. */
export const processAliases: Readonly<Record<string, ProcessName>> = {
  "zero-one-random": "z1r",
  "random-random-xor": "rrxor",
  golden: "golden-mean",
  "simple-nonunifilar-source": "sns",
  random: "random-hmm",
  // Astera simplexity's names (snake_case). Its even_ones(p) has exactly our even process's matrices.
  zero_one_random: "z1r",
  golden_mean: "golden-mean",
  even_ones: "even",
  "even-ones": "even",
  days_of_week: "days-of-week",
  no_consecutive_ones: "no-consecutive-ones",
  leaky_rrxor: "leaky-rrxor",
  matching_parens: "matching-parens",
  mr_name: "mr-name",
  post_quantum: "post-quantum",
  tom_quantum: "tom-quantum",
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
