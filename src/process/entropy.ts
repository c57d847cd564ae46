/**
 * Optimal loss per position and entropy rate.
 *
 * The Bayes-optimal predictor's expected cross-entropy at position t is the
 * myopic entropy h(t) = H[X_t | X_0 ... X_{t-1}] (Crutchfield & Feldman 2003,
 * "Regularities unseen, randomness observed"), computed exactly by pushing the
 * distribution over beliefs forward one symbol at a time:
 *   h(t) = sum_eta P_t(eta) H[P(. | eta)].
 * h(t) decreases to the entropy rate h_mu.
 */
import { ArgumentError, checkInteger, checkNumber } from "../util/errors.js";
import { warn } from "../util/warn.js";
import { nextSymbolDistribution, updateBelief } from "./beliefs.js";
import { beliefKey } from "./beliefKey.js";
import { initialDistribution } from "./distribution.js";
import { isUnifilar, type Hmm } from "./hmm.js";
import { stationaryDistribution } from "./stationary.js";

/** Shannon entropy in nats of a probability vector. */
export function entropy(p: ArrayLike<number>): number {
  let h = 0;
  for (let k = 0; k < p.length; k++) if (p[k] > 0) h -= p[k] * Math.log(p[k]);
  return h;
}

export interface BeliefDistributionOptions {
  /** Start belief; default the stationary distribution. */
  readonly initial?: ArrayLike<number>;
  /** Beliefs within this are merged (mass-weighted mean). Default 1e-12: exact up to roundoff. */
  readonly tolerance?: number;
  /**
   * Cap on distinct beliefs per position. Past it the merging tolerance is
   * coarsened tenfold until the cap holds; processes with infinite MSPs
   * (mess3: 3^t beliefs at depth t) need this beyond t ~ 11. Merging two
   * beliefs into their weighted mean changes h(t) only to second order in
   * their distance. Default 200000 for myopicEntropy (exact for mess3 up
   * to 11 positions), 20000 for entropyRate (mess3's rate to ~1e-9 in a second).
   */
  readonly maxBeliefs?: number;
}

interface BeliefLevel {
  /** [n, S] */
  beliefs: Float64Array;
  /** [n] */
  mass: Float64Array;
}

/**
 * Accumulates weighted beliefs, merging those on the same tolerance grid cell
 * into their mass-weighted mean.
 */
class BeliefMerger {
  readonly #index = new Map<string, number>();
  readonly #sums: number[] = []; // mass-weighted belief sums, S per entry
  readonly #masses: number[] = [];

  constructor(
    readonly nStates: number,
    readonly tolerance: number,
  ) {}

  add(beliefs: ArrayLike<number>, offset: number, mass: number): void {
    const S = this.nStates;
    const key = beliefKey(beliefs, offset, S, this.tolerance);
    let id = this.#index.get(key);
    if (id === undefined) {
      id = this.#masses.length;
      this.#index.set(key, id);
      this.#masses.push(0);
      for (let i = 0; i < S; i++) this.#sums.push(0);
    }
    this.#masses[id] += mass;
    for (let i = 0; i < S; i++) this.#sums[id * S + i] += mass * beliefs[offset + i];
  }

