import { describe, expect, it } from "vitest";
import { R2_SST_FLOOR, regressionScores } from "../../src/probe/scores.js";
import type { Rows } from "../../src/util/rows.js";

const m = (rows: number, cols: number, values: number[]): Rows => ({ rows, cols, data: Float64Array.from(values) });

describe("regressionScores", () => {
  it("computes pooled R^2, per-output R^2 and RMSE by their definitions", () => {
    const target = m(3, 2, [1, 0, 0, 1, 1, 1]);
    const pred = m(3, 2, [1, 0.5, 0, 1, 0.5, 1]);
    // Column means (2/3, 2/3); SST per column = 2/3; SSE = (0.25, 0.25).
    const s = regressionScores(pred, target);
    expect(s.r2PerOutput[0]).toBeCloseTo(1 - 0.25 / (2 / 3), 14);
    expect(s.r2).toBeCloseTo(1 - 0.5 / (4 / 3), 14);
    expect(s.r2Undefined).toBeUndefined();
    expect(s.rmse).toBeCloseTo(Math.sqrt(0.5 / 3), 14);
  });

  it("R^2 of constant targets is undefined (null, with the reason), not a huge or NaN number", () => {
    // Constant targets: SST is 0 (or rounding) and 1 - SSE/SST would be -Infinity, NaN or -1e20.
    const target = m(4, 2, [0.3, 0.7, 0.3, 0.7, 0.3, 0.7, 0.3, 0.7]);
    const s = regressionScores(m(4, 2, [0.31, 0.7, 0.3, 0.69, 0.3, 0.7, 0.3, 0.7]), target);
    expect(s.r2).toBeNull();
    expect(s.r2Undefined).toMatch(/^the targets do not vary: total sum of squares .* is at most 1e-12 of their sum of squares/);
    expect(s.r2PerOutput).toEqual([null, null]);
    expect(s.rmse).toBeCloseTo(Math.sqrt((0.01 ** 2 * 2) / 4), 14);
    // All zeros: undefined too.
    expect(regressionScores(m(2, 1, [0, 0]), m(2, 1, [0, 0])).r2).toBeNull();
    // One row: undefined.
    expect(regressionScores(m(1, 1, [1]), m(1, 1, [2])).r2Undefined).toBe("R² needs at least 2 rows (got 1)");
  });

  it("targets varying just above the floor keep a number; just below, undefined", () => {
    // Two rows 1 +- e: SST = 2 e^2, sum of squares about 2; the floor is 1e-12 of that.
    const at = (e: number) => regressionScores(m(2, 1, [1, 1]), m(2, 1, [1 + e, 1 - e]));
    expect(at(1e-5).r2).toBeCloseTo(0, 10); // SST/ss = 1e-10: defined (predicting the mean gives 0)
    expect(at(1e-7).r2).toBeNull(); // SST/ss = 1e-14
    expect(R2_SST_FLOOR).toBe(1e-12);
  });

  it("only the constant coordinate is undefined per output", () => {
    const s = regressionScores(m(3, 2, [0, 5, 1, 5, 2, 5]), m(3, 2, [0, 5, 1, 5, 2.5, 5]));
    expect(s.r2PerOutput[1]).toBeNull();
    expect(s.r2PerOutput[0]).toBeCloseTo(1 - 0.25 / sstOf([0, 1, 2.5]), 12);
    expect(s.r2).toBeCloseTo(1 - 0.25 / sstOf([0, 1, 2.5]), 12);
  });
});

function sstOf(v: number[]): number {
  const mean = v.reduce((a, b) => a + b, 0) / v.length;
  return v.reduce((a, b) => a + (b - mean) ** 2, 0);
}
