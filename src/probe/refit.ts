/**
 * Fit variance for the verdict (verdict.ts): refits of every predictor on
 * bootstrap resamples of the training sequences, scored on the held-out ones.
 *
 * Resampling unit: blocks of training sequences. The training sequences (in
 * the split's random order) are cut into G = min(50, sequences) blocks of
 * nearly equal size; refit j draws G blocks with replacement (seeded), and
 * every predictor (probe, shuffled, untrained, k-gram, memory lookups) is
 * refitted with those block counts as row weights, so that differences are
 * paired. Blocks of independent sequences are independent, so this is the
 * ordinary bootstrap of G units; blocks keep the refit's cost at G Gram
 * matrices instead of one per sequence.
 *
 * A linear probe is refitted exactly, in the whitened coordinates of its
 * main fit (leastSquares.ts): z = (x - mean) V_r diag(1 / s_r) has
 * orthonormal columns on the training rows, so the weighted normal
 * equations [1 z]^T W [1 z] theta = [1 z]^T W y are well conditioned (their
 * matrix is about I). The refit keeps the main fit's directions (those below
 * the cut-off carry rounding only) and its ridge penalty
 * ridge * n * ||W||^2 = ridge * n * sum_e theta_e^2 / s_e^2.
 *
 * Cost per site: n_train * d * r + n_train * r^2 once (whitening and block
 * Grams; 2.6e9 flops for 20,000 rows of 256 features), then per refit
 * G r^2 + r^3 / 3 + n_test * d * outputs and the scores. Memory: G (r + 1)^2
 * float64 values.
 */
import { Rng } from "../util/rng.js";
import type { Rows } from "../util/rows.js";
import type { Whitening } from "./leastSquares.js";
import type { SequenceScores } from "./verdict.js";

/** Refits per predictor by default. */
export const DEFAULT_FIT_RESAMPLES = 20;
/** Most blocks of training sequences. */
export const MAX_REFIT_BLOCKS = 50;

export interface RefitPlan {
  readonly resamples: number;
  readonly blocks: number;
  /** [training rows, in split.train order] the block of each row. */
  readonly rowBlock: Int32Array;
  /** [resamples, blocks] how often refit j draws block g. */
  readonly counts: Uint16Array;
}

/** The resampling plan for `trainRows` rows in sequences of nPos (null when fewer than 2 sequences or no resamples). */
export function refitPlan(trainRows: number, nPos: number, resamples: number, seed: number): RefitPlan | null {
  const sequences = Math.floor(trainRows / nPos);
  if (resamples < 1 || sequences < 2) return null;
  const blocks = Math.min(MAX_REFIT_BLOCKS, sequences);
  const rowBlock = new Int32Array(trainRows);
  for (let i = 0; i < trainRows; i++) rowBlock[i] = Math.min(blocks - 1, Math.floor((Math.floor(i / nPos) * blocks) / sequences));
  const rng = new Rng(seed, "probe-refit");
  const counts = new Uint16Array(resamples * blocks);
  for (let j = 0; j < resamples; j++) for (let g = 0; g < blocks; g++) counts[j * blocks + rng.int(blocks)]++;
  return { resamples, blocks, rowBlock, counts };
}

/** [training rows] the row weights of refit j. */
export function refitRowWeights(plan: RefitPlan, j: number): Float64Array {
  const w = new Float64Array(plan.rowBlock.length);
  for (let i = 0; i < w.length; i++) w[i] = plan.counts[j * plan.blocks + plan.rowBlock[i]];
  return w;
}

/**
 * Solve M X = B in place for symmetric positive semi-definite M [p, p] and B [p, k] (row-major) by
 * Cholesky; a pivot at or below 1e-12 of the largest diagonal drops that direction (its
 * unknowns are 0), as the main fit drops directions below its cut-off. B becomes X.
 */
