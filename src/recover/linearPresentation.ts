/**
 * Linear presentations of a stationary process: an HMM, a generalized HMM and
 * an observable operator model (the spectral baseline's output) are all
 *
 *   P(w_1 ... w_n) = start · A[w_1] ··· A[w_n] · end
 *
 * with start a row vector, A[x] square matrices and end a column vector
 * (Upper 1997; Jaeger 2000 "Observable operator models"). For an HMM,
 * start = the initial (stationary) distribution, A = T and end = 1. Word
 * distributions, total variation and held-out losses are computed on this
 * one form, so every recovered or baseline model is scored the same way.
 */
import { ArgumentError, checkInteger } from "../util/errors.js";
import { stationaryDistribution, type Hmm } from "../process/index.js";

export interface LinearPresentation {
  readonly nSymbols: number;
  readonly dim: number;
  /** [dim] row vector. */
  readonly start: Float64Array;
  /** [nSymbols, dim, dim] flat, A[x][i][j] at (x * dim + i) * dim + j. */
  readonly operators: Float64Array;
  /** [dim] column vector. */
  readonly end: Float64Array;
}

/** Most words a word distribution may hold (2^22 values, 32 MB of float64): the memory bound of `wordProbabilities`. */
export const MAX_WORDS = 1 << 22;

/** The presentation of an HMM (or GHMM): its initial distribution (else stationary), T, and r (else ones). */
export function presentationOfHmm(hmm: Hmm): LinearPresentation {
  const S = hmm.nStates;
  return {
    nSymbols: hmm.nSymbols,
    dim: S,
    start: hmm.initial ? Float64Array.from(hmm.initial) : stationaryDistribution(hmm),
    operators: hmm.transitions,
    end: hmm.normalizer ? Float64Array.from(hmm.normalizer) : new Float64Array(S).fill(1),
  };
}

/** Number of words of length `length` over `nSymbols` symbols, or throw past MAX_WORDS. */
export function wordCount(fn: string, nSymbols: number, length: number): number {
  const n = nSymbols ** length;
  if (n > MAX_WORDS) {
    throw new ArgumentError({ fn, argument: "length", received: `${length} (${nSymbols}^${length} = ${n} words)`, expected: `at most ${MAX_WORDS} words`, hint: "Use shorter words." });
  }
  return n;
}

/**
 * P(w) for every word of length `length`, in lexicographic order with the
 * first symbol most significant (index = sum_t w_t V^(length-1-t)), as
 * ../shared/reference/hmm_exact.py `words`. Exact sums; memory V^length * dim.
 */
export function wordProbabilities(p: LinearPresentation, length: number): Float64Array {
  const fn = "wordProbabilities";
  checkInteger(fn, "length", length, 0, 64);
  const V = p.nSymbols;
  const D = p.dim;
  const n = wordCount(fn, V, length);
  if (n * D > MAX_WORDS * 8) {
    throw new ArgumentError({ fn, argument: "length", received: String(length), expected: `at most ${MAX_WORDS * 8} forward values (words x dim)` });
  }
  let forward = Float64Array.from(p.start); // [words so far, dim]
  let count = 1;
  for (let t = 0; t < length; t++) {
    const next = new Float64Array(count * V * D);
    for (let w = 0; w < count; w++) {
      for (let x = 0; x < V; x++) {
        const out = (w * V + x) * D;
        for (let i = 0; i < D; i++) {
          const a = forward[w * D + i];
          if (a === 0) continue;
          const row = (x * D + i) * D;
          for (let j = 0; j < D; j++) next[out + j] += a * p.operators[row + j];
        }
      }
    }
    forward = next;
    count *= V;
  }
  const probs = new Float64Array(count);
  for (let w = 0; w < count; w++) {
    let s = 0;
    for (let i = 0; i < D; i++) s += forward[w * D + i] * p.end[i];
    probs[w] = s;
  }
  return probs;
}

/** Total-variation distance 1/2 sum |a - b| between two word distributions of the same length. */
export function totalVariation(a: ArrayLike<number>, b: ArrayLike<number>): number {
  if (a.length !== b.length) {
    throw new ArgumentError({ fn: "totalVariation", argument: "b", received: `${b.length} words`, expected: `${a.length} words, as a (one alphabet, one length)` });
  }
  let s = 0;
  for (let k = 0; k < a.length; k++) s += Math.abs(a[k] - b[k]);
  return s / 2;
}

/** TV between two presentations for word lengths 1..maxLength (index L-1). */
export function totalVariationByLength(a: LinearPresentation, b: LinearPresentation, maxLength: number): number[] {
  if (a.nSymbols !== b.nSymbols) {
    throw new ArgumentError({ fn: "totalVariationByLength", argument: "b", received: `${b.nSymbols} symbols`, expected: `${a.nSymbols} symbols, as a (TV needs one alphabet)` });
  }
  return Array.from({ length: maxLength }, (_, k) => totalVariation(wordProbabilities(a, k + 1), wordProbabilities(b, k + 1)));
}

/**
 * Predictive distributions P(x_t = . | x_<t) of a presentation on sequences
 * [count, length]: [count, length, V]. Predictions below `floor` (an
 * observable operator model can predict <= 0) are raised to it and the
 * distribution renormalised; `clipped` counts them.
 */
export function presentationPredictions(p: LinearPresentation, tokens: Int32Array, length: number, floor = 1e-6): { probs: Float64Array; clipped: number } {
  const V = p.nSymbols;
  const D = p.dim;
  const count = tokens.length / length;
  const out = new Float64Array(count * length * V);
  // E[x] = A[x] end: P(x | state row vector s) = s · E[x] / (s · end)
  const E = new Float64Array(V * D);
  for (let x = 0; x < V; x++) {
    for (let i = 0; i < D; i++) {
      let e = 0;
      for (let j = 0; j < D; j++) e += p.operators[(x * D + i) * D + j] * p.end[j];
      E[x * D + i] = e;
    }
  }
  let clipped = 0;
  const s = new Float64Array(D);
  const next = new Float64Array(D);
  for (let n = 0; n < count; n++) {
    s.set(p.start);
    for (let t = 0; t < length; t++) {
      let z = 0;
      for (let i = 0; i < D; i++) z += s[i] * p.end[i];
      let total = 0;
      const o = (n * length + t) * V;
      for (let x = 0; x < V; x++) {
        let q = 0;
        for (let i = 0; i < D; i++) q += s[i] * E[x * D + i];
        q /= z;
        if (!(q >= floor)) {
          q = floor;
          clipped++;
        }
        out[o + x] = q;
        total += q;
      }
      for (let x = 0; x < V; x++) out[o + x] /= total;
      const x = tokens[n * length + t];
      next.fill(0);
      for (let i = 0; i < D; i++) {
        const a = s[i];
        if (a === 0) continue;
        const row = (x * D + i) * D;
        for (let j = 0; j < D; j++) next[j] += a * p.operators[row + j];
      }
      // Rescale to keep the state bounded; predictions are ratios, so the scale is free.
      let norm = 0;
      for (let i = 0; i < D; i++) norm += Math.abs(next[i]);
      for (let i = 0; i < D; i++) s[i] = norm > 0 ? next[i] / norm : 0;
    }
  }
  return { probs: out, clipped };
}
