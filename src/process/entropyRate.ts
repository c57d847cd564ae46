/**
 * Entropy rate h_mu (nats/symbol) as a certified bracket.
 *
 * For a stationary hidden Markov process (Cover & Thomas, "Elements of
 * Information Theory", 2nd ed., Thm 4.5.1), for every L >= 1:
 *
 *   H(X_L | X_1..X_{L-1}, S_1)  <=  h_mu  <=  H(X_L | X_1..X_{L-1}),
 *
 * the lower bound nondecreasing and the upper nonincreasing in L, both
 * converging to h_mu. Both are expectations of a next-symbol entropy over
 * histories, computed exactly from the tree of beliefs (beliefTree.ts):
 *   upper: the tree started from the stationary belief pi;
 *   lower: the trees started from each one-hot belief e_s, weighted by pi_s
 *          (conditioning on S_1 = s is starting in state s).
 * Both trees are carried as two mass channels of one tree. L grows until
 * the bracket is narrower than `precision`, or a budget binds. Where the
 * budget prunes histories their probability m widens the bracket, by at most
 * m log V (beliefTree.ts derives the tighter bounds used). The bracket
 * returned is [max_L lower_L, min_L upper_L] over the depths computed, each
 * widened by a roundoff allowance (ROUNDOFF below).
 *
 * Unifilar presentations have the closed form h_mu = sum_i pi_i H[X | S = i]
 * (the state after any word is fixed by S_1, so the lower bound is exact at
 * L = 1), returned with lower = upper.
 *
 * Non-ergodic processes (several closed classes, Hmm.initial given) use the
 * stationary mean of the initial distribution (stationary.ts): a finite
 * HMM started anywhere is asymptotically mean stationary and has the entropy
 * rate of its stationary mean (Gray, "Entropy and Information Theory", on
 * AMS processes). When the initial distribution is itself stationary (as a
 * mixture's is) nothing changes, and the rate is the mixture-weighted mean
 * of the components' rates.
 *
 * Generalized HMMs have no hidden state, so the lower bound does not apply:
 * the upper bound H(X_L | X_<L) (valid for any stationary process) is
 * computed as above and the lower end is 0, the only bound we can certify
 * without a hidden state (lowerBound: "trivial").
 */
import { ArgumentError, checkInteger, checkNumber } from "../util/errors.js";
import { BeliefTree, type TreeRoot } from "./beliefTree.js";
import { resolveBudget, type EnumerationBudget } from "./budget.js";
import { chainClasses } from "./classes.js";
import { initialDistribution } from "./distribution.js";
import { fromFlat, isUnifilar, type Hmm } from "./hmm.js";
import { prepare } from "./prepared.js";
import { stationaryDistribution, stationaryMean } from "./stationary.js";

/**
 * Allowance for float64 roundoff added to each end of the bracket: the sums
 * of n terms of size <= log V carry error <= n eps log V (Higham, "Accuracy
 * and Stability of Numerical Algorithms", 2nd ed., §4.2), and beliefs
 * updated L times carry relative error ~L S eps; 1e-12 plus 16 n eps log V
 * covers both with a margin for the budgets used here.
 */
function roundoff(beliefs: number, nSymbols: number): number {
  return 1e-12 + 16 * Number.EPSILON * beliefs * Math.max(1, Math.log(nSymbols));
}

export interface EntropyRateOptions extends EnumerationBudget {
  /**
   * "auto" (closed form when unifilar, else the bracket), "unifilar" (closed
   * form; throws for a nonunifilar HMM), or "bracket". "myopic" is the old
   * name of "bracket".
   */
  readonly method?: "auto" | "unifilar" | "bracket" | "myopic";
  /** Stop once upper - lower is at most this. Default 1e-6. */
  readonly precision?: number;
  /** Largest L (history length + 1). Default 256. */
  readonly maxDepth?: number;
  /** For a non-ergodic process: the initial distribution whose stationary mean is used (default Hmm.initial). */
  readonly initial?: ArrayLike<number>;
  /** Beliefs within this are merged. Default 1e-12 (roundoff). */
  readonly tolerance?: number;
}

export interface EntropyRateStep {
  readonly L: number;
  /** Exact H(X_L | X_<L, S_1) and H(X_L | X_<L) when nothing is pruned; with pruning, bounds on them. */
  readonly lower: number;
  readonly upper: number;
  /** Probability pruned by this depth, in the lower and upper trees. */
  readonly prunedLower: number;
  readonly prunedUpper: number;
  /** Beliefs held at this depth. */
  readonly beliefs: number;
}

