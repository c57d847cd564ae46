import { describe, expect, it } from "vitest";
import { filterBeliefs, sampleSequences } from "../../src/process/index.js";
import { presentationOfHmm, presentationPredictions, totalVariation, totalVariationByLength, wordProbabilities } from "../../src/recover/linearPresentation.js";
import { hankelRank } from "../../src/recover/evaluation/evaluate.js";
import { expectAllClose } from "../helpers.js";
import { fixtureHmm, truth } from "./fixtures.js";

describe("word distributions and total variation (exact sums)", () => {
  it("match numpy's brute force over all words (recover_truth.py)", () => {
    for (const [name, c] of Object.entries(truth.processes)) {
      const p = presentationOfHmm(fixtureHmm(name));
      expectAllClose(p.start, c.stationary, 1e-12);
      c.words.forEach((w, k) => expectAllClose(wordProbabilities(p, k + 1), w, 1e-14));
    }
  });

  it("TV by length matches numpy (hmm_exact.py conventions)", () => {
    for (const { a, b, tv } of truth.tv) {
      expectAllClose(totalVariationByLength(presentationOfHmm(fixtureHmm(a)), presentationOfHmm(fixtureHmm(b)), 6), tv, 1e-12);
    }
  });

  it("word probabilities sum to 1 and TV of a process with itself is 0", () => {
    const p = presentationOfHmm(fixtureHmm("random-4-3"));
    for (let L = 0; L <= 5; L++) expect(wordProbabilities(p, L).reduce((x, y) => x + y, 0)).toBeCloseTo(1, 12);
    expect(totalVariation(wordProbabilities(p, 4), wordProbabilities(p, 4))).toBe(0);
    expect(() => totalVariation([1], [0.5, 0.5])).toThrow(/one alphabet/);
  });

  it("predictions equal the Bayes filter's (filterBeliefs' optimal loss)", () => {
    const hmm = fixtureHmm("mess3");
    const { tokens } = sampleSequences(hmm, { count: 20, length: 9, seed: 2 });
    const { probs, clipped } = presentationPredictions(presentationOfHmm(hmm), tokens, 9, 0);
    const { optimalLoss } = filterBeliefs(hmm, tokens, 9);
    expect(clipped).toBe(0);
    expectAllClose(Array.from(tokens, (x, r) => -Math.log(probs[r * 3 + x])), optimalLoss, 1e-12);
  });

  it("Hankel rank equals numpy's", () => {
    for (const [name, c] of Object.entries(truth.processes)) expect(hankelRank(presentationOfHmm(fixtureHmm(name)), c.hankelWordLength)).toBe(c.hankelRank);
  });
});
