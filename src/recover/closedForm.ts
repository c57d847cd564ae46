/**
 * The closed-form start of the recovery.
 *
 * 1. Belief coordinates. If the model represents beliefs linearly, the
 *    beliefs are an affine image of the activations, and the model's
 *    predictions of the next k tokens, p(w | prefix) = eta T[w] 1, are
 *    affine in the beliefs. So the (S - 1)-dimensional subspace of the
 *    activations that predicts the future is the belief simplex's affine
 *    hull: reduced-rank regression (Izenman 1975) of the centred prediction
 *    matrix on the centred activations gives it, z = (a - mean) P, [d, S - 1].
 * 2. Operators. In homogeneous coordinates h = [z, 1], the belief is
 *    eta = h G for an unknown invertible G, and the Bayes update
 *    p(x | past) eta' = eta T[x] becomes p(x | past) h' = h B_x with
 *    B_x = G T[x] G^-1: linear, fitted by least squares (QR) from
 *    consecutive positions of the model's own samples, the target weighted by
 *    the model's probability of the symbol that was sampled.
 * 3. States. The beliefs lie in a simplex whose vertices are the rows of
 *    G^-1 (in h coordinates); the minimum-volume simplex around the
 *    activations' image (simplex.ts) estimates it. Then
 *    T[x] = G^-1 B_x G, clipped at 0 and normalised so that every row of
 *    sum_x T[x] sums to 1.
 */
import type { ModelSamples } from "./modelData.js";
import { Matrix, SingularValueDecomposition, solve } from "ml-matrix";
import { fitLinear } from "../probe/index.js";
import type { Rows } from "../util/rows.js";
import { minVolumeSimplex } from "./simplex.js";

/** An affine map z = (a - mean) W from activations (d) to belief coordinates (outputs). */
export interface AffineMap {
  readonly inputs: number;
  readonly outputs: number;
  /** [inputs] */
  readonly mean: Float64Array;
  /** [inputs, outputs] */
  readonly weights: Float64Array;
  /** [outputs] added after the product (zero for the belief-coordinate map). */
  readonly bias: Float64Array;
}

/** The rows of z at positions 0..lastPosition of sequences of `length` tokens. */
export function rowsUpTo(z: Rows, length: number, lastPosition: number): Rows {
  const count = z.rows / length;
  const keep = Math.min(length, lastPosition + 1);
  const data = new Float64Array(count * keep * z.cols);
  for (let n = 0; n < count; n++) data.set(z.data.subarray(n * length * z.cols, (n * length + keep) * z.cols), n * keep * z.cols);
  return { rows: count * keep, cols: z.cols, data };
}

export function applyAffine(map: AffineMap, X: Rows): Rows {
  const { inputs: d, outputs: k } = map;
  const out = new Float64Array(X.rows * k);
  const centred = new Float64Array(d);
  for (let r = 0; r < X.rows; r++) {
    for (let j = 0; j < d; j++) centred[j] = X.data[r * d + j] - map.mean[j];
    for (let c = 0; c < k; c++) {
      let s = map.bias[c];
      for (let j = 0; j < d; j++) s += centred[j] * map.weights[j * k + c];
      out[r * k + c] = s;
    }
  }
  return { rows: X.rows, cols: k, data: out };
}

export interface BeliefSubspace {
  readonly map: AffineMap;
  /** Singular values of the fitted (regressed) predictions: the part of the future the activations carry linearly. */
  readonly fittedSpectrum: Float64Array;
  /** R² of the regression of the predictions on the activations (pooled). */
  readonly r2: number;
}

/**
 * Reduced-rank regression of predictions F [M, c] on activations A [M, d]
 * (rows matched): the r-dimensional affine map of the activations that best
 * predicts F, as z = (a - mean) P with P = W V_r (W the least-squares
 * coefficients, V_r the top right singular vectors of the fitted values).
 */
export function beliefSubspace(A: Rows, F: Rows, r: number, ridge = 1e-6): BeliefSubspace {
  const fit = fitLinear(A, F, { ridge });
  const d = A.cols;
  const c = F.cols;
  const mean = new Float64Array(d);
  for (let m = 0; m < A.rows; m++) for (let j = 0; j < d; j++) mean[j] += A.data[m * d + j] / A.rows;
  // Fitted, centred values: (A - mean) W.
  const fitted = new Matrix(A.rows, c);
  const centred = new Float64Array(d);
  for (let m = 0; m < A.rows; m++) {
    for (let j = 0; j < d; j++) centred[j] = A.data[m * d + j] - mean[j];
    for (let o = 0; o < c; o++) {
      let s = 0;
      for (let j = 0; j < d; j++) s += centred[j] * fit.weights[j * c + o];
      fitted.set(m, o, s);
    }
  }
  // Right singular vectors of the fitted values via the c x c Gram matrix's eigenvectors would square the
  // condition number; c <= 64, so an SVD of the M x c matrix is cheap enough.
  const { rightSingularVectors, diagonal } = svdOf(fitted);
  const weights = new Float64Array(d * r);
  for (let j = 0; j < d; j++) {
    for (let k = 0; k < r; k++) {
      let s = 0;
      for (let o = 0; o < c; o++) s += fit.weights[j * c + o] * rightSingularVectors.get(o, k);
      weights[j * r + k] = s;
    }
  }
  // Pooled R² of F on A.
  const fMean = new Float64Array(c);
  for (let m = 0; m < F.rows; m++) for (let o = 0; o < c; o++) fMean[o] += F.data[m * c + o] / F.rows;
  let sse = 0;
  let sst = 0;
  for (let m = 0; m < F.rows; m++) {
    for (let o = 0; o < c; o++) {
      const y = F.data[m * c + o] - fMean[o];
      sst += y * y;
      sse += (y - fitted.get(m, o)) ** 2;
    }
  }
  return { map: { inputs: d, outputs: r, mean, weights, bias: new Float64Array(r) }, fittedSpectrum: diagonal, r2: sst > 0 ? 1 - sse / sst : 1 };
}

