/**
 * Observability of beliefs: how much the future tells belief directions
 * apart. A model trained on next-token loss has no reason to represent a
 * belief direction that changes no prediction, so a probe's R^2 is also
 * reported on the well-observed subspace.
 *
 * The map from a belief b (over S hidden states) to the distributions of the
 * next k tokens is linear: P(w | b) = b T[w_1] ... T[w_k] 1 for every word
 * w of length k. Stacking k = 1..K gives O [S, V + V^2 + ... + V^K]
 * (K = horizon: the largest K <= maxHorizon, default 3, with at most
 * maxWords, default 4096, words in all). Belief differences lie in the
 * simplex's tangent space { d : sum d = 0 } ({ d : d · r = 0 } for a
 * generalized HMM with normalizer r); with Z [S, S-1] an orthonormal
 * basis of it, the singular values of Z^T O say how strongly each belief
 * direction shows in the next K tokens (0: no future distinguishes it). The
 * well-observed subspace is spanned by the left singular vectors (mapped
 * back by Z) whose singular value exceeds OBSERVED_THRESHOLD = 0.01 of the
 * largest: directions that move next-K-token probabilities 100 times less
 * than the best-observed one cost a next-token-trained model next to nothing
 * to ignore.
 *
 * Word probabilities come from the process's `updateBelief` at each hidden
 * state (b = e_i), so generalized HMMs work through the same code.
 */
import { Matrix, SingularValueDecomposition } from "ml-matrix";
import type { Hmm } from "../process/hmm.js";
import { updateBelief } from "../process/beliefs.js";
import { ArgumentError, checkInteger, checkNumber } from "../util/errors.js";
import type { Rows } from "../util/rows.js";
import { r2FromSums, type R2 } from "./scores.js";

/** Relative singular-value threshold of the well-observed subspace; see the file header. */
export const OBSERVED_THRESHOLD = 0.01;

export interface ObservabilityOptions {
  /** Longest word length K. Default 3. */
  readonly maxHorizon?: number;
  /** Most words (columns of O) in all; bounds time and memory at S * maxWords. Default 4096. */
  readonly maxWords?: number;
  /** Relative threshold on singular values. Default OBSERVED_THRESHOLD (0.01). */
  readonly threshold?: number;
}

export interface Observability {
  /** Word lengths 1..horizon were used. */
  readonly horizon: number;
  /** Columns of O: V + ... + V^horizon. */
  readonly words: number;
  /** [S - 1] singular values of Z^T O, largest first (zeros where O has fewer columns). */
  readonly singularValues: Float64Array;
  readonly threshold: number;
  /** Number of singular values above threshold * largest. */
  readonly observedRank: number;
  /** [S, observedRank] orthonormal belief directions (in the tangent space) of the well-observed subspace. */
  readonly observedBasis: Rows;
}

/** The word-probability matrix O [S, words], word lengths 1..horizon in lexicographic order. */
export function wordProbabilityMatrix(hmm: Hmm, horizon: number): Rows {
  checkInteger("wordProbabilityMatrix", "horizon", horizon, 1, 32);
  const S = hmm.nStates;
  const V = hmm.nSymbols;
  let words = 0;
  for (let k = 1; k <= horizon; k++) words += V ** k;
  const data = new Float64Array(S * words);
  for (let i = 0; i < S; i++) {
    // Frontier: for each word w of the current length, a vector v and a scale c with
    // e_i T[w] = c v. updateBelief(v, x) returns z = v T[x] r (so P(w x | e_i) = c z) and
    // normalises its output by z when z > 0 (then the scale becomes c z) or leaves it as v T[x]
    // (a GHMM's vertex can give z <= 0; the scale stays c). Linear in e_i either way.
    let vectors: Float64Array[] = [Float64Array.from({ length: S }, (_, j) => (j === i ? 1 : 0))];
    let scales = [1];
    let col = 0;
    for (let k = 1; k <= horizon; k++) {
      const nextVectors: Float64Array[] = [];
      const nextScales: number[] = [];
      for (let w = 0; w < vectors.length; w++) {
        for (let x = 0; x < V; x++) {
          const out = new Float64Array(S);
          const z = scales[w] === 0 ? 0 : updateBelief(hmm, vectors[w], x, out);
          data[i * words + col++] = scales[w] * z;
          if (k < horizon) {
            nextVectors.push(out);
            nextScales.push(z > 0 ? scales[w] * z : scales[w]);
          }
        }
      }
      vectors = nextVectors;
      scales = nextScales;
    }
  }
  return { rows: S, cols: words, data };
}

/**
 * Orthonormal basis [S, S-1] of { d in R^S : d · r = 0 } (r = all ones: the simplex's tangent
 * space): columns 2..S of the Householder reflector that takes e_1 to r / |r|.
 */
