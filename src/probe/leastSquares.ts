/**
 * Linear least squares with intercept (and optional ridge), in float64, by
 * Householder QR of the centred features followed by an SVD of the small
 * triangular factor R with a relative cut-off. Never the normal equations:
 * forming X^T X squares the condition number, so features that differ by
 * 1e-8 (common after LayerNorm, or for the embedding site, whose 64 features
 * span only tokens + positions) would be indistinguishable.
 *
 *   Xc = X - mean(X),  Yc = Y - mean(Y)                       (the intercept is not penalised)
 *   Xc = Q R           (Householder; Golub & Van Loan, Matrix Computations, 4th ed., Alg. 5.2.1)
 *   R  = U S V^T       (ml-matrix SVD of the d x d factor; S are the singular values of Xc)
 *   W  = V f(S) U^T (Q^T Yc),  f(s) = s / (s^2 + ridge * n) for s > rcond * s_max, else 0
 *   intercept = mean(Y) - mean(X) W
 *
 * With ridge = 0 this is the minimum-norm least-squares solution among the
 * directions kept (numpy.linalg.lstsq with the same rcond). Cut-off: rcond
 * defaults to 1e-5 relative to the largest singular value: probe features are
 * float32 activations (relative rounding 6e-8 per value), and collinear
 * features leave singular values of rounding size (up to ~1e-6 of the largest
 * with hundreds of features); 1e-5 drops those with a margin and keeps every
 * direction that carries signal above float32 resolution. Pass rcond for
 * float64 data that needs finer resolution.
 *
 * Cost: 2 n d^2 flops and n d float64 values of memory for the factorisation
 * (n rows, d features; 20,000 x 257 takes about 1.3 s on one core), then
 * 4 n d k for each solve with k outputs. ml-matrix's own QR took 12 s at that
 * size, so the QR here is a column-major Householder loop; ml-matrix does the
 * d x d SVD.
 */
import { Matrix, SingularValueDecomposition } from "ml-matrix";
import { ArgumentError, checkNumber } from "../util/errors.js";
import type { Rows } from "../util/rows.js";

export type { Rows } from "../util/rows.js";

/** Default relative cut-off on singular values; see the file header for the reason. */
export const DEFAULT_RCOND = 1e-5;

export interface LeastSquaresOptions {
  /** Ridge penalty per sample (the penalty is ridge * n * ||W||^2). Default 0: ordinary least squares. */
  readonly ridge?: number;
  /** Singular values of the centred features at or below rcond * largest are dropped. Default DEFAULT_RCOND (1e-5). */
  readonly rcond?: number;
}

export interface LinearFit {
  /** [inputs, outputs] */
  readonly weights: Float64Array;
  /** [outputs] */
  readonly intercept: Float64Array;
  readonly inputs: number;
  readonly outputs: number;
  readonly ridge: number;
  readonly rcond: number;
  /** Singular values kept by the cut-off. */
  readonly rank: number;
  /** Singular values of the centred training features, largest first: [min(rows, inputs)]. */
  readonly singularValues: Float64Array;
}

/** A factorisation of one feature matrix, reusable for any number of target matrices. */
export interface LeastSquaresFactor {
  readonly rows: number;
  readonly inputs: number;
  readonly rank: number;
  readonly singularValues: Float64Array;
  /** The fit for targets Y [rows, outputs] (one solve serves every column: a probe and its controls). */
  solve(Y: Rows): LinearFit;
}

function checkRows(fn: string, argument: string, m: Rows): void {
  if (!(m.data instanceof Float64Array) || m.data.length !== m.rows * m.cols || m.rows < 1 || m.cols < 1) {
    throw new ArgumentError({ fn, argument, received: `${m.rows} x ${m.cols} with ${m.data?.length} values`, expected: "a non-empty row-major Float64Array matrix" });
  }
  for (let k = 0; k < m.data.length; k++) {
    if (!Number.isFinite(m.data[k])) {
      throw new ArgumentError({ fn, argument: `${argument}[${Math.floor(k / m.cols)}][${k % m.cols}]`, received: String(m.data[k]), expected: "a finite number" });
    }
  }
}

