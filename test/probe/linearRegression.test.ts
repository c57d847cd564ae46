import { describe, expect, it } from "vitest";
import { fitLinear, predictLinear, type Rows } from "../../src/probe/linearRegression.js";
import { regressionScores } from "../../src/probe/scores.js";
import { Rng } from "../../src/util/rng.js";

function randomRows(rows: number, cols: number, seed: number): Rows {
  const rng = new Rng(seed);
  return { rows, cols, data: Float64Array.from({ length: rows * cols }, () => rng.normal()) };
}

describe("fitLinear", () => {
  it("recovers an exact affine map Y = X W + b", () => {
    const X = randomRows(200, 5, 1);
    const W = [0.5, -1, 2, 0, 0.25, 1, 1, -0.5, 3, 0.1];
    const b = [0.3, -2];
    const Y: Rows = { rows: 200, cols: 2, data: new Float64Array(400) };
    for (let r = 0; r < 200; r++) for (let c = 0; c < 2; c++) {
      let v = b[c];
      for (let i = 0; i < 5; i++) v += X.data[r * 5 + i] * W[i * 2 + c];
      Y.data[r * 2 + c] = v;
    }
    const fit = fitLinear(X, Y);
    expect(fit.solver).toBe("cholesky");
    for (let k = 0; k < 10; k++) expect(fit.weights[k]).toBeCloseTo(W[k], 10);
    expect(fit.intercept[0]).toBeCloseTo(0.3, 10);
    expect(fit.intercept[1]).toBeCloseTo(-2, 10);
    expect(regressionScores(predictLinear(fit, X), Y).r2).toBeCloseTo(1, 12);
  });

  it("matches the closed-form simple regression slope cov(x, y) / var(x) and ridge shrinkage", () => {
    const x = [1, 2, 4, 7];
    const y = [2, 3, 7, 8];
    const mx = 3.5;
    const my = 5;
    const sxy = x.reduce((a, xi, i) => a + (xi - mx) * (y[i] - my), 0); // 23
    const sxx = x.reduce((a, xi) => a + (xi - mx) ** 2, 0); // 21
    const X: Rows = { rows: 4, cols: 1, data: Float64Array.from(x) };
    const Y: Rows = { rows: 4, cols: 1, data: Float64Array.from(y) };
    expect(fitLinear(X, Y).weights[0]).toBeCloseTo(sxy / sxx, 12);
    expect(fitLinear(X, Y).intercept[0]).toBeCloseTo(my - (sxy / sxx) * mx, 12);
    // Ridge penalty ridge * n on the (unpenalised-intercept) slope: sxy / (sxx + ridge * n).
    expect(fitLinear(X, Y, { ridge: 0.5 }).weights[0]).toBeCloseTo(sxy / (sxx + 0.5 * 4), 12);
  });

  it("handles rank-deficient features (a duplicated and a constant column) with the minimum-norm solution", () => {
    const base = randomRows(100, 2, 3);
    const X: Rows = { rows: 100, cols: 4, data: new Float64Array(400) };
    const Y: Rows = { rows: 100, cols: 1, data: new Float64Array(100) };
    for (let r = 0; r < 100; r++) {
      const [a, b] = [base.data[2 * r], base.data[2 * r + 1]];
      X.data.set([a, a, b, 7], 4 * r);
      Y.data[r] = 2 * a - b + 1;
    }
    const fit = fitLinear(X, Y);
    expect(fit.solver).toBe("svd");
    // Weight 2 on a is split evenly across its two copies; the constant column gets none.
    expect(fit.weights[0]).toBeCloseTo(1, 8);
    expect(fit.weights[1]).toBeCloseTo(1, 8);
    expect(fit.weights[2]).toBeCloseTo(-1, 8);
    expect(fit.weights[3]).toBeCloseTo(0, 8);
    expect(regressionScores(predictLinear(fit, X), Y).r2).toBeCloseTo(1, 10);
  });

  it("rejects mismatched inputs", () => {
    const X = randomRows(10, 2, 1);
    expect(() => fitLinear(X, randomRows(9, 1, 2))).toThrow("fitLinear: argument 'Y' received 9 rows; expected 10 rows, one per row of X.");
    expect(() => fitLinear(X, randomRows(10, 1, 2), { ridge: -1 })).toThrow("argument 'ridge' received -1; expected a finite number >= 0.");
    expect(() => predictLinear(fitLinear(X, randomRows(10, 1, 2)), randomRows(3, 3, 1))).toThrow("predictLinear: argument 'X' received 3 columns; expected 2, as the fit.");
  });
});

describe("regressionScores", () => {
  it("computes pooled R^2, per-output R^2 and RMSE by their definitions", () => {
    const target: Rows = { rows: 3, cols: 2, data: Float64Array.of(1, 0, 0, 1, 1, 1) };
    const pred: Rows = { rows: 3, cols: 2, data: Float64Array.of(1, 0.5, 0, 1, 0.5, 1) };
    // Column means (2/3, 2/3); SST per column = 2/3; SSE = (0.25, 0.25).
    const s = regressionScores(pred, target);
    expect(s.r2PerOutput[0]).toBeCloseTo(1 - 0.25 / (2 / 3), 12);
    expect(s.r2).toBeCloseTo(1 - 0.5 / (4 / 3), 12);
    expect(s.rmse).toBeCloseTo(Math.sqrt(0.5 / 3), 12);
  });
});
