/**
 * The fast forward pass (evaluation, probing) equals jax-js's forward.ts with
 * hooks: logits and every residual-stream hook within 1e-5 relative
 * (||a - b|| / ||b|| over the whole array), across chunk boundaries and nPos < nCtx.
 */
import { beforeAll, describe, expect, it } from "vitest";
import { numpy as np } from "@jax-js/jax";
import { createFastForward } from "../../src/train/fast/index.js";
import { toDevice } from "../../src/engine/hostTensor.js";
import { forward, type Params } from "../../src/model/transformer/forward.js";
import type { TransformerConfig } from "../../src/model/transformer/config.js";
import { initEngine, makeConfig, randomParams, randomTokens, relativeError } from "./reference.js";

beforeAll(async () => {
  await initEngine();
});

async function reference(c: TransformerConfig, params: Record<string, { shape: readonly number[]; data: Float32Array }>, tokens: Int32Array, batch: number, nPos: number, names: string[]) {
  const device: Params = Object.fromEntries(Object.entries(params).map(([k, t]) => [k, toDevice(t)]));
  const captured: Record<string, np.Array> = {};
  const logits = forward(c, device, np.array(tokens, { dtype: np.int32 }).reshape([batch, nPos]), (name, x) => {
    if (names.includes(name)) captured[name] = x.ref;
    return x;
  });
  const out: Record<string, Float32Array> = {};
  for (const [k, a] of Object.entries(captured)) out[k] = Float32Array.from((await a.data()) as Float32Array);
  return { logits: Float32Array.from((await logits.data()) as Float32Array), activations: out };
}

describe("fast forward pass", () => {
  for (const [label, overrides] of Object.entries({
    "anchor shape": { nLayers: 2 },
    "attention only, no LayerNorm": { nLayers: 2, dModel: 12, nHeads: 2, dHead: 5, nCtx: 9, dVocab: 4, attnOnly: true, layerNorm: false },
  })) {
    it(`${label}: logits and residual streams equal jax-js`, async () => {
      const config = makeConfig(overrides as Partial<TransformerConfig>);
      const params = randomParams(config, 21);
      const batch = 7, nPos = config.nCtx - 2;
      const tokens = randomTokens(4, batch, nPos - 1, config.dVocab).subarray(0, batch * nPos);
      const fast = await createFastForward({ config, params, chunkSeqs: 3 });
      const names = [...fast.hookNames];
      expect(names).toContain(`blocks.${config.nLayers - 1}.hook_resid_post`);
      const got = fast.run(tokens, batch, nPos, names);
      const want = await reference(config, params, tokens, batch, nPos, names);
      expect(relativeError(got.logits, want.logits)).toBeLessThan(1e-5);
      for (const name of names) expect(relativeError(got.activations[name], want.activations[name]), name).toBeLessThan(1e-5);
      expect(() => fast.run(tokens, batch, nPos, ["blocks.0.attn.hook_pattern"])).toThrow(/one of blocks\.0\.hook_resid_pre/);
      fast.dispose();
    });
  }
});
