/**
 * SequenceModel.runWithCache picks the transformer's fused host forward for the
 * residual-stream hooks ("auto") and jax-js otherwise; both agree within float32
 * rounding, and changing the weights reaches the host forward too.
 */
import { beforeAll, describe, expect, it } from "vitest";
import { createModel } from "../../src/model/registry.js";
import { initEngine, randomTokens, relativeError } from "./reference.js";

beforeAll(async () => {
  await initEngine();
});

describe("host forward behind the model interface", () => {
  it("equals jax-js on logits and residual streams, falls back to jax-js for other hooks, and follows loadStateDict", async () => {
    const model = await createModel("transformer", { config: { nLayers: 2, dModel: 16, nHeads: 2, dHead: 8, dMlp: 32, nCtx: 6, dVocab: 3 }, seed: 3 });
    const tokens = randomTokens(5, 11, 6, 3).subarray(0, 11 * 6);
    const names = ["blocks.0.hook_resid_post", "blocks.1.hook_resid_post"];
    const auto = await model.runWithCache(tokens, 6, { names });
    const jax = await model.runWithCache(tokens, 6, { names, engine: "jax" });
    expect(relativeError(auto.logits.data as Float32Array, jax.logits.data as Float32Array)).toBeLessThan(1e-5);
    expect(relativeError(auto.logits.data as Float32Array, jax.logits.data as Float32Array)).toBeGreaterThan(0); // two engines, two roundings
    for (const n of names) {
      expect(auto.cache.get(n).shape).toEqual([11, 6, 16]);
      expect(relativeError(auto.cache.get(n).data as Float32Array, jax.cache.get(n).data as Float32Array), n).toBeLessThan(1e-5);
    }
    // A hook the fused forward does not produce: jax-js answers, with the same logits.
    const pattern = await model.runWithCache(tokens, 6, { names: ["blocks.0.attn.hook_pattern"] });
    expect(pattern.cache.get("blocks.0.attn.hook_pattern").shape).toEqual([11, 2, 6, 6]);
    expect(Array.from(pattern.logits.data)).toEqual(Array.from(jax.logits.data));
    // New weights: the host forward must not keep the old ones.
    const other = await createModel("transformer", { config: model.config as unknown as Record<string, unknown>, seed: 4 });
    model.loadStateDict(await other.stateDict());
    const after = await model.forward(tokens, 6);
    const want = await other.forward(tokens, 6, { engine: "jax" });
    expect(relativeError(after.data as Float32Array, want.data as Float32Array)).toBeLessThan(1e-5);
    await expect(model.runWithCache(tokens, 6, { engine: "fast" as "jax" })).rejects.toThrow(/engine.*"auto" or "jax"/);
    model.dispose();
    other.dispose();
  });
});
