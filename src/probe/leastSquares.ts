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
 * (n rows, d features; 20,000 x 256 takes about 1.2 s of CPU), then
 * 4 n d k for each solve with k outputs. ml-matrix's own QR took 12 s at that
 * size, so the QR here is a blocked column-major Householder loop; ml-matrix
 * does the d x d SVD.
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

export interface FactorOptions extends LeastSquaresOptions {
  /** Fit on these rows of X only (indices into X), without copying them out. Default all rows. */
  readonly rows?: Int32Array;
  /**
   * Memory for the factorisation, at least (rows used) * inputs values. Reusing one workspace
   * across fits avoids allocating (and first touching) tens of MB per fit; the factor is valid
   * only until the workspace is used again. Default: a new array.
   */
  readonly workspace?: Float64Array;
}

/** A factorisation of one feature matrix, reusable for any number of target matrices. */
export interface LeastSquaresFactor {
  readonly rows: number;
  readonly inputs: number;
  readonly rank: number;
  readonly singularValues: Float64Array;
  /** The fit for targets Y [rows, outputs] (one solve serves every column: a probe and its controls). */
  solve(Y: Rows): LinearFit;
  /**
   * The kept directions as a whitening map: z = (x - mean) map, map [inputs, rank] = V_r diag(1 / s_r),
   * so the fitted rows' z have orthonormal columns (Z^T Z = I). Refits on reweighted rows (refit.ts)
   * solve well-conditioned normal equations in z instead of factoring again.
   */
  whitening(): Whitening;
}

