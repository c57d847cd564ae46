/**
 * The spectral method (Hsu, Kakade & Zhang 2012, "A spectral algorithm for
 * learning hidden Markov models"): observable operators from the frequencies
 * of short words, by one SVD. In the Hankel form of Balle, Carreras, Luque &
 * Quattoni 2014 ("Spectral learning of weighted automata", sec. 4):
 *
 *   H[u][v] = f(u v),  H_x[u][v] = f(u x v)   u in prefixes, v in suffixes
 *   H = U D V^T (top m)
 *   start = H[eps, :] V,   A_x = D^-1 U^T H_x V,   end = D^-1 U^T H[:, eps]
 *   P(w_1..w_n) = start A[w_1] ... A[w_n] end
 *
 * where f(w) is the probability of the word w at a position of the stationary
 * process, estimated by its frequency among all windows of the sequences.
 * With prefixes = suffixes = the single symbols this is HKZ's algorithm
 * (P_21, P_3x1, P_1); we take all words up to length l (and the empty word),
 * since an edge-emitting HMM with fewer symbols than states (zero-one-random:
 * 2 symbols, 3 states) has a pair matrix P_21 of rank below its state count.
 * l is the smallest length whose basis has at least 2m words, within the
 * sequences' length (2l + 1 tokens). With the exact f of a process of rank m
 * the result is exact (tested).
 *
 * The result is an observable operator model, not an HMM: its "probabilities"
 * can be negative, and losses on it clip predictions (linearPresentation.ts).
 */
import { Matrix, SingularValueDecomposition } from "ml-matrix";
import { ArgumentError, checkInteger } from "../../util/errors.js";
import type { LinearPresentation } from "../linearPresentation.js";

export interface SpectralOptions {
  /** Rank m of the observable operators (the state count). */
  readonly rank: number;
  readonly nSymbols: number;
  /** Longest prefix / suffix in the basis; default: see the file header. */
  readonly basisLength?: number;
}

export interface SpectralResult {
  readonly presentation: LinearPresentation;
  readonly basisLength: number;
  /** Singular values of the Hankel matrix, largest first. */
  readonly singularValues: Float64Array;
}

/** Words of length 0..l as [length, index] pairs, shortest first. */
function basis(V: number, l: number): { length: number; index: number }[] {
  const out: { length: number; index: number }[] = [];
  for (let len = 0; len <= l; len++) for (let k = 0; k < V ** len; k++) out.push({ length: len, index: k });
  return out;
}

/** The default basis length for rank m (see the file header). */
export function spectralBasisLength(V: number, rank: number, maxWordLength: number): number {
  const basisSize = (len: number): number => (V === 1 ? len + 1 : (V ** (len + 1) - 1) / (V - 1));
  let l = 1;
  while (basisSize(l) < 2 * rank && 2 * (l + 1) + 1 <= maxWordLength && V ** (2 * l + 3) <= 1 << 20) l++;
  return l;
}

/** Substring frequencies f(w) for all words of length 0..maxLength: one array per length (index as wordProbabilities). */
export function substringFrequencies(tokens: Int32Array, length: number, V: number, maxLength: number): Float64Array[] {
  const count = tokens.length / length;
  const out: Float64Array[] = [Float64Array.of(1)];
  for (let m = 1; m <= maxLength; m++) {
    const f = new Float64Array(V ** m);
    const windows = count * (length - m + 1);
    if (windows <= 0) {
      throw new ArgumentError({ fn: "substringFrequencies", argument: "maxLength", received: String(maxLength), expected: `at most the sequence length ${length}` });
    }
    for (let n = 0; n < count; n++) {
      for (let t = 0; t + m <= length; t++) {
        let k = 0;
        for (let s = 0; s < m; s++) k = k * V + tokens[n * length + t + s];
        f[k] += 1;
      }
    }
    for (let k = 0; k < f.length; k++) f[k] /= windows;
    out.push(f);
  }
  return out;
}

/** The spectral estimate from word frequencies f (f[len][index], as substringFrequencies). */
export function spectralFromFrequencies(f: readonly Float64Array[], options: SpectralOptions): SpectralResult {
  const fn = "spectralFromFrequencies";
  const V = checkInteger(fn, "nSymbols", options.nSymbols, 1);
  const m = checkInteger(fn, "rank", options.rank, 1);
  const maxLen = f.length - 1;
  const l = options.basisLength ?? spectralBasisLength(V, m, maxLen);
  if (2 * l + 1 > maxLen) {
    throw new ArgumentError({ fn, argument: "basisLength", received: String(l), expected: `2 * basisLength + 1 <= ${maxLen}, the longest word with a frequency` });
  }
  const words = basis(V, l);
  const n = words.length;
  if (n < m) {
    throw new ArgumentError({ fn, argument: "rank", received: String(m), expected: `at most ${n}, the basis size`, hint: "Use longer basis words." });
  }
  const concat = (u: { length: number; index: number }, mid: number, v: { length: number; index: number }): number => {
    // f of the word u (mid) v, where mid = -1 means no middle symbol.
    const midLen = mid < 0 ? 0 : 1;
    let k = u.index;
    if (midLen) k = k * V + mid;
    k = k * V ** v.length + v.index;
    return f[u.length + midLen + v.length][k];
  };
  const H = new Matrix(n, n);
  for (let a = 0; a < n; a++) for (let b = 0; b < n; b++) H.set(a, b, concat(words[a], -1, words[b]));
  const svd = new SingularValueDecomposition(H, { autoTranspose: true });
  const sv = Float64Array.from(svd.diagonal);
  const U = svd.leftSingularVectors.subMatrix(0, n - 1, 0, m - 1);
  const W = svd.rightSingularVectors.subMatrix(0, n - 1, 0, m - 1);
  const dInv = Matrix.diag(Array.from({ length: m }, (_, k) => (sv[k] > 0 ? 1 / sv[k] : 0)));
  const left = dInv.mmul(U.transpose()); // [m, n]
  const start = H.subMatrix(0, 0, 0, n - 1).mmul(W); // [1, m]  (row of the empty prefix)
  const end = left.mmul(H.subMatrix(0, n - 1, 0, 0)); // [m, 1]  (column of the empty suffix)
  const operators = new Float64Array(V * m * m);
  for (let x = 0; x < V; x++) {
    const Hx = new Matrix(n, n);
    for (let a = 0; a < n; a++) for (let b = 0; b < n; b++) Hx.set(a, b, concat(words[a], x, words[b]));
    const A = left.mmul(Hx).mmul(W);
    for (let i = 0; i < m; i++) for (let j = 0; j < m; j++) operators[(x * m + i) * m + j] = A.get(i, j);
  }
  return {
    presentation: { nSymbols: V, dim: m, start: Float64Array.from(start.getRow(0)), operators, end: Float64Array.from(end.getColumn(0)) },
    basisLength: l,
    singularValues: sv,
  };
}

/** The spectral estimate from sequences [count, length] of a stationary process. */
export function spectralLearn(tokens: Int32Array, length: number, options: SpectralOptions): SpectralResult {
  const fn = "spectralLearn";
  checkInteger(fn, "length", length, 3);
  const V = checkInteger(fn, "nSymbols", options.nSymbols, 1);
  const m = checkInteger(fn, "rank", options.rank, 1);
  const l = options.basisLength ?? spectralBasisLength(V, m, length);
  const f = substringFrequencies(tokens, length, V, 2 * l + 1);
  return spectralFromFrequencies(f, { ...options, basisLength: l });
}
