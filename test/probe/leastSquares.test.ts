import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { factorLeastSquares, fitLinear, householderQr, predictLinear, type Rows } from "../../src/probe/leastSquares.js";
import { regressionScores } from "../../src/probe/scores.js";
import { Rng } from "../../src/util/rng.js";

interface LsqCase {
  name: string;
  X: number[][];
  Y: number[][];
  rcond: number;
  ridge: number;
  weights: number[][];
  intercept: number[];
  singularValues: number[];
  rank: number;
}
const truth: { leastSquares: LsqCase[] } = JSON.parse(readFileSync(new URL("./fixtures/probe-truth.json", import.meta.url), "utf8"));

const rows = (m: number[][]): Rows => ({ rows: m.length, cols: m[0].length, data: Float64Array.from(m.flat()) });

function randomRows(n: number, cols: number, seed: number): Rows {
  const rng = new Rng(seed);
  return { rows: n, cols, data: Float64Array.from({ length: n * cols }, () => rng.normal()) };
}

/** max |a - b| / max |b| */
function relErr(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let num = 0;
  let den = 0;
  for (let i = 0; i < b.length; i++) {
    num = Math.max(num, Math.abs(a[i] - b[i]));
    den = Math.max(den, Math.abs(b[i]));
  }
  return num / den;
}

