/**
 * Quantities every belief computation needs, computed once per process and
 * cached (the Hmm object is frozen, so a WeakMap keyed by it is safe):
 *
 *   r          the normalizer (all ones for a stochastic HMM)
 *   E[x][i]    = sum_j T[x][i][j] r_j, so P(x | eta) = sum_i eta_i E[x][i]   [V, S]
 *   M          = sum_x T[x]                                                  [S, S]
 *   stateEntropy[i] = H[P(. | state i)] (stochastic HMMs only; NaN for a GHMM)
 */
import type { Hmm } from "./hmm.js";
import { stateTransitionMatrix } from "./hmm.js";

export interface PreparedHmm {
  readonly S: number;
  readonly V: number;
  readonly T: Float64Array;
  readonly r: Float64Array;
  /** [V, S] */
  readonly E: Float64Array;
  /** [S, S] */
  readonly M: Float64Array;
  /** [S] */
  readonly stateEntropy: Float64Array;
  readonly generalized: boolean;
}

const cache = new WeakMap<Hmm, PreparedHmm>();

export function prepare(hmm: Hmm): PreparedHmm {
  const found = cache.get(hmm);
  if (found) return found;
  const S = hmm.nStates;
  const V = hmm.nSymbols;
  const T = hmm.transitions;
  const generalized = hmm.generalized === true;
  const r = generalized ? hmm.normalizer! : new Float64Array(S).fill(1);
  const E = new Float64Array(V * S);
  for (let x = 0; x < V; x++) {
    for (let i = 0; i < S; i++) {
      let e = 0;
      const row = (x * S + i) * S;
      for (let j = 0; j < S; j++) e += T[row + j] * r[j];
      E[x * S + i] = e;
    }
  }
  const stateEntropy = new Float64Array(S);
  for (let i = 0; i < S; i++) {
    if (generalized) {
      stateEntropy[i] = NaN;
      continue;
    }
    let total = 0;
    for (let x = 0; x < V; x++) total += E[x * S + i];
    let h = 0;
    for (let x = 0; x < V; x++) {
      const p = E[x * S + i] / total;
      if (p > 0) h -= p * Math.log(p);
    }
    stateEntropy[i] = h;
  }
  const prepared: PreparedHmm = { S, V, T, r, E, M: stateTransitionMatrix(hmm), stateEntropy, generalized };
  cache.set(hmm, prepared);
  return prepared;
}

/**
 * Next-symbol probabilities P(x | eta) = sum_i eta_i E[x][i] into `out`
 * (length V). For a GHMM, roundoff can make an impossible symbol's
 * probability a tiny negative number; those are clamped to 0.
 */
export function symbolProbabilities(p: PreparedHmm, belief: ArrayLike<number>, offset: number, out: Float64Array): Float64Array {
  const { S, V, E } = p;
  for (let x = 0; x < V; x++) {
    let q = 0;
    const base = x * S;
    for (let i = 0; i < S; i++) q += belief[offset + i] * E[base + i];
    out[x] = q > 0 ? q : 0;
  }
  return out;
}

/** Shannon entropy in nats of the first n entries of a probability vector. */
export function entropyOf(p: ArrayLike<number>, n = p.length): number {
  let h = 0;
  for (let k = 0; k < n; k++) if (p[k] > 0) h -= p[k] * Math.log(p[k]);
  return h;
}
