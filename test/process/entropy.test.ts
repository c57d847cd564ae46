import { describe, expect, it } from "vitest";
import { createHmm } from "../../src/process/hmm.js";
import { makeProcess } from "../../src/process/catalogue/index.js";
import { entropyRate, myopicEntropy } from "../../src/process/entropy.js";
import { filterBeliefs } from "../../src/process/beliefs.js";
import { sampleSequences } from "../../src/process/sample.js";
import { expectAllClose, numpyTruth } from "../helpers.js";
import { resetWarnings, warningCount } from "../../src/util/warn.js";

const LN2 = Math.log(2);

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

  it("matches numpy's brute force over all words to 1e-12", () => {
    for (const [name, truth] of Object.entries(numpyTruth)) {
      const values = myopicEntropy(createHmm(truth.transitions, { name }), truth.myopic.length).values;
      expectAllClose(values, truth.myopic, 1e-12);
    }
  });

  it("mess3 over 10 positions averages 0.80352 on positions 1..9 (torch_ref.py's optimal loss)", () => {
    const h = myopicEntropy(makeProcess("mess3"), 10).values;
    expect(h.slice(1).reduce((a, b) => a + b, 0) / 9).toBeCloseTo(0.80352, 5);
  });

  it("coarsens merging past maxBeliefs with second-order error, and warns once", () => {
    const exact = myopicEntropy(makeProcess("mess3"), 9).values;
    const warned: string[] = [];
    const previous = resetWarnings((m) => warned.push(m));
    try {
      const coarse = myopicEntropy(makeProcess("mess3"), 9, { maxBeliefs: 2000 });
      const fine = myopicEntropy(makeProcess("mess3"), 9, { maxBeliefs: 5000 });
      expect(coarse.tolerance).toBe(1e-2);
      expect(fine.tolerance).toBe(1e-3);
      // Merging beliefs within tol moves h(t) by O(tol^2).
      expectAllClose(coarse.values, exact, 1e-5);
      expectAllClose(fine.values, exact, 1e-7);
      expect(warningCount()).toBe(2);
      expect(warned[0]).toContain("merged beliefs within 0.01");
    } finally {
      resetWarnings(previous);
    }
  });
});

describe("entropyRate", () => {
  it("closed forms for unifilar processes: (2/3) ln 2 for golden mean, even, rrxor; (1/3) ln 2 for z1r", () => {
    for (const name of ["golden-mean", "even", "rrxor"]) {
      const r = entropyRate(makeProcess(name));
      expect(r.method).toBe("unifilar");
      expect(r.value).toBeCloseTo((2 / 3) * LN2, 14);
    }
    expect(entropyRate(makeProcess("z1r")).value).toBeCloseTo(LN2 / 3, 14);
  });

  it("the myopic limit agrees with the closed form", () => {
    for (const name of ["golden-mean", "even", "rrxor", "z1r"]) {
      const closed = entropyRate(makeProcess(name)).value;
      const limit = entropyRate(makeProcess(name), { method: "myopic" });
      expect(limit.converged).toBe(true);
      expect(Math.abs(limit.value - closed)).toBeLessThan(1e-8);
    }
  });

  it("nonunifilar processes agree with a long-sample estimate -ln P(x_1..x_N) / N", () => {
    for (const name of ["mess3", "sns"]) {
      const hmm = makeProcess(name);
      const r = entropyRate(hmm);
      expect(r.method).toBe("myopic");
      expect(r.converged).toBe(true);
      const N = 400_000;
      const s = sampleSequences(hmm, { count: 1, length: N, seed: 9 });
      const loss = filterBeliefs(hmm, s.tokens, N).optimalLoss;
      let sum = 0;
      for (let t = 1000; t < N; t++) sum += loss[t];
      // Per-token losses have sd < 1 and decorrelate fast: the standard error is < 0.002.
      expect(Math.abs(sum / (N - 1000) - r.value)).toBeLessThan(0.006);
    }
  });

  it("mess3's rate is just below its depth-10 myopic entropy 0.7935 (truth.py)", () => {
    const r = entropyRate(makeProcess("mess3")).value;
    expect(r).toBeLessThanOrEqual(0.79355);
    expect(r).toBeGreaterThan(0.7934);
  });

  it("refuses the closed form for a nonunifilar HMM", () => {
    expect(() => entropyRate(makeProcess("mess3"), { method: "unifilar" })).toThrow(
      `entropyRate: argument 'method' received "unifilar" for mess3, which is not unifilar; expected "myopic" or "auto" for a nonunifilar HMM.`,
    );
  });
});
