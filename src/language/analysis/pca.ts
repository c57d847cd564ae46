/**
 * Principal components of activations (rows = tokens, columns = d_model):
 * the eigen-decomposition of the covariance, explained variance per
 * component, and the rows projected on the first components.
 */
import { EigenvalueDecomposition, Matrix } from "ml-matrix";
import { ArgumentError, checkInteger } from "../../util/errors.js";
import type { Rows } from "../../util/rows.js";

export interface Pca {
  /** [cols] variance of each component over the total, largest first. */
  readonly explainedRatio: Float64Array;
  /** [k, cols] the first k components (unit vectors). */
  readonly components: Rows;
  /** [rows, k] the centred rows on those components. */
  readonly projections: Rows;
  readonly mean: Float64Array;
}

export function pca(x: Rows, k = 3): Pca {
  const fn = "pca";
  const { rows: n, cols: D } = x;
  if (n < 2) throw new ArgumentError({ fn, argument: "x", received: `${n} rows`, expected: "at least 2 rows" });
  checkInteger(fn, "k", k, 1, D);
  const mean = new Float64Array(D);
  for (let r = 0; r < n; r++) for (let d = 0; d < D; d++) mean[d] += x.data[r * D + d] / n;
  const cov = new Float64Array(D * D);
  const c = new Float64Array(D);
  for (let r = 0; r < n; r++) {
    for (let d = 0; d < D; d++) c[d] = x.data[r * D + d] - mean[d];
    for (let i = 0; i < D; i++) {
      const ci = c[i];
      if (ci === 0) continue;
      for (let j = i; j < D; j++) cov[i * D + j] += ci * c[j];
    }
  }
  const rowsOf = Array.from({ length: D }, (_, i) => Array.from({ length: D }, (_, j) => (i <= j ? cov[i * D + j] : cov[j * D + i]) / (n - 1)));
  const evd = new EigenvalueDecomposition(new Matrix(rowsOf), { assumeSymmetric: true });
  const values = evd.realEigenvalues;
  const vectors = evd.eigenvectorMatrix;
  const order = values.map((_, i) => i).sort((a, b) => values[b] - values[a]);
  const total = values.reduce((a, v) => a + Math.max(0, v), 0);
  const explainedRatio = Float64Array.from(order, (i) => (total > 0 ? Math.max(0, values[i]) / total : 0));
  const components = new Float64Array(k * D);
  order.slice(0, k).forEach((i, m) => {
    for (let d = 0; d < D; d++) components[m * D + d] = vectors.get(d, i);
  });
  const projections = new Float64Array(n * k);
  for (let r = 0; r < n; r++) {
    for (let m = 0; m < k; m++) {
      let s = 0;
      for (let d = 0; d < D; d++) s += (x.data[r * D + d] - mean[d]) * components[m * D + d];
      projections[r * k + m] = s;
    }
  }
  return { explainedRatio, components: { rows: k, cols: D, data: components }, projections: { rows: n, cols: k, data: projections }, mean };
}
