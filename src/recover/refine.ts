/**
 * Refinement: gradient descent (Adam) on a valid HMM's parameters so that its
 * predictions match the model's next-token distributions along the model's
 * own samples, optionally with the beliefs kept affine in the activations.
 *
 * Parameters: T[x][i][j] = softmax over (x, j) of theta[i][x][j], so every
 * iterate is a valid stochastic HMM (T >= 0, rows of sum_x T[x] sum to 1)
 * with a unique stationary distribution pi (all entries positive).
 *
 * Objective, per prediction (nats):
 *   J = 1/(N (L + 1)) sum_n sum_{t=0}^{L} KL(q_t || p_t)
 *     + lambda / (N L) sum_rows || (I - Q Q^T) B ||^2
 * where q_0 = p(x1) (stationary fixed point of the model), q_{t+1} the model's
 * prediction after x_0..x_t, p_t(x) = beta_t T[x] 1 the HMM's prediction from
 * its belief beta_t (beta_0 = pi, beta_{t+1} = beta_t T[x_t] / beta_t T[x_t] 1),
 * B the HMM's beliefs after each token (rows matched with activations), and
 * Q an orthonormal basis of [1, z] (z the belief coordinates of the
 * activations): the second term is the squared residual of the best affine
 * map from activations to the HMM's beliefs (variable projection, Golub &
 * Pereyra 1973).
 *
 * Gradient (reverse mode by hand; tested against finite differences):
 *   prediction:  dJ/dbeta_t += -sum_x q_t(x)/p_t(x) e_x,   dJ/de_x[i] += -q_t(x)/p_t(x) beta_t[i]
 *   update:      g_u = (g_beta' - (g_beta' . beta') 1) / s,  dJ/dT[x_t] += beta^T g_u,  g_beta += T[x_t] g_u
 *   start:       pi M = pi, so d pi = pi dM Z with Z = (I - M + 1 pi)^-1 (Schweitzer 1968),
 *                dJ/dM[i][j] = pi_i (Z g_pi)_j
 *   softmax:     dJ/dtheta_ik = T_ik (g_ik - sum_k' T_ik' g_ik')
 * Cost per iteration: O(N L (S^2 + V S)) time, O(N L S) memory.
 */
import { Matrix, inverse } from "ml-matrix";
import { checkInteger, checkNumber } from "../util/errors.js";
import type { Rows } from "../util/rows.js";
import type { OperatorData } from "./closedForm.js";

export interface RefineOptions {
  /** Adam iterations at most. Default 1500. */
  readonly iterations?: number;
  /** Adam step. Default 0.05. */
  readonly learningRate?: number;
  /** Weight of the belief-agreement term (0: predictions only). Default 0. */
  readonly beliefWeight?: number;
  /** Belief coordinates of the activations, [count * length, r], rows matched with the samples (needed when beliefWeight > 0). */
  readonly coordinates?: Rows;
  /** Positions 0..coordinatesLastPosition carry valid coordinates (where the map to them was fitted). Default all. */
  readonly coordinatesLastPosition?: number;
  /** Stop when the objective improved by less than this over the last 100 iterations. Default 1e-8. */
  readonly tolerance?: number;
  readonly onProgress?: (iteration: number, objective: number) => void;
}

export interface RefineResult {
  /** [V, S, S] */
  readonly transitions: Float64Array;
  /** Objective at each iteration (KL part, nats per prediction). */
  readonly history: number[];
  /** Mean KL(model || HMM) per prediction at the end. */
  readonly kl: number;
  /** Mean squared residual of the best affine map from coordinates to the HMM's beliefs (NaN without coordinates). */
  readonly beliefResidual: number;
  readonly iterations: number;
}

/** The stationary distribution of a positive chain M [S, S] and the fundamental matrix Z = (I - M + 1 pi)^-1. */
export function stationaryAndFundamental(M: Float64Array, S: number): { pi: Float64Array; Z: Matrix } {
  // pi solves pi (I - M + 1 1^T) = 1^T (Kemeny & Snell), for an irreducible chain.
  const A = new Matrix(S, S);
  for (let i = 0; i < S; i++) for (let j = 0; j < S; j++) A.set(i, j, (i === j ? 1 : 0) - M[i * S + j] + 1);
  const Ainv = inverse(A);
  const pi = new Float64Array(S);
  for (let j = 0; j < S; j++) for (let i = 0; i < S; i++) pi[j] += Ainv.get(i, j);
  const total = pi.reduce((a, b) => a + b, 0);
  for (let j = 0; j < S; j++) pi[j] /= total;
  const B = new Matrix(S, S);
  for (let i = 0; i < S; i++) for (let j = 0; j < S; j++) B.set(i, j, (i === j ? 1 : 0) - M[i * S + j] + pi[j]);
  return { pi, Z: inverse(B) };
}

