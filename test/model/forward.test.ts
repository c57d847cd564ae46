import { readFileSync } from "node:fs";
import { beforeAll, describe, expect, it } from "vitest";
import { tree } from "@jax-js/jax";
import { HookedTransformer } from "../../src/model/transformer/model.js";
import { makeConfig, parameterCount, type TransformerConfig } from "../../src/model/transformer/config.js";
import { hookNames } from "../../src/model/transformer/hooks.js";
import { batchArrays, lossAndGrad } from "../../src/train/objective.js";
import { initEngine } from "../../src/engine/jax.js";
import type { StateDict } from "../../src/model/types.js";
import { engineAccess } from "../../src/model/sequenceModel.js";

/** A transformer written directly in PyTorch (float64, autograd): test/fixtures/torch_forward.py. */
interface TorchCase {
  config: TransformerConfig;
  params: Record<string, { shape: number[]; data: number[] }>;
  /** [batch, nCtx + 1]: the model reads the first nCtx tokens of each. */
  tokens: number[][];
  logits: number[];
  acts: Record<string, number[]>;
  loss: number;
  grads: Record<string, number[]>;
}
const torchCases: Record<string, TorchCase> = JSON.parse(readFileSync(new URL("../fixtures/torch-forward.json", import.meta.url), "utf8"));

function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  expect(a.length).toBe(b.length);
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i] - b[i]));
  return m;
}

beforeAll(async () => {
  await initEngine();
});

for (const [name, tc] of Object.entries(torchCases)) {
  describe(`forward pass vs PyTorch (${name})`, () => {
    const config = makeConfig(tc.config);
    const sd: StateDict = Object.fromEntries(Object.entries(tc.params).map(([k, v]) => [k, { shape: v.shape, data: Float32Array.from(v.data) }]));
    const sequences = Int32Array.from(tc.tokens.flat());
    const nPos = tc.tokens[0].length - 1;
    const tokens = Int32Array.from(tc.tokens.flatMap((row) => row.slice(0, nPos)));

    it("gives the same logits and activations (float32 vs float64: 2e-5)", async () => {
      const model = await HookedTransformer.fromStateDict(config, sd);
      const names = Object.keys(tc.acts) as never[];
      const { logits, cache } = await model.runWithCache(tokens, nPos, { names });
      expect(logits.shape).toEqual([tc.tokens.length, nPos, config.dVocab]);
      expect(maxAbsDiff(logits.data, tc.logits)).toBeLessThan(2e-5);
      for (const hook of names) expect(maxAbsDiff(cache.get(hook).data, tc.acts[hook]), hook).toBeLessThan(2e-5);
      model.dispose();
    });

    it("gives the same loss and gradients as autograd", async () => {
      const model = await HookedTransformer.fromStateDict(config, sd);
      const arrays = batchArrays({ batch: tc.tokens.length, nPos, tokens: sequences });
      const [loss, grads] = lossAndGrad(model)(engineAccess(model).params(model), arrays.tokens, arrays.targets, arrays.weights);
      expect(Math.abs(loss.item() - tc.loss)).toBeLessThan(1e-5);
      for (const [p, g] of Object.entries(grads)) {
        const expected = tc.grads[p];
        const scale = Math.max(1e-3, ...expected.map(Math.abs));
        expect(maxAbsDiff(g.ref.dataSync() as Float32Array, expected) / scale, p).toBeLessThan(1e-4);
      }
      tree.dispose(grads);
      model.dispose();
    });
  });
}

