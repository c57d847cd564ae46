import { describe, expect, it } from "vitest";
import { probeFeatures, layerSites } from "../../src/probe/beliefProbe.js";
import { splitBySequence } from "../../src/probe/split.js";
import type { Rows } from "../../src/probe/linearRegression.js";
import { makeProcess } from "../../src/process/catalogue/index.js";
import { sampleSequences } from "../../src/process/sample.js";
import { filterBeliefs } from "../../src/process/beliefs.js";
import { Rng } from "../../src/util/rng.js";

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
  const sites = [{ label: "clean", hooks: [] }, { label: "noise", hooks: [] }, { label: "random", hooks: [] }];
  const random = (() => {
    const rng = new Rng(9);
    return { rows: beliefs.rows, cols: 8, data: Float64Array.from({ length: beliefs.rows * 8 }, () => rng.normal()) };
  })();
  const report = probeFeatures({ features: { clean: embedded(0, 1), noise: embedded(0.5, 2), random }, beliefs, sequences, nPos }, sites);

  it("finds a linear image of the beliefs exactly, and loses R^2 to noise", () => {
    const [clean, noise, rand] = report.sites;
    expect(clean.test.r2).toBeGreaterThan(1 - 1e-10);
    expect(clean.test.rmse).toBeLessThan(1e-6);
    expect(noise.test.r2).toBeGreaterThan(0.5);
    expect(noise.test.r2).toBeLessThan(0.99);
    expect(Math.abs(rand.test.r2)).toBeLessThan(0.02);
  });

  it("the shuffled-beliefs control scores what a probe of 8 features gets from noise (about -8/3000), even for perfect features", () => {
    for (const site of report.sites) expect(Math.abs(site.shuffled!.r2 + 8 / 3000)).toBeLessThan(0.006);
  });

  it("splits by sequence, half and half by default", () => {
    expect(report.trainRows).toBe(3000);
    expect(report.testRows).toBe(3000);
    const split = splitBySequence(sequences, nPos, 0.5, 2);
    const testSeqs = new Set(Array.from(split.test, (r) => Math.floor(r / nPos)));
    for (const r of split.train) expect(testSeqs.has(Math.floor(r / nPos))).toBe(false);
  });

  it("names the per-layer sites as TransformerLens hooks", () => {
    expect(layerSites(2)).toEqual([
      { label: "embed", hooks: ["blocks.0.hook_resid_pre"] },
      { label: "layer 0", hooks: ["blocks.0.hook_resid_post"] },
      { label: "layer 1", hooks: ["blocks.1.hook_resid_post"] },
      { label: "concat", hooks: ["blocks.0.hook_resid_post", "blocks.1.hook_resid_post"] },
    ]);
  });

  it("rejects features with the wrong number of rows", () => {
    expect(() => probeFeatures({ features: { a: { rows: 5, cols: 1, data: new Float64Array(5) } }, beliefs, sequences, nPos }, [{ label: "a", hooks: [] }])).toThrow(
      `probeFeatures: argument 'features["a"]' received 5 rows; expected 6000 rows, one per belief.`,
    );
  });
});
