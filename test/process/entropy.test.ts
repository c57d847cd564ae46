import { describe, expect, it } from "vitest";
import { createHmm } from "../../src/process/hmm.js";
import { makeProcess } from "../../src/process/catalogue/index.js";
import { myopicEntropy } from "../../src/process/entropy.js";
import { expectAllClose, numpyTruth } from "../helpers.js";
import { resetWarnings, warningCount } from "../../src/util/warn.js";
import { processTruth } from "./processTruth.js";

describe("myopicEntropy (optimal loss per position)", () => {
  it("mess3(0.05, 0.85): 1.0986, 0.8577, 0.8134, 0.7981, 0.7947, 0.7938, 0.7935 nats (issue #2)", () => {
    expectAllClose(myopicEntropy(makeProcess("mess3"), 7).values, [1.0986, 0.8577, 0.8134, 0.7981, 0.7947, 0.7938, 0.7935], 5e-5);
  });

  it("rrxor(0.5, 0.5): ten positions from issue #2", () => {
    expectAllClose(
      myopicEntropy(makeProcess("rrxor"), 10).values,
      [0.6931, 0.6931, 0.6365, 0.6285, 0.5987, 0.5776, 0.5615, 0.5398, 0.5269, 0.5158],
      5e-5,
    );
  });

  it("z1r matches ../shared/reference/truth.py", () => {
    expectAllClose(myopicEntropy(makeProcess("z1r"), 10).values, [0.6931, 0.6365, 0.4621, 0.231, 0.231, 0.231, 0.231, 0.231, 0.231, 0.231], 5e-5);
  });

  it("matches numpy's brute force over all words to 1e-12, exactly (nothing pruned)", () => {
    for (const [name, truth] of Object.entries(numpyTruth)) {
      const r = myopicEntropy(createHmm(truth.transitions, { name }), truth.myopic.length);
      expectAllClose(r.values, truth.myopic, 1e-12);
      expect(r.exact).toBe(true);
      expect(Array.from(r.lower)).toEqual(Array.from(r.values));
      expect(Array.from(r.upper)).toEqual(Array.from(r.values));
    }
  });

  it("mess3's h(11) = 0.79345765 is the exact upper Cover & Thomas bound at L = 12 (hmm_exact.py)", () => {
    const r = myopicEntropy(makeProcess("mess3"), 12);
    expect(r.exact).toBe(true);
    expect(r.values[11]).toBeCloseTo(processTruth.rate.mess3.bounds[11][2], 12);
    expect(r.beliefs[11]).toBe(3 ** 11); // mess3's beliefs never merge
  });

  it("mess3 over 10 positions averages 0.80352 on positions 1..9 (torch_ref.py's optimal loss)", () => {
    const h = myopicEntropy(makeProcess("mess3"), 10).values;
    expect(h.slice(1).reduce((a, b) => a + b, 0) / 9).toBeCloseTo(0.80352, 5);
  });

  it("past maxBeliefs it prunes the rarest histories and reports certified bounds, with no warning", () => {
    const hmm = makeProcess("mess3");
    const exact = myopicEntropy(hmm, 9).values;
    const previous = resetWarnings(() => {});
    try {
      const pruned = myopicEntropy(hmm, 9, { maxBeliefs: 200 });
      expect(warningCount()).toBe(0);
      expect(pruned.exact).toBe(false);
      expect(Math.max(...pruned.beliefs)).toBeLessThanOrEqual(200);
      // 3^5 = 243 > 200: positions 0..4 are exact, 5 on are bounded.
      expect(Array.from(pruned.prunedMass.slice(0, 5))).toEqual([0, 0, 0, 0, 0]);
      expect(pruned.prunedMass[5]).toBeGreaterThan(0);
      for (let t = 0; t < 9; t++) {
        expect(pruned.lower[t], `t = ${t}`).toBeLessThanOrEqual(exact[t] + 1e-12);
        expect(pruned.upper[t], `t = ${t}`).toBeGreaterThanOrEqual(exact[t] - 1e-12);
        expect(pruned.values[t]).toBeGreaterThanOrEqual(pruned.lower[t]);
        expect(pruned.values[t]).toBeLessThanOrEqual(pruned.upper[t]);
        // The derivation in beliefTree.ts: a pruned mass m widens the interval by at most m log V.
        expect(pruned.upper[t] - pruned.lower[t]).toBeLessThanOrEqual(pruned.prunedMass[t] * Math.log(3) + 1e-12);
      }
      expect(pruned.prunedMass[8]).toBeGreaterThan(pruned.prunedMass[5]); // pruned mass only accumulates
    } finally {
      resetWarnings(previous);
    }
  });

  it("a spent work budget still returns every position, bounded", () => {
    const hmm = makeProcess("mess3");
    const exact = myopicEntropy(hmm, 8).values;
    const r = myopicEntropy(hmm, 8, { maxWork: 2000 });
    expect(r.exact).toBe(false);
    expect(r.work).toBeLessThan(4000);
    for (let t = 0; t < 8; t++) {
      expect(r.lower[t]).toBeLessThanOrEqual(exact[t] + 1e-12);
      expect(r.upper[t]).toBeGreaterThanOrEqual(exact[t] - 1e-12);
    }
    // With nothing kept the interval is [sum_j rho_j H[X | S = j], H(pooled next symbol)]. mess3 is symmetric:
    // every state has the same H[X | S = j], which is the exact lower bound at L = 1, and the pooled
    // distribution is uniform (log 3); but h is non-increasing from the stationary start, so the upper
    // end is the last exact value (provenBounds.ts).
    const lastExact = r.prunedMass.findIndex((m) => m > 0) - 1;
    expect(lastExact).toBeGreaterThanOrEqual(1);
    expect(r.lower[7]).toBeCloseTo(processTruth.rate.mess3.bounds[0][1], 12);
    expect(r.upper[7]).toBeCloseTo(exact[lastExact], 12);
    expect(r.upper[7]).toBeLessThan(Math.log(3));
    for (let t = 1; t < 8; t++) expect(r.values[t]).toBeLessThanOrEqual(r.values[t - 1]);
  });

  it("rejects bad options", () => {
    expect(() => myopicEntropy(makeProcess("mess3"), 0)).toThrow("myopicEntropy: argument 'length' received 0; expected an integer >= 1.");
    expect(() => myopicEntropy(makeProcess("mess3"), 3, { maxBeliefs: 0 })).toThrow("myopicEntropy: argument 'maxBeliefs' received 0; expected an integer in [1, 1073741824].");
    expect(() => myopicEntropy(makeProcess("mess3"), 3, { maxWork: -1 })).toThrow("myopicEntropy: argument 'maxWork' received -1; expected an integer >= 0.");
    expect(() => myopicEntropy(makeProcess("mess3"), 3, { tolerance: 0.1 })).toThrow("myopicEntropy: argument 'tolerance' received 0.1; expected a finite number in [1e-15, 0.000001].");
  });
});
