import { describe, expect, it } from "vitest";
import { probeFeatures } from "../../src/probe/beliefProbe.js";
import { kgramFeatures } from "../../src/probe/controls.js";
import { fitLinear, predictLinear, type Rows } from "../../src/probe/leastSquares.js";
import { contextsSeen, contextsUpTo, jointLookup, memoryPhrase, MIN_ROWS_PER_CONTEXT } from "../../src/probe/memory.js";
import { probeReportJson } from "../../src/probe/reportJson.js";
import { splitBySequence, takeRows } from "../../src/probe/split.js";
import { probeTable } from "../../src/cli/probeTable.js";
import { makeProcess } from "../../src/process/catalogue/index.js";
import { filterBeliefs } from "../../src/process/beliefs.js";
import { sampleSequences } from "../../src/process/sample.js";
import { Rng } from "../../src/util/rng.js";

const hmm = makeProcess("mess3");
const nPos = 6;
const sequences = 400;
const s = sampleSequences(hmm, { count: sequences, length: nPos, seed: 5 });
const beliefs: Rows = { rows: sequences * nPos, cols: 3, data: filterBeliefs(hmm, s.tokens, nPos).beliefs };
const split = splitBySequence(sequences, nPos, 0.5, 1);
const yTrain = takeRows(beliefs, split.train);

describe("jointLookup", () => {
  const contexts = contextsUpTo(s.tokens, nPos, 3, 3);

  it("ids one context per distinct (last k tokens), as the joint k-gram columns", () => {
    for (const c of contexts) {
      const x = kgramFeatures(s.tokens, nPos, 3, c.k, "joint");
      const column = (r: number) => x.data.subarray(r * x.cols, r * x.cols + 4 ** c.k).indexOf(1);
      const byId = new Map<number, number>();
      for (let r = 0; r < x.rows; r++) {
        if (!byId.has(c.ids[r])) byId.set(c.ids[r], column(r));
        expect(byId.get(c.ids[r])).toBe(column(r));
      }
      expect(new Set(byId.values()).size).toBe(c.count);
    }
  });

  it("is the least-squares fit on one-hot contexts and positions (QR on the joint k-gram features)", () => {
    for (const c of contexts.slice(0, 2)) {
      const seen = new Set(Array.from(split.train, (r) => c.ids[r]));
      const test = split.test.filter((r) => seen.has(c.ids[r])); // rows the fit can place
      const ours = jointLookup(c, nPos, yTrain, split.train, null, test, null);
      const x = kgramFeatures(s.tokens, nPos, 3, c.k, "joint");
      const qr = predictLinear(fitLinear(takeRows(x, split.train), yTrain, { rcond: 1e-10 }), takeRows(x, test));
      let worst = 0;
      for (let k = 0; k < qr.data.length; k++) worst = Math.max(worst, Math.abs(ours.data[k] - qr.data[k]));
      expect(worst).toBeLessThan(1e-9);
    }
  });

  it("weights rows as repeated rows, and backs off to the fallback for contexts not seen in training", () => {
    const c = contexts[2];
    const rng = new Rng(1);
    const w = Float64Array.from(split.train, () => rng.int(3));
    const repeated = Int32Array.from(Array.from(split.train).flatMap((r, i) => Array(w[i]).fill(r)));
    const yRepeated = takeRows(beliefs, repeated);
    const a = jointLookup(c, nPos, yTrain, split.train, w, split.test, null);
    const b = jointLookup(c, nPos, yRepeated, repeated, null, split.test, null);
    for (let k = 0; k < a.data.length; k++) expect(a.data[k]).toBeCloseTo(b.data[k], 12);
    // Only the first 10 training rows: most held-out contexts are unseen and take the fallback.
    const few = split.train.subarray(0, 10);
    const fallback: Rows = { rows: split.test.length, cols: 3, data: new Float64Array(split.test.length * 3).fill(7) };
    const f = jointLookup(c, nPos, takeRows(beliefs, few), few, null, split.test, fallback);
    const seen = new Set(Array.from(few, (r) => c.ids[r]));
    const unseen = Array.from(split.test.keys()).filter((i) => !seen.has(c.ids[split.test[i]]));
    expect(unseen.length).toBeGreaterThan(100);
    for (const i of unseen) expect(f.data[i * 3]).toBe(7);
  });

  it("counts the contexts seen in training (the data's support for k)", () => {
    // mess3 over 3 symbols: k = 1 has the 3 symbols at positions >= 0, none missing.
    expect(contextsSeen(contexts[0], split.train)).toBe(3);
    expect(contextsSeen(contexts[1], split.train)).toBe(9 + 3); // 9 pairs + (none, x) at position 0
    expect(MIN_ROWS_PER_CONTEXT).toBe(10);
  });
});

