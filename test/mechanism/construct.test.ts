import { beforeAll, describe, expect, it } from "vitest";
import { initEngine } from "../../src/engine/jax.js";
import { analyzeLinearAttention, applyLinearOperator, constructLinearAttention } from "../../src/mechanism/index.js";
import { modelFromStateDict } from "../../src/model/index.js";
import { createHmm, makeProcess, sampleSequences } from "../../src/process/index.js";
import { evaluateLoss } from "../../src/train/evaluate.js";
import { ArgumentError } from "../../src/util/errors.js";

beforeAll(async () => {
  await initEngine();
});

describe("constructLinearAttention", () => {
  const hmm = makeProcess("mess3");
  const built = constructLinearAttention(hmm, 8, { nSequences: 800, seed: 1 });

  it("builds a 1-layer linear-attention attention-only transformer, one head per rank of the operator", () => {
    expect(built.architecture).toBe("transformer");
    expect(built.config).toMatchObject({ nLayers: 1, attnOnly: true, layerNorm: false, attention: "linear", nCtx: 8, dVocab: 3, dModel: 3 + 8 + 3 });
    expect(built.heads).toBeGreaterThan(0);
    expect(built.heads).toBeLessThanOrEqual(9); // V * S
    expect(built.config.nHeads).toBe(built.heads);
  });

  it("the transformer's forward pass computes the operator in its belief block, and its loss is the one promised", async () => {
    const model = await modelFromStateDict("transformer", built.config, built.stateDict);
    const tokens = sampleSequences(hmm, { count: 50, length: 8, seed: 9 }).tokens;
    const { cache } = await model.runWithCache(tokens, 8, { names: ["blocks.0.hook_resid_post"] });
    const resid = cache.get("blocks.0.hook_resid_post").data; // [batch, pos, d_model]
    const estimate = applyLinearOperator(built.operator, tokens, 8);
    const [b0] = built.layout.belief;
    let worst = 0;
    for (let r = 0; r < 50 * 8; r++) for (let i = 0; i < 3; i++) worst = Math.max(worst, Math.abs(resid[r * 14 + b0 + i] - estimate[r * 3 + i]));
    expect(worst).toBeLessThan(1e-5); // float32 forward vs float64 operator
    // The sampled held-out loss (as `evaluate`) agrees with the expected loss computed on the host.
    const e = await evaluateLoss(model, hmm, { sequences: 3000, seed: 1 });
    expect(Math.abs(e.relativeExcess - built.relativeExcess)).toBeLessThan(0.004);
    // Close to optimal on mess3, never below it in expectation.
    expect(built.relativeExcess).toBeGreaterThan(0);
    expect(built.relativeExcess).toBeLessThan(0.02);
    model.dispose();
  });

  it("its attention pattern is exactly fixed and its residual decomposes to float precision (known answers)", async () => {
    const model = await modelFromStateDict("transformer", built.config, built.stateDict);
    const a = await analyzeLinearAttention(model, hmm, { nSequences: 300, decompositionSequences: 100, operators: false });
    for (const h of a.heads) expect(h.fixedFraction).toBe(1);
    expect(a.fixedPattern.outputFixedFraction).toBeGreaterThan(1 - 1e-9);
    expect(a.decomposition.relativeError).toBeLessThan(1e-5);
    expect(a.model.r2).toBeGreaterThan(0.95);
    model.dispose();
  });

  it("the shared operator needs no more heads", () => {
    const shared = constructLinearAttention(hmm, 8, { operator: "shared", nSequences: 800, seed: 1 });
    expect(shared.heads).toBeLessThanOrEqual(built.heads);
    expect(shared.operator.embedding).toBe("shared");
  });

  it("says which process it cannot build and why", () => {
    const oneSymbol = createHmm([[[0.5, 0.5], [0.5, 0.5]]], { name: "silent" });
    expect(() => constructLinearAttention(oneSymbol, 6)).toThrow(ArgumentError);
    expect(() => constructLinearAttention(oneSymbol, 6)).toThrow(/argument 'hmm' received silent, which has 1 symbol; expected a process with at least 2 symbols/);
    expect(() => constructLinearAttention(hmm, 6, { maxHeads: 2, nSequences: 200 })).toThrow(/received mess3, whose best per-position linear operator has rank \d+ \(one head per rank; V \* S = 3 \* 3\); expected at most maxHeads = 2 heads/);
    expect(() => constructLinearAttention(hmm, 2000)).toThrow(/argument 'nCtx'/);
  });
});