export function tangentBasis(S: number, r: ArrayLike<number> = new Float64Array(S).fill(1)): Matrix {
  const norm = Math.hypot(...Array.from(r));
  const u = Float64Array.from(r, (v) => v / norm);
  u[0] -= 1;
  const uu = u.reduce((a, v) => a + v * v, 0);
  const Z = new Matrix(S, Math.max(S - 1, 0));
  for (let j = 1; j < S; j++) for (let i = 0; i < S; i++) Z.set(i, j - 1, (i === j ? 1 : 0) - (uu === 0 ? 0 : (2 * u[i] * u[j]) / uu));
  return Z;
}

export function observability(hmm: Hmm, options: ObservabilityOptions = {}): Observability {
  const fn = "observability";
  const maxHorizon = checkInteger(fn, "maxHorizon", options.maxHorizon ?? 3, 1, 32);
  const maxWords = checkInteger(fn, "maxWords", options.maxWords ?? 4096, 1);
  const threshold = checkNumber(fn, "threshold", options.threshold ?? OBSERVED_THRESHOLD, 0, 1);
  const S = hmm.nStates;
  const V = hmm.nSymbols;
  let horizon = 1;
  let words = V;
  while (horizon < maxHorizon && words + V ** (horizon + 1) <= maxWords) {
    horizon++;
    words += V ** horizon;
  }
  if (S === 1) {
    return { horizon, words, singularValues: new Float64Array(0), threshold, observedRank: 0, observedBasis: { rows: 1, cols: 0, data: new Float64Array(0) } };
  }
  const O = wordProbabilityMatrix(hmm, horizon);
  // Beliefs of a generalized HMM satisfy b · r = 1 (r its normalizer): differences lie in r's complement.
  const Z = tangentBasis(S, hmm.generalized && hmm.normalizer ? hmm.normalizer : undefined);
  const M = Z.transpose().mmul(new Matrix(Array.from({ length: S }, (_, i) => Array.from(O.data.subarray(i * words, (i + 1) * words))))); // [S-1, words]
  const svd = new SingularValueDecomposition(M, { autoTranspose: true });
  const s = svd.diagonal;
  const U = svd.leftSingularVectors; // [S-1, p]
  const order = s.map((_, e) => e).sort((a, b) => s[b] - s[a]);
  const singularValues = new Float64Array(S - 1);
  order.forEach((e, k) => (singularValues[k] = s[e]));
  const top = singularValues[0] ?? 0;
  const kept = order.filter((e) => top > 0 && s[e] > threshold * top);
  const observedRank = kept.length;
  const basis = new Float64Array(S * observedRank);
  kept.forEach((e, k) => {
    for (let i = 0; i < S; i++) {
      let v = 0;
      for (let a = 0; a < S - 1; a++) v += Z.get(i, a) * U.get(a, e);
      basis[i * observedRank + k] = v;
    }
  });
  return { horizon, words, singularValues, threshold, observedRank, observedBasis: { rows: S, cols: observedRank, data: basis } };
}

/** R^2 of predictions against targets (both [rows, S]) after projecting both onto the columns of basis [S, r]. */
export function subspaceR2(pred: Rows, target: Rows, basis: Rows): R2 {
  if (pred.rows !== target.rows || pred.cols !== target.cols || basis.rows !== target.cols) {
    throw new ArgumentError({ fn: "subspaceR2", argument: "basis", received: `pred ${pred.rows} x ${pred.cols}, target ${target.rows} x ${target.cols}, basis ${basis.rows} x ${basis.cols}`, expected: "pred and target of equal shape [rows, S] and a basis [S, r]" });
  }
  const { rows, cols: S } = target;
  const r = basis.cols;
  if (r === 0) return { r2: null, r2Undefined: "no belief direction is observed in the next tokens" };
  const py = new Float64Array(rows * r);
  const pp = new Float64Array(rows * r);
  for (let n = 0; n < rows; n++) {
    for (let k = 0; k < r; k++) {
      let a = 0;
      let b = 0;
      for (let i = 0; i < S; i++) {
        a += target.data[n * S + i] * basis.data[i * r + k];
        b += pred.data[n * S + i] * basis.data[i * r + k];
      }
      py[n * r + k] = a;
      pp[n * r + k] = b;
    }
  }
  const mean = new Float64Array(r);
  for (let n = 0; n < rows; n++) for (let k = 0; k < r; k++) mean[k] += py[n * r + k] / rows;
  let sse = 0;
  let sst = 0;
  let ss = 0;
  for (let n = 0; n < rows * r; n++) {
    sse += (pp[n] - py[n]) ** 2;
    sst += (py[n] - mean[n % r]) ** 2;
    ss += py[n] ** 2;
  }
  return r2FromSums(sse, sst, ss, rows);
}
