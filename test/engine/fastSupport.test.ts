/** What the fast engine accepts, and how it refuses the rest (which then trains on jax-js). */
import { describe, expect, it } from "vitest";
import { createFastTrainer, fastTrainerSupport } from "../../src/train/fast/index.js";
import { makeConfig, type TransformerConfig } from "../../src/model/transformer/config.js";
import { initialStateDict, parameterSpecs } from "../../src/model/transformer/params.js";
import { tensorNames } from "../../src/model/transformer/fast/layout.js";
import { makeOptimizerConfig } from "../../src/train/optimizer.js";
import { ArgumentError } from "../../src/util/errors.js";

const optimizer = makeOptimizerConfig({});

describe("fastTrainerSupport", () => {
  it("the engine's parameter names and shapes are the model's (parameterSpecs), in order", () => {
    for (const config of [makeConfig({}), makeConfig({}, "attn-only-1l"), makeConfig({ layerNorm: false, nLayers: 2 })]) {
      expect(tensorNames(config)).toEqual(parameterSpecs(config).map((s) => ({ name: s.name, shape: [...s.shape] })));
    }
  });

  it("accepts the presets and every activation", () => {
    for (const preset of ["shai-4l", "attn-only-1l", "small"] as const) expect(fastTrainerSupport(makeConfig({}, preset), optimizer)).toEqual({ ok: true });
    for (const activation of ["gelu", "gelu-tanh", "relu", "silu"] as const) expect(fastTrainerSupport(makeConfig({ activation }), optimizer).ok).toBe(true);
    expect(fastTrainerSupport(makeConfig({}), makeOptimizerConfig({ kind: "sgd", momentum: 0.9, gradClip: 1 })).ok).toBe(true);
  });

  it("rejects a config option it does not know, naming it", () => {
    const future = { ...makeConfig({}), attention: "linear" } as unknown as TransformerConfig;
    const r = fastTrainerSupport(future, optimizer);
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.reason).toContain("config.attention");
  });

  it("rejects a known option with an unknown value, and unknown optimizer fields", () => {
    const r = fastTrainerSupport({ ...makeConfig({}), activation: "gelu-fast" } as unknown as TransformerConfig, optimizer);
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.reason).toMatch(/config\.activation = "gelu-fast"/);
    const o = fastTrainerSupport(makeConfig({}), { ...optimizer, nesterov: true } as never);
    expect(o.ok).toBe(false);
    if (!o.ok) expect(o.reason).toContain("optimizer.nesterov");
  });

  it("createFastTrainer refuses unsupported configs, bad shapes and bad tokens with ArgumentError", async () => {
    const config = makeConfig({}, "small");
    const params = initialStateDict(config, 0);
    const future = { ...config, skip: false } as unknown as TransformerConfig;
    await expect(createFastTrainer({ config: future, optimizer, batchSize: 2, nPos: 4, params })).rejects.toThrow(ArgumentError);
    await expect(createFastTrainer({ config, optimizer, batchSize: 2, nPos: config.nCtx + 1, params })).rejects.toThrow(/nPos/);
    const { "unembed.b_U": _, ...missing } = params;
    await expect(createFastTrainer({ config, optimizer, batchSize: 2, nPos: 4, params: missing })).rejects.toThrow(/unembed\.b_U/);
    const t = await createFastTrainer({ config, optimizer, batchSize: 2, nPos: 4, params });
    expect(() => t.lossAndGrad(new Int32Array(9))).toThrow(/batch \* \(nPos \+ 1\) = 10/);
    expect(() => t.lossAndGrad(new Int32Array(10).fill(config.dVocab))).toThrow(/token id in \[0, 3\)/);
    expect(() => t.step(new Int32Array(10), { stepSize: 1e-3 })).toThrow(/scalars\.sqrtBias2/);
    t.dispose();
  });
});
