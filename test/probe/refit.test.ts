import { describe, expect, it } from "vitest";
import { factorLeastSquares, fitLinear, predictLinear, type Rows } from "../../src/probe/leastSquares.js";
import { linearRefits, refitPlan, refitRowWeights, solveSemidefinite, type RefitPlan } from "../../src/probe/refit.js";
import type { SequenceScores } from "../../src/probe/verdict.js";
import { Rng } from "../../src/util/rng.js";

const nPos = 4;
const sequences = 30;
const d = 5;
const rng = new Rng(3);
const n = sequences * nPos;
/** Features with one nearly collinear column (x4 = x0 + 1e-7 noise), targets linear in them plus noise. */
const X: Rows = { rows: n, cols: d, data: new Float64Array(n * d) };
const Y: Rows = { rows: n, cols: 2, data: new Float64Array(n * 2) };
for (let r = 0; r < n; r++) {
  for (let j = 0; j < 4; j++) X.data[r * d + j] = rng.normal();
  X.data[r * d + 4] = X.data[r * d] + 1e-7 * rng.normal();
  Y.data[r * 2] = 1 + 2 * X.data[r * d + 1] - X.data[r * d + 2] + 0.1 * rng.normal();
  Y.data[r * 2 + 1] = X.data[r * d + 3] + 0.1 * rng.normal();
}
const train = Int32Array.from({ length: 20 * nPos }, (_, k) => k);
const test = Int32Array.from({ length: 10 * nPos }, (_, k) => 20 * nPos + k);
const take = (m: Rows, idx: Int32Array): Rows => ({ rows: idx.length, cols: m.cols, data: Float64Array.from(Array.from(idx).flatMap((r) => Array.from(m.data.subarray(r * m.cols, (r + 1) * m.cols)))) });

/** Run linearRefits and capture each refit's held-out predictions. */
function refitPredictions(plan: RefitPlan, ridge = 0): Rows[] {
  const wh = factorLeastSquares(X, { rows: train, ridge }).whitening();
  const captured: Rows[] = [];
  linearRefits(X, train, test, [take(Y, train)], wh, plan, [(pred) => (captured.push(pred), {} as SequenceScores)]);
  return captured;
}

describe("linearRefits", () => {
  it("with every block drawn once reproduces the QR fit (ridge 0 and 0.01)", () => {
    const plan = refitPlan(train.length, nPos, 1, 0)!;
    const once: RefitPlan = { ...plan, counts: new Uint16Array(plan.blocks).fill(1) };
    for (const ridge of [0, 0.01]) {
      const [pred] = refitPredictions(once, ridge);
      const direct = predictLinear(fitLinear(take(X, train), take(Y, train), { ridge }), take(X, test));
      for (let k = 0; k < pred.data.length; k++) expect(Math.abs(pred.data[k] - direct.data[k])).toBeLessThan(1e-9);
    }
  });

  it("with bootstrap counts equals the QR fit on the training rows repeated as drawn", () => {
    const plan = refitPlan(train.length, nPos, 3, 7)!;
    const preds = refitPredictions(plan);
    for (let j = 0; j < 3; j++) {
      const w = refitRowWeights(plan, j);
      const repeated = Int32Array.from(Array.from(train).flatMap((r, i) => Array(w[i]).fill(r)));
      expect(new Set(Array.from(w)).size).toBeGreaterThan(1); // a real resample: some rows 0, some twice or more
      const direct = predictLinear(fitLinear(take(X, repeated), take(Y, repeated)), take(X, test));
      for (let k = 0; k < direct.data.length; k++) expect(Math.abs(preds[j].data[k] - direct.data[k])).toBeLessThan(1e-8);
    }
  });

  it("draws whole blocks of sequences, as many as there are blocks, seeded", () => {
    const plan = refitPlan(train.length, nPos, 4, 1)!;
    expect(plan.blocks).toBe(20); // fewer than 50 training sequences: one block each
    for (let j = 0; j < 4; j++) expect(plan.counts.subarray(j * 20, (j + 1) * 20).reduce((a, b) => a + b, 0)).toBe(20);
    const w = refitRowWeights(plan, 0);
    for (let s = 0; s < 20; s++) for (let t = 1; t < nPos; t++) expect(w[s * nPos + t]).toBe(w[s * nPos]);
    expect(Array.from(refitPlan(train.length, nPos, 4, 1)!.counts)).toEqual(Array.from(plan.counts));
    expect(refitPlan(nPos, nPos, 4, 1)).toBeNull(); // one training sequence: nothing to resample
  });
});

describe("solveSemidefinite", () => {
  it("solves a positive definite system and drops a null direction", () => {
    const M = Float64Array.of(4, 2, 2, 3);
    const B = Float64Array.of(2, 1);
    solveSemidefinite(M, 2, B, 1);
    // [[4, 2], [2, 3]] x = [2, 1]: x = [0.5, 0]
    expect(B[0]).toBeCloseTo(0.5, 14);
    expect(B[1]).toBeCloseTo(0, 14);
    const S = Float64Array.of(1, 1, 1, 1); // rank 1
    const b = Float64Array.of(3, 3);
    solveSemidefinite(S, 2, b, 1);
    expect(Array.from(b)).toEqual([3, 0]);
  });
});