function svdOf(m: Matrix): { rightSingularVectors: Matrix; diagonal: Float64Array } {
  const svd = new SingularValueDecomposition(m, { computeLeftSingularVectors: false, autoTranspose: true });
  return { rightSingularVectors: svd.rightSingularVectors, diagonal: Float64Array.from(svd.diagonal) };
}

/** What the closed form and the refinement fit: the model's samples and its next-token distributions along them. */
export type OperatorData = ModelSamples;

/**
 * B_x ([V, S, S], S = r + 1) with p(x | past) h' = h B_x, by least squares
 * over consecutive positions t, t + 1 <= lastPosition of the samples (the
 * positions where the coordinates are valid: the map from activations was
 * fitted there), plus the empty prefix, whose coordinates are the mean of z
 * (under stationarity E[eta_t] = pi for every t).
 */
export function fitOperators(z: Rows, data: OperatorData, lastPosition = data.length - 1): Float64Array {
  const r = z.cols;
  const S = r + 1;
  const V = data.nSymbols;
  const L = Math.min(data.length, lastPosition + 1);
  const empty = new Float64Array(S);
  for (let n = 0; n < data.count; n++) for (let t = 0; t < L; t++) for (let j = 0; j < r; j++) empty[j] += z.data[(n * data.length + t) * r + j] / (data.count * L);
  empty[r] = 1;
  const byX: { inputs: number[][]; targets: number[][] }[] = Array.from({ length: V }, () => ({ inputs: [], targets: [] }));
  const h = (row: number): number[] => [...z.data.subarray(row * r, (row + 1) * r), 1];
  const N = data.length;
  for (let n = 0; n < data.count; n++) {
    const x0 = data.tokens[n * N];
    byX[x0].inputs.push([...empty]);
    byX[x0].targets.push(h(n * N).map((v) => v * data.firstProbs[x0]));
    for (let t = 0; t + 1 < L; t++) {
      const x = data.tokens[n * N + t + 1];
      const q = data.nextProbs[(n * N + t) * V + x];
      byX[x].inputs.push(h(n * N + t));
      byX[x].targets.push(h(n * N + t + 1).map((v) => v * q));
    }
  }
  const B = new Float64Array(V * S * S);
  for (let x = 0; x < V; x++) {
    const { inputs, targets } = byX[x];
    if (inputs.length < S) continue; // a symbol the model (almost) never emits: B_x = 0
    const sol = solve(new Matrix(inputs), new Matrix(targets)); // QR least squares
    for (let i = 0; i < S; i++) for (let j = 0; j < S; j++) B[(x * S + i) * S + j] = sol.get(i, j);
  }
  return B;
}

export interface ClosedFormResult {
  /** [V, S, S] a valid HMM's labelled transition matrices. */
  readonly transitions: Float64Array;
  /** [S, S - 1] the simplex's vertices in belief coordinates z. */
  readonly vertices: Float64Array;
  /** [S, S] G = Vh^-1: beliefs eta = [z, 1] G. */
  readonly toBelief: Float64Array;
  /** Total negative mass clipped from G^-1 B_x G (0 for a perfect fit). */
  readonly clippedMass: number;
}

/** T from the operators and the minimum-volume simplex around the points z (rows: the valid positions). */
export function closedFormHmm(z: Rows, B: Float64Array, V: number, seed = 0): ClosedFormResult {
  const r = z.cols;
  const S = r + 1;
  let vertices: Float64Array;
  if (r === 0) vertices = new Float64Array(0);
  else vertices = minVolumeSimplex(z, { seed }).vertices;
  const Vh = new Matrix(S, S);
  for (let i = 0; i < S; i++) {
    for (let j = 0; j < r; j++) Vh.set(i, j, vertices[i * r + j]);
    Vh.set(i, r, 1);
  }
  const G = S === 1 ? Matrix.ones(1, 1) : solve(Vh, Matrix.eye(S, S));
  const T = new Float64Array(V * S * S);
  let clipped = 0;
  for (let x = 0; x < V; x++) {
    const Bx = new Matrix(S, S);
    for (let i = 0; i < S; i++) for (let j = 0; j < S; j++) Bx.set(i, j, B[(x * S + i) * S + j]);
    const Tx = Vh.mmul(Bx).mmul(G);
    for (let i = 0; i < S; i++) {
      for (let j = 0; j < S; j++) {
        const v = Tx.get(i, j);
        if (v < 0) clipped -= v;
        T[(x * S + i) * S + j] = Math.max(0, v);
      }
    }
  }
  for (let i = 0; i < S; i++) {
    let total = 0;
    for (let x = 0; x < V; x++) for (let j = 0; j < S; j++) total += T[(x * S + i) * S + j];
    for (let x = 0; x < V; x++) {
      for (let j = 0; j < S; j++) {
        const k = (x * S + i) * S + j;
        T[k] = total > 0 ? T[k] / total : 1 / (V * S);
      }
    }
  }
  return { transitions: T, vertices, toBelief: Float64Array.from(G.to1DArray()), clippedMass: clipped };
}
