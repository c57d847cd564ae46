import { describe, expect, it } from "vitest";
import { makeProcess } from "../../src/process/catalogue/index.js";
import { readFileSync } from "node:fs";
import { checkWordProbabilities, createGeneralizedHmm } from "../../src/process/ghmm.js";
import { myopicEntropy } from "../../src/process/entropy.js";
import { filterBeliefs, nextSymbolDistribution } from "../../src/process/beliefs.js";
import { mixedStatePresentation } from "../../src/process/msp.js";
import { sampleSequences } from "../../src/process/sample.js";
import { processFromJson, processToJson } from "../../src/process/json.js";
import { stationaryDistribution } from "../../src/process/stationary.js";
import { expectAllClose } from "../helpers.js";
import { processTruth } from "./processTruth.js";

const GHMMS = ["fanizza", "post-quantum", "tom-quantum"] as const;

/** A GHMM found by random search whose first negative word has length 11, and numpy's word probabilities (test/fixtures/optimal_loss_truth.py). */
const lateNegative = {
  inputs: JSON.parse(readFileSync(new URL("../fixtures/optimal-loss-inputs.json", import.meta.url), "utf8")),
  truth: JSON.parse(readFileSync(new URL("../fixtures/optimal-loss-truth.json", import.meta.url), "utf8")),
};

