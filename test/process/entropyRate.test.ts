import { describe, expect, it } from "vitest";
import { createHmm } from "../../src/process/hmm.js";
import { makeProcess } from "../../src/process/catalogue/index.js";
import { entropyRate } from "../../src/process/entropy.js";
import { filterBeliefs } from "../../src/process/beliefs.js";
import { sampleSequences } from "../../src/process/sample.js";
import { processFromSpec } from "../../src/process/spec.js";
import { processTruth } from "./processTruth.js";

const LN2 = Math.log(2);
/** The acceptance numbers: exact Cover & Thomas bounds for mess3 at L = 14. */
const MESS3_L14: [number, number] = [0.7934575434, 0.7934575526];

/** The numpy bracket at its largest L, which contains the true rate. */
function truthBracket(name: string): [number, number] {
  const b = processTruth.rate[name].bounds;
  const last = b[b.length - 1];
  return [last[1], last[2]];
}

describe("entropyRate: certified bracket", () => {
  it("gives exactly hmm_exact.py's Cover & Thomas bounds at every L (to 1e-12)", () => {
    for (const [name, truth] of Object.entries(processTruth.rate)) {
      const hmm = createHmm(truth.transitions, { name });
      // mess3 to L = 10 and random5 to L = 9 (3^9 + 3^10 and 3^8 (1 + 5) beliefs at the last depth) keep the test quick.
      const maxDepth = Math.min(truth.bounds.length, name === "mess3" ? 10 : name === "random5" ? 9 : 16);
      const r = entropyRate(hmm, { method: "bracket", precision: 0, maxDepth });
      expect(r.steps.length, name).toBe(maxDepth);
      expect(r.prunedMass, name).toBe(0);
      for (const [L, lo, hi] of truth.bounds.slice(0, maxDepth)) {
        expect(r.steps[L - 1].L).toBe(L);
        expect(Math.abs(r.steps[L - 1].lower - lo), `${name} lower at L = ${L}`).toBeLessThan(1e-12);
        expect(Math.abs(r.steps[L - 1].upper - hi), `${name} upper at L = ${L}`).toBeLessThan(1e-12);
      }
    }
  });

  it("mess3: contains the rate and is at most 1e-5 wide within the default budget (acceptance: L = 14 is [0.7934575434, 0.7934575526])", () => {
    const r = entropyRate(makeProcess("mess3"));
    expect(r.method).toBe("bracket");
    expect(r.converged).toBe(true);
    expect(r.width).toBeLessThanOrEqual(1e-5);
    expect(r.lower).toBeLessThanOrEqual(MESS3_L14[1]);
    expect(r.upper).toBeGreaterThanOrEqual(MESS3_L14[0]);
    const [lo, hi] = truthBracket("mess3");
    expect(r.lower).toBeLessThanOrEqual(hi);
    expect(r.upper).toBeGreaterThanOrEqual(lo);
    // The old bug: a "converged" rate above a myopic entropy. The top is the last myopic entropy computed, h(L - 1).
    expect(r.upper).toBeLessThanOrEqual(processTruth.rate.mess3.bounds[r.depth - 1][2] + 1e-9); // + the roundoff allowance
    expect(r.upper).toBeLessThan(0.79346465);
    expect(r.value).toBeCloseTo((r.lower + r.upper) / 2, 15);
  });

  it("rrxor, golden mean, even at p = 1/2: the closed form (2/3) ln 2 with lower = upper, and the bracket agrees", () => {
    for (const name of ["rrxor", "golden-mean", "even"]) {
      const r = entropyRate(makeProcess(name));
      expect(r.method, name).toBe("unifilar");
      expect(r.lower).toBe(r.upper);
      expect(r.lower).toBeCloseTo((2 / 3) * LN2, 14);
      const b = entropyRate(makeProcess(name), { method: "bracket" });
      expect(b.width, name).toBeLessThanOrEqual(1e-5);
      expect(b.lower, name).toBeLessThanOrEqual((2 / 3) * LN2);
      expect(b.upper, name).toBeGreaterThanOrEqual((2 / 3) * LN2);
    }
    expect(entropyRate(makeProcess("z1r")).value).toBeCloseTo(LN2 / 3, 14);
  });

  it("a seeded random 5-state HMM (numpy): at most 1e-5 wide, overlapping numpy's L = 11 bracket", () => {
    const hmm = createHmm(processTruth.rate.random5.transitions, { name: "random5" });
    const r = entropyRate(hmm);
    expect(r.width).toBeLessThanOrEqual(1e-5);
    const [lo, hi] = truthBracket("random5");
    expect(r.lower).toBeLessThanOrEqual(hi);
    expect(r.upper).toBeGreaterThanOrEqual(lo);
  });

  it("sns (infinite MSP): overlaps numpy's L = 16 bracket and a long-sample estimate", () => {
    const hmm = makeProcess("sns");
    const r = entropyRate(hmm);
    expect(r.width).toBeLessThanOrEqual(1e-6);
    const [lo, hi] = truthBracket("sns");
    expect(r.lower).toBeLessThanOrEqual(hi);
    expect(r.upper).toBeGreaterThanOrEqual(lo);
    const N = 200_000;
    const s = sampleSequences(hmm, { count: 1, length: N, seed: 9 });
    const loss = filterBeliefs(hmm, s.tokens, N).optimalLoss;
    let sum = 0;
    for (let t = 1000; t < N; t++) sum += loss[t];
    // Per-token losses have sd < 1 and decorrelate fast: the standard error is < 0.003.
    expect(Math.abs(sum / (N - 1000) - r.value)).toBeLessThan(0.01);
  });

  it("stays certified when the budget prunes: a tiny maxBeliefs still contains the rate, just wider", () => {
    const [lo, hi] = truthBracket("mess3");
    for (const maxBeliefs of [1, 10, 100, 1000]) {
      const r = entropyRate(makeProcess("mess3"), { maxBeliefs });
      expect(r.beliefsUsed, `maxBeliefs ${maxBeliefs}`).toBeLessThanOrEqual(maxBeliefs);
      expect(r.lower, `maxBeliefs ${maxBeliefs}`).toBeLessThanOrEqual(hi);
      expect(r.upper, `maxBeliefs ${maxBeliefs}`).toBeGreaterThanOrEqual(lo);
      expect(r.stoppedBy).toBe("budget");
      expect(r.converged).toBe(false);
    }
    // Wider with less memory, but never wider than the L = 1 bracket.
    const small = entropyRate(makeProcess("mess3"), { maxBeliefs: 10 });
    const large = entropyRate(makeProcess("mess3"), { maxBeliefs: 1000 });
    expect(large.width).toBeLessThan(small.width);
    expect(small.width).toBeLessThanOrEqual(processTruth.rate.mess3.bounds[0][2] - processTruth.rate.mess3.bounds[0][1] + 1e-9);
  });

  it("honours maxWork and maxDepth, and says why it stopped", () => {
    const w = entropyRate(makeProcess("mess3"), { maxWork: 100_000 });
    expect(w.work).toBeLessThanOrEqual(100_000 * 1.5);
    expect(w.stoppedBy).toBe("budget");
    const [lo, hi] = truthBracket("mess3");
    expect(w.lower).toBeLessThanOrEqual(hi);
    expect(w.upper).toBeGreaterThanOrEqual(lo);
    const d = entropyRate(makeProcess("mess3"), { maxDepth: 3 });
    expect(d.depth).toBe(3);
    expect(d.stoppedBy).toBe("maxDepth");
    expect(d.lower).toBeCloseTo(processTruth.rate.mess3.bounds[2][1] - 1e-12, 10);
    expect(d.upper).toBeCloseTo(processTruth.rate.mess3.bounds[2][2], 10);
  });

  it("a large random HMM (64 states, 16 symbols) answers within the default budget, certified", () => {
    const r = entropyRate(makeProcess("random-hmm", { states: 64, symbols: 16, seed: 1 }));
    expect(r.work).toBeLessThanOrEqual(4e8 * 1.2);
    // Default maxBeliefs: 96 MiB / ((2 * 64 + 3 * 16 + 8) * 8 bytes).
    expect(r.beliefsUsed).toBeLessThanOrEqual(Math.floor((96 * 2 ** 20) / ((2 * 64 + 3 * 16 + 8) * 8)));
    expect(r.width).toBeLessThan(1e-4);
    expect(r.lower).toBeGreaterThan(0);
    expect(r.upper).toBeLessThanOrEqual(Math.log(16));
  });

  it("non-ergodic mixture: brackets each closed class and weights them (0.3 mess3(x=0.1) + 0.7 rrxor)", () => {
    const r = entropyRate(processFromSpec("mixture:mess3(x=0.1),rrxor;weights=0.3,0.7"));
    const [lo, hi] = processTruth.composite.mixture.rateBounds;
    expect(r.classes).toHaveLength(2);
    expect(r.classes![0].weight).toBeCloseTo(0.3, 12);
    expect(r.classes![1].rate.method).toBe("unifilar");
    expect(r.width).toBeLessThanOrEqual(1e-5);
    expect(r.lower).toBeLessThanOrEqual(hi);
    expect(r.upper).toBeGreaterThanOrEqual(lo);
  });

  it("generalized HMMs: an honest trivial lower end and a settled upper end at or below numpy's h(9)", () => {
    for (const name of ["fanizza", "tom-quantum", "post-quantum"]) {
      const r = entropyRate(makeProcess(name), { maxWork: 5e7 });
      expect(r.lowerBound, name).toBe("trivial");
      expect(r.depth, name).toBeGreaterThanOrEqual(10);
      expect(r.lower).toBe(0);
      expect(r.upper, name).toBeLessThanOrEqual(processTruth.ghmm[name].myopic[9] + 1e-9);
      expect(r.upper, name).toBeGreaterThan(0.5);
    }
  });

  it("rejects bad options", () => {
    expect(() => entropyRate(makeProcess("mess3"), { method: "unifilar" })).toThrow(
      `entropyRate: argument 'method' received "unifilar" for mess3, which is not unifilar; expected "bracket" or "auto" for a nonunifilar HMM.`,
    );
    expect(() => entropyRate(makeProcess("mess3"), { method: "magic" as never })).toThrow(`entropyRate: argument 'method' received "magic"; expected "auto", "unifilar" or "bracket".`);
    expect(() => entropyRate(makeProcess("mess3"), { precision: -1 })).toThrow("entropyRate: argument 'precision' received -1; expected a finite number >= 0.");
    expect(() => entropyRate(makeProcess("mess3"), { maxDepth: 0 })).toThrow("entropyRate: argument 'maxDepth' received 0; expected an integer >= 1.");
  });
});
