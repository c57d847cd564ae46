import { describe, expect, it } from "vitest";
import { createHmm } from "../../src/process/hmm.js";
import { makeProcess } from "../../src/process/catalogue/index.js";
import { filterBeliefs } from "../../src/process/beliefs.js";
import { sampleSequences } from "../../src/process/sample.js";
import { myopicEntropy } from "../../src/process/entropy.js";
import { expectAllClose, numpyTruth } from "../helpers.js";

describe("filterBeliefs", () => {
  it("matches numpy's forward algorithm on fixed sequences (beliefs and per-token loss)", () => {
    for (const [name, truth] of Object.entries(numpyTruth)) {
      const hmm = createHmm(truth.transitions, { name });
      for (const seq of truth.sequences) {
        const r = filterBeliefs(hmm, Int32Array.from(seq.tokens), seq.tokens.length);
        expectAllClose(r.beliefs, seq.beliefs.flat(), 1e-12);
        expectAllClose(r.optimalLoss, seq.loss, 1e-12);
      }
    }
  });

  it("gives the golden mean's synchronizing beliefs: after 0 the state is B, after 1 it is A", () => {
    const r = filterBeliefs(makeProcess("golden-mean"), Int32Array.of(1, 0, 1), 3);
    expectAllClose(r.beliefs, [1, 0, 0, 1, 1, 0], 0);
    expectAllClose(r.optimalLoss, [-Math.log(2 / 3), -Math.log(1 / 2), 0], 1e-15);
  });

  it("mean loss of the optimal predictor on samples approaches the myopic entropy", () => {
    const hmm = makeProcess("mess3");
    const L = 10;
    const n = 20000;
    const s = sampleSequences(hmm, { count: n, length: L, seed: 11 });
    const r = filterBeliefs(hmm, s.tokens, L);
    const h = myopicEntropy(hmm, L).values;
    for (const t of [0, 1, 5, 9]) {
      let sum = 0;
      let sq = 0;
      for (let k = 0; k < n; k++) {
        sum += r.optimalLoss[k * L + t];
        sq += r.optimalLoss[k * L + t] ** 2;
      }
      const mean = sum / n;
      const se = Math.sqrt((sq / n - mean * mean) / n);
      expect(Math.abs(mean - h[t])).toBeLessThan(4 * se);
    }
  });

  it("rejects impossible sequences and out-of-alphabet symbols", () => {
    expect(() => filterBeliefs(makeProcess("golden-mean"), Int32Array.of(0, 0), 2)).toThrow(
      "filterBeliefs: argument 'tokens[0][1]' received symbol 0, which has probability 0 after the prefix; expected a sequence that golden-mean can emit.",
    );
    expect(() => filterBeliefs(makeProcess("golden-mean"), Int32Array.of(2), 1)).toThrow("argument 'tokens[0][0]' received 2; expected a symbol in [0, 2).");
    expect(() => filterBeliefs(makeProcess("mess3"), Int32Array.of(0, 1, 2), 2)).toThrow("argument 'tokens' received 3 tokens; expected a multiple of length 2.");
  });

  it("rejects a bad initial distribution", () => {
    expect(() => filterBeliefs(makeProcess("mess3"), Int32Array.of(0), 1, { initial: [0.5, 0.5] })).toThrow(
      "filterBeliefs: argument 'initial' received an array of length 2; expected a distribution over the 3 hidden states (3 numbers >= 0 summing to 1).",
    );
    expect(() => filterBeliefs(makeProcess("mess3"), Int32Array.of(0), 1, { initial: [0.5, 0.6, -0.1] })).toThrow("argument 'initial[2]' received -0.1");
  });
});