  level(): BeliefLevel {
    const S = this.nStates;
    const beliefs = new Float64Array(this.#sums.length);
    this.#masses.forEach((m, id) => {
      for (let i = 0; i < S; i++) beliefs[id * S + i] = this.#sums[id * S + i] / m;
    });
    return { beliefs, mass: Float64Array.from(this.#masses) };
  }
}

/** Push a distribution over beliefs forward one symbol, merging close beliefs. */
function stepLevel(hmm: Hmm, level: BeliefLevel, tolerance: number): BeliefLevel {
  const S = hmm.nStates;
  const merger = new BeliefMerger(S, tolerance);
  const next = new Float64Array(S);
  for (let k = 0; k < level.mass.length; k++) {
    const eta = level.beliefs.subarray(k * S, (k + 1) * S);
    for (let x = 0; x < hmm.nSymbols; x++) {
      const p = updateBelief(hmm, eta, x, next);
      if (p > 0) merger.add(next, 0, level.mass[k] * p);
    }
  }
  return merger.level();
}

/** Merge a level's beliefs on a coarser grid. */
function coarsen(hmm: Hmm, level: BeliefLevel, tolerance: number): BeliefLevel {
  const merger = new BeliefMerger(hmm.nStates, tolerance);
  for (let k = 0; k < level.mass.length; k++) merger.add(level.beliefs, k * hmm.nStates, level.mass[k]);
  return merger.level();
}

function levelEntropy(hmm: Hmm, level: BeliefLevel, scratch: Float64Array): number {
  const S = hmm.nStates;
  let h = 0;
  for (let k = 0; k < level.mass.length; k++) {
    h += level.mass[k] * entropy(nextSymbolDistribution(hmm, level.beliefs.subarray(k * S, (k + 1) * S), scratch));
  }
  return h;
}

/**
 * Iterate h(0), h(1), ... with the belief distribution. Yields [t, h(t), distinct beliefs, tolerance].
 */
function* myopicEntropies(
  hmm: Hmm,
  options: BeliefDistributionOptions,
  fn: string,
  defaultMaxBeliefs: number,
): Generator<[number, number, number, number]> {
  let tolerance = checkNumber(fn, "tolerance", options.tolerance ?? 1e-12, 1e-15, 0.5);
  const maxBeliefs = checkInteger(fn, "maxBeliefs", options.maxBeliefs ?? defaultMaxBeliefs, 1);
  let level: BeliefLevel = { beliefs: initialDistribution(hmm, options.initial, fn), mass: Float64Array.of(1) };
  const scratch = new Float64Array(hmm.nSymbols);
  for (let t = 0; ; t++) {
    yield [t, levelEntropy(hmm, level, scratch), level.mass.length, tolerance];
    level = stepLevel(hmm, level, tolerance);
    while (level.mass.length > maxBeliefs && tolerance < 0.5) {
      tolerance = Math.min(0.5, Number((tolerance * 10).toPrecision(6)));
      level = coarsen(hmm, level, tolerance);
    }
  }
}

export interface MyopicEntropyResult {
  /** [length]: h(t) in nats for t = 0..length-1, the optimal expected loss at each position. */
  readonly values: Float64Array;
  /** Largest merging tolerance used (1e-12 unless maxBeliefs forced coarsening). */
  readonly tolerance: number;
}

/**
 * Optimal expected cross-entropy (nats) of next-token prediction at positions
 * 0..length-1, for sequences starting from `initial` (default stationary).
 */
export function myopicEntropy(hmm: Hmm, length: number, options: BeliefDistributionOptions = {}): MyopicEntropyResult {
  const fn = "myopicEntropy";
  checkInteger(fn, "length", length, 1);
  const values = new Float64Array(length);
  let tolerance = 0;
  for (const [t, h, , tol] of myopicEntropies(hmm, options, fn, 200_000)) {
    values[t] = h;
    tolerance = Math.max(tolerance, tol);
    if (t === length - 1) break;
  }
  if (tolerance > 1e-6) {
    warn(`myopicEntropy: merged beliefs within ${tolerance} to stay under maxBeliefs; losses are approximate in the last digits.`);
  }
  return { values, tolerance };
}

export interface EntropyRateOptions extends BeliefDistributionOptions {
  /** "unifilar" closed form, "myopic" limit, or "auto" (closed form when unifilar). */
  readonly method?: "auto" | "unifilar" | "myopic";
  /** Stop when h(t - window) - h(t) falls below this. Default 1e-10. */
  readonly convergence?: number;
  /** Give up after this many symbols. Default 5000. */
  readonly maxDepth?: number;
}

export interface EntropyRateResult {
  /** Entropy rate h_mu in nats per symbol (for "myopic", an upper bound: the last h(t)). */
  readonly value: number;
  readonly method: "unifilar" | "myopic";
  readonly converged: boolean;
  /** Symbols of history used (myopic) or 0 (closed form). */
  readonly depth: number;
}

/** Plateaus of the myopic entropy (rrxor has h(0) = h(1)) are shorter than this window. */
const PLATEAU_WINDOW = 12;

/**
 * Entropy rate h_mu (nats/symbol). For a unifilar presentation the state
 * after any word is determined by the start state, so
 * h_mu = sum_i pi_i H[X | S = i] (Cover & Thomas 4.5; Crutchfield & Feldman 2003).
 * Otherwise h_mu = lim h(t), iterated until it stops changing.
 */
export function entropyRate(hmm: Hmm, options: EntropyRateOptions = {}): EntropyRateResult {
  const fn = "entropyRate";
  const method = options.method ?? "auto";
  if (method === "unifilar" || (method === "auto" && isUnifilar(hmm) && options.initial === undefined)) {
    if (!isUnifilar(hmm)) {
      throw new ArgumentError({
        fn,
        argument: "method",
        received: `"unifilar" for ${hmm.name}, which is not unifilar`,
        expected: `"myopic" or "auto" for a nonunifilar HMM`,
      });
    }
    const pi = stationaryDistribution(hmm);
    const S = hmm.nStates;
    const onehot = new Float64Array(S);
    let h = 0;
    for (let i = 0; i < S; i++) {
      onehot.fill(0);
      onehot[i] = 1;
      h += pi[i] * entropy(nextSymbolDistribution(hmm, onehot));
    }
    return { value: h, method: "unifilar", converged: true, depth: 0 };
  }
  const convergence = checkNumber(fn, "convergence", options.convergence ?? 1e-10, 0);
  const maxDepth = checkInteger(fn, "maxDepth", options.maxDepth ?? 5000, 1);
  const history: number[] = [];
  for (const [t, h] of myopicEntropies(hmm, options, fn, 20_000)) {
    history.push(h);
    if (t >= PLATEAU_WINDOW && history[t - PLATEAU_WINDOW] - h < convergence) {
      return { value: h, method: "myopic", converged: true, depth: t };
    }
    if (t >= maxDepth) return { value: h, method: "myopic", converged: false, depth: t };
  }
  /* c8 ignore next */
  throw new Error("unreachable");
}
