import { beforeAll, describe, expect, it } from "vitest";
import { initEngine } from "../../src/engine/jax.js";
import { makeProcess } from "../../src/process/index.js";
import { trainOnProcess } from "../../src/train/trainOnProcess.js";

beforeAll(async () => {
  await initEngine();
});

const tinyTransformer = { nLayers: 1, dModel: 8, nHeads: 2, dHead: 4, dMlp: 16 };
// Every architecture, and every transformer option, through the jitted training step (which
// eager gradient tests do not reach: jax-js compiles it differently) and the default probe sites.
const cases: [string, Record<string, unknown>][] = [
  ["transformer", { ...tinyTransformer, attention: "linear", linearNormalize: true }],
  ["transformer", { ...tinyTransformer, attention: "fixed", attnOnly: true, layerNorm: false }],
  ["transformer", { ...tinyTransformer, skip: false }],
  ["transformer", { ...tinyTransformer, attention: "fixed", attnOnly: true, layerNorm: false, skip: false, tokenEmbedding: "per-position" }],
  ["rnn", { nLayers: 2, dHidden: 8, dEmbed: 4 }],
  ["gru", { nLayers: 2, dHidden: 8, dEmbed: 4 }],
  ["lstm", { nLayers: 2, dHidden: 8, dEmbed: 4 }],
  ["linear-rnn", { nLayers: 2, dModel: 8, dState: 4, diagonal: "real" }],
  ["linear-rnn", { nLayers: 1, dModel: 8, dState: 4, diagonal: "complex" }],
  ["selective-ssm", { nLayers: 2, dModel: 8, dInner: 8, dState: 4, dtRank: 2 }],
];

describe("every architecture trains with the generic trainer", () => {
  const mess3 = makeProcess("mess3", { x: 0.05, alpha: 0.85 });
  for (const [arch, model] of cases) {
    it(`${arch} ${JSON.stringify(model)}`, async () => {
      const run = await trainOnProcess(mess3, { arch, model: { ...model, nCtx: 6 }, training: { steps: 4, batchSize: 8 }, engine: "jax" });
      expect(run.metrics).toHaveLength(4);
      for (const m of run.metrics) expect(Number.isFinite(m.loss)).toBe(true);
      // A uniform predictor scores ln 3 = 1.0986; a few steps of a fresh model stay near it.
      expect(run.metrics[3].loss).toBeGreaterThan(0.8);
      expect(run.metrics[3].loss).toBeLessThan(2.5);
      const sites = run.model.layerSites();
      const names = [...new Set(sites.flatMap((s) => s.hooks))];
      const { cache } = await run.model.runWithCache(new Int32Array(2 * 6).fill(1), 6, { names });
      for (const n of names) expect(cache.get(n).shape.slice(0, 2)).toEqual([2, 6]);
      run.model.dispose();
    });
  }
});