export interface EntropyRateResult {
  /** Certified bracket: lower <= h_mu <= upper (nats/symbol). */
  readonly lower: number;
  readonly upper: number;
  /** Midpoint of the bracket (kept for callers of the old API); trust it only to within width / 2. */
  readonly value: number;
  readonly width: number;
  readonly method: "unifilar" | "bracket";
  /** "cover-thomas": H(X_L | X_<L, S_1); "trivial": 0 (generalized HMM); "exact": closed form. */
  readonly lowerBound: "cover-thomas" | "trivial" | "exact";
  /** True when width <= precision. */
  readonly converged: boolean;
  /** Why the iteration stopped ("settled": a GHMM's upper end stopped moving; its lower end is 0). */
  readonly stoppedBy: "closed-form" | "precision" | "maxDepth" | "budget" | "settled";
  /** Largest L computed (0 for the closed form). */
  readonly depth: number;
  /** The L whose bounds are the bracket's lower and upper ends (they can differ from `depth` once the budget prunes). */
  readonly lowerAt: number;
  readonly upperAt: number;
  /** Probability pruned (upper tree + lower tree, at the last depth): 0 means every bound is exact. */
  readonly prunedMass: number;
  /** Most beliefs held at one depth. */
  readonly beliefsUsed: number;
  /** Work units spent (budget.ts). */
  readonly work: number;
  /** The per-L bounds, L = 1..depth (empty for the closed form and for a non-ergodic process, see `classes`). */
  readonly steps: readonly EntropyRateStep[];
  /** A product (Hmm.factors): each independent component's bracket; the rate is their sum. */
  readonly factors?: readonly EntropyRateResult[];
  /** A non-ergodic process: each closed class (state indices), its probability, and its own bracket. */
  readonly classes?: readonly { readonly states: readonly number[]; readonly weight: number; readonly rate: EntropyRateResult }[];
}

/** Depths over which a GHMM's upper bound must settle before the iteration stops. */
const SETTLE_LEVELS = 8;

/** Distribution the rate is computed under: stationary, or the stationary mean of the initial one. */
export function rateDistribution(hmm: Hmm, initial: ArrayLike<number> | undefined, fn: string): Float64Array {
  if (hmm.generalized) return stationaryDistribution(hmm);
  if (hmm.nStates > 1 && chainClasses(hmm).closed.length > 1) {
    return stationaryMean(hmm, initialDistribution(hmm, initial, fn));
  }
  return stationaryDistribution(hmm);
}

/** The HMM restricted to a closed class (its rows still sum to 1). */
function restrictToClass(hmm: Hmm, states: readonly number[], k: number): Hmm {
  const S = hmm.nStates;
  const c = states.length;
  const V = hmm.nSymbols;
  const flat = new Float64Array(V * c * c);
  for (let x = 0; x < V; x++) {
    for (let a = 0; a < c; a++) for (let b = 0; b < c; b++) flat[(x * c + a) * c + b] = hmm.transitions[(x * S + states[a]) * S + states[b]];
  }
  return fromFlat(flat, V, c, {
    name: `${hmm.name} class ${k}`,
    params: hmm.params,
    symbolLabels: hmm.symbolLabels,
    stateLabels: states.map((i) => hmm.stateLabels[i]),
    tolerance: 1e-6,
  });
}

/**
 * Several closed classes: the stationary mean is the mixture over classes c
 * (weights a_c = pi(c)) of the classes' stationary processes, and
 *   sum_c a_c H_c(X^n) <= H(X^n) <= sum_c a_c H_c(X^n) + H(a)
 * (Cover & Thomas 2.10.1-style grouping: knowing the class costs at most
 * H(a) in total), so h_mu = sum_c a_c h_c: bracket each class on its own
 * (with its share a_c of the work) and combine. Much cheaper than the joint
 * tree, whose beliefs never forget which class they might be in.
 */
