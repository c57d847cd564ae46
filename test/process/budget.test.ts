import { describe, expect, it } from "vitest";
import { bytesPerBelief, DEFAULT_MAX_WORK, resolveBudget } from "../../src/process/budget.js";
import { makeProcess } from "../../src/process/catalogue/index.js";
import { entropyRate, myopicEntropy } from "../../src/process/entropy.js";
import { mixedStatePresentation } from "../../src/process/msp.js";
import { BeliefIndex, FULL } from "../../src/process/beliefIndex.js";

describe("enumeration budgets", () => {
  it("default maxBeliefs fits 96 MiB at (2S + 3V + 8) * 8 bytes a belief", () => {
    expect(bytesPerBelief(32, 8)).toBe((64 + 24 + 8) * 8);
    expect(resolveBudget("f", {}, 32, 8)).toEqual({ maxBeliefs: Math.floor((96 * 2 ** 20) / 768), maxWork: DEFAULT_MAX_WORK });
    expect(resolveBudget("f", {}, 1, 2).maxBeliefs).toBe(Math.floor((96 * 2 ** 20) / 128));
    expect(resolveBudget("f", {}, 1, 1).maxBeliefs).toBe(Math.floor((96 * 2 ** 20) / 104));
    expect(resolveBudget("f", { maxBeliefs: 7, maxWork: 9 }, 64, 16)).toEqual({ maxBeliefs: 7, maxWork: 9 });
  });

  it("random 32 states x 8 symbols (the issue's 1.7 GB case): every enumeration stays inside its budget", () => {
    const hmm = makeProcess("random-hmm", { states: 32, symbols: 8, seed: 1 });
    const maxBeliefs = resolveBudget("f", {}, 32, 8).maxBeliefs;
    const h = myopicEntropy(hmm, 10, { maxWork: 5e7 });
    expect(Math.max(...h.beliefs)).toBeLessThanOrEqual(maxBeliefs);
    expect(h.work).toBeLessThanOrEqual(5e7 * 1.05);
    expect(h.exact).toBe(false); // 8^9 histories at the last position: bounded, not exact
    for (let t = 0; t < 10; t++) expect(h.upper[t] - h.lower[t]).toBeLessThanOrEqual(h.prunedMass[t] * Math.log(8) + 1e-12);
    const r = entropyRate(hmm, { maxWork: 5e7 });
    expect(r.beliefsUsed).toBeLessThanOrEqual(maxBeliefs);
    expect(r.work).toBeLessThanOrEqual(5e7 * 1.05);
    expect(r.width).toBeLessThan(1e-4);
    const msp = mixedStatePresentation(hmm, { depth: 8, maxWork: 3e7 });
    expect(msp.nNodes).toBeLessThanOrEqual(maxBeliefs);
    expect(msp.work).toBeLessThanOrEqual(3e7);
    expect(msp.truncated).toBe(true);
    // A smaller maxBeliefs binds every enumeration.
    const small = myopicEntropy(hmm, 6, { maxBeliefs: 50 });
    expect(Math.max(...small.beliefs)).toBeLessThanOrEqual(50);
    expect(entropyRate(hmm, { maxBeliefs: 50 }).beliefsUsed).toBeLessThanOrEqual(50);
    expect(mixedStatePresentation(hmm, { depth: 4, maxBeliefs: 50 }).nNodes).toBe(50);
  });
});

describe("BeliefIndex", () => {
  it("merges beliefs equal up to roundoff, keeps distinct ones, refuses new ones when full", () => {
    const index = new BeliefIndex(3, 1e-12, 3, 1);
    expect(index.findOrAdd([0.2, 0.3, 0.5])).toBe(0);
    expect(index.findOrAdd([0.1 + 0.1, 0.3, 0.5 + 1e-16])).toBe(0);
    expect(index.findOrAdd([0.2, 0.3 + 1e-9, 0.5 - 1e-9])).toBe(1);
    expect(index.findOrAdd(Float64Array.of(9, 0.7, 0.1, 0.2), 1)).toBe(2);
    expect(index.findOrAdd([0.6, 0.2, 0.2])).toBe(FULL);
    expect(index.findOrAdd([0.7, 0.1, 0.2])).toBe(2);
    expect(index.size).toBe(3);
    expect(Array.from(index.beliefs.subarray(6, 9))).toEqual([0.7, 0.1, 0.2]);
  });
});
