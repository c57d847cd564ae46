/**
 * The unembedding of a constructed model: the linear map from residual features to logits with
 * the least expected cross-entropy against the exact next-token distributions (multinomial
 * logistic regression with soft labels). It is convex; solved by Newton's method with a
 * backtracking line search, the last class's logits fixed at 0 (softmax is shift-invariant) and a
 * tiny ridge (RIDGE * rows) on the weights, because one-hot features are collinear by design.
 * Memory O(rows * d + (d V)^2); time O(iterations * rows * (d V)^2).
 */
import { Matrix, solve } from "ml-matrix";

/** Ridge per row on the weights (not the intercepts): makes the optimum unique without moving it measurably. */
const RIDGE = 1e-7;
const MAX_ITERATIONS = 100;
/** Stop when a step lowers the mean cross-entropy by less than this (nats). */
const TOLERANCE = 1e-12;

export interface SoftmaxReadout {
  /** [d, V] */
  readonly weights: Float64Array;
  /** [V] */
  readonly intercept: Float64Array;
  /** Mean cross-entropy on the fitting rows, nats. */
  readonly loss: number;
  readonly iterations: number;
}

/** Mean over rows of -sum_x p[r, x] log softmax(f[r] W + b)[x]; logits written to `logits` [rows, V]. */
function meanCrossEntropy(features: Float64Array, targets: Float64Array, rows: number, d: number, V: number, beta: Float64Array, logits: Float64Array): number {
  const K = V - 1;
  let total = 0;
  for (let r = 0; r < rows; r++) {
    let max = 0; // the fixed class's logit
    for (let a = 0; a < K; a++) {
      let z = beta[d * K + a];
      for (let j = 0; j < d; j++) z += features[r * d + j] * beta[j * K + a];
      logits[r * V + a] = z;
      max = Math.max(max, z);
    }
    logits[r * V + K] = 0;
    let sum = 0;
    for (let a = 0; a < V; a++) sum += Math.exp(logits[r * V + a] - max);
    const lse = max + Math.log(sum);
    for (let a = 0; a < V; a++) if (targets[r * V + a] > 0) total -= targets[r * V + a] * (logits[r * V + a] - lse);
  }
  return total / rows;
}

/** Fit logits = features W + b to soft targets [rows, V] (rows of probabilities). features [rows, d]. */
export function fitSoftmaxReadout(features: Float64Array, targets: Float64Array, rows: number, d: number, V: number): SoftmaxReadout {
  const K = V - 1;
  const n = (d + 1) * K; // parameters beta[(j or intercept), a], j-major
  const beta = new Float64Array(n);
  const logits = new Float64Array(rows * V);
  let loss = meanCrossEntropy(features, targets, rows, d, V, beta, logits);
  let it = 0;
  const p = new Float64Array(V);
  const f = new Float64Array(d + 1);
  for (; it < MAX_ITERATIONS && K > 0; it++) {
    const g = new Float64Array(n);
    const H = new Float64Array(n * n);
    for (let r = 0; r < rows; r++) {
      let max = 0;
      for (let a = 0; a < V; a++) max = Math.max(max, logits[r * V + a]);
      let sum = 0;
      for (let a = 0; a < V; a++) sum += p[a] = Math.exp(logits[r * V + a] - max);
      for (let a = 0; a < V; a++) p[a] /= sum;
      for (let j = 0; j < d; j++) f[j] = features[r * d + j];
      f[d] = 1;
      for (let a = 0; a < K; a++) {
        const resid = p[a] - targets[r * V + a];
        for (let j = 0; j <= d; j++) g[j * K + a] += f[j] * resid;
        for (let b = 0; b < K; b++) {
          const w = p[a] * ((a === b ? 1 : 0) - p[b]);
          if (w === 0) continue;
          for (let j = 0; j <= d; j++) {
            const fw = f[j] * w;
            if (fw === 0) continue;
            const rowH = (j * K + a) * n;
            for (let k = 0; k <= d; k++) H[rowH + k * K + b] += fw * f[k];
          }
        }
      }
    }
    for (let q = 0; q < n; q++) {
      g[q] /= rows;
      for (let q2 = 0; q2 < n; q2++) H[q * n + q2] /= rows;
    }
    // Ridge on the weights (rows j < d), not on the intercepts.
    for (let j = 0; j < d; j++) {
      for (let a = 0; a < K; a++) {
        const q = j * K + a;
        g[q] += RIDGE * beta[q];
        H[q * n + q] += RIDGE;
      }
    }
    const Hm = new Matrix(n, n);
    for (let q = 0; q < n; q++) for (let q2 = 0; q2 < n; q2++) Hm.set(q, q2, H[q * n + q2]);
    const step = solve(Hm, Matrix.columnVector(Array.from(g)), true).to1DArray();
    // Backtracking line search on the mean cross-entropy (Newton's step is 1 near the optimum).
    let scale = 1;
    const trial = new Float64Array(n);
    let next = Infinity;
    for (let k = 0; k < 30; k++, scale /= 2) {
      for (let q = 0; q < n; q++) trial[q] = beta[q] - scale * step[q];
      next = meanCrossEntropy(features, targets, rows, d, V, trial, logits);
      if (next <= loss) break;
    }
    if (!(next <= loss)) {
      meanCrossEntropy(features, targets, rows, d, V, beta, logits);
      break;
    }
    beta.set(trial);
    const gain = loss - next;
    loss = next;
    if (gain < TOLERANCE) break;
  }
  const weights = new Float64Array(d * V);
  const intercept = new Float64Array(V);
  for (let a = 0; a < K; a++) {
    for (let j = 0; j < d; j++) weights[j * V + a] = beta[j * K + a];
    intercept[a] = beta[d * K + a];
  }
  return { weights, intercept, loss, iterations: it };
}

/** Mean expected cross-entropy of logits features W + b against soft targets. */
export function readoutLoss(readout: Pick<SoftmaxReadout, "weights" | "intercept">, features: Float64Array, targets: Float64Array, rows: number, d: number, V: number): number {
  let total = 0;
  const z = new Float64Array(V);
  for (let r = 0; r < rows; r++) {
    let max = -Infinity;
    for (let a = 0; a < V; a++) {
      let v = readout.intercept[a];
      for (let j = 0; j < d; j++) v += features[r * d + j] * readout.weights[j * V + a];
      z[a] = v;
      max = Math.max(max, v);
    }
    let sum = 0;
    for (let a = 0; a < V; a++) sum += Math.exp(z[a] - max);
    const lse = max + Math.log(sum);
    for (let a = 0; a < V; a++) if (targets[r * V + a] > 0) total -= targets[r * V + a] * (z[a] - lse);
  }
  return total / rows;
}
