import { describe, expect, it } from "vitest";
import { makeProcess } from "../../src/process/catalogue/index.js";
import { filterBeliefs } from "../../src/process/beliefs.js";
import { createSampler, sampleJsonPieces, sampleSequences } from "../../src/process/sample.js";
import { HookedTransformer } from "../../src/model/transformer/model.js";
import { evaluateLoss, EVALUATION_CHUNK } from "../../src/train/evaluate.js";
import { nextTokenPairs } from "../../src/train/objective.js";
import { deriveSeed } from "../../src/util/rng.js";

describe("sampling a chunk at a time", () => {
  it("draws the same sequences in chunks as in one call", () => {
    for (const hmm of [makeProcess("mess3"), makeProcess("tom_quantum")]) {
      const whole = sampleSequences(hmm, { count: 7, length: 5, seed: 11 });
      const sampler = createSampler(hmm, { length: 5, seed: 11 });
      const a = sampler.draw(3);
      const b = sampler.draw(4);
      expect([...a.tokens, ...b.tokens]).toEqual([...whole.tokens]);
      expect([...a.states, ...b.states]).toEqual([...whole.states]);
    }
  });

  it("writes the document of sampleSequences and filterBeliefs, one sequence a line, in any chunk size", () => {
    const hmm = makeProcess("mess3");
    const s = sampleSequences(hmm, { count: 5, length: 4, seed: 3 });
    const b = filterBeliefs(hmm, s.tokens, 4);
    const progress: number[] = [];
    const text = [...sampleJsonPieces(hmm, { count: 5, length: 4, seed: 3, chunk: 2, onProgress: (d) => progress.push(d) })].join("");
    expect(progress).toEqual([2, 4, 5]);
    expect(text.split("\n")).toHaveLength(5 + 3);
    const doc = JSON.parse(text);
    expect(doc).toMatchObject({ process: "mess3", params: hmm.params, seed: 3 });
    expect(doc.sequences).toHaveLength(5);
    doc.sequences.forEach((q: { tokens: number[]; states: number[]; beliefs: number[][] }, n: number) => {
      expect(q.tokens).toEqual([...s.tokens.subarray(4 * n, 4 * n + 4)]);
      expect(q.states).toEqual([...s.states.subarray(5 * n, 5 * n + 5)]);
      // Exactly the float64 beliefs: String(x) round-trips.
      expect(q.beliefs.flat()).toEqual([...b.beliefs.subarray(12 * n, 12 * n + 12)]);
    });
    expect([...sampleJsonPieces(hmm, { count: 5, length: 4, seed: 3 })].join("")).toBe(text);
  });

  it("splits a long sequence into pieces that join into valid JSON; a generalized HMM has no states", () => {
    const hmm = makeProcess("tom_quantum");
    const pieces = [...sampleJsonPieces(hmm, { count: 1, length: 70_000, seed: 0 })];
    expect(Math.max(...pieces.map((p) => p.length))).toBeLessThan(70_000 * 3 * 25);
    const doc = JSON.parse(pieces.join(""));
    expect(doc.sequences[0].tokens).toHaveLength(70_000);
    expect(doc.sequences[0].beliefs).toHaveLength(70_000);
    expect(doc.sequences[0].states).toBeUndefined();
  });
});

describe("evaluateLoss a chunk at a time", () => {
  it("gives the numbers of one batch over all sequences", async () => {
    const hmm = makeProcess("mess3");
    const model = await HookedTransformer.create({ nLayers: 1, dModel: 8, nHeads: 2, dHead: 4, dMlp: 16, nCtx: 6 }, 0);
    const n = EVALUATION_CHUNK + 3;
    const ev = await evaluateLoss(model, hmm, { sequences: n, seed: 4 });
    // One batch of all n sequences, scored by hand.
    const L = 7;
    const s = sampleSequences(hmm, { count: n, length: L, seed: deriveSeed(4, "heldout-loss") });
    const opt = filterBeliefs(hmm, s.tokens, L).optimalLoss;
    const { inputs, targets } = nextTokenPairs({ batch: n, nPos: 6, tokens: s.tokens });
    const logits = (await model.forward(inputs, 6)).data; // [n, 6, 3]
    for (let t = 1; t < L; t++) {
      let m = 0;
      let o = 0;
      for (let q = 0; q < n; q++) {
        const off = (q * 6 + t - 1) * 3;
        const row = [0, 1, 2].map((v) => logits[off + v]);
        const max = Math.max(...row);
        const z = row.reduce((a, v) => a + Math.exp(v - max), 0);
        m -= row[targets[q * 6 + t - 1]] - max - Math.log(z);
        o += opt[q * L + t];
      }
      expect(ev.modelLossPerPosition[t]).toBe(m / n);
      expect(ev.optimalLossSameSequencesPerPosition[t]).toBe(o / n);
    }
    model.dispose();
  });
});