function columnMeans(m: Rows): Float64Array {
  const mean = new Float64Array(m.cols);
  for (let r = 0; r < m.rows; r++) for (let j = 0; j < m.cols; j++) mean[j] += m.data[r * m.cols + j];
  for (let j = 0; j < m.cols; j++) mean[j] /= m.rows;
  return mean;
}

/** Centred copy of a row-major matrix, stored column-major: out[j * rows + i] = m[i][j] - mean[j]. */
function centredColumnMajor(m: Rows, mean: Float64Array): Float64Array {
  const { rows, cols, data } = m;
  const out = new Float64Array(rows * cols);
  for (let i = 0; i < rows; i++) for (let j = 0; j < cols; j++) out[j * rows + i] = data[i * cols + j] - mean[j];
  return out;
}

/**
 * In-place Householder QR of the column-major n x d matrix A (LAPACK dgeqr2's
 * convention): on return R is on and above the diagonal, and below it the
 * reflector vectors v_k (with an implicit v_k[k] = 1); H_k = I - tau_k v_k v_k^T
 * and Q = H_0 H_1 ... H_{m-1}, m = min(n, d).
 */
export function householderQr(A: Float64Array, n: number, d: number): Float64Array {
  const m = Math.min(n, d);
  const tau = new Float64Array(m);
  for (let k = 0; k < m; k++) {
    const ck = k * n;
    // ||A[k+1:, k]|| with scaling so that squares cannot overflow or underflow.
    let scale = 0;
    for (let i = k + 1; i < n; i++) scale = Math.max(scale, Math.abs(A[ck + i]));
    if (scale === 0) continue; // already upper triangular in this column: H_k = I
    let ss = 0;
    for (let i = k + 1; i < n; i++) {
      const v = A[ck + i] / scale;
      ss += v * v;
    }
    const alpha = A[ck + k];
    const norm = scale * Math.hypot(alpha / scale, Math.sqrt(ss));
    const beta = alpha >= 0 ? -norm : norm; // opposite sign to alpha: no cancellation in alpha - beta
    const t = (beta - alpha) / beta;
    tau[k] = t;
    const inv = 1 / (alpha - beta);
    for (let i = k + 1; i < n; i++) A[ck + i] *= inv;
    A[ck + k] = beta;
    for (let j = k + 1; j < d; j++) applyReflector(A, ck, A, j * n, k, n, t);
  }
  return tau;
}

/** column := (I - tau v v^T) column, over rows k..n-1, with v = [1, V[vo+k+1 .. vo+n-1]]. */
function applyReflector(V: Float64Array, vo: number, C: Float64Array, co: number, k: number, n: number, tau: number): void {
  // Four partial sums break the floating-point add dependency chain (about 2x faster).
  let s0 = C[co + k];
  let s1 = 0;
  let s2 = 0;
  let s3 = 0;
  let i = k + 1;
  for (; i + 3 < n; i += 4) {
    s0 += V[vo + i] * C[co + i];
    s1 += V[vo + i + 1] * C[co + i + 1];
    s2 += V[vo + i + 2] * C[co + i + 2];
    s3 += V[vo + i + 3] * C[co + i + 3];
  }
  for (; i < n; i++) s0 += V[vo + i] * C[co + i];
  const f = tau * (s0 + s1 + s2 + s3);
  if (f === 0) return;
  C[co + k] -= f;
  for (let r = k + 1; r < n; r++) C[co + r] -= f * V[vo + r];
}

/**
 * Factor the features X [rows, inputs] once; `solve` then fits any targets.
 * Memory: rows * inputs float64 values, held until the factor is dropped.
 */