export function solveSemidefinite(M: Float64Array, p: number, B: Float64Array, k: number): void {
  let maxDiag = 0;
  for (let i = 0; i < p; i++) maxDiag = Math.max(maxDiag, M[i * p + i]);
  const tol = 1e-12 * maxDiag;
  const dropped = new Uint8Array(p);
  for (let j = 0; j < p; j++) {
    let d = M[j * p + j];
    for (let q = 0; q < j; q++) d -= M[j * p + q] * M[j * p + q];
    if (!(d > tol)) {
      dropped[j] = 1;
      for (let i = j; i < p; i++) M[i * p + j] = 0;
      continue;
    }
    const l = Math.sqrt(d);
    M[j * p + j] = l;
    for (let i = j + 1; i < p; i++) {
      let v = M[i * p + j];
      for (let q = 0; q < j; q++) v -= M[i * p + q] * M[j * p + q];
      M[i * p + j] = v / l;
    }
  }
  // L y = B, then L^T x = y (lower triangle of M holds L).
  for (let c = 0; c < k; c++) {
    for (let i = 0; i < p; i++) {
      if (dropped[i]) {
        B[i * k + c] = 0;
        continue;
      }
      let v = B[i * k + c];
      for (let q = 0; q < i; q++) v -= M[i * p + q] * B[q * k + c];
      B[i * k + c] = v / M[i * p + i];
    }
    for (let i = p - 1; i >= 0; i--) {
      if (dropped[i]) continue;
      let v = B[i * k + c];
      for (let q = i + 1; q < p; q++) v -= M[q * p + i] * B[q * k + c];
      B[i * k + c] = v / M[i * p + i];
    }
  }
}

/**
 * Refit a linear probe of features x on `targets` (blocks of columns, each [train rows, cols],
 * rows in split.train order) for every refit of the plan, and score each refit's held-out
 * predictions with `scorers[t]` (one per target block). Returns [target block][refit] scores.
 */