describe("generalized HMMs", () => {
  it("match simplexity's definitions (re-derived in numpy) entry by entry, with numpy's fixed vectors", () => {
    for (const name of GHMMS) {
      const hmm = makeProcess(name);
      const truth = processTruth.ghmm[name];
      expect(hmm.generalized, name).toBe(true);
      expectAllClose(hmm.transitions, truth.transitions.flat(2), 1e-14);
      expectAllClose(hmm.initial!, truth.initial, 1e-9);
      expectAllClose(hmm.normalizer!, truth.normalizer, 1e-9);
    }
    // Fanizza's T[a] + T[b] is row-stochastic: r = 1 (simplexity's test).
    expectAllClose(makeProcess("fanizza").normalizer!, [1, 1, 1, 1], 1e-12);
  });

  it("optimal losses: P(w) = init T[w] r, matching numpy's block entropies to 1e-10", () => {
    for (const name of GHMMS) {
      const r = myopicEntropy(makeProcess(name), 10);
      expect(r.exact, name).toBe(true);
      expectAllClose(r.values, processTruth.ghmm[name].myopic, 1e-10);
    }
  });

  it("beliefs are normalised row vectors (eta . r = 1) and predictions are distributions", () => {
    const hmm = makeProcess("post-quantum");
    const s = sampleSequences(hmm, { count: 20, length: 15, seed: 4 });
    expect(Array.from(s.states.slice(0, 5))).toEqual([-1, -1, -1, -1, -1]);
    const b = filterBeliefs(hmm, s.tokens, 15);
    for (let k = 0; k < 20 * 15; k++) {
      const eta = b.beliefs.subarray(k * 3, (k + 1) * 3);
      const dot = eta.reduce((a, v, i) => a + v * hmm.normalizer![i], 0);
      expect(dot).toBeCloseTo(1, 12);
      const p = nextSymbolDistribution(hmm, eta);
      expect(p.reduce((a, v) => a + v, 0)).toBeCloseTo(1, 12);
      for (const v of p) expect(v).toBeGreaterThanOrEqual(0);
    }
  });

  it("sampling reproduces the exact single-symbol and pair frequencies of tom-quantum", () => {
    const hmm = makeProcess("tom-quantum");
    const n = 20000;
    const s = sampleSequences(hmm, { count: n, length: 2, seed: 8 });
    const p1 = nextSymbolDistribution(hmm, hmm.initial!);
    const counts = new Array(4).fill(0);
    for (let k = 0; k < n; k++) counts[s.tokens[2 * k]]++;
    // Multinomial standard error sqrt(p (1 - p) / n) <= 0.0036.
    for (let x = 0; x < 4; x++) expect(Math.abs(counts[x] / n - p1[x])).toBeLessThan(0.015);
    // h(1) from the samples' optimal loss at position 1 against the exact value.
    const loss = filterBeliefs(hmm, s.tokens, 2).optimalLoss;
    let sum = 0;
    for (let k = 0; k < n; k++) sum += loss[2 * k + 1];
    expect(Math.abs(sum / n - processTruth.ghmm["tom-quantum"].myopic[1])).toBeLessThan(0.02);
  });

  it("the MSP works on generalized beliefs (fanizza: an 'a' resets, so its beliefs are few)", () => {
    const msp = mixedStatePresentation(makeProcess("fanizza"), { depth: 8 });
    expect(msp.nNodes).toBe(17); // the root, reset after each a, and up to 8 b's after root or reset: 1 + 8 + 8
    for (const level of msp.levels) expect(level.probabilities.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 10);
  });

  it("stationary vector is the left fixed vector with pi . r = 1", () => {
    const hmm = makeProcess("fanizza");
    expectAllClose(stationaryDistribution(hmm), processTruth.ghmm.fanizza.initial, 1e-9);
  });

  it("round-trips through JSON, which says it is generalized", () => {
    const hmm = makeProcess("post-quantum");
    const json = processToJson(hmm);
    expect(json.generalized).toBe(true);
    const back = processFromJson(JSON.parse(JSON.stringify(json)), "pq.json");
    expect(back.generalized).toBe(true);
    expectAllClose(back.transitions, hmm.transitions, 0); // (JSON writes -0 as 0)
    expectAllClose(back.initial!, hmm.initial!, 1e-15);
    expectAllClose(myopicEntropy(back, 6).values, myopicEntropy(hmm, 6).values, 1e-13);
  });

  it("rejects what is not a valid process: negative word probabilities, no fixed vector, a wrong normalizer", () => {
    // Stochastic matrices (r = 1), but a start vector that gives "0" probability 0.5 * -0.5.
    const T = [
      [
        [0.5, 0],
        [0, 0],
      ],
      [
        [0, 0.5],
        [0.5, 0.5],
      ],
    ];
    expect(() => createGeneralizedHmm(T, { initial: [-0.5, 1.5] })).toThrow(
      "createGeneralizedHmm: argument 'transitions' received a generalized HMM that gives the word [0] probability -0.25; expected nonnegative probabilities for every word (found among the words of length 1; the check goes to length 64 as far as its work budget allows, tolerance 1e-9). A GHMM is a process only when initial · T[w] · r >= 0 for every word w.",
    );
    // From (0.2, 0.8), a distribution, every word is fine.
    expect(() => createGeneralizedHmm(T, { initial: [0.2, 0.8] })).not.toThrow();
    // Here the first symbols are fine but "1 0" is not: [1, 0] T[1] = [-0.25, 0.75], then T[0] gives [-0.125, 0].
    expect(() =>
      createGeneralizedHmm(
        [
          [
            [0.5, 0],
            [0, 0],
          ],
          [
            [-0.25, 0.75],
            [0.5, 0.5],
          ],
        ],
        { initial: [1, 0] },
      ),
    ).toThrow("gives the word [1 0] probability -0.125;");
    expect(() => processFromJson({ generalized: true, transitions: [[[1, 0], [0, 1]]] }, "g.json")).toThrow(
      "processFromJson(g.json): argument 'transitions' received matrices whose sum M = sum_x T[x] has 2 right fixed vectors (eigenvalue 1 of multiplicity 2); expected exactly one, as a generalized HMM needs (its largest eigenvalue must be 1 and simple). Scale T so that M has eigenvalue 1, or give 'normalizer'.",
    );
    expect(() => processFromJson({ generalized: true, transitions: [[[0.5, 0.5], [0.5, 0.5]]], normalizer: [1, 2] }, "g.json")).toThrow(
      "processFromJson(g.json): argument 'normalizer' received a vector r with (M r)[0] = 1.5 but r[0] = 1; expected the right fixed vector of M = sum_x T[x] (M r = r).",
    );
    expect(() => processFromJson({ generalized: true, transitions: [[[0.5, "x"], [0.5, 0.5]]] }, "g.json")).toThrow(
      `processFromJson(g.json): argument 'transitions[0][0][1]' received "x"; expected a finite real number.`,
    );
    expect(() => processFromJson({ generalized: "yes", transitions: [[[1]]] }, "g.json")).toThrow(`argument 'generalized' received "yes"; expected true or false.`);
    expect(() => processFromJson({ transitions: [[[1]]], normalizer: [1] }, "g.json")).toThrow(`argument 'normalizer' received a normalizer for a stochastic HMM; expected no normalizer unless "generalized": true.`);
    expect(() => createGeneralizedHmm([[[0.5, 0], [0, 0.5]], [[0.5, 0], [0, 0.5]]], { initial: [1, -1], normalizer: [1, 1] })).toThrow(
      "createGeneralizedHmm: argument 'initial' received a vector with initial · r = 0; expected initial · r != 0 (the total probability of the empty word).",
    );
  });

  it("checks deeper than length 8: a GHMM whose first negative word has length 11 (numpy) is refused, naming it", () => {
    const g = lateNegative.inputs.lateNegativeGhmm;
    const t = lateNegative.truth.lateNegativeGhmm;
    expect(t.firstNegativeLength).toBe(11);
    // Length 8, the old depth, accepts it: every word up to 8 is positive (numpy: min 6.2e-4 at length 8).
    expect(t.minProbabilityByLength[7]).toBeGreaterThan(0);
    expect(createGeneralizedHmm(g.transitions, { validationDepth: 8 }).validatedDepth).toBe(8);
    const word = `[${t.firstNegativeWord.join(" ")}]`;
    expect(() => processFromJson(g, "late.json")).toThrow(
      `processFromJson(late.json): argument 'transitions' received a generalized HMM that gives the word ${word} probability ${Number(t.itsProbability.toPrecision(6))}; expected nonnegative probabilities for every word (found among the words of length 11; the check goes to length 64 as far as its work budget allows, tolerance 1e-9). A GHMM is a process only when initial · T[w] · r >= 0 for every word w.`,
    );
  });

  it("records the depth checked: to 64 where directions repeat (fanizza), as deep as the budget allows elsewhere", () => {
    expect(makeProcess("fanizza").validatedDepth).toBe(64);
    const tom = makeProcess("tom-quantum");
    expect(tom.validatedDepth).toBeGreaterThanOrEqual(9); // beyond the old 8
    expect(tom.validatedDepth).toBeLessThan(64);
    // A smaller budget stops sooner, and says so.
    expect(checkWordProbabilities(tom, 64, 1e-9, "test", 1e5)).toBeLessThan(tom.validatedDepth!);
  });

  it("invalid catalogue parameters fail validation with the word that goes negative", () => {
    expect(() => makeProcess("post-quantum", { alpha: 2, beta: 0.5 })).toThrow("makeProcess(post-quantum): argument 'params' received ln(alpha) / ln(beta) = -1; expected a ratio that is not an integer.");
    expect(() => makeProcess("post-quantum", { alpha: 1.5, beta: 0.5 })).toThrow("expected alpha + beta != 2");
  });
});
