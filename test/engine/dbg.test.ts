import { it } from "vitest";
import { createFastTrainer } from "../../src/engine/fast/index.js";
import { makeOptimizerConfig } from "../../src/train/optimizer.js";
import { initEngine, makeConfig, randomParams, randomTokens, referenceLossAndGrad, relativeError } from "./reference.js";
it("dbg", async () => {
  await initEngine();
  for (const cfg of [{ nLayers: 2, dVocab: 3 }, { nLayers: 2, dModel: 20, nHeads: 3, dHead: 5, dMlp: 36, nCtx: 7, dVocab: 5, activation: "gelu-tanh" }, {nLayers: 1, dModel: 12, nHeads: 2, dHead: 6, nCtx: 8, dVocab: 3, attnOnly: true, layerNorm: false}] as any[]) {
  const config = makeConfig(cfg);
  const params = randomParams(config, 11);
  const nPos = config.nCtx, batch = 4;
  const tokens = randomTokens(5, batch, nPos, config.dVocab);
  const ref = await referenceLossAndGrad(config, params, tokens, batch, nPos);
  const fast = await createFastTrainer({ config, optimizer: makeOptimizerConfig({}), batchSize: batch, nPos, params });
  const got = await fast.lossAndGrad(tokens);
  console.log("loss", got.loss, ref.loss);
  for (const k of Object.keys(ref.grads)) {
    const n = Math.sqrt(ref.grads[k].data.reduce((a, b) => a + b * b, 0));
    console.log(k.padEnd(24), relativeError(got.grads[k].data, ref.grads[k].data).toExponential(2), "norm", n.toExponential(2));
  }
  }
});
