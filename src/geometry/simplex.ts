/**
 * Projections of beliefs (and probe outputs in belief coordinates) to the
 * plane for drawing. With 3 hidden states: the 2-simplex as an equilateral
 * triangle, after projecting onto the plane sum = 1 (probe outputs need not
 * sum to 1). With more states: the top two principal axes of the true beliefs.
 */
import { EigenvalueDecomposition, Matrix } from "ml-matrix";
import type { Rows } from "../util/rows.js";

/** A fitted map from belief coordinates to 2-D, applied the same way to truth and predictions. */
export interface PlaneProjection {
  readonly kind: "simplex" | "pca";
  project(points: Rows): Float64Array; // [rows, 2]
}

/** Triangle vertices for states 0, 1, 2: (0, 0), (1, 0), (1/2, sqrt(3)/2). */
export const SIMPLEX_VERTICES: readonly (readonly [number, number])[] = [
  [0, 0],
  [1, 0],
  [0.5, Math.sqrt(3) / 2],
];

function simplexProjection(): PlaneProjection {
  return {
    kind: "simplex",
    project(points) {
      const out = new Float64Array(points.rows * 2);
      for (let r = 0; r < points.rows; r++) {
        const b = points.data.subarray(r * 3, r * 3 + 3);
        const shift = (1 - (b[0] + b[1] + b[2])) / 3; // orthogonal projection onto sum = 1
        const w1 = b[1] + shift;
        const w2 = b[2] + shift;
        out[2 * r] = w1 * SIMPLEX_VERTICES[1][0] + w2 * SIMPLEX_VERTICES[2][0];
        out[2 * r + 1] = w1 * SIMPLEX_VERTICES[1][1] + w2 * SIMPLEX_VERTICES[2][1];
      }
      return out;
    },
  };
}

/** Principal axes of `reference` (rows x d), largest variance first: [d, k]. */
export function principalAxes(reference: Rows, k: number): { mean: Float64Array; axes: Float64Array } {
  const d = reference.cols;
  const mean = new Float64Array(d);
  for (let r = 0; r < reference.rows; r++) for (let j = 0; j < d; j++) mean[j] += reference.data[r * d + j];
  for (let j = 0; j < d; j++) mean[j] /= reference.rows;
  const cov = new Matrix(d, d);
  for (let r = 0; r < reference.rows; r++) {
    for (let i = 0; i < d; i++) {
      const xi = reference.data[r * d + i] - mean[i];
      for (let j = i; j < d; j++) cov.set(i, j, cov.get(i, j) + xi * (reference.data[r * d + j] - mean[j]));
    }
  }
  for (let i = 0; i < d; i++) for (let j = 0; j < i; j++) cov.set(i, j, cov.get(j, i));
  const evd = new EigenvalueDecomposition(cov, { assumeSymmetric: true });
  const order = evd.realEigenvalues.map((v, i) => [v, i] as const).sort((a, b) => b[0] - a[0]);
  const axes = new Float64Array(d * k);
  for (let c = 0; c < k; c++) {
    const idx = order[Math.min(c, order.length - 1)][1];
    // Fix the sign so the largest component is positive: stable pictures across runs.
    let big = 0;
    for (let i = 0; i < d; i++) if (Math.abs(evd.eigenvectorMatrix.get(i, idx)) > Math.abs(big)) big = evd.eigenvectorMatrix.get(i, idx);
    const sign = big < 0 ? -1 : 1;
    for (let i = 0; i < d; i++) axes[i * k + c] = c < order.length ? sign * evd.eigenvectorMatrix.get(i, idx) : 0;
  }
  return { mean, axes };
}

function pcaProjection(reference: Rows): PlaneProjection {
  const { mean, axes } = principalAxes(reference, 2);
  const d = reference.cols;
  return {
    kind: "pca",
    project(points) {
      const out = new Float64Array(points.rows * 2);
      for (let r = 0; r < points.rows; r++) {
        for (let i = 0; i < d; i++) {
          const x = points.data[r * d + i] - mean[i];
          out[2 * r] += x * axes[i * 2];
          out[2 * r + 1] += x * axes[i * 2 + 1];
        }
      }
      return out;
    },
  };
}

/** The projection for beliefs over `nStates` states, fitted on the true beliefs. */
export function beliefProjection(trueBeliefs: Rows): PlaneProjection {
  return trueBeliefs.cols === 3 ? simplexProjection() : pcaProjection(trueBeliefs);
}
