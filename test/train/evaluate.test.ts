import { describe, expect, it } from "vitest";
import { HookedTransformer } from "../../src/model/transformer/model.js";
import { makeProcess } from "../../src/process/catalogue/index.js";
import { evaluateLoss } from "../../src/train/evaluate.js";
import { numpyTruth } from "../helpers.js";
import { outwardBracket } from "../../src/process/bracketText.js";
import { optimumClause } from "../../src/train/optimumText.js";

describe("evaluateLoss", () => {
  it("pairs the model with the optimal predictor on the same sequences, which averages to the myopic entropy", async () => {
    const model = await HookedTransformer.create({ nLayers: 1, dModel: 16, nHeads: 2, dHead: 8, dMlp: 32 }, 0);
    const ev = await evaluateLoss(model, makeProcess("mess3"), { sequences: 4000 });
    // Known optimal losses (issue #2 / truth.py) at tokens 1..6.
    const expected = [0.8577, 0.8134, 0.7981, 0.7947, 0.7938, 0.7935];
    expected.forEach((h, k) => {
      expect(ev.optimalLossPerPosition[k + 1]).toBeCloseTo(h, 4);
      // Per-token losses have sd < 0.6: over 4000 sequences the mean is within 0.03 (> 3 standard errors).
      expect(Math.abs(ev.optimalLossSameSequencesPerPosition[k + 1] - h)).toBeLessThan(0.03);
    });
    // Mean of h(1..10) by numpy brute force over all words (test/fixtures/numpy-truth.json).
    const truth = numpyTruth.mess3.myopic;
    expect(ev.optimalLoss).toBeCloseTo(truth.slice(1, 11).reduce((a, b) => a + b, 0) / 10, 10);
    expect(ev.optimalLossPerPosition[10]).toBeCloseTo(truth[10], 10);
    // An untrained model is far from optimal; no model beats the Bayes-optimal predictor on average.
    expect(ev.modelLoss).toBeGreaterThan(ev.optimalLossSameSequences + 0.1);
    expect(ev.relativeToExpected).toBeCloseTo(ev.modelLoss / ev.optimalLoss - 1, 12);
    expect(ev.relativeExcess).toBeCloseTo(ev.modelLoss / ev.optimalLossSameSequences - 1, 12);
    model.dispose();
  });
});

describe("evaluateLoss where the enumeration of beliefs is cut", () => {
  it("gives the optimum's certified bracket and the excess against both ends, as every command prints it", async () => {
    const model = await HookedTransformer.create({ nLayers: 1, dModel: 16, nHeads: 2, dHead: 8, dMlp: 32 }, 0);
    const hmm = makeProcess("mess3");
    const ev = await evaluateLoss(model, hmm, { sequences: 200, optimumBudget: { maxWork: 5000 } });
    const truth = numpyTruth.mess3.myopic.slice(1, 11).reduce((a, b) => a + b, 0) / 10;
    const o = ev.optimum;
    expect(o.exact).toBe(false);
    expect(o.nCtx).toBe(10);
    expect(o.meanLower).toBeLessThanOrEqual(truth);
    expect(o.meanUpper).toBeGreaterThanOrEqual(truth);
    for (let t = 2; t <= 10; t++) expect(ev.optimalLossPerPosition[t]).toBeLessThanOrEqual(ev.optimalLossPerPosition[t - 1]);
    const [againstUpper, againstLower] = ev.relativeToExpectedRange;
    expect(againstUpper).toBeCloseTo(ev.modelLoss / o.meanUpper - 1, 12);
    expect(againstLower).toBeCloseTo(ev.modelLoss / o.meanLower - 1, 12);
    expect(againstUpper).toBeLessThanOrEqual(ev.relativeToExpected);
    expect(ev.relativeToExpected).toBeLessThanOrEqual(againstLower);
    const [lo, hi] = outwardBracket(o.meanLower, o.meanUpper, 5);
    expect(optimumClause(ev.modelLoss, o)).toBe(
      `expected optimal in [${lo}, ${hi}], mean over positions 1..10 at n_ctx 10, a certified bracket: the budget cut the enumeration of beliefs (estimate ${o.mean.toFixed(5)}); the model ${(100 * againstUpper).toFixed(2)}% to ${(100 * againstLower).toFixed(2)}% above it (against its upper and lower ends)`,
    );
    // The exact case names n_ctx and nothing else.
    const exact = await evaluateLoss(model, hmm, { sequences: 50 });
    expect(optimumClause(exact.modelLoss, exact.optimum)).toBe("expected optimal 0.8025, mean over positions 1..10 at n_ctx 10");
    expect(exact.relativeToExpectedRange).toEqual([exact.relativeToExpected, exact.relativeToExpected]);
    model.dispose();
  });
});
