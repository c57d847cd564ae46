/**
 * The optimal loss of a next-token model with a context of n_ctx tokens:
 * it predicts tokens 1..n_ctx (token t from tokens 0..t-1), so its expected
 * optimal loss is the mean of the myopic entropies h(1..n_ctx) (entropy.ts).
 * One convention for every command that prints it (process info, train,
 * demo, evaluate, ladder, the lab): "mean over positions 1..n_ctx", n_ctx named.
 *
 * Exact when the enumeration of beliefs fits the budget. Where the budget cut
 * it, each h(t) is a certified bracket, tightened with what is proven for a
 * stationary process (provenBounds.ts: h non-increasing, h(t) >= the entropy
 * rate's certified lower end, h(t) <= H(X_{t+1} | X_<=t) bounds from the rate's
 * own enumeration), and the point estimate is clamped into it; the mean is
 * then the bracket [mean of lower ends, mean of upper ends] with that estimate.
 */
import { entropyRate, myopicEntropy, type EntropyRateResult } from "./entropy.js";
import type { EnumerationBudget } from "./budget.js";
import type { Hmm } from "./hmm.js";
import { applyProvenBounds } from "./provenBounds.js";

/** The context length a training run uses by default (training's nCtx default): the n_ctx every optimum is quoted for. */
export const DEFAULT_OPTIMUM_N_CTX = 10;

export interface OptimalLossOptions extends EnumerationBudget {
  /** Start belief; default the process's (Hmm.initial, else stationary). */
  readonly initial?: ArrayLike<number>;
  /** An entropy-rate bracket already computed for this process (default: computed, only when the enumeration was cut). */
  readonly rate?: EntropyRateResult;
  /** Work units for that bracket when it is computed here (default maxWork, or the default budget). */
  readonly rateWork?: number;
}

export interface OptimalLoss {
  /** Positions predicted: 1..nCtx. */
  readonly nCtx: number;
  /** [nCtx + 1]: h(t), t = 0..nCtx: exact where exactAt[t], else an estimate clamped into [lower[t], upper[t]]. */
  readonly perPosition: Float64Array;
  /** [nCtx + 1]: certified bounds on h(t) (equal to perPosition where exact). */
  readonly lower: Float64Array;
  readonly upper: Float64Array;
  /** [nCtx + 1]: probability of the histories the budget pruned by position t (0: exact). */
  readonly prunedMass: Float64Array;
  /** True when every position is exact. */
  readonly exact: boolean;
  /** Last position computed exactly (-1 if none). */
  readonly exactThrough: number;
  /** Mean of h(1..nCtx): exact, or an estimate inside [meanLower, meanUpper]. */
  readonly mean: number;
  readonly meanLower: number;
  readonly meanUpper: number;
  /** True when the start is stationary (so h is non-increasing and >= the rate). */
  readonly stationary: boolean;
  /** The entropy-rate bracket used to tighten the bounds, when one was. */
  readonly rate?: { readonly lower: number; readonly upper: number };
}

const meanFrom1 = (a: Float64Array): number => a.subarray(1).reduce((x, y) => x + y, 0) / Math.max(1, a.length - 1);

/** The optimal loss per position 0..nCtx and its mean over 1..nCtx (see the module comment). */
export function optimalLoss(hmm: Hmm, nCtx: number, options: OptimalLossOptions = {}): OptimalLoss {
  const budget = { maxBeliefs: options.maxBeliefs, maxWork: options.maxWork };
  const h = myopicEntropy(hmm, nCtx + 1, { ...budget, initial: options.initial });
  let values = h.values;
  let lower = h.lower;
  let upper = h.upper;
  let rate: { lower: number; upper: number } | undefined;
  if (!h.exact && h.stationary) {
    const r = options.rate ?? entropyRate(hmm, { maxBeliefs: options.maxBeliefs, maxWork: options.rateWork ?? options.maxWork });
    rate = { lower: r.lower, upper: r.upper };
    // The rate's upper bound at L is H(X_L | X_<L) from the stationary start: a bound on h(L - 1) itself.
    const extraUpper = r.steps.map((s) => s.upper);
    const proven = applyProvenBounds({ values, lower, upper, stationary: true, rateLower: r.lower, extraUpper });
    values = proven.values;
    lower = proven.lower;
    upper = proven.upper;
  }
  const first = h.prunedMass.findIndex((m) => m > 0);
  return {
    nCtx,
    perPosition: values,
    lower,
    upper,
    prunedMass: h.prunedMass,
    exact: h.exact,
    exactThrough: first < 0 ? nCtx : first - 1,
    mean: meanFrom1(values),
    meanLower: meanFrom1(lower),
    meanUpper: meanFrom1(upper),
    stationary: h.stationary,
    ...(rate ? { rate } : {}),
  };
}