function nonErgodicRate(
  hmm: Hmm,
  closed: readonly (readonly number[])[],
  pi: Float64Array,
  options: EntropyRateOptions,
  budget: { maxBeliefs: number; maxWork: number },
): EntropyRateResult {
  const classes = closed
    .map((states, k) => ({ states, weight: states.reduce((sum, i) => sum + pi[i], 0), k }))
    .filter((c) => c.weight > 0)
    .map(({ states, weight, k }) => {
      const sub = restrictToClass(hmm, states, k);
      const rate = entropyRate(sub, { ...options, initial: undefined, maxBeliefs: budget.maxBeliefs, maxWork: Math.floor(budget.maxWork * weight) });
      return { states, weight, rate };
    });
  const lower = classes.reduce((s, c) => s + c.weight * c.rate.lower, 0);
  const upper = classes.reduce((s, c) => s + c.weight * c.rate.upper, 0);
  const precision = options.precision ?? 1e-6;
  const allUnifilar = classes.every((c) => c.rate.method === "unifilar");
  return {
    lower,
    upper,
    value: (lower + upper) / 2,
    width: upper - lower,
    method: allUnifilar ? "unifilar" : "bracket",
    lowerBound: allUnifilar ? "exact" : "cover-thomas",
    converged: upper - lower <= precision,
    stoppedBy: allUnifilar ? "closed-form" : classes.some((c) => c.rate.stoppedBy === "budget") ? "budget" : upper - lower <= precision ? "precision" : "maxDepth",
    depth: Math.max(...classes.map((c) => c.rate.depth)),
    lowerAt: Math.max(...classes.map((c) => c.rate.lowerAt)),
    upperAt: Math.max(...classes.map((c) => c.rate.upperAt)),
    prunedMass: classes.reduce((s, c) => s + c.weight * c.rate.prunedMass, 0),
    beliefsUsed: Math.max(...classes.map((c) => c.rate.beliefsUsed)),
    work: classes.reduce((s, c) => s + c.rate.work, 0),
    steps: [],
    classes,
  };
}

/**
 * Independent components (a product): H(X^n) = sum_k H_k(X^n), so the rate
 * is the sum of the components' rates and the brackets add. Each component
 * gets an equal share of the work and precision / K.
 */
function productRate(factors: readonly Hmm[], options: EntropyRateOptions, budget: { maxBeliefs: number; maxWork: number }): EntropyRateResult {
  const K = factors.length;
  const precision = options.precision ?? 1e-6;
  const rates = factors.map((f) => entropyRate(f, { ...options, precision: precision / K, maxBeliefs: budget.maxBeliefs, maxWork: Math.floor(budget.maxWork / K) }));
  const lower = rates.reduce((s, r) => s + r.lower, 0);
  const upper = rates.reduce((s, r) => s + r.upper, 0);
  const allUnifilar = rates.every((r) => r.method === "unifilar");
  return {
    lower,
    upper,
    value: (lower + upper) / 2,
    width: upper - lower,
    method: allUnifilar ? "unifilar" : "bracket",
    lowerBound: rates.some((r) => r.lowerBound === "trivial") ? "trivial" : allUnifilar ? "exact" : "cover-thomas",
    converged: upper - lower <= precision,
    stoppedBy: allUnifilar ? "closed-form" : upper - lower <= precision ? "precision" : rates.some((r) => r.stoppedBy === "budget") ? "budget" : "maxDepth",
    depth: Math.max(...rates.map((r) => r.depth)),
    lowerAt: Math.max(...rates.map((r) => r.lowerAt)),
    upperAt: Math.max(...rates.map((r) => r.upperAt)),
    prunedMass: Math.max(...rates.map((r) => r.prunedMass)),
    beliefsUsed: Math.max(...rates.map((r) => r.beliefsUsed)),
    work: rates.reduce((s, r) => s + r.work, 0),
    steps: [],
    factors: rates,
  };
}

/**
 * Entropy rate h_mu (nats/symbol) as a certified bracket [lower, upper],
 * within the budget (budget.ts: memory ~ maxBeliefs (2S + 3V + 8) 8 bytes,
 * time ~ maxWork / (1.5e8 to 3e8) s).
 */
