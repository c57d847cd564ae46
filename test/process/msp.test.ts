import { describe, expect, it } from "vitest";
import { createHmm } from "../../src/process/hmm.js";
import { makeProcess } from "../../src/process/catalogue/index.js";
import { mixedStatePresentation } from "../../src/process/msp.js";
import { numpyTruth } from "../helpers.js";

describe("mixedStatePresentation", () => {
  it("rrxor's MSP is finite with 36 beliefs (Shai et al. 2024)", () => {
    const msp = mixedStatePresentation(makeProcess("rrxor"), { depth: 12 });
    expect(msp.nNodes).toBe(36);
    expect(msp.closed).toBe(true);
  });

  it("the golden mean synchronizes in one symbol: 3 beliefs", () => {
    const msp = mixedStatePresentation(makeProcess("golden-mean"), { depth: 5 });
    expect(msp.nNodes).toBe(3);
    expect(msp.closed).toBe(true);
  });

  it("mess3's beliefs never repeat: 1 + 3 + ... + 3^d nodes, not closed", () => {
    const msp = mixedStatePresentation(makeProcess("mess3"), { depth: 6 });
    expect(msp.nNodes).toBe((3 ** 7 - 1) / 2);
    expect(msp.closed).toBe(false);
  });

  it("matches numpy's distinct-belief counts at depth 4", () => {
    for (const [name, truth] of Object.entries(numpyTruth)) {
      expect(mixedStatePresentation(createHmm(truth.transitions), { depth: 4 }).nNodes, name).toBe(truth.mspNodesDepth4);
    }
  });

  it("each level is a probability distribution and edges carry P(x | eta)", () => {
    const msp = mixedStatePresentation(makeProcess("rrxor"), { depth: 8 });
    for (const level of msp.levels) expect(level.probabilities.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 12);
    const out = new Map<number, number>();
    msp.edges.from.forEach((f, e) => out.set(f, (out.get(f) ?? 0) + msp.edges.probability[e]));
    for (const total of out.values()) expect(total).toBeCloseTo(1, 12);
    // rrxor: the root emits 0 or 1 with probability 1/2 each.
    expect(msp.edges.probability.slice(0, 2)).toEqual(Float64Array.of(0.5, 0.5));
  });

  it("minProbability drops rare words and accounts for the dropped mass", () => {
    const full = mixedStatePresentation(makeProcess("mess3"), { depth: 5 });
    const pruned = mixedStatePresentation(makeProcess("mess3"), { depth: 5, minProbability: 1e-3 });
    expect(pruned.nNodes).toBeLessThan(full.nNodes);
    const kept = pruned.levels[5].probabilities.reduce((a, b) => a + b, 0);
    expect(kept).toBeGreaterThan(0.9);
    expect(kept).toBeLessThan(1);
    expect(pruned.prunedProbability).toBeCloseTo(1 - kept, 12);
  });

  it("maxBeliefs bounds the nodes: the most probable are kept, the rest reported as pruned probability", () => {
    const full = mixedStatePresentation(makeProcess("mess3"), { depth: 6 });
    const capped = mixedStatePresentation(makeProcess("mess3"), { depth: 6, maxBeliefs: 100 });
    expect(capped.nNodes).toBe(100);
    expect(capped.truncated).toBe(true);
    expect(capped.closed).toBe(false);
    const reached = capped.levels[6].probabilities.reduce((a, b) => a + b, 0);
    expect(capped.prunedProbability).toBeCloseTo(1 - reached, 12);
    expect(full.truncated).toBe(false);
    expect(full.prunedProbability).toBe(0);
    // Depths 0..3 (1 + 3 + 9 + 27 = 40 nodes) fit whole; then the 20 most probable depth-3 nodes are
    // expanded (3 children each: 60 nodes) and the other 7 lose their children.
    expect(capped.levels[3].probabilities.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 12);
    const depth3 = Array.from(full.levels[3].probabilities).sort((a, b) => b - a);
    expect(capped.levels[4].probabilities.reduce((a, b) => a + b, 0)).toBeCloseTo(depth3.slice(0, 20).reduce((a, b) => a + b, 0), 12);
  });

  it("maxWork bounds the work and marks the result truncated", () => {
    const msp = mixedStatePresentation(makeProcess("random-hmm", { states: 32, symbols: 8, seed: 1 }), { depth: 8, maxWork: 1e6 });
    expect(msp.work).toBeLessThanOrEqual(1e6);
    expect(msp.truncated).toBe(true);
    expect(msp.prunedProbability).toBeGreaterThan(0);
  });

  it("rejects bad options", () => {
    expect(() => mixedStatePresentation(makeProcess("mess3"), { depth: -1 })).toThrow("mixedStatePresentation: argument 'depth' received -1; expected an integer >= 0.");
    expect(() => mixedStatePresentation(makeProcess("mess3"), { depth: 2, tolerance: 0 })).toThrow(/'tolerance' received 0/);
    expect(() => mixedStatePresentation(makeProcess("mess3"), { depth: 2, maxBeliefs: 0 })).toThrow("mixedStatePresentation: argument 'maxBeliefs' received 0; expected an integer in [1, 1073741824].");
  });
});