export function factorLeastSquares(X: Rows, options: LeastSquaresOptions = {}): LeastSquaresFactor {
  const fn = "factorLeastSquares";
  checkRows(fn, "X", X);
  const ridge = checkNumber(fn, "ridge", options.ridge ?? 0, 0);
  const rcond = checkNumber(fn, "rcond", options.rcond ?? DEFAULT_RCOND, 0, 1);
  const n = X.rows;
  const d = X.cols;
  const mx = columnMeans(X);
  const A = centredColumnMajor(X, mx); // [d columns of n], becomes R and the reflectors
  const tau = householderQr(A, n, d);
  const m = Math.min(n, d);
  const R = new Matrix(m, d); // upper trapezoidal
  for (let j = 0; j < d; j++) for (let i = 0; i <= Math.min(j, m - 1); i++) R.set(i, j, A[j * n + i]);
  const svd = new SingularValueDecomposition(R, { autoTranspose: true, computeLeftSingularVectors: true, computeRightSingularVectors: true });
  const U = svd.leftSingularVectors; // [m, p]
  const V = svd.rightSingularVectors; // [d, p]
  const s = svd.diagonal; // [p], p = min(m, d) = m
  const sMax = s.reduce((a, b) => Math.max(a, b), 0);
  const keep = s.map((v) => sMax > 0 && v > rcond * sMax);
  const rank = keep.filter(Boolean).length;
  const singularValues = Float64Array.from(s).sort().reverse();

  return {
    rows: n,
    inputs: d,
    rank,
    singularValues,
    solve(Y: Rows): LinearFit {
      const fnSolve = "LeastSquaresFactor.solve";
      checkRows(fnSolve, "Y", Y);
      if (Y.rows !== n) {
        throw new ArgumentError({ fn: fnSolve, argument: "Y", received: `${Y.rows} rows`, expected: `${n} rows, one per row of X` });
      }
      const k = Y.cols;
      const my = columnMeans(Y);
      const B = centredColumnMajor(Y, my); // [k columns of n]
      for (let p = 0; p < m; p++) {
        if (tau[p] === 0) continue;
        for (let c = 0; c < k; c++) applyReflector(A, p * n, B, c * n, p, n, tau[p]);
      }
      // W = V f(S) U^T z, z = (Q^T Yc)[0:m]
      const weights = new Float64Array(d * k);
      for (let e = 0; e < s.length; e++) {
        if (!keep[e]) continue;
        const f = s[e] / (s[e] * s[e] + ridge * n);
        for (let c = 0; c < k; c++) {
          let proj = 0;
          for (let i = 0; i < m; i++) proj += U.get(i, e) * B[c * n + i];
          proj *= f;
          if (proj === 0) continue;
          for (let j = 0; j < d; j++) weights[j * k + c] += V.get(j, e) * proj;
        }
      }
      const intercept = Float64Array.from(my);
      for (let j = 0; j < d; j++) for (let c = 0; c < k; c++) intercept[c] -= mx[j] * weights[j * k + c];
      return { weights, intercept, inputs: d, outputs: k, ridge, rcond, rank, singularValues };
    },
  };
}

/** Least-squares fit of Y [rows, outputs] on X [rows, inputs] with intercept: factorLeastSquares(X).solve(Y). */
export function fitLinear(X: Rows, Y: Rows, options: LeastSquaresOptions = {}): LinearFit {
  if (X.rows !== Y.rows) {
    throw new ArgumentError({ fn: "fitLinear", argument: "Y", received: `${Y.rows} rows`, expected: `${X.rows} rows, one per row of X` });
  }
  return factorLeastSquares(X, options).solve(Y);
}

/** Predictions X W + b, [rows, outputs]. */
export function predictLinear(fit: Pick<LinearFit, "weights" | "intercept" | "inputs" | "outputs">, X: Rows): Rows {
  if (X.cols !== fit.inputs) {
    throw new ArgumentError({ fn: "predictLinear", argument: "X", received: `${X.cols} columns`, expected: `${fit.inputs}, as the fit` });
  }
  const k = fit.outputs;
  const out = new Float64Array(X.rows * k);
  for (let r = 0; r < X.rows; r++) {
    for (let c = 0; c < k; c++) out[r * k + c] = fit.intercept[c];
    for (let i = 0; i < fit.inputs; i++) {
      const x = X.data[r * fit.inputs + i];
      if (x === 0) continue;
      for (let c = 0; c < k; c++) out[r * k + c] += x * fit.weights[i * k + c];
    }
  }
  return { rows: X.rows, cols: k, data: out };
}