export interface Whitening {
  /** [inputs] column means of the fitted rows. */
  readonly mean: Float64Array;
  /** [inputs, rank] V_r diag(1 / s_r). */
  readonly map: Float64Array;
  readonly inputs: number;
  readonly rank: number;
  /** [rank] the kept singular values s_r. */
  readonly singularValues: Float64Array;
  /** Rows fitted (n in the ridge penalty ridge * n * ||W||^2). */
  readonly rows: number;
  readonly ridge: number;
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

/** Column means over the given rows (all rows when `rows` is undefined). */
function columnMeans(m: Rows, rows?: Int32Array): Float64Array {
  const { cols, data } = m;
  const n = rows ? rows.length : m.rows;
  const mean = new Float64Array(cols);
  for (let i = 0; i < n; i++) {
    const o = (rows ? rows[i] : i) * cols;
    for (let j = 0; j < cols; j++) mean[j] += data[o + j];
  }
  for (let j = 0; j < cols; j++) mean[j] /= n;
  return mean;
}

/**
 * Centred copy of the given rows of a row-major matrix, stored column-major in `out`:
 * out[j * n + i] = m[rows[i]][j] - mean[j]. Blocks of 16 rows keep the strided writes in cache.
 */
function centredColumnMajor(m: Rows, mean: Float64Array, rows: Int32Array | undefined, out: Float64Array): Float64Array {
  const { cols, data } = m;
  const n = rows ? rows.length : m.rows;
  const block = 16;
  const offsets = new Int32Array(block);
  for (let i0 = 0; i0 < n; i0 += block) {
    const b = Math.min(block, n - i0);
    for (let ii = 0; ii < b; ii++) offsets[ii] = (rows ? rows[i0 + ii] : i0 + ii) * cols;
    for (let j = 0; j < cols; j++) {
      const mj = mean[j];
      const o = j * n + i0;
      for (let ii = 0; ii < b; ii++) out[o + ii] = data[offsets[ii] + j] - mj;
    }
  }
  return out;
}

/**
 * In-place Householder QR of the column-major n x d matrix A (LAPACK dgeqrf's
 * convention): on return R is on and above the diagonal, and below it the
 * reflector vectors v_k (with an implicit v_k[k] = 1); H_k = I - tau_k v_k v_k^T
 * and Q = H_0 H_1 ... H_{m-1}, m = min(n, d). Returns tau [m].
 *
 * Blocked by 4 (compact WY, Schreiber & Van Loan 1989; LAPACK dlarft/dlarfb):
 * H_k ... H_{k+3} = I - V T V^T with T upper triangular, so the trailing
 * columns are updated as c -= V (T^T (V^T c)) in two passes over c instead
 * of eight. Same arithmetic as one reflector at a time up to rounding;
 * about 1.5x faster in V8.
 */
export function householderQr(A: Float64Array, n: number, d: number): Float64Array {
  const m = Math.min(n, d);
  const tau = new Float64Array(m);
  const B = 4;
  const T = new Float64Array(B * B); // [B, B] upper triangular, row-major
  for (let k0 = 0; k0 < m; k0 += B) {
    const b = Math.min(B, m - k0);
    // The panel: columns k0 .. k0+b-1, one reflector at a time.
    for (let k = k0; k < k0 + b; k++) {
      makeReflector(A, n, k, tau);
      for (let j = k + 1; j < k0 + b; j++) applyReflector(A, k * n, A, j * n, k, n, tau[k]);
    }
    if (k0 + b >= d) break;
    if (b < B) {
      for (let k = k0; k < k0 + b; k++) for (let j = k0 + b; j < d; j++) applyReflector(A, k * n, A, j * n, k, n, tau[k]);
      continue;
    }
    const o0 = k0 * n;
    const o1 = o0 + n;
    const o2 = o1 + n;
    const o3 = o2 + n;
    // T[j][j] = tau_j; T[0:j, j] = -tau_j T[0:j, 0:j] (V[:, 0:j]^T v_j)   (dlarft, forward, columnwise)
    const vdot = (p: number, q: number) => {
      // v_p . v_q for p < q: v_q is 0 above row k0+q and 1 at it.
      const op = (k0 + p) * n;
      const oq = (k0 + q) * n;
      let s = A[op + k0 + q];
      for (let i = k0 + q + 1; i < n; i++) s += A[op + i] * A[oq + i];
      return s;
    };
    T.fill(0);
    for (let j = 0; j < B; j++) {
      T[j * B + j] = tau[k0 + j];
      const dots = Array.from({ length: j }, (_, l) => vdot(l, j));
      for (let i = 0; i < j; i++) {
        let s = 0;
        for (let l = i; l < j; l++) s += T[i * B + l] * dots[l];
        T[i * B + j] = -tau[k0 + j] * s;
      }
    }
    const r = k0 + B; // from this row on all four vectors are dense
    const a01 = A[o0 + k0 + 1], a02 = A[o0 + k0 + 2], a03 = A[o0 + k0 + 3];
    const a12 = A[o1 + k0 + 2], a13 = A[o1 + k0 + 3], a23 = A[o2 + k0 + 3];
    for (let j = k0 + B; j < d; j++) {
      const c = j * n;
      // w = V^T c
      const c0 = A[c + k0], c1 = A[c + k0 + 1], c2 = A[c + k0 + 2], c3 = A[c + k0 + 3];
      let w0 = c0 + a01 * c1 + a02 * c2 + a03 * c3;
      let w1 = c1 + a12 * c2 + a13 * c3;
      let w2 = c2 + a23 * c3;
      let w3 = c3;
      for (let i = r; i < n; i++) {
        const ci = A[c + i];
        w0 += A[o0 + i] * ci;
        w1 += A[o1 + i] * ci;
        w2 += A[o2 + i] * ci;
        w3 += A[o3 + i] * ci;
      }
      // u = T^T w
      const u0 = T[0] * w0;
      const u1 = T[1] * w0 + T[5] * w1;
      const u2 = T[2] * w0 + T[6] * w1 + T[10] * w2;
      const u3 = T[3] * w0 + T[7] * w1 + T[11] * w2 + T[15] * w3;
      // c -= V u
      A[c + k0] = c0 - u0;
      A[c + k0 + 1] = c1 - (a01 * u0 + u1);
      A[c + k0 + 2] = c2 - (a02 * u0 + a12 * u1 + u2);
      A[c + k0 + 3] = c3 - (a03 * u0 + a13 * u1 + a23 * u2 + u3);
      for (let i = r; i < n; i++) A[c + i] -= A[o0 + i] * u0 + A[o1 + i] * u1 + A[o2 + i] * u2 + A[o3 + i] * u3;
    }
  }
  return tau;
}

/** The reflector of column k (LAPACK dlarfg): stores beta on the diagonal, v below it, tau[k]. */
function makeReflector(A: Float64Array, n: number, k: number, tau: Float64Array): void {
  const ck = k * n;
  // ||A[k+1:, k]|| with scaling so that squares cannot overflow or underflow.
  let scale = 0;
  for (let i = k + 1; i < n; i++) scale = Math.max(scale, Math.abs(A[ck + i]));
  if (scale === 0) {
    tau[k] = 0; // already upper triangular in this column: H_k = I
    return;
  }
  let ss = 0;
  for (let i = k + 1; i < n; i++) {
    const v = A[ck + i] / scale;
    ss += v * v;
  }
  const alpha = A[ck + k];
  const norm = scale * Math.hypot(alpha / scale, Math.sqrt(ss));
  const beta = alpha >= 0 ? -norm : norm; // opposite sign to alpha: no cancellation in alpha - beta
  tau[k] = (beta - alpha) / beta;
  const inv = 1 / (alpha - beta);
  for (let i = k + 1; i < n; i++) A[ck + i] *= inv;
  A[ck + k] = beta;
}

/** column := (I - tau v v^T) column, over rows k..n-1, with v = [1, V[vo+k+1 .. vo+n-1]]. */
function applyReflector(V: Float64Array, vo: number, C: Float64Array, co: number, k: number, n: number, tau: number): void {
  if (tau === 0) return;
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
export function factorLeastSquares(X: Rows, options: FactorOptions = {}): LeastSquaresFactor {
  const fn = "factorLeastSquares";
  checkRows(fn, "X", X);
  const ridge = checkNumber(fn, "ridge", options.ridge ?? 0, 0);
  const rcond = checkNumber(fn, "rcond", options.rcond ?? DEFAULT_RCOND, 0, 1);
  const { rows } = options;
  if (rows) {
    for (let i = 0; i < rows.length; i++) {
      if (!(rows[i] >= 0 && rows[i] < X.rows)) {
        throw new ArgumentError({ fn, argument: `rows[${i}]`, received: String(rows[i]), expected: `a row of X in [0, ${X.rows})` });
      }
    }
  }
  const n = rows ? rows.length : X.rows;
  const d = X.cols;
  if (n < 1) throw new ArgumentError({ fn, argument: "rows", received: "an empty list", expected: "at least one row" });
  const mx = columnMeans(X, rows);
  const size = n * d;
  const A = options.workspace && options.workspace.length >= size ? options.workspace.subarray(0, size) : new Float64Array(size);
  centredColumnMajor(X, mx, rows, A); // [d columns of n], becomes R and the reflectors
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
        throw new ArgumentError({ fn: fnSolve, argument: "Y", received: `${Y.rows} rows`, expected: `${n} rows, one per row of X used` });
      }
      const k = Y.cols;
      const my = columnMeans(Y);
      const B = centredColumnMajor(Y, my, undefined, new Float64Array(n * k)); // [k columns of n]
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
    whitening(): Whitening {
      const kept = s.flatMap((v, e) => (keep[e] ? [e] : []));
      const map = new Float64Array(d * kept.length); // [inputs, rank]
      kept.forEach((e, q) => {
        for (let j = 0; j < d; j++) map[j * kept.length + q] = V.get(j, e) / s[e];
      });
      return { mean: Float64Array.from(mx), map, inputs: d, rank: kept.length, singularValues: Float64Array.from(kept, (e) => s[e]), rows: n, ridge };
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

/** Predictions X W + b, [rows, outputs], for all rows of X or the given ones. */
export function predictLinear(fit: Pick<LinearFit, "weights" | "intercept" | "inputs" | "outputs">, X: Rows, rows?: Int32Array): Rows {
  if (X.cols !== fit.inputs) {
    throw new ArgumentError({ fn: "predictLinear", argument: "X", received: `${X.cols} columns`, expected: `${fit.inputs}, as the fit` });
  }
  const k = fit.outputs;
  const d = fit.inputs;
  const n = rows ? rows.length : X.rows;
  // W transposed to [outputs, inputs]: each output is then a contiguous dot product with the row.
  const wt = new Float64Array(k * d);
  for (let i = 0; i < d; i++) for (let c = 0; c < k; c++) wt[c * d + i] = fit.weights[i * k + c];
  const x = X.data;
  const out = new Float64Array(n * k);
  for (let r = 0; r < n; r++) {
    const src = (rows ? rows[r] : r) * d;
    if (!(src >= 0 && src + d <= x.length)) {
      throw new ArgumentError({ fn: "predictLinear", argument: `rows[${r}]`, received: String(rows?.[r]), expected: `a row of X in [0, ${X.rows})` });
    }
    for (let c = 0; c < k; c++) {
      const wo = c * d;
      let s0 = 0;
      let s1 = 0;
      let i = 0;
      for (; i + 1 < d; i += 2) {
        s0 += x[src + i] * wt[wo + i];
        s1 += x[src + i + 1] * wt[wo + i + 1];
      }
      if (i < d) s0 += x[src + i] * wt[wo + i];
      out[r * k + c] = fit.intercept[c] + s0 + s1;
    }
  }
  return { rows: n, cols: k, data: out };
}