describe("memory equivalent of a probe site", () => {
  const exact = { rows: beliefs.rows, cols: 3, data: beliefs.data.slice() };
  const features = { "2-token joint": kgramFeatures(s.tokens, nPos, 3, 2, "joint"), exact };
  const sites = Object.keys(features).map((label) => ({ label, hooks: [] }));
  const report = probeFeatures({ features, beliefs, tokens: s.tokens, hmm, sequences, nPos }, sites, { resamples: 300, kgramOrders: [1, 2], referenceKgramOrders: [] });
  const [twoTokens, beliefSite] = report.sites;

  it("a probe on the 2-token joint features is as informative as the last 2 tokens", () => {
    expect(twoTokens.memory.tokens).toBe(2);
    expect(twoTokens.memory.comparisons.map((c) => [c.control, c.beatsR2, c.beatsKL])).toEqual([
      ["1-token lookup", true, true],
      ["2-token lookup", false, false],
    ]);
    // Its probe is the 2-token lookup: the same held-out R^2.
    expect(twoTokens.r2).toBeCloseTo(report.memory.lookups["2-token lookup"].r2!, 10);
    expect(twoTokens.statement).toMatch(/; as informative as the last 2 tokens$/);
  });

  it("exact beliefs are more informative than every lookup the data supports, K stated", () => {
    // 1,200 training rows: k = 3 has 27 + 9 + 3 contexts (<= 120), k = 4 has 81 + 27 + 9 + 3 = 120 ... and 1200 / 10 = 120.
    expect(report.memory.largest).toBe(4);
    expect(beliefSite.memory.tokens).toBeNull();
    expect(beliefSite.memory.largest).toBe(4);
    expect(beliefSite.statement).toBe("beyond linear controls; more informative than the last 4 tokens (the most this data supports)");
    const r2 = [1, 2, 3, 4].map((k) => report.memory.lookups[`${k}-token lookup`].r2!);
    for (let k = 1; k < 4; k++) expect(r2[k]).toBeGreaterThan(r2[k - 1]);
  });

  it("report.json has memoryTokens or memoryTokensAbove for every site; the table shows the memory", () => {
    const json = JSON.parse(JSON.stringify(probeReportJson(report)));
    expect(json.sites.map((site: Record<string, unknown>) => [site.memoryTokens, site.memoryTokensAbove])).toEqual([
      [2, undefined],
      [null, 4],
    ]);
    expect(json.fitResamples).toBe(20);
    const table = probeTable(report);
    // Beyond the per-token (additive) k-gram controls, yet no more than a lookup on the last 2 tokens.
    expect(table).toMatch(/2-token joint\s+beyond controls\s+2 tokens\s/);
    expect(table).toMatch(/exact\s+beyond controls\s+> 4 tokens\s/);
    expect(table).toContain("exact: beyond linear controls; more informative than the last 4 tokens");
  });

  it("phrases", () => {
    expect(memoryPhrase(1, 6)).toBe("as informative as the last token");
    expect(memoryPhrase(null, 1)).toBe("more informative than the last token (the most this data supports)");
    expect(memoryPhrase(null, 0)).toMatch(/^memory equivalent undefined/);
    // The 3-token lookup is better than the probe on both measures: between 2 and 3 tokens.
    expect(memoryPhrase(3, 6, true)).toBe("more informative than the last 2 tokens, less than the last 3 tokens");
    expect(memoryPhrase(1, 6, true)).toBe("less informative than the last token");
  });
});

describe("a probe with fewer training rows than features", () => {
  it("warns with the sequences that would do, gives no verdict and no memory equivalent", () => {
    const few = 3; // 1 training sequence of 6 rows, 2 held out
    const tokens = s.tokens.subarray(0, few * nPos);
    const b: Rows = { rows: few * nPos, cols: 3, data: beliefs.data.subarray(0, few * nPos * 3) };
    const rng = new Rng(2);
    const x: Rows = { rows: few * nPos, cols: 8, data: Float64Array.from({ length: few * nPos * 8 }, () => rng.normal()) };
    const r = probeFeatures({ features: { wide: x }, beliefs: b, tokens, hmm, sequences: few, nPos }, [{ label: "wide", hooks: [] }], { resamples: 50, kgramOrders: [], referenceKgramOrders: [] });
    expect(r.trainRows).toBe(6);
    expect(r.warnings.map((w) => [w.site, w.features, w.trainRows, w.sequencesNeeded])).toEqual([["wide", 8, 6, 4]]); // 4 sequences: 2 train = 12 rows > 8
    expect(r.warnings[0].message).toMatch(/^wide: 6 training rows for 8 features, fewer rows than features, so the probe can fit its training data exactly/);
    expect(r.sites[0].verdict.verdict).toBe("undefined: 6 training rows for 8 features (the probe can fit any targets)");
    expect(r.sites[0].verdict.beyondControls).toBe(false);
    const site = JSON.parse(JSON.stringify(probeReportJson(r))).sites[0];
    expect([site.memoryTokens, site.memoryUndefined]).toEqual([null, "too few training rows for a lookup on the last token"]);
  });
});
