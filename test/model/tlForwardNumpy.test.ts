// docs/python.md's claim as a test: a numpy forward pass written from TransformerLens's conventions alone
// (test/fixtures/tl_forward.py: config.json's hookedTransformerConfig, model.safetensors by TransformerLens
// name) reproduces the logits and residual-stream hooks that `beliefscope activations` saves, to about 5e-7.
import { spawnSync } from "node:child_process";
import { mkdir, mkdtemp, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { modelToFiles } from "../../src/model/files.js";
import { createModel } from "../../src/model/registry.js";
import type { SequenceModel } from "../../src/model/sequenceModel.js";
import { makeProcess } from "../../src/process/catalogue/index.js";
import { sampleSequences } from "../../src/process/sample.js";
import { trainOnProcess } from "../../src/train/trainOnProcess.js";
import { encodeSafetensors, type NamedTensor } from "../../src/util/safetensors.js";

const fixtures = fileURLToPath(new URL("../fixtures", import.meta.url));
const hasNumpy = spawnSync("python3", ["-c", "import numpy"]).status === 0;

interface Forward {
  shape: number[];
  maxError: number;
  maxLogit: number;
  hooks: Record<string, number>;
}

/** A model folder and an activations file with its logits (as `beliefscope activations` writes them), then tl_forward.py on both. */
async function numpyForward(model: SequenceModel, name: string): Promise<Forward> {
  const dir = join(await mkdtemp(join(tmpdir(), "bs-tlforward-")), name);
  await mkdir(dir);
  const files = await modelToFiles(model);
  await writeFile(join(dir, "config.json"), files.config);
  await writeFile(join(dir, "model.safetensors"), files.weights);
  const L = model.nCtx;
  const tokens = sampleSequences(makeProcess("mess3"), { count: 20, length: L, seed: 1 }).tokens;
  const hooks = model.hookNames().filter((h) => /hook_embed$|hook_resid_(pre|mid|post)$/.test(h));
  const { logits, cache } = await model.runWithCache(tokens, L, { names: hooks });
  const tensors: Record<string, NamedTensor> = {
    tokens: { dtype: "I32", shape: [20, L], data: tokens }, // [batch, pos]
    logits: { dtype: "F32", shape: logits.shape, data: logits.data as Float32Array }, // [batch, pos, d_vocab]
  };
  for (const h of hooks) tensors[h] = { dtype: "F32", shape: cache.get(h).shape, data: cache.get(h).data as Float32Array }; // [batch, pos, d]
  await writeFile(join(dir, "activations.safetensors"), encodeSafetensors(tensors));
  const p = spawnSync("python3", [join(fixtures, "tl_forward.py"), dir, join(dir, "activations.safetensors")], { encoding: "utf8" });
  expect(p.status, p.stderr).toBe(0);
  return JSON.parse(p.stdout) as Forward;
}

describe.skipIf(!hasNumpy)("the forward pass from TransformerLens conventions in numpy", () => {
  it("reproduces a trained 1-layer model's logits and residual stream", async () => {
    const run = await trainOnProcess(makeProcess("mess3"), { preset: "1l", model: { dModel: 16, nHeads: 2, dHead: 8, dMlp: 32 }, training: { steps: 20, seed: 0, optimizer: { learningRate: 1e-2 } } });
    const f = await numpyForward(run.model, "trained-1l");
    run.model.dispose();
    expect(f.shape).toEqual([20, 10, 3]);
    expect(f.maxLogit).toBeGreaterThan(0.1);
    expect(f.maxError).toBeLessThan(5e-7);
    expect(Object.keys(f.hooks)).toEqual(["hook_embed", "blocks.0.hook_resid_pre", "blocks.0.hook_resid_mid", "blocks.0.hook_resid_post"]);
    for (const [h, e] of Object.entries(f.hooks)) expect(e, h).toBeLessThan(5e-7); // relative to max(1, the hook's largest value)
  }, 30_000);

  it("and an untrained 2-layer model without LayerNorm (tanh GELU), and an attention-only one", async () => {
    for (const [name, preset, config] of [
      ["no-ln-2l", "1l", { nLayers: 2, dModel: 16, nHeads: 2, dHead: 8, dMlp: 32, layerNorm: false, activation: "gelu-tanh" }],
      ["attn-only", "attn-only-1l", { dModel: 16, nHeads: 2, dHead: 8 }],
    ] as const) {
      const model = await createModel("transformer", { preset, config, seed: 3 });
      const f = await numpyForward(model, name);
      model.dispose();
      expect(f.maxError, name).toBeLessThan(5e-7 * Math.max(1, f.maxLogit));
      for (const [h, e] of Object.entries(f.hooks)) expect(e, `${name} ${h}`).toBeLessThan(5e-7);
    }
  });
});
