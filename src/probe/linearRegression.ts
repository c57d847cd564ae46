/**
 * Linear regression with intercept and optional ridge penalty, in float64:
 * solve (Xc^T Xc + ridge * n * I) W = Xc^T Yc on centred data (the intercept
 * is not penalised), intercept = mean(Y) - mean(X) W. Rank-deficient inputs
 * (constant or collinear features, common after LayerNorm) fall back to the
 * pseudo-inverse (symmetric eigendecomposition), the minimum-norm least-squares solution.
 */
import { CholeskyDecomposition, EigenvalueDecomposition, Matrix } from "ml-matrix";
import { ArgumentError, checkNumber } from "../util/errors.js";

/** A row-major matrix of float64 values. */
export interface Rows {
  readonly rows: number;
  readonly cols: number;
  readonly data: Float64Array;
}

export interface LinearFit {
  /** [inputs, outputs] */
  readonly weights: Float64Array;
  /** [outputs] */
  readonly intercept: Float64Array;
  readonly inputs: number;
  readonly outputs: number;
  readonly ridge: number;
  /** "cholesky", or "svd" where the Gram matrix was singular. */
  readonly solver: "cholesky" | "svd";
}

export interface FitOptions {
  /** Ridge penalty per sample (the penalty is ridge * n * ||W||^2). Default 0: ordinary least squares. */
  readonly ridge?: number;
}

function checkRows(fn: string, argument: string, m: Rows): void {
  if (!(m.data instanceof Float64Array) || m.data.length !== m.rows * m.cols || m.rows < 1 || m.cols < 1) {
    throw new ArgumentError({ fn, argument, received: `${m.rows} x ${m.cols} with ${m.data?.length} values`, expected: "a non-empty row-major Float64Array matrix" });
  }
}

function columnMeans(m: Rows): Float64Array {
  const mean = new Float64Array(m.cols);
  for (let r = 0; r < m.rows; r++) for (let j = 0; j < m.cols; j++) mean[j] += m.data[r * m.cols + j];
  for (let j = 0; j < m.cols; j++) mean[j] /= m.rows;
  return mean;
}

export function fitLinear(X: Rows, Y: Rows, options: FitOptions = {}): LinearFit {
  const fn = "fitLinear";
  checkRows(fn, "X", X);
  checkRows(fn, "Y", Y);
  if (X.rows !== Y.rows) {
    throw new ArgumentError({ fn, argument: "Y", received: `${Y.rows} rows`, expected: `${X.rows} rows, one per row of X` });
  }
  const ridge = checkNumber(fn, "ridge", options.ridge ?? 0, 0);
  const n = X.rows;
  const d = X.cols;
  const k = Y.cols;
  const mx = columnMeans(X);
  const my = columnMeans(Y);
  // Gram matrix G = Xc^T Xc (upper triangle, then mirrored) and cross term C = Xc^T Yc.
  const G = new Float64Array(d * d);
  const C = new Float64Array(d * k);
  const xc = new Float64Array(d);
  for (let r = 0; r < n; r++) {
    const xo = r * d;
    for (let i = 0; i < d; i++) xc[i] = X.data[xo + i] - mx[i];
    for (let i = 0; i < d; i++) {
      const xi = xc[i];
      if (xi === 0) continue;
      const gi = i * d;
      for (let j = i; j < d; j++) G[gi + j] += xi * xc[j];
      const ci = i * k;
      for (let c = 0; c < k; c++) C[ci + c] += xi * (Y.data[r * k + c] - my[c]);
    }
  }
  for (let i = 0; i < d; i++) for (let j = 0; j < i; j++) G[i * d + j] = G[j * d + i];
  for (let i = 0; i < d; i++) G[i * d + i] += ridge * n;

  const gm = new Matrix(d, d);
  for (let i = 0; i < d; i++) for (let j = 0; j < d; j++) gm.set(i, j, G[i * d + j]);
  const cm = new Matrix(d, k);
  for (let i = 0; i < d; i++) for (let c = 0; c < k; c++) cm.set(i, c, C[i * k + c]);

  let solution: Matrix;
  let solver: LinearFit["solver"] = "cholesky";
  const chol = new CholeskyDecomposition(gm);
  // Treat near-singular Gram matrices as singular: a tiny pivot would amplify roundoff.
  const L = chol.lowerTriangularMatrix;
  let minPivot = Infinity;
  let maxPivot = 0;
  for (let i = 0; i < d; i++) {
    const p = Math.abs(L.get(i, i));
    minPivot = Math.min(minPivot, p);
    maxPivot = Math.max(maxPivot, p);
  }
  if (chol.isPositiveDefinite() && minPivot > 1e-7 * maxPivot) {
    solution = chol.solve(cm);
  } else {
    solver = "svd";
    solution = pseudoInverseSolve(gm, cm);
  }
  const weights = new Float64Array(d * k);
  for (let i = 0; i < d; i++) for (let c = 0; c < k; c++) weights[i * k + c] = solution.get(i, c);
  const intercept = Float64Array.from(my);
  for (let i = 0; i < d; i++) for (let c = 0; c < k; c++) intercept[c] -= mx[i] * weights[i * k + c];
  return { weights, intercept, inputs: d, outputs: k, ridge, solver };
}

/**
 * Minimum-norm solution of G W = C for a symmetric positive semi-definite G:
 * W = sum over eigenpairs with lambda > 1e-10 lambda_max of u (u^T C) / lambda.
 * The cutoff (relative singular value 1e-5 of the centred features) drops
 * directions that roundoff alone created when features are collinear.
 */
function pseudoInverseSolve(G: Matrix, C: Matrix): Matrix {
  const evd = new EigenvalueDecomposition(G, { assumeSymmetric: true });
  const lambda = evd.realEigenvalues;
  const U = evd.eigenvectorMatrix;
  const cutoff = 1e-10 * Math.max(...lambda.map(Math.abs));
  const d = G.rows;
  const W = new Matrix(d, C.columns);
  for (let e = 0; e < d; e++) {
    if (!(lambda[e] > cutoff)) continue;
    for (let c = 0; c < C.columns; c++) {
      let proj = 0;
      for (let i = 0; i < d; i++) proj += U.get(i, e) * C.get(i, c);
      proj /= lambda[e];
      for (let i = 0; i < d; i++) W.set(i, c, W.get(i, c) + U.get(i, e) * proj);
    }
  }
  return W;
}

/** Predictions X W + b, [rows, outputs]. */
export function predictLinear(fit: LinearFit, X: Rows): Rows {
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
