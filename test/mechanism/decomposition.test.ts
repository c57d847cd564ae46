import { beforeAll, describe, expect, it } from "vitest";
import { initEngine } from "../../src/engine/jax.js";
import { analyzeLinearAttention, decomposeResidual, decompositionInBeliefs, partialSums } from "../../src/mechanism/index.js";
import { createModel, modelFromStateDict, type SequenceModel } from "../../src/model/index.js";
import { makeProcess, sampleSequences } from "../../src/process/index.js";
import { ArgumentError } from "../../src/util/errors.js";

beforeAll(async () => {
  await initEngine();
});

const tiny = { nLayers: 1, attnOnly: true, layerNorm: false, dModel: 12, nHeads: 2, dHead: 5, nCtx: 6, dVocab: 3 };
const tokens = sampleSequences(makeProcess("mess3"), { count: 40, length: 6, seed: 4 }).tokens;

async function tinyModel(config: Record<string, unknown>, seed = 1): Promise<SequenceModel> {
  return createModel("transformer", { config: { ...tiny, ...config }, seed });
}

describe("decomposeResidual (the model's own forward pass is the independent reference)", () => {
  // float32 forward vs float64 sum of the terms: agreement to float precision.
  const cases: [string, Record<string, unknown>][] = [
    ["softmax attention", {}],
    ["linear attention, normalised", { attention: "linear", linearNormalize: true }],
    ["fixed pattern", { attention: "fixed" }],
    ["no skip connections", { attention: "linear", skip: false }],
    ["per-position token embedding", { attention: "linear", tokenEmbedding: "per-position" }],
  ];
  for (const [label, config] of cases) {
    it(`${label}: the terms add up to hook_resid_post (from the weights)`, async () => {
      const model = await tinyModel(config);
      const d = await decomposeResidual(model, tokens, 6);
      expect(d.source).toBe("weights");
      expect(d.relativeError).toBeLessThan(1e-5);
      expect(d.maxAbsError).toBeLessThan(1e-4);
      // contributions = pattern * values, term by term.
      const q = ((3 * d.nHeads + 1) * d.nPos + 2) * d.dModel + 4;
      expect(d.contributions[q]).toBeCloseTo(d.pattern[(3 * d.nHeads + 1) * d.nPos + 2] * d.values[q], 12);
      model.dispose();
    });
  }

  it("with LayerNorm the value inputs come from ln1 (source 'activations') and still reconstruct", async () => {
    const model = await tinyModel({ layerNorm: true, attention: "linear" });
    const d = await decomposeResidual(model, tokens, 6);
    expect(d.source).toBe("activations");
    expect(d.relativeError).toBeLessThan(1e-5);
    model.dispose();
  });

  it("a wrong reconstruction is caught: perturbing one weight after the forward pass breaks it", async () => {
    // The check is not vacuous: the decomposition built from different weights than the forward's fails.
    const model = await tinyModel({ attention: "linear" });
    const sd = await model.stateDict();
    const WO = sd["blocks.0.attn.W_O"];
    const bumped = { ...sd, "blocks.0.attn.W_O": { shape: WO.shape, data: WO.data.map((v, i) => (i === 3 ? v + 0.5 : v)) } };
    const other = await modelFromStateDict("transformer", model.config as unknown as Record<string, unknown>, bumped);
    const good = await decomposeResidual(other, tokens, 6);
    expect(good.relativeError).toBeLessThan(1e-5);
    // Mixed: the residual of one model against the terms of the other.
    const d1 = await decomposeResidual(model, tokens, 6);
    let worst = 0;
    for (let k = 0; k < d1.residual.length; k++) worst = Math.max(worst, Math.abs(d1.residual[k] - good.reconstruction[k]));
    expect(worst).toBeGreaterThan(1e-3);
    model.dispose();
    other.dispose();
  });

  it("in belief coordinates the steps add up to the probe's estimate, and all k of the partial sums is the estimate", async () => {
    const model = await tinyModel({ attention: "linear" });
    const d = await decomposeResidual(model, tokens, 6);
    const W = Float64Array.from({ length: 12 * 3 }, (_, k) => Math.sin(k));
    const b = Float64Array.from([0.1, 0.2, 0.3]);
    const inBeliefs = decompositionInBeliefs(d, W, b);
    // The estimate equals b + resid W on the model's own residual.
    for (let n = 0; n < 3; n++) {
      for (let i = 0; i < 3; i++) {
        let v = b[i];
        for (let k = 0; k < 12; k++) v += d.residual[n * 12 + k] * W[k * 3 + i];
        expect(inBeliefs.estimate[n * 3 + i]).toBeCloseTo(v, 4);
      }
    }
    const all = partialSums(inBeliefs, 6);
    for (let q = 0; q < all.length; q++) expect(all[q]).toBeCloseTo(inBeliefs.estimate[q], 10);
    model.dispose();
  });

  it("refuses models whose residual is not a sum over one attention layer", async () => {
    const twoLayers = await createModel("transformer", { config: { ...tiny, nLayers: 2 } });
    await expect(decomposeResidual(twoLayers, tokens, 6)).rejects.toThrow(ArgumentError);
    await expect(decomposeResidual(twoLayers, tokens, 6)).rejects.toThrow(/received a 2-layer transformer; expected a 1-layer attention-only transformer/);
    twoLayers.dispose();
    const mlp = await createModel("transformer", { config: { ...tiny, attnOnly: false, dMlp: 8 } });
    await expect(decomposeResidual(mlp, tokens, 6)).rejects.toThrow(/with MLPs/);
    mlp.dispose();
    const gru = await createModel("gru", { config: { nCtx: 6, dVocab: 3 } });
    await expect(decomposeResidual(gru, tokens, 6)).rejects.toThrow(/received a "gru" model/);
    gru.dispose();
  });
});

describe("analyzeLinearAttention", () => {
  it("a fixed-pattern model gives fraction exactly 1 for every head, and fixing it changes no loss", async () => {
    const model = await tinyModel({ attention: "fixed" }, 3);
    const a = await analyzeLinearAttention(model, makeProcess("mess3"), { nSequences: 100, operators: false, decompositionSequences: 50 });
    for (const h of a.heads) expect(h.fixedFraction).toBe(1);
    for (const h of a.fixedPattern.heads) expect(h.outputFixedFraction).toBeGreaterThan(1 - 1e-9);
    expect(a.fixedPattern.lossFixedPattern).toBeCloseTo(a.fixedPattern.loss, 5);
    expect(a.decomposition.relativeError).toBeLessThan(1e-5);
    expect(a.operators).toBeUndefined();
    model.dispose();
  });

  it("an input-dependent softmax pattern explains less than all its variance, and the ablated loss differs", async () => {
    const model = await tinyModel({}, 5);
    const a = await analyzeLinearAttention(model, makeProcess("mess3"), { nSequences: 100, operators: false, decompositionSequences: 50 });
    for (const h of a.heads) {
      expect(h.fixedFraction).toBeGreaterThan(0);
      expect(h.fixedFraction).toBeLessThan(1);
    }
    expect(a.fixedPattern.lossFixedPattern).not.toBeCloseTo(a.fixedPattern.loss, 8);
    model.dispose();
  });

  it("refuses a process with another alphabet", async () => {
    const model = await tinyModel({});
    await expect(analyzeLinearAttention(model, makeProcess("rrxor"))).rejects.toThrow(/argument 'hmm' received rrxor with 2 symbols; expected a process with the model's d_vocab = 3 symbols/);
    model.dispose();
  });
});
