import { afterAll, describe, expect, it } from "vitest";
import { probeBeliefs, probeFeatures, type ProbeReport } from "../../src/probe/beliefProbe.js";
import { decodeProbeFile, encodeProbeFile, probeFileFromReport } from "../../src/probe/probeFile.js";
import { decodeSafetensors } from "../../src/util/safetensors.js";
import { kgramFeatures } from "../../src/probe/controls.js";
import { probeReportJson } from "../../src/probe/reportJson.js";
import { splitBySequence } from "../../src/probe/split.js";
import { probeTable } from "../../src/cli/probeTable.js";
import { HookedTransformer } from "../../src/model/transformer/model.js";
import { makeProcess } from "../../src/process/catalogue/index.js";
import { filterBeliefs } from "../../src/process/beliefs.js";
import { sampleSequences } from "../../src/process/sample.js";
import { Rng } from "../../src/util/rng.js";
import type { Rows } from "../../src/util/rows.js";

const hmm = makeProcess("mess3");
const sequences = 600;
const nPos = 10;
const s = sampleSequences(hmm, { count: sequences, length: nPos, seed: 4 });
const beliefs: Rows = { rows: sequences * nPos, cols: 3, data: filterBeliefs(hmm, s.tokens, nPos).beliefs };

/** Features = a random linear image of the beliefs in 8 dimensions, plus Gaussian noise of scale sigma. */
function embedded(sigma: number, seed: number): Rows {
  const rng = new Rng(seed);
  const M = Float64Array.from({ length: 3 * 8 }, () => rng.normal());
  const data = new Float64Array(beliefs.rows * 8);
  for (let r = 0; r < beliefs.rows; r++) for (let j = 0; j < 8; j++) {
    let v = sigma * rng.normal();
    for (let i = 0; i < 3; i++) v += beliefs.data[r * 3 + i] * M[i * 8 + j];
    data[r * 8 + j] = v;
  }
  return { rows: beliefs.rows, cols: 8, data };
}