export function linearRefits(
  x: Rows,
  train: Int32Array,
  test: Int32Array,
  targets: readonly Rows[],
  wh: Whitening,
  plan: RefitPlan,
  scorers: readonly ((pred: Rows) => SequenceScores)[],
): SequenceScores[][] {
  const { rank: r, inputs: d, map, mean } = wh;
  const p = r + 1;
  const G = plan.blocks;
  const K = targets.reduce((a, t) => a + t.cols, 0);
  const gram = new Float64Array(G * p * p); // [G, p, p] upper triangle filled
  const cross = new Float64Array(G * p * K); // [G, p, K]
  // Rows four at a time (of one block): each Gram entry and map entry is then loaded once per four rows.
  const L = 4;
  const Z = new Float64Array(L * p); // [L, p] rows [1, z]
  const Y = new Float64Array(L * K);
  const C = new Float64Array(d * L); // [d, L] the rows' centred features, interleaved
  const mapT = new Float64Array(r * d); // [r, d] the map transposed: each z_q a contiguous dot product
  for (let j = 0; j < d; j++) for (let q = 0; q < r; q++) mapT[q * d + j] = map[j * r + q];
  for (let i0 = 0; i0 < train.length; ) {
    const g = plan.rowBlock[i0];
    let n = 1;
    while (n < L && i0 + n < train.length && plan.rowBlock[i0 + n] === g) n++;
    Z.fill(0);
    Y.fill(0);
    // The four rows, centred, side by side: C[j * L + l] (a missing row is 0).
    for (let l = 0; l < L; l++) {
      const src = l < n ? train[i0 + l] * d : -1;
      for (let j = 0; j < d; j++) C[j * L + l] = src < 0 ? 0 : x.data[src + j] - mean[j];
    }
    // z_q = sum_j c_j mapT[q, j]: four dot products over contiguous memory, accumulated in registers.
    for (let q = 0; q < r; q++) {
      const mo = q * d;
      let a0 = 0;
      let a1 = 0;
      let a2 = 0;
      let a3 = 0;
      for (let j = 0; j < d; j++) {
        const m = mapT[mo + j];
        const co = j * L;
        a0 += C[co] * m;
        a1 += C[co + 1] * m;
        a2 += C[co + 2] * m;
        a3 += C[co + 3] * m;
      }
      Z[1 + q] = a0;
      Z[p + 1 + q] = a1;
      Z[2 * p + 1 + q] = a2;
      Z[3 * p + 1 + q] = a3;
    }
    for (let l = 0; l < n; l++) {
      Z[l * p] = 1;
      let o = 0;
      for (const t of targets) {
        for (let c = 0; c < t.cols; c++) Y[l * K + o + c] = t.data[(i0 + l) * t.cols + c];
        o += t.cols;
      }
    }
    const go = g * p * p;
    for (let a = 0; a < p; a++) {
      const z0 = Z[a], z1 = Z[p + a], z2 = Z[2 * p + a], z3 = Z[3 * p + a];
      const ro = go + a * p;
      for (let b = a; b < p; b++) gram[ro + b] += z0 * Z[b] + z1 * Z[p + b] + z2 * Z[2 * p + b] + z3 * Z[3 * p + b];
      const co = (g * p + a) * K;
      for (let c = 0; c < K; c++) cross[co + c] += z0 * Y[c] + z1 * Y[K + c] + z2 * Y[2 * K + c] + z3 * Y[3 * K + c];
    }
    i0 += n;
  }
  const out: SequenceScores[][] = targets.map(() => []);
  const M = new Float64Array(p * p);
  const B = new Float64Array(p * K);
  const W = new Float64Array(d * K);
  const Wt = new Float64Array(K * d); // W transposed: each output a contiguous dot product
  const intercept = new Float64Array(K);
  for (let j = 0; j < plan.resamples; j++) {
    M.fill(0);
    B.fill(0);
    for (let g = 0; g < G; g++) {
      const w = plan.counts[j * G + g];
      if (w === 0) continue;
      const go = g * p * p;
      for (let a = 0; a < p; a++) for (let b = a; b < p; b++) M[a * p + b] += w * gram[go + a * p + b];
      const co = g * p * K;
      for (let k = 0; k < p * K; k++) B[k] += w * cross[co + k];
    }
    for (let a = 0; a < p; a++) for (let b = 0; b < a; b++) M[a * p + b] = M[b * p + a];
    for (let e = 0; e < r; e++) M[(1 + e) * p + 1 + e] += (wh.ridge * wh.rows) / (wh.singularValues[e] * wh.singularValues[e]);
    solveSemidefinite(M, p, B, K);
    // Back to the features: W = map theta[1:], intercept = theta[0] - mean W.
    W.fill(0);
    for (let jj = 0; jj < d; jj++) for (let q = 0; q < r; q++) {
      const m = map[jj * r + q];
      if (m === 0) continue;
      for (let c = 0; c < K; c++) W[jj * K + c] += m * B[(1 + q) * K + c];
    }
    for (let c = 0; c < K; c++) {
      let v = B[c];
      for (let jj = 0; jj < d; jj++) v -= mean[jj] * W[jj * K + c];
      intercept[c] = v;
    }
    for (let jj = 0; jj < d; jj++) for (let c = 0; c < K; c++) Wt[c * d + jj] = W[jj * K + c];
    let o = 0;
    targets.forEach((t, ti) => {
      const pred = new Float64Array(test.length * t.cols);
      for (let i = 0; i < test.length; i++) {
        const src = test[i] * d;
        for (let c = 0; c < t.cols; c++) {
          const wo = (o + c) * d;
          let v0 = 0;
          let v1 = 0;
          let jj = 0;
          for (; jj + 1 < d; jj += 2) {
            v0 += x.data[src + jj] * Wt[wo + jj];
            v1 += x.data[src + jj + 1] * Wt[wo + jj + 1];
          }
          if (jj < d) v0 += x.data[src + jj] * Wt[wo + jj];
          pred[i * t.cols + c] = intercept[o + c] + v0 + v1;
        }
      }
      out[ti].push(scorers[ti]({ rows: test.length, cols: t.cols, data: pred }));
      o += t.cols;
    });
  }
  return out;
}
