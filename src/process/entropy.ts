/**
 * Optimal loss per position.
 *
 * The Bayes-optimal predictor's expected cross-entropy at position t is the
 * myopic entropy h(t) = H[X_t | X_0 ... X_{t-1}] (Crutchfield & Feldman 2003,
 * "Regularities unseen, randomness observed"), computed exactly by pushing the
 * distribution over beliefs forward one symbol at a time (beliefTree.ts):
 *   h(t) = sum_eta P_t(eta) H[P(. | eta)].
 * Beliefs equal up to roundoff are merged; nothing is coarsened. When the
 * budget (budget.ts) forces pruning, h(t) is reported as a certified
 * interval [lower, upper] with the pruned probability, never silently
 * approximated. From a stationary start the bounds also use that h is
 * non-increasing (provenBounds.ts); optimalLoss.ts adds the entropy rate's
 * lower bound.
 */
import { checkInteger, checkNumber } from "../util/errors.js";
import { BeliefTree } from "./beliefTree.js";
import { resolveBudget, type EnumerationBudget } from "./budget.js";
import { initialDistribution } from "./distribution.js";
import type { Hmm } from "./hmm.js";
import { entropyOf } from "./prepared.js";
import { applyProvenBounds } from "./provenBounds.js";
import { isStationary } from "./stationary.js";

/** Shannon entropy in nats of a probability vector. */
export function entropy(p: ArrayLike<number>): number {
  return entropyOf(p);
}

export interface BeliefDistributionOptions extends EnumerationBudget {
  /** Start belief; default the process's initial distribution (Hmm.initial, else stationary). */
  readonly initial?: ArrayLike<number>;
  /** Beliefs within this are merged. Default 1e-12: equal up to roundoff, so merging is exact. */
  readonly tolerance?: number;
}

export interface MyopicEntropyResult {
  /**
   * [length]: h(t) in nats for t = 0..length-1, the optimal expected loss at
   * each position. Exact where prunedMass[t] is 0; elsewhere an estimate: the
   * midpoint of [lower[t], upper[t]] (off by at most half its width).
   */
  readonly values: Float64Array;
  /** [length]: certified bounds on h(t) (equal to values where nothing was pruned). */
  readonly lower: Float64Array;
  readonly upper: Float64Array;
  /** [length]: probability of the histories pruned by position t (0: exact). */
  readonly prunedMass: Float64Array;
  /** [length]: distinct beliefs held at each position. */
  readonly beliefs: Int32Array;
  /** True when nothing was pruned: every value is exact. */
  readonly exact: boolean;
  /**
   * True when the start is stationary: then h is non-increasing and at least
   * the entropy rate, and the bounds and estimates respect it (provenBounds.ts).
   */
  readonly stationary: boolean;
  /** The merging tolerance used. */
  readonly tolerance: number;
  /** Work units spent (budget.ts). */
  readonly work: number;
}

/**
 * Optimal expected cross-entropy (nats) of next-token prediction at positions
 * 0..length-1, for sequences starting from `initial` (default: the process's).
 * Memory and time are bounded by `maxBeliefs` and `maxWork` (budget.ts).
 */
export function myopicEntropy(hmm: Hmm, length: number, options: BeliefDistributionOptions = {}): MyopicEntropyResult {
  const fn = "myopicEntropy";
  checkInteger(fn, "length", length, 1);
  const tolerance = checkNumber(fn, "tolerance", options.tolerance ?? 1e-12, 1e-15, 1e-6);
  const budget = resolveBudget(fn, options, hmm.nStates, hmm.nSymbols);
  const root = initialDistribution(hmm, options.initial, fn);
  const tree = new BeliefTree(hmm, [{ belief: root, masses: [1] }], budget, tolerance);
  const values = new Float64Array(length);
  const lower = new Float64Array(length);
  const upper = new Float64Array(length);
  const prunedMass = new Float64Array(length);
  const beliefs = new Int32Array(length);
  for (let t = 0; t < length; t++) {
    if (t > 0 && !tree.step()) {
      // Out of work: everything from here on is pruned; the bounds still hold.
      tree.pruneAll();
    }
    const b = tree.levelBounds();
    lower[t] = b.lower[0];
    upper[t] = b.upper[0];
    prunedMass[t] = b.prunedMass[0];
    beliefs[t] = b.size;
    // Exact where nothing was pruned; elsewhere the estimate is set below (provenBounds.ts).
    values[t] = prunedMass[t] > 0 ? (lower[t] + upper[t]) / 2 : b.kept[0];
  }
  // From a stationary start h(t) is non-increasing: bounds and estimates respect that (provenBounds.ts).
  const stationary = isStationary(hmm, root, 1e-9);
  const proven = applyProvenBounds({ values, lower, upper, stationary });
  return {
    values: proven.values,
    lower: proven.lower,
    upper: proven.upper,
    prunedMass,
    beliefs,
    exact: prunedMass.every((m) => m === 0),
    stationary,
    tolerance,
    work: tree.workSpent,
  };
}

// The entropy rate lives in its own file; re-exported here so that imports of entropy.js keep working.
export * from "./entropyRate.js";