describe("HookedTransformer", () => {
  it("counts parameters like torch_ref.py (201,091 for the anchor model)", () => {
    expect(parameterCount(makeConfig())).toBe(201_091);
  });

  it("exposes TransformerLens hook names and their shapes", async () => {
    const c = makeConfig({}, "small");
    const model = await HookedTransformer.create(c, 1);
    const all = hookNames(c);
    expect(all).toContain("blocks.1.hook_resid_post");
    expect(all).toContain("blocks.0.attn.hook_pattern");
    expect(all).toContain("ln_final.hook_normalized");
    const { cache } = await model.runWithCache(new Int32Array(4 * 5).fill(1), 5, { names: all });
    expect(cache.get("hook_embed").shape).toEqual([4, 5, 32]);
    expect(cache.get("hook_pos_embed").shape).toEqual([4, 5, 32]);
    expect(cache.get("blocks.0.attn.hook_q").shape).toEqual([4, 5, 2, 16]);
    expect(cache.get("blocks.0.attn.hook_pattern").shape).toEqual([4, 2, 5, 5]);
    expect(cache.get("blocks.1.mlp.hook_post").shape).toEqual([4, 5, 128]);
    expect(cache.get("ln_final.hook_scale").shape).toEqual([4, 5, 1]);
    // Attention patterns are causal and rows sum to 1.
    const pat = cache.get("blocks.1.attn.hook_pattern").data;
    for (let row = 0; row < 4 * 2 * 5; row++) {
      const q = row % 5;
      let s = 0;
      for (let k = 0; k < 5; k++) {
        s += pat[row * 5 + k];
        if (k > q) expect(pat[row * 5 + k]).toBe(0);
      }
      expect(s).toBeCloseTo(1, 6);
    }
    // The residual stream decomposes: resid_post = resid_mid + mlp_out.
    const { cache: c2 } = await model.runWithCache(Int32Array.from({ length: 10 }, (_, i) => i % 3), 5, {
      names: ["blocks.0.hook_resid_mid", "blocks.0.hook_mlp_out", "blocks.0.hook_resid_post"],
    });
    const mid = c2.get("blocks.0.hook_resid_mid").data;
    const mlp = c2.get("blocks.0.hook_mlp_out").data;
    const post = c2.get("blocks.0.hook_resid_post").data;
    for (let i = 0; i < post.length; i++) expect(post[i]).toBeCloseTo(mid[i] + mlp[i], 5);
    model.dispose();
  });

  it("is deterministic in its seed", async () => {
    const a = await (await HookedTransformer.create({}, 3)).stateDict();
    const b = await (await HookedTransformer.create({}, 3)).stateDict();
    const c = await (await HookedTransformer.create({}, 4)).stateDict();
    expect(a["blocks.2.attn.W_Q"].data).toEqual(b["blocks.2.attn.W_Q"].data);
    expect(a["blocks.2.attn.W_Q"].data).not.toEqual(c["blocks.2.attn.W_Q"].data);
  });

  it("rejects bad tokens, lengths and hook names with the valid choices", async () => {
    const model = await HookedTransformer.create({}, 0, );
    await expect(model.runWithCache(Int32Array.of(0, 1, 3), 3)).rejects.toThrow(
      "transformer: runWithCache: argument 'tokens[2]' received 3; expected a token id in [0, 3).",
    );
    await expect(model.runWithCache(new Int32Array(11), 11)).rejects.toThrow("argument 'nPos' received 11; expected an integer in [1, 10].");
    await expect(model.runWithCache(new Int32Array(10), 10, { names: ["blocks.4.hook_resid_post"] })).rejects.toThrow(
      /argument 'names' received "blocks.4.hook_resid_post"; expected a hook of this model: hook_embed, hook_pos_embed, blocks.0.hook_resid_pre/,
    );
    model.dispose();
  });

  it("rejects unknown config keys and bad values", () => {
    // Options added later (e.g. GPT-2 / GPT-Neo ones) come after these in the list.
    expect(() => makeConfig({ nLayer: 2 } as never)).toThrow(/^makeConfig: argument 'config.nLayer' received an unknown option; expected one of nLayers, dModel, nHeads, dHead, dMlp, nCtx, dVocab, activation, layerNorm, attnOnly, init, attention, linearNormalize, skip, tokenEmbedding\b.*\. Check the spelling of the option name\.$/);
    expect(() => makeConfig({ activation: "swish" as never })).toThrow(`argument 'config.activation' received "swish"; expected one of "gelu", "gelu-tanh", "relu", "silu".`);
    expect(() => makeConfig({ dModel: 0 })).toThrow("argument 'config.dModel' received 0; expected an integer in [1, 65536].");
  });
});
