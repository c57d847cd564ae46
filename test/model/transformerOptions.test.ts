import { beforeAll, describe, expect, it } from "vitest";
import { initEngine } from "../../src/engine/jax.js";
import { createModel, getArchitecture } from "../../src/model/registry.js";
import { makeConfig, parameterCount, PRESETS, toHookedTransformerConfig, type PresetName } from "../../src/model/transformer/config.js";
import { hookNames } from "../../src/model/transformer/hooks.js";
import { parameterSpecs } from "../../src/model/transformer/params.js";
import { sizeOf } from "../../src/model/types.js";
import { checkAgainstTorch, readCases } from "./torchCase.js";

beforeAll(async () => {
  await initEngine();
});

// Linear and fixed attention, no skip connections, per-position token embeddings, all at once:
// test/fixtures/arch_transformer.py (PyTorch, float64, autograd).
for (const [name, tc] of Object.entries(readCases("arch-transformer.json"))) {
  describe(`transformer option vs PyTorch (${name})`, () => checkAgainstTorch("transformer", tc));
}

describe("transformer options", () => {
  it("leave a default config exactly as before (no new fields), and list what TransformerLens cannot represent", () => {
    const c = makeConfig();
    expect(Object.keys(c)).toEqual(["nLayers", "dModel", "nHeads", "dHead", "dMlp", "nCtx", "dVocab", "activation", "layerNorm", "attnOnly", "init"]);
    // Options given at their defaults are dropped, so saved configs compare equal.
    expect(makeConfig({ attention: "softmax", skip: true, linearNormalize: false, tokenEmbedding: "shared" })).toEqual(c);
    expect(toHookedTransformerConfig(c)).not.toHaveProperty("beliefscopeOnly");
    const odd = makeConfig({ attention: "linear", linearNormalize: true, skip: false, tokenEmbedding: "per-position" });
    expect(toHookedTransformerConfig(odd).beliefscopeOnly).toEqual(['attention="linear"', "linearNormalize=true", "skip=false", 'tokenEmbedding="per-position"']);
  });

  it("has ladder presets whose parameter counts match their parameter specs", () => {
    const expected: Record<PresetName, number> = {
      "shai-4l": 201_091,
      "2l": 101_123,
      "1l": 51_139,
      "attn-only-1l": 17_667,
      "no-skip": 51_139,
      "no-ln": 50_755,
      "linear-attn-1l": 17_667,
      "fixed-attn-1l": 9_747,
      small: 25_987,
    };
    expect(Object.keys(PRESETS).sort()).toEqual(Object.keys(expected).sort());
    for (const preset of Object.keys(PRESETS) as PresetName[]) {
      const c = makeConfig({}, preset);
      expect(parameterCount(c), preset).toBe(expected[preset]);
      expect(parameterSpecs(c).reduce((n, s) => n + sizeOf(s.shape), 0), preset).toBe(expected[preset]);
    }
    expect(makeConfig({}, "fixed-attn-1l")).toMatchObject({ nLayers: 1, attnOnly: true, layerNorm: false, attention: "fixed" });
    expect(makeConfig({}, "linear-attn-1l")).toMatchObject({ attention: "linear", linearNormalize: true });
  });

  it("names new parameters in TransformerLens's style and drops the hooks an option removes", async () => {
    const fields = { nLayers: 1, dModel: 8, nHeads: 2, dHead: 4, dMlp: 16, nCtx: 5, attention: "fixed", tokenEmbedding: "per-position" } as const;
    const c = makeConfig(fields);
    const specs = Object.fromEntries(parameterSpecs(c).map((s) => [s.name, s.shape]));
    expect(specs["embed.W_E_pos"]).toEqual([5, 3, 8]); // [n_ctx, d_vocab, d_model]
    expect(specs["blocks.0.attn.pattern"]).toEqual([2, 5, 5]); // [head_index, query_pos, key_pos]
    for (const gone of ["embed.W_E", "pos_embed.W_pos", "blocks.0.attn.W_Q", "blocks.0.attn.b_K"]) expect(specs).not.toHaveProperty(gone);
    const names = hookNames(c);
    for (const gone of ["hook_pos_embed", "blocks.0.attn.hook_q", "blocks.0.attn.hook_k", "blocks.0.attn.hook_attn_scores"]) expect(names).not.toContain(gone);
    const model = await createModel("transformer", { config: fields });
    const { cache } = await model.runWithCache(Int32Array.from({ length: 12 }, (_, i) => i % 3), 4, { names });
    expect(cache.get("blocks.0.attn.hook_pattern").shape).toEqual([3, 2, 4, 4]); // [batch, head_index, query_pos, key_pos]
    expect(cache.get("hook_embed").shape).toEqual([3, 4, 8]);
    // The initial fixed pattern is 1 / n_ctx on and below the diagonal, 0 above, for every input.
    const pat = cache.get("blocks.0.attn.hook_pattern").data;
    for (let i = 0; i < pat.length; i++) {
      const [q, k] = [Math.floor(i / 4) % 4, i % 4];
      expect(pat[i]).toBeCloseTo(k <= q ? 1 / 5 : 0, 6);
    }
    model.dispose();
  });

  it("rejects options that contradict each other, naming both", () => {
    expect(() => makeConfig({ attention: "fixed", linearNormalize: true })).toThrow(
      `makeConfig: argument 'config.linearNormalize' received true with config.attention "fixed"; expected config.attention "linear"`,
    );
    expect(() => makeConfig({ linearNormalize: true })).toThrow(`argument 'config.linearNormalize' received true with config.attention "softmax"`);
    expect(() => makeConfig({ nLayers: 0, skip: false, attnOnly: true })).toThrow("makeConfig: argument 'config.skip' received false with config.nLayers 0; expected config.nLayers >= 1");
    expect(() => makeConfig({ nLayers: 0, attention: "linear" })).toThrow(`argument 'config.attention' received "linear" with config.nLayers 0; expected config.nLayers >= 1`);
    expect(() => makeConfig({ attention: "sparse" as never })).toThrow(`argument 'config.attention' received "sparse"; expected one of "softmax", "linear", "fixed".`);
    expect(() => makeConfig({ skip: "no" as never })).toThrow(`argument 'config.skip' received "no"; expected true or false.`);
    expect(() => makeConfig({ tokenEmbedding: "positional" as never })).toThrow(`argument 'config.tokenEmbedding' received "positional"; expected one of "shared", "per-position".`);
    expect(() => getArchitecture("transformer").makeConfig({}, "3l")).toThrow(`argument 'preset' received "3l"; expected one of shai-4l, 2l, 1l, attn-only-1l, no-skip, no-ln, linear-attn-1l, fixed-attn-1l, small`);
  });
});
