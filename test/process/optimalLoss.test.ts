import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { makeProcess } from "../../src/process/catalogue/index.js";
import { createHmm } from "../../src/process/hmm.js";
import { entropyRate, myopicEntropy } from "../../src/process/entropy.js";
import { DEFAULT_OPTIMUM_N_CTX, optimalLoss } from "../../src/process/optimalLoss.js";
import { DEFAULT_CONFIG } from "../../src/model/transformer/config.js";
import { applyProvenBounds } from "../../src/process/provenBounds.js";
import { valueAtLeast } from "../../src/process/bracketText.js";
import { expectAllClose } from "../helpers.js";

/** numpy ground truth: test/fixtures/optimal_loss_truth.py (block entropies over all words). */
const truth = JSON.parse(readFileSync(new URL("../fixtures/optimal-loss-truth.json", import.meta.url), "utf8"));
const inputs = JSON.parse(readFileSync(new URL("../fixtures/optimal-loss-inputs.json", import.meta.url), "utf8"));

/** What is proven for a stationary start: inside the bounds, non-increasing, >= the rate's lower end. */
function expectProven(o: ReturnType<typeof optimalLoss>, rateLower: number): void {
  for (let t = 0; t <= o.nCtx; t++) {
    expect(o.perPosition[t], `t = ${t}`).toBeGreaterThanOrEqual(o.lower[t]);
    expect(o.perPosition[t], `t = ${t}`).toBeLessThanOrEqual(o.upper[t]);
    expect(o.lower[t], `t = ${t}`).toBeGreaterThanOrEqual(rateLower);
    if (t > 0) {
      expect(o.perPosition[t], `t = ${t}`).toBeLessThanOrEqual(o.perPosition[t - 1]);
      expect(o.upper[t]).toBeLessThanOrEqual(o.upper[t - 1]);
      expect(o.lower[t]).toBeLessThanOrEqual(o.lower[t - 1]);
    }
  }
  expect(o.mean).toBeGreaterThanOrEqual(o.meanLower);
  expect(o.mean).toBeLessThanOrEqual(o.meanUpper);
}

describe("optimalLoss: h(0..n_ctx) and its mean over positions 1..n_ctx", () => {
  it("quotes the optimum at training's default context length", () => {
    expect(DEFAULT_OPTIMUM_N_CTX).toBe(DEFAULT_CONFIG.nCtx);
  });

  it("mess3, enumerated in full, equals numpy's h(t) to 1e-12 and its mean over 1..10 is 0.8025118", () => {
    const o = optimalLoss(makeProcess("mess3"), 10);
    expect(o.exact).toBe(true);
    expect(o.nCtx).toBe(10);
    expectAllClose(o.perPosition, truth.mess3.perPosition, 1e-12);
    expect(o.mean).toBeCloseTo(truth.mess3.mean, 12);
    expect(o.mean.toFixed(4)).toBe("0.8025");
    expect(o.meanLower).toBe(o.mean);
    expect(o.meanUpper).toBe(o.mean);
  });

  it("mess3 cut by the budget (the issue's --max-work 20000): brackets hold numpy's values, estimates non-increasing and >= the rate", () => {
    const hmm = makeProcess("mess3");
    const rate = entropyRate(hmm, { maxWork: 10000 });
    const o = optimalLoss(hmm, 10, { maxWork: 5000, rate });
    expect(o.exact).toBe(false);
    expect(o.exactThrough).toBe(3);
    expectProven(o, rate.lower);
    for (let t = 0; t <= 10; t++) {
      expect(o.lower[t]).toBeLessThanOrEqual(truth.mess3.perPosition[t] + 1e-12);
      expect(o.upper[t]).toBeGreaterThanOrEqual(truth.mess3.perPosition[t] - 1e-12);
    }
    expect(o.meanLower).toBeLessThanOrEqual(truth.mess3.mean);
    expect(o.meanUpper).toBeGreaterThanOrEqual(truth.mess3.mean);
    // Before: the kept histories' mean gave 0.8963 at position 5, above h(1). Now the midpoint of [rate's lower end, h(3)].
    expect(o.perPosition[5]).toBeCloseTo((rate.lower + truth.mess3.perPosition[3]) / 2, 10);
    expect(Math.abs(o.perPosition[10] - truth.mess3.perPosition[10])).toBeLessThanOrEqual((o.upper[10] - o.lower[10]) / 2 + 1e-12);
  });

  it("a random 8-state HMM cut at every budget: brackets hold numpy's values and what is proven holds", () => {
    const hmm = createHmm(inputs.random8x4.transitions, { name: "random8x4" });
    const exact: number[] = truth.random8x4.perPosition;
    for (const maxWork of [0, 3000, 30000, 300000]) {
      const rate = entropyRate(hmm, { maxWork: 20000 });
      expect(rate.lower).toBeLessThanOrEqual(truth.random8x4.rateLowerL6 + 1e-6);
      const o = optimalLoss(hmm, 8, { maxWork, rate });
      expect(o.exact).toBe(false);
      expectProven(o, rate.lower);
      for (let t = 0; t <= 8; t++) {
        expect(o.lower[t], `maxWork ${maxWork}, t = ${t}`).toBeLessThanOrEqual(exact[t] + 1e-12);
        expect(o.upper[t], `maxWork ${maxWork}, t = ${t}`).toBeGreaterThanOrEqual(exact[t] - 1e-12);
      }
    }
    expectAllClose(optimalLoss(hmm, 8).perPosition, exact, 1e-12);
  });

  it("computes the entropy rate itself when the enumeration is cut and no rate is given", () => {
    const o = optimalLoss(makeProcess("mess3"), 10, { maxWork: 5000 });
    expect(o.rate).toBeDefined();
    expectProven(o, o.rate!.lower);
    expect(optimalLoss(makeProcess("mess3"), 10).rate).toBeUndefined(); // exact: nothing to tighten
  });

  it("a start away from stationarity keeps its raw bounds: h need not be monotone there", () => {
    const hmm = makeProcess("mess3");
    const h = myopicEntropy(hmm, 4, { initial: [1, 0, 0] });
    expect(h.stationary).toBe(false);
    // From state 0, h(0) = H(emission of the first step) is below h(1): not monotone, and left so.
    expect(h.values[0]).toBeLessThan(h.values[1]);
    expect(myopicEntropy(hmm, 4).stationary).toBe(true);
  });
});

