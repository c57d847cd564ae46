/**
 * The fast engine's loss and gradients equal jax-js valueAndGrad of the reference
 * objective (src/train/objective.ts) on random models of several shapes.
 * Error measures: |loss_fast - loss_ref| / |loss_ref|, and per parameter tensor
 * ||g_fast - g_ref|| / ||g_ref|| (Euclidean over the tensor); both must be < 1e-5.
 * Exception: attn.b_K, whose exact gradient is zero (softmax is invariant to the
 * q.b_K added to every key's score), so both engines return float noise there; its
 * norm must be below 1e-7 of the whole gradient's norm in both.
 */
import { beforeAll, describe, expect, it } from "vitest";
import { createFastTrainer } from "../../src/train/fast/index.js";
import { makeOptimizerConfig } from "../../src/train/optimizer.js";
import type { TransformerConfig } from "../../src/model/transformer/config.js";
import { gradientChecks, initEngine, makeConfig, randomParams, randomTokens, referenceLossAndGrad } from "./reference.js";

beforeAll(async () => {
  await initEngine();
});

const SHAPES: Record<string, { config: Partial<TransformerConfig>; batch: number; nPos: number }> = {
  "anchor shape, exact gelu": { config: { nLayers: 2, dVocab: 3 }, batch: 4, nPos: 10 },
  "d_head != d_model / heads, gelu-tanh, odd sizes": { config: { nLayers: 2, dModel: 20, nHeads: 3, dHead: 5, dMlp: 36, nCtx: 7, dVocab: 5, activation: "gelu-tanh" }, batch: 3, nPos: 7 },
  "relu, nPos < nCtx": { config: { nLayers: 1, dModel: 24, nHeads: 2, dHead: 8, dMlp: 40, nCtx: 12, dVocab: 4, activation: "relu" }, batch: 5, nPos: 9 },
  "silu, no LayerNorm": { config: { nLayers: 2, dModel: 16, nHeads: 4, dHead: 4, dMlp: 64, nCtx: 6, dVocab: 3, activation: "silu", layerNorm: false }, batch: 4, nPos: 6 },
  "attention only, 1 layer, no LayerNorm": { config: { nLayers: 1, dModel: 12, nHeads: 2, dHead: 6, nCtx: 8, dVocab: 3, attnOnly: true, layerNorm: false }, batch: 3, nPos: 8 },
  "attention only with LayerNorm, gpt2 init, wide vocab": { config: { nLayers: 3, dModel: 32, nHeads: 1, dHead: 32, nCtx: 5, dVocab: 11, attnOnly: true, init: "gpt2" }, batch: 2, nPos: 5 },
};

describe("fast engine: loss and gradients equal jax-js", () => {
  for (const [label, s] of Object.entries(SHAPES)) {
    it(label, async () => {
      const config = makeConfig(s.config);
      const params = randomParams(config, 11);
      const tokens = randomTokens(5, s.batch, s.nPos, config.dVocab);
      const ref = await referenceLossAndGrad(config, params, tokens, s.batch, s.nPos);
      const fast = await createFastTrainer({ config, optimizer: makeOptimizerConfig({}), batchSize: s.batch, nPos: s.nPos, params });
      const got = await fast.lossAndGrad(tokens);
      fast.dispose();
      expect(Math.abs(got.loss - ref.loss) / ref.loss).toBeLessThan(1e-5);
      expect(Object.keys(got.grads).sort()).toEqual(Object.keys(ref.grads).sort());
      const { worst, zeroNoise } = gradientChecks(got.grads, ref.grads);
      expect(worst.error, `worst tensor ${worst.name}`).toBeLessThan(1e-5);
      expect(zeroNoise).toBeLessThan(1e-7);
    });
  }
});