export function entropyRate(hmm: Hmm, options: EntropyRateOptions = {}): EntropyRateResult {
  const fn = "entropyRate";
  const method = options.method === "myopic" ? "bracket" : (options.method ?? "auto");
  if (!["auto", "unifilar", "bracket"].includes(method)) {
    throw new ArgumentError({ fn, argument: "method", received: JSON.stringify(method), expected: '"auto", "unifilar" or "bracket"' });
  }
  const precision = checkNumber(fn, "precision", options.precision ?? 1e-6, 0);
  const maxDepth = checkInteger(fn, "maxDepth", options.maxDepth ?? 256, 1);
  const tolerance = checkNumber(fn, "tolerance", options.tolerance ?? 1e-12, 1e-15, 1e-6);
  const budget = resolveBudget(fn, options, hmm.nStates, hmm.nSymbols);
  const unifilar = isUnifilar(hmm);
  if (method === "unifilar" && !unifilar) {
    throw new ArgumentError({
      fn,
      argument: "method",
      received: `"unifilar" for ${hmm.name}, which is not unifilar`,
      expected: `"bracket" or "auto" for a nonunifilar HMM`,
    });
  }
  if (hmm.factors && options.initial === undefined) return productRate(hmm.factors, { ...options, method, precision, maxDepth, tolerance }, budget);
  const pi = rateDistribution(hmm, options.initial, fn);
  const S = hmm.nStates;
  if (!hmm.generalized && S > 1) {
    const { closed } = chainClasses(hmm);
    if (closed.length > 1) return nonErgodicRate(hmm, closed, pi, { ...options, method, precision, maxDepth, tolerance }, budget);
  }
  if (method !== "bracket" && unifilar) {
    const { stateEntropy } = prepare(hmm);
    let h = 0;
    for (let i = 0; i < S; i++) if (pi[i] > 0) h += pi[i] * stateEntropy[i];
    return {
      lower: h,
      upper: h,
      value: h,
      width: 0,
      method: "unifilar",
      lowerBound: "exact",
      converged: true,
      stoppedBy: "closed-form",
      depth: 0,
      lowerAt: 0,
      upperAt: 0,
      prunedMass: 0,
      beliefsUsed: 0,
      work: 0,
      steps: [],
    };
  }

  // Channel 0: the tree from pi (upper bound). Channel 1: the trees from e_s weighted by pi_s (lower bound).
  const generalized = hmm.generalized === true;
  const roots: TreeRoot[] = [{ belief: pi, masses: generalized ? [1] : [1, 0] }];
  if (!generalized) {
    for (let s = 0; s < S; s++) {
      if (!(pi[s] > 0)) continue;
      const e = new Float64Array(S);
      e[s] = 1;
      roots.push({ belief: e, masses: [0, pi[s]] });
    }
  }
  const tree = new BeliefTree(hmm, roots, budget, tolerance);
  const steps: EntropyRateStep[] = [];
  let bestLower = 0;
  let bestUpper = Infinity;
  let lowerAt = 1;
  let upperAt = 1;
  let stoppedBy: EntropyRateResult["stoppedBy"] = "maxDepth";
  let stall = 0;
  for (let L = 1; ; L++) {
    const b = tree.levelBounds();
    const slack = roundoff(b.size, hmm.nSymbols);
    const lower = generalized ? 0 : b.lower[1];
    const upper = b.upper[0];
    steps.push({ L, lower, upper, prunedLower: generalized ? 0 : b.prunedMass[1], prunedUpper: b.prunedMass[0], beliefs: b.size });
    const improved = lower - slack > bestLower || upper + slack < bestUpper;
    if (lower - slack > bestLower || L === 1) lowerAt = L;
    if (upper + slack < bestUpper) upperAt = L;
    bestLower = Math.max(bestLower, lower - slack);
    bestUpper = Math.min(bestUpper, upper + slack);
    stall = improved ? 0 : stall + 1;
    if (bestUpper - bestLower <= precision) {
      stoppedBy = "precision";
      break;
    }
    if (L >= maxDepth) {
      stoppedBy = "maxDepth";
      break;
    }
    // A GHMM's lower end stays 0, so the precision is never met: stop once the upper end has settled
    // (moved less than precision / 10 over the last SETTLE_LEVELS depths). The bracket stays valid.
    if (generalized && steps.length > SETTLE_LEVELS && steps[steps.length - 1 - SETTLE_LEVELS].upper - upper < precision / 10) {
      stoppedBy = "settled";
      break;
    }
    // Once the budget prunes, pruned probability only grows; a depth that improves neither end
    // means the pruning costs more than the extra depth gains, so stop there.
    if (tree.budgetBound && stall >= 1) {
      stoppedBy = "budget";
      break;
    }
    if (!tree.step()) {
      stoppedBy = "budget";
      break;
    }
  }
  bestLower = Math.max(0, bestLower);
  const last = steps[steps.length - 1];
  return {
    lower: bestLower,
    upper: bestUpper,
    value: (bestLower + bestUpper) / 2,
    width: bestUpper - bestLower,
    method: "bracket",
    lowerBound: generalized ? "trivial" : "cover-thomas",
    converged: bestUpper - bestLower <= precision,
    stoppedBy,
    depth: last.L,
    lowerAt,
    upperAt,
    prunedMass: last.prunedLower + last.prunedUpper,
    beliefsUsed: tree.maxHeld,
    work: tree.workSpent,
    steps,
  };
}