/** Softmax rows: theta [S, V * S] (row i: (x, j) pairs) into T [V, S, S]. */
export function transitionsFromLogits(theta: Float64Array, S: number, V: number, out: Float64Array = new Float64Array(V * S * S)): Float64Array {
  for (let i = 0; i < S; i++) {
    let max = -Infinity;
    for (let k = 0; k < V * S; k++) max = Math.max(max, theta[i * V * S + k]);
    let z = 0;
    for (let k = 0; k < V * S; k++) z += Math.exp(theta[i * V * S + k] - max);
    for (let x = 0; x < V; x++) for (let j = 0; j < S; j++) out[(x * S + i) * S + j] = Math.exp(theta[i * V * S + x * S + j] - max) / z;
  }
  return out;
}

/** Logits of T (entries floored at `floor` so that zeros can grow again). */
export function logitsFromTransitions(T: Float64Array, S: number, V: number, floor = 1e-4): Float64Array {
  const theta = new Float64Array(S * V * S);
  for (let i = 0; i < S; i++) for (let x = 0; x < V; x++) for (let j = 0; j < S; j++) theta[i * V * S + x * S + j] = Math.log(T[(x * S + i) * S + j] + floor);
  return theta;
}

/** The belief-agreement term's data: an orthonormal basis of [1, coordinates] over the rows used. */
export interface BeliefBasis {
  /** [rows used, cols] */
  readonly Q: Float64Array;
  readonly cols: number;
  /** [rows used] the sample row (sequence * length + position) of each. */
  readonly rows: Int32Array;
}

/** Orthonormal basis of the columns [1, coordinates] over the rows at positions <= lastPosition (modified Gram-Schmidt, twice). */
export function beliefBasis(c: Rows, length: number, lastPosition = length - 1): BeliefBasis {
  const keep = Math.min(length, lastPosition + 1);
  const count = c.rows / length;
  const rows = new Int32Array(count * keep);
  for (let s = 0; s < count; s++) for (let t = 0; t < keep; t++) rows[s * keep + t] = s * length + t;
  const n = rows.length;
  const k = c.cols + 1;
  const Q = new Float64Array(n * k);
  for (let row = 0; row < n; row++) {
    Q[row * k] = 1;
    for (let j = 0; j < c.cols; j++) Q[row * k + j + 1] = c.data[rows[row] * c.cols + j];
  }
  for (let pass = 0; pass < 2; pass++) {
    for (let j = 0; j < k; j++) {
      for (let i = 0; i < j; i++) {
        let d = 0;
        for (let row = 0; row < n; row++) d += Q[row * k + i] * Q[row * k + j];
        for (let row = 0; row < n; row++) Q[row * k + j] -= d * Q[row * k + i];
      }
      let norm = 0;
      for (let row = 0; row < n; row++) norm += Q[row * k + j] ** 2;
      norm = Math.sqrt(norm);
      for (let row = 0; row < n; row++) Q[row * k + j] = norm > 1e-12 ? Q[row * k + j] / norm : 0;
    }
  }
  return { Q, cols: k, rows };
}

const entropyCache = new WeakMap<OperatorData, number>();

/** Sum of the targets' entropies (constant in the fit; cached per data object). */
function targetEntropy(data: OperatorData): number {
  const cached = entropyCache.get(data);
  if (cached !== undefined) return cached;
  let h = 0;
  for (const q of data.firstProbs) if (q > 0) h -= data.count * q * Math.log(q);
  for (const q of data.nextProbs) if (q > 0) h -= q * Math.log(q);
  entropyCache.set(data, h);
  return h;
}

export interface ObjectiveParts {
  readonly kl: number;
  readonly belief: number;
  readonly total: number;
}

/**
 * The objective and its gradient with respect to T ([V, S, S], written into
 * gradT when given). Exposed for tests (finite differences).
 */