describe("fitLinear against numpy (test/probe/fixtures/probe_truth.py)", () => {
  for (const c of truth.leastSquares) {
    it(c.name, () => {
      const X = rows(c.X);
      const fit = fitLinear(X, rows(c.Y), { rcond: c.rcond, ridge: c.ridge });
      expect(fit.rank).toBe(c.rank);
      // Singular values of the centred features: absolute accuracy ~ eps * largest (backward-stable QR).
      for (let k = 0; k < c.singularValues.length; k++) expect(Math.abs(fit.singularValues[k] - c.singularValues[k])).toBeLessThan(1e-12 * c.singularValues[0]);
      // Weights: the fine cut-off keeps directions with singular value 3e-9 of the largest (condition
      // ~3e8); normal equations would square that past 1/eps and lose every digit.
      expect(relErr(fit.weights, c.weights.flat())).toBeLessThan(c.rcond < 1e-12 ? 1e-5 : 1e-9);
      expect(relErr(fit.intercept, c.intercept)).toBeLessThan(c.rcond < 1e-12 ? 1e-5 : 1e-9);
    });
  }

  it("the default cut-off drops the directions of singular value below 1e-5 of the largest", () => {
    const c = truth.leastSquares.find((k) => k.name.includes("default cut-off"))!;
    expect(fitLinear(rows(c.X), rows(c.Y)).rank).toBe(2);
  });
});

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
    expect(fit.rank).toBe(5);
    for (let k = 0; k < 10; k++) expect(fit.weights[k]).toBeCloseTo(W[k], 12);
    expect(fit.intercept[0]).toBeCloseTo(0.3, 12);
    expect(fit.intercept[1]).toBeCloseTo(-2, 12);
    expect(regressionScores(predictLinear(fit, X), Y).r2).toBeCloseTo(1, 12);
  });

  it("matches the closed-form simple regression slope cov(x, y) / var(x) and ridge shrinkage", () => {
    const x = [1, 2, 4, 7];
    const y = [2, 3, 7, 8];
    const sxy = 22; // sum (x - 3.5)(y - 5) = 7.5 + 3 + 1 + 10.5
    const sxx = 21; // sum (x - 3.5)^2 = 6.25 + 2.25 + 0.25 + 12.25
    const X: Rows = { rows: 4, cols: 1, data: Float64Array.from(x) };
    const Y: Rows = { rows: 4, cols: 1, data: Float64Array.from(y) };
    expect(fitLinear(X, Y).weights[0]).toBeCloseTo(sxy / sxx, 14);
    expect(fitLinear(X, Y).intercept[0]).toBeCloseTo(5 - (sxy / sxx) * 3.5, 14);
    // Ridge penalty ridge * n on the (unpenalised-intercept) slope: sxy / (sxx + ridge * n).
    expect(fitLinear(X, Y, { ridge: 0.5 }).weights[0]).toBeCloseTo(sxy / (sxx + 0.5 * 4), 14);
  });

  it("gives the minimum-norm solution for a duplicated and a constant column", () => {
    const base = randomRows(100, 2, 3);
    const X: Rows = { rows: 100, cols: 4, data: new Float64Array(400) };
    const Y: Rows = { rows: 100, cols: 1, data: new Float64Array(100) };
    for (let r = 0; r < 100; r++) {
      const [a, b] = [base.data[2 * r], base.data[2 * r + 1]];
      X.data.set([a, a, b, 7], 4 * r);
      Y.data[r] = 2 * a - b + 1;
    }
    const fit = fitLinear(X, Y);
    expect(fit.rank).toBe(2);
    // Weight 2 on a is split evenly across its two copies; the constant column gets none.
    expect(fit.weights[0]).toBeCloseTo(1, 12);
    expect(fit.weights[1]).toBeCloseTo(1, 12);
    expect(fit.weights[2]).toBeCloseTo(-1, 12);
    expect(fit.weights[3]).toBeCloseTo(0, 12);
    expect(fit.intercept[0]).toBeCloseTo(1, 12);
  });

  it("fits one row (no variation: rank 0, intercept = the target) and all-zero features", () => {
    const one = fitLinear({ rows: 1, cols: 2, data: Float64Array.of(3, 4) }, { rows: 1, cols: 1, data: Float64Array.of(5) });
    expect(one.rank).toBe(0);
    expect(Array.from(one.weights)).toEqual([0, 0]);
    expect(one.intercept[0]).toBe(5);
    const zeros = fitLinear({ rows: 3, cols: 2, data: new Float64Array(6) }, { rows: 3, cols: 1, data: Float64Array.of(1, 2, 6) });
    expect(zeros.rank).toBe(0);
    expect(zeros.intercept[0]).toBeCloseTo(3, 14);
  });

  it("one factorisation solves several targets, and a row subset equals fitting the copied rows", () => {
    const X = randomRows(300, 6, 5);
    const Y1 = randomRows(300, 2, 6);
    const Y2 = randomRows(300, 1, 7);
    const factor = factorLeastSquares(X);
    expectClose(factor.solve(Y1).weights, fitLinear(X, Y1).weights, 1e-13);
    expectClose(factor.solve(Y2).weights, fitLinear(X, Y2).weights, 1e-13);
    const subset = Int32Array.from({ length: 120 }, (_, k) => 2 * k + 1);
    const take = (m: Rows): Rows => ({ rows: subset.length, cols: m.cols, data: Float64Array.from(Array.from(subset).flatMap((r) => Array.from(m.data.subarray(r * m.cols, (r + 1) * m.cols)))) });
    const workspace = new Float64Array(120 * 6);
    const fitSub = factorLeastSquares(X, { rows: subset, workspace }).solve(take(Y1));
    expectClose(fitSub.weights, fitLinear(take(X), take(Y1)).weights, 1e-13);
    expectClose(predictLinear(fitSub, X, subset).data, predictLinear(fitSub, take(X)).data, 1e-13);
  });

  it("rejects mismatched and non-finite inputs", () => {
    const X = randomRows(10, 2, 1);
    expect(() => fitLinear(X, randomRows(9, 1, 2))).toThrow("fitLinear: argument 'Y' received 9 rows; expected 10 rows, one per row of X.");
    expect(() => fitLinear(X, randomRows(10, 1, 2), { ridge: -1 })).toThrow("argument 'ridge' received -1; expected a finite number >= 0.");
    expect(() => predictLinear(fitLinear(X, randomRows(10, 1, 2)), randomRows(3, 3, 1))).toThrow("predictLinear: argument 'X' received 3 columns; expected 2, as the fit.");
    const bad = randomRows(10, 2, 1);
    bad.data[5] = NaN;
    expect(() => fitLinear(bad, randomRows(10, 1, 2))).toThrow("factorLeastSquares: argument 'X[2][1]' received NaN; expected a finite number.");
    expect(() => factorLeastSquares(X, { rows: Int32Array.of(0, 10) })).toThrow("argument 'rows[1]' received 10; expected a row of X in [0, 10).");
  });
});

function expectClose(a: ArrayLike<number>, b: ArrayLike<number>, tol: number): void {
  expect(a.length).toBe(b.length);
  expect(relErr(a, b)).toBeLessThan(tol);
}

describe("householderQr", () => {
  it("Q R reproduces A through two blocked panels and a remainder", () => {
    const n = 23;
    const d = 10; // two blocks of 4 and a remainder of 2
    const rng = new Rng(11);
    const A0 = Float64Array.from({ length: n * d }, () => rng.normal()); // column-major
    const A = A0.slice();
    const tau = householderQr(A, n, d);
    // Apply Q = H_0 ... H_{d-1} to R (as columns) and compare with A0.
    const QR = new Float64Array(n * d);
    for (let j = 0; j < d; j++) {
      const col = new Float64Array(n);
      for (let i = 0; i <= j; i++) col[i] = A[j * n + i];
      for (let k = d - 1; k >= 0; k--) {
        let s = col[k];
        for (let i = k + 1; i < n; i++) s += A[k * n + i] * col[i];
        s *= tau[k];
        col[k] -= s;
        for (let i = k + 1; i < n; i++) col[i] -= s * A[k * n + i];
      }
      QR.set(col, j * n);
    }
    expectClose(QR, A0, 1e-14);
  });
});