describe("probeFeatures", () => {
  const sites = [{ label: "clean", hooks: [] }, { label: "noise", hooks: [] }, { label: "random", hooks: [] }, { label: "4-gram itself", hooks: [] }];
  const random = (() => {
    const rng = new Rng(9);
    return { rows: beliefs.rows, cols: 8, data: Float64Array.from({ length: beliefs.rows * 8 }, () => rng.normal()) };
  })();
  const features = { clean: embedded(0, 1), noise: embedded(0.5, 2), random, "4-gram itself": kgramFeatures(s.tokens, nPos, 3, 4) };
  const report = probeFeatures({ features, beliefs, tokens: s.tokens, hmm, sequences, nPos }, sites, { resamples: 300 });
  const [clean, noise, rand, kgram] = report.sites;

  it("finds a linear image of the beliefs exactly (R^2 1, belief KL 0), and loses R^2 to noise", () => {
    expect(clean.r2).toBeGreaterThan(1 - 1e-10);
    expect(clean.rmse).toBeLessThan(1e-6);
    expect(clean.beliefKL).toBeLessThan(1e-9);
    expect(clean.observedR2).toBeGreaterThan(1 - 1e-10);
    expect(noise.r2).toBeGreaterThan(0.5);
    expect(noise.r2).toBeLessThan(0.99);
    expect(Math.abs(rand.r2!)).toBeLessThan(0.02);
  });

  it("features that are exactly a linear function of the beliefs are beyond controls; the 4-gram features are not", () => {
    expect(clean.verdict.verdict).toBe("beyond controls");
    expect(clean.verdict.comparisons.map((c) => c.control)).toEqual(["shuffled", "1-gram", "2-gram", "3-gram", "4-gram"]);
    // The probe on the 4-gram features is the 4-gram control: every difference is 0.
    expect(kgram.verdict.verdict).toMatch(/^not beyond controls: .*4-gram \(R², belief KL\)$/);
    expect(kgram.r2).toBe(kgram.controls["4-gram"]!.r2);
    expect(rand.verdict.verdict).toMatch(/^not beyond controls: .*1-gram \(R², belief KL\), 2-gram/);
  });

  it("k-gram controls improve with k and stay below the exact beliefs on mess3", () => {
    const r2 = [1, 2, 3, 4].map((k) => report.kgram[`${k}-gram`].r2!);
    for (let k = 1; k < 4; k++) expect(r2[k]).toBeGreaterThan(r2[k - 1]);
    expect(r2[3]).toBeLessThan(0.99);
    expect(report.kgram["4-gram"].beliefKL).toBeGreaterThan(1e-3);
  });

  it("the shuffled-beliefs control scores what a probe of 8 features gets from noise (about -8/3000), even for perfect features", () => {
    for (const site of [clean, noise, rand]) expect(Math.abs(site.controls.shuffled!.r2! + 8 / 3000)).toBeLessThan(0.006);
  });

  it("splits by sequence, half and half by default", () => {
    expect(report.trainRows).toBe(3000);
    expect(report.testRows).toBe(3000);
    const split = splitBySequence(sequences, nPos, 0.5, 2);
    const testSeqs = new Set(Array.from(split.test, (r) => Math.floor(r / nPos)));
    for (const r of split.train) expect(testSeqs.has(Math.floor(r / nPos))).toBe(false);
  });

  it("gives plain JSON with every number the report needs, probe weights in the one probe-file layout, and a table led by the verdict", () => {
    const json = probeReportJson(report);
    const site = JSON.parse(JSON.stringify(json)).sites[0];
    for (const key of ["label", "hooks", "features", "verdict", "r2", "rmse", "beliefKL", "modelKL", "observedR2", "controls", "comparisons"]) expect(site).toHaveProperty(key);
    expect(site.verdict).toBe("beyond controls");
    expect(Object.keys(site.controls)).toEqual(["shuffled", "1-gram", "2-gram", "3-gram", "4-gram"]);
    for (const c of Object.values(site.controls) as { r2: number; beliefKL: number }[]) expect(typeof c.r2 === "number" && typeof c.beliefKL === "number").toBe(true);
    expect(json.modelKL).toBeNull(); // no logits given
    const bytes = encodeProbeFile(probeFileFromReport(report));
    const weights = decodeSafetensors(bytes).tensors;
    expect(weights["clean.weight"].shape).toEqual([8, 3]); // [d_features, n_states]
    expect(weights["clean.bias"].shape).toEqual([3]);
    expect(weights["4_gram_itself.weight"].shape).toEqual([26, 3]);
    expect(decodeProbeFile(bytes).sites.map((s) => s.label)).toEqual(report.sites.map((s) => s.label));
    // x @ weight + bias reproduces the prediction of the first test row.
    const first = splitBySequence(sequences, nPos, 0.5, 2).test[0];
    const x = features.clean.data.subarray(first * 8, first * 8 + 8);
    for (let c = 0; c < 3; c++) {
      let v = weights["clean.bias"].data[c];
      for (let i = 0; i < 8; i++) v += x[i] * weights["clean.weight"].data[i * 3 + c];
      expect(v).toBeCloseTo(report.testPredictions.clean.data[c], 10); // float64
      expect(v).toBeCloseTo(report.testBeliefs.data[c], 5); // exact features: prediction = belief
    }
    const table = probeTable(report);
    expect(table.split("\n")[0]).toMatch(/^site\s+verdict\s+memory\s+R\^2\s+belief KL/);
    expect(table).toMatch(/clean\s+beyond controls\s+> 4 tokens\s+1\.0000\s+0\.00000/);
    // The scores are labelled held out (the probes are fitted on the other half of the sequences).
    expect(table).toContain("every R^2 and belief KL here is held out");
  });

  it("rejects features with the wrong number of rows or non-finite values", () => {
    expect(() => probeFeatures({ features: { a: { rows: 5, cols: 1, data: new Float64Array(5) } }, beliefs, tokens: s.tokens, hmm, sequences, nPos }, [{ label: "a", hooks: [] }])).toThrow(
      `probeFeatures: argument 'features["a"]' received 5 rows; expected 6000 rows, one per belief.`,
    );
    const diverged = embedded(0, 1);
    diverged.data[8 * 7 + 2] = NaN;
    expect(() => probeFeatures({ features: { a: diverged }, beliefs, tokens: s.tokens, hmm, sequences, nPos }, [{ label: "a", hooks: [] }])).toThrow(
      `probeFeatures: argument 'features["a"][7][2]' received NaN; expected finite activations. The model produced non-finite activations (did training diverge?).`,
    );
  });
});

describe("probeBeliefs on a tiny transformer", () => {
  let report: ProbeReport;
  const models: { dispose(): void }[] = [];
  afterAll(() => models.forEach((m) => m.dispose()));

  it("probes every layer site with logits, untrained and k-gram controls on the same split", async () => {
    const config = { nLayers: 1, dModel: 16, nHeads: 2, dHead: 8, dMlp: 32, nCtx: 6, dVocab: 3 };
    const model = await HookedTransformer.create(config, 0);
    const untrained = await HookedTransformer.create(config, 0); // the same weights: a control it cannot beat
    models.push(model, untrained);
    report = await probeBeliefs(model, hmm, { sequences: 200, untrainedModel: untrained, resamples: 200 });
    expect(report.sites.map((site) => site.label)).toEqual(model.layerSites().map((site) => site.label));
    expect(report.testRows).toBe(100 * 6);
    // An untrained model predicts about uniformly: its KL to optimal is positive and finite.
    expect(report.modelKL).toBeGreaterThan(0.01);
    expect(report.modelKL).toBeLessThan(2);
    for (const site of report.sites) {
      expect(site.modelKL).toBe(report.modelKL);
      expect(site.controls.untrained!.r2).toBeCloseTo(site.r2!, 12);
      expect(site.verdict.verdict).toContain("untrained (R², belief KL)");
      expect(Object.keys(site.controls)).toEqual(["shuffled", "untrained", "1-gram", "2-gram", "3-gram", "4-gram"]);
    }
  });
});