export function refineObjective(T: Float64Array, S: number, data: OperatorData, beliefWeight: number, basis: BeliefBasis | null, gradT?: Float64Array): ObjectiveParts {
  const V = data.nSymbols;
  const L = data.length;
  const N = data.count;
  const M = new Float64Array(S * S);
  for (let x = 0; x < V; x++) for (let k = 0; k < S * S; k++) M[k] += T[x * S * S + k];
  const { pi, Z } = stationaryAndFundamental(M, S);
  // e[x][i] = sum_j T[x][i][j]
  const e = new Float64Array(V * S);
  for (let x = 0; x < V; x++) for (let i = 0; i < S; i++) {
    let s = 0;
    for (let j = 0; j < S; j++) s += T[(x * S + i) * S + j];
    e[x * S + i] = s;
  }
  const nPred = N * (L + 1);
  // Forward: beliefs beta_t, t = 0..L, per sequence: [N, L + 1, S]; normalisers s_t: [N, L].
  const beta = new Float64Array(N * (L + 1) * S);
  const norm = new Float64Array(N * L);
  let ce = 0;
  const entropy = targetEntropy(data);
  for (let n = 0; n < N; n++) {
    const b0 = n * (L + 1) * S;
    beta.set(pi, b0);
    for (let t = 0; t <= L; t++) {
      const bt = b0 + t * S;
      const qBase = t === 0 ? -1 : (n * L + t - 1) * V;
      for (let x = 0; x < V; x++) {
        const q = qBase < 0 ? data.firstProbs[x] : data.nextProbs[qBase + x];
        if (q > 0) {
          let s = 0;
          for (let i = 0; i < S; i++) s += beta[bt + i] * e[x * S + i];
          ce -= q * Math.log(s);
        }
      }
      if (t === L) break;
      const x = data.tokens[n * L + t];
      const bn = bt + S;
      let s = 0;
      for (let j = 0; j < S; j++) {
        let u = 0;
        for (let i = 0; i < S; i++) u += beta[bt + i] * T[(x * S + i) * S + j];
        beta[bn + j] = u;
        s += u;
      }
      for (let j = 0; j < S; j++) beta[bn + j] /= s;
      norm[n * L + t] = s;
    }
  }
  const kl = (ce - entropy) / nPred;
  // Belief agreement: residual R = (I - Q Q^T) B over the basis rows, B = beta_{t+1} at row (n, t).
  let beliefTerm = 0;
  let resid: Float64Array | null = null; // [N * L, S], zero outside the basis rows
  const nRows = basis ? basis.rows.length : 0;
  if (beliefWeight > 0 && basis) {
    const k = basis.cols;
    const Q = basis.Q;
    const bRow = (row: number) => (Math.floor(row / L) * (L + 1) + (row % L) + 1) * S;
    const proj = new Float64Array(k * S); // Q^T B
    for (let m = 0; m < nRows; m++) {
      const bt = bRow(basis.rows[m]);
      for (let c = 0; c < k; c++) for (let j = 0; j < S; j++) proj[c * S + j] += Q[m * k + c] * beta[bt + j];
    }
    resid = new Float64Array(N * L * S);
    for (let m = 0; m < nRows; m++) {
      const row = basis.rows[m];
      const bt = bRow(row);
      for (let j = 0; j < S; j++) {
        let v = beta[bt + j];
        for (let c = 0; c < k; c++) v -= Q[m * k + c] * proj[c * S + j];
        resid[row * S + j] = v;
        beliefTerm += v * v;
      }
    }
    beliefTerm /= nRows;
  }
  const total = kl + beliefWeight * beliefTerm;
  if (!gradT) return { kl, belief: beliefTerm, total };

  gradT.fill(0);
  const ge = new Float64Array(V * S);
  const gPi = new Float64Array(S);
  const gBeta = new Float64Array(S);
  const gu = new Float64Array(S);
  const prev = new Float64Array(S);
  for (let n = 0; n < N; n++) {
    gBeta.fill(0);
    for (let t = L; t >= 0; t--) {
      const bt = (n * (L + 1) + t) * S;
      // Prediction at t.
      const qBase = t === 0 ? -1 : (n * L + t - 1) * V;
      for (let x = 0; x < V; x++) {
        const q = qBase < 0 ? data.firstProbs[x] : data.nextProbs[qBase + x];
        if (!(q > 0)) continue;
        let s = 0;
        for (let i = 0; i < S; i++) s += beta[bt + i] * e[x * S + i];
        const coef = -q / s / nPred;
        for (let i = 0; i < S; i++) {
          gBeta[i] += coef * e[x * S + i];
          ge[x * S + i] += coef * beta[bt + i];
        }
      }
      if (resid && t >= 1) {
        const row = n * L + t - 1;
        for (let j = 0; j < S; j++) gBeta[j] += ((2 * beliefWeight) / nRows) * resid[row * S + j];
      }
      if (t === 0) break;
      // beta_t = beta_{t-1} T[x] / s, x = tokens[t - 1].
      const x = data.tokens[n * L + t - 1];
      const s = norm[n * L + t - 1];
      let dot = 0;
      for (let j = 0; j < S; j++) dot += gBeta[j] * beta[bt + j];
      for (let j = 0; j < S; j++) gu[j] = (gBeta[j] - dot) / s;
      const bp = bt - S;
      for (let i = 0; i < S; i++) {
        let g = 0;
        const bi = beta[bp + i];
        for (let j = 0; j < S; j++) {
          const k = (x * S + i) * S + j;
          gradT[k] += bi * gu[j];
          g += T[k] * gu[j];
        }
        prev[i] = g;
      }
      gBeta.set(prev);
    }
    for (let i = 0; i < S; i++) gPi[i] += gBeta[i];
  }
  // Through the stationary start: dJ/dM[i][j] = pi_i (Z gPi)_j, and M = sum_x T[x].
  const zg = new Float64Array(S);
  for (let i = 0; i < S; i++) for (let j = 0; j < S; j++) zg[i] += Z.get(i, j) * gPi[j];
  for (let x = 0; x < V; x++) {
    for (let i = 0; i < S; i++) {
      for (let j = 0; j < S; j++) gradT[(x * S + i) * S + j] += ge[x * S + i] + pi[i] * zg[j];
    }
  }
  return { kl, belief: beliefTerm, total };
}