describe("applyProvenBounds", () => {
  it("tightens with monotonicity and the rate floor, and puts estimates at the tightened midpoints", () => {
    const r = applyProvenBounds({ values: [1, 0.9, 0.5], lower: [1, 0.2, 0.1], upper: [1, 1.5, 0.95], stationary: true, rateLower: 0.3 });
    expect(Array.from(r.upper)).toEqual([1, 1, 0.95]);
    expect(Array.from(r.lower)).toEqual([1, 0.3, 0.3]);
    expect(Array.from(r.values)).toEqual([1, 0.65, 0.625]);
  });

  it("leaves a non-stationary sequence's bounds alone", () => {
    const r = applyProvenBounds({ values: [0.2, 0.9], lower: [0.2, 0.5], upper: [0.2, 1.3], stationary: false, rateLower: 0.7 });
    expect(Array.from(r.lower)).toEqual([0.2, 0.5]);
    expect(Array.from(r.upper)).toEqual([0.2, 1.3]);
    expect(Array.from(r.values)).toEqual([0.2, 0.9]);
  });

  it("exact values a roundoff apart out of order meet at the upper end", () => {
    const r = applyProvenBounds({ values: [0.5, 0.5 + 1e-16], lower: [0.5, 0.5 + 1e-16], upper: [0.5, 0.5 + 1e-16], stationary: true });
    expect(r.values[1]).toBeLessThanOrEqual(r.values[0]);
    expect(r.lower[1]).toBe(r.upper[1]);
  });
});

describe("valueAtLeast", () => {
  it("prints 4 decimals, more where 4 would read below the printed lower bound, and stays monotone", () => {
    expect(valueAtLeast(0.79346, 0.7934574117)).toBe("0.7935");
    expect(valueAtLeast(0.231049, 0.231049)).toBe("0.23105"); // "0.2310" would read below 0.231049
    expect(valueAtLeast(0.2310449, 0.231044)).toBe("0.231045"); // 4 and 5 decimals both read below
    expect(valueAtLeast(0.4, -Infinity)).toBe("0.4000");
    const vs = [0.8, 0.23105, 0.2310499, 0.231049, 0.231049];
    const printed = vs.map((v) => Number(valueAtLeast(v, 0.231049)));
    for (let k = 1; k < printed.length; k++) expect(printed[k]).toBeLessThanOrEqual(printed[k - 1]);
    printed.forEach((p) => expect(p).toBeGreaterThanOrEqual(0.231049));
  });
});
