/**
 * Scores of predictions against targets, both [rows, cols]: pooled R^2 (as
 * torch_ref.py's probe), R^2 per coordinate, and RMSE.
 *
 * R^2 = 1 - SSE / SST is undefined (null, with the reason) when the targets
 * do not vary: SST <= R2_SST_FLOOR * sum(y^2), i.e. their standard deviation
 * is below 1e-6 of their root-mean-square value (or all targets are 0), or
 * there are fewer than 2 rows. There SSE / SST is a ratio of rounding errors
 * (float32 activations resolve about 6e-8 of a value), and reporting it would
 * give a huge negative or NaN number that looks like a result.
 */
import { ArgumentError } from "../util/errors.js";
import type { Rows } from "../util/rows.js";

/** SST at or below this fraction of the targets' sum of squares makes R^2 undefined; see the file header. */
export const R2_SST_FLOOR = 1e-12;

/** R^2, or null with the reason it is undefined. */
export interface R2 {
  readonly r2: number | null;
  /** Why r2 is null; absent when it is a number. */
  readonly r2Undefined?: string;
}

export interface RegressionScores extends R2 {
  /** R^2 of each target coordinate (null where that coordinate does not vary). */
  readonly r2PerOutput: readonly (number | null)[];
  /** sqrt(mean over rows of the squared Euclidean error) (as torch_ref.py). */
  readonly rmse: number;
  readonly rows: number;
}

/**
 * R^2 from its sums: sse = sum of squared errors, sst = sum of squares about
 * the mean, sumSquares = sum of squared targets (their scale), rows = rows.
 */
export function r2FromSums(sse: number, sst: number, sumSquares: number, rows: number): R2 {
  if (rows < 2) return { r2: null, r2Undefined: `R² needs at least 2 rows (got ${rows})` };
  if (!(sst > R2_SST_FLOOR * sumSquares)) {
    return { r2: null, r2Undefined: `the targets do not vary: total sum of squares ${sst.toExponential(2)} is at most ${R2_SST_FLOOR} of their sum of squares ${sumSquares.toExponential(2)}` };
  }
  return { r2: 1 - sse / sst };
}

export function regressionScores(pred: Rows, target: Rows): RegressionScores {
  if (pred.rows !== target.rows || pred.cols !== target.cols) {
    throw new ArgumentError({ fn: "regressionScores", argument: "pred", received: `${pred.rows} x ${pred.cols}`, expected: `${target.rows} x ${target.cols}, as the targets` });
  }
  const { rows, cols } = target;
  const mean = new Float64Array(cols);
  for (let r = 0; r < rows; r++) for (let c = 0; c < cols; c++) mean[c] += target.data[r * cols + c];
  for (let c = 0; c < cols; c++) mean[c] /= Math.max(rows, 1);
  const sse = new Float64Array(cols);
  const sst = new Float64Array(cols);
  const ss = new Float64Array(cols);
  for (let r = 0; r < rows; r++) {
    for (let c = 0; c < cols; c++) {
      const y = target.data[r * cols + c];
      sse[c] += (pred.data[r * cols + c] - y) ** 2;
      sst[c] += (y - mean[c]) ** 2;
      ss[c] += y * y;
    }
  }
  const sum = (a: Float64Array) => a.reduce((x, y) => x + y, 0);
  const SSE = sum(sse);
  return {
    ...r2FromSums(SSE, sum(sst), sum(ss), rows),
    r2PerOutput: Array.from(sse, (e, c) => r2FromSums(e, sst[c], ss[c], rows).r2),
    rmse: Math.sqrt(SSE / rows),
    rows,
  };
}