/** Refine T0 ([V, S, S]) by Adam on the softmax logits. */
export function refineHmm(T0: Float64Array, S: number, data: OperatorData, options: RefineOptions = {}): RefineResult {
  const fn = "refineHmm";
  const V = data.nSymbols;
  const iterations = checkInteger(fn, "iterations", options.iterations ?? 1500, 0);
  const lr = checkNumber(fn, "learningRate", options.learningRate ?? 0.05, 0);
  const beliefWeight = checkNumber(fn, "beliefWeight", options.beliefWeight ?? 0, 0);
  const tolerance = checkNumber(fn, "tolerance", options.tolerance ?? 1e-8, 0);
  const basis = options.coordinates && beliefWeight > 0 ? beliefBasis(options.coordinates, data.length, options.coordinatesLastPosition) : null;
  const theta = logitsFromTransitions(T0, S, V);
  const T = transitionsFromLogits(theta, S, V);
  const gradT = new Float64Array(V * S * S);
  const gTheta = new Float64Array(theta.length);
  const m1 = new Float64Array(theta.length);
  const m2 = new Float64Array(theta.length);
  const [b1, b2, eps] = [0.9, 0.999, 1e-8];
  const history: number[] = [];
  let best = { value: Infinity, theta: Float64Array.from(theta) };
  let it = 0;
  for (; it < iterations; it++) {
    transitionsFromLogits(theta, S, V, T);
    const parts = refineObjective(T, S, data, beliefWeight, basis, gradT);
    history.push(parts.total);
    options.onProgress?.(it, parts.total);
    if (parts.total < best.value) best = { value: parts.total, theta: Float64Array.from(theta) };
    if (it >= 100 && history[it - 100] - parts.total < tolerance) break;
    for (let i = 0; i < S; i++) {
      let dot = 0;
      for (let x = 0; x < V; x++) for (let j = 0; j < S; j++) dot += T[(x * S + i) * S + j] * gradT[(x * S + i) * S + j];
      for (let x = 0; x < V; x++) for (let j = 0; j < S; j++) {
        const k = (x * S + i) * S + j;
        gTheta[i * V * S + x * S + j] = T[k] * (gradT[k] - dot);
      }
    }
    // Adam (Kingma & Ba 2015).
    for (let k = 0; k < theta.length; k++) {
      m1[k] = b1 * m1[k] + (1 - b1) * gTheta[k];
      m2[k] = b2 * m2[k] + (1 - b2) * gTheta[k] * gTheta[k];
      const mh = m1[k] / (1 - b1 ** (it + 1));
      const vh = m2[k] / (1 - b2 ** (it + 1));
      theta[k] -= (lr * mh) / (Math.sqrt(vh) + eps);
    }
  }
  const final = transitionsFromLogits(best.theta, S, V);
  const parts = refineObjective(final, S, data, beliefWeight, basis);
  return { transitions: final, history, kl: parts.kl, beliefResidual: basis ? parts.belief : NaN, iterations: it };
}
