/** Scores of predictions against targets, both [rows, cols]. */
import { ArgumentError } from "../util/errors.js";
import type { Rows } from "./linearRegression.js";

export interface RegressionScores {
  /**
   * Pooled coefficient of determination 1 - SSE / SST, with SST summed over
   * all target coordinates around their means (as torch_ref.py's probe).
   */
  readonly r2: number;
  /** R^2 of each target coordinate. */
  readonly r2PerOutput: Float64Array;
  /** sqrt(mean over rows of the squared Euclidean error) (as torch_ref.py). */
  readonly rmse: number;
}

export function regressionScores(pred: Rows, target: Rows): RegressionScores {
  if (pred.rows !== target.rows || pred.cols !== target.cols) {
    throw new ArgumentError({ fn: "regressionScores", argument: "pred", received: `${pred.rows} x ${pred.cols}`, expected: `${target.rows} x ${target.cols}, as the targets` });
  }
  const { rows, cols } = target;
  const mean = new Float64Array(cols);
  for (let r = 0; r < rows; r++) for (let c = 0; c < cols; c++) mean[c] += target.data[r * cols + c];
  for (let c = 0; c < cols; c++) mean[c] /= rows;
  const sse = new Float64Array(cols);
  const sst = new Float64Array(cols);
  for (let r = 0; r < rows; r++) {
    for (let c = 0; c < cols; c++) {
      const y = target.data[r * cols + c];
      sse[c] += (pred.data[r * cols + c] - y) ** 2;
      sst[c] += (y - mean[c]) ** 2;
    }
  }
  const SSE = sse.reduce((a, b) => a + b, 0);
  const SST = sst.reduce((a, b) => a + b, 0);
  return {
    r2: 1 - SSE / SST,
    r2PerOutput: Float64Array.from(sse, (e, c) => 1 - e / sst[c]),
    rmse: Math.sqrt(SSE / rows),
  };
}
