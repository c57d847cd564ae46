import { describe, expect, it } from "vitest";
import { makeProcess } from "../../src/process/catalogue/index.js";
import { sampleSequences } from "../../src/process/sample.js";

describe("sampleSequences", () => {
  it("is reproducible from its seed and differs across seeds", () => {
    const hmm = makeProcess("mess3");
    const a = sampleSequences(hmm, { count: 50, length: 10, seed: 1 });
    const b = sampleSequences(hmm, { count: 50, length: 10, seed: 1 });
    const c = sampleSequences(hmm, { count: 50, length: 10, seed: 2 });
    expect(Array.from(a.tokens)).toEqual(Array.from(b.tokens));
    expect(Array.from(a.tokens)).not.toEqual(Array.from(c.tokens));
  });

  it("respects the grammar: the golden mean never emits 00, the even process emits even runs of 1s", () => {
    const g = sampleSequences(makeProcess("golden-mean"), { count: 200, length: 30, seed: 3 });
    for (let n = 0; n < 200; n++) for (let t = 1; t < 30; t++) expect(g.tokens[n * 30 + t - 1] + g.tokens[n * 30 + t]).toBeGreaterThan(0);
    // Even process: between two 0s the run of 1s has even length.
    const e = sampleSequences(makeProcess("even"), { count: 200, length: 40, seed: 4 });
    for (let n = 0; n < 200; n++) {
      const row = Array.from(e.tokens.subarray(n * 40, (n + 1) * 40)).join("");
      const inner = row.slice(row.indexOf("0"), row.lastIndexOf("0") + 1);
      for (const run of inner.split("0")) expect(run.length % 2).toBe(0);
    }
  });

  it("matches the stationary symbol frequencies of mess3 (uniform) and z1r (1/2 zeros)", () => {
    const n = 4000;
    const L = 15;
    const s = sampleSequences(makeProcess("mess3"), { count: n, length: L, seed: 5 });
    const counts = [0, 0, 0];
    for (const x of s.tokens) counts[x]++;
    // Binomial standard error of a 1/3 frequency over n*L draws is ~0.0019 (draws correlate mildly).
    for (const c of counts) expect(Math.abs(c / (n * L) - 1 / 3)).toBeLessThan(0.012);
    const z = sampleSequences(makeProcess("z1r"), { count: n, length: 12, seed: 6 });
    const zeros = z.tokens.reduce((a, x) => a + (x === 0 ? 1 : 0), 0);
    expect(Math.abs(zeros / (n * 12) - 0.5)).toBeLessThan(0.01);
  });

  it("records hidden states consistent with the transitions", () => {
    const hmm = makeProcess("rrxor");
    const s = sampleSequences(hmm, { count: 100, length: 9, seed: 7 });
    for (let n = 0; n < 100; n++) {
      for (let t = 0; t < 9; t++) {
        const i = s.states[n * 10 + t];
        const j = s.states[n * 10 + t + 1];
        const x = s.tokens[n * 9 + t];
        expect(hmm.transitions[(x * 5 + i) * 5 + j]).toBeGreaterThan(0);
      }
    }
  });

  it("rejects bad counts, lengths and seeds", () => {
    const hmm = makeProcess("mess3");
    expect(() => sampleSequences(hmm, { count: 0, length: 5, seed: 1 })).toThrow("sampleSequences: argument 'count' received 0; expected an integer >= 1.");
    expect(() => sampleSequences(hmm, { count: 1, length: 2.5, seed: 1 })).toThrow("argument 'length' received 2.5");
    expect(() => sampleSequences(hmm, { count: 1, length: 2, seed: -1 })).toThrow("argument 'seed' received -1; expected a non-negative safe integer.");
  });
});
