import { mkdtemp, readFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { HookedTransformer } from "../../src/model/transformer/model.js";
import { writeActivationsFile } from "../../src/node/activationsFile.js";
import { makeProcess } from "../../src/process/catalogue/index.js";
import { filterBeliefs } from "../../src/process/beliefs.js";
import { createSampler, sampleSequences } from "../../src/process/sample.js";
import { encodeSafetensors, type NamedTensor } from "../../src/util/safetensors.js";

describe("the activations file, written a chunk at a time", () => {
  it("is byte for byte the file encodeSafetensors makes of the whole batch", async () => {
    const hmm = makeProcess("mess3");
    const model = await HookedTransformer.create({ nLayers: 1, dModel: 8, nHeads: 2, dHead: 4, dMlp: 16, nCtx: 6 }, 0);
    const hooks = ["hook_embed", "blocks.0.hook_resid_post", "blocks.0.attn.hook_pattern"];
    const n = 37;
    const sampler = createSampler(hmm, { length: 6, seed: 5 });
    const path = join(await mkdtemp(join(tmpdir(), "bs-acts-")), "a.safetensors");
    const metadata = { process: "mess3", hooks: hooks.join(",") };
    const progress: number[] = [];
    // ~10 sequences a chunk: 4 chunks, the last one short.
    const shapes = await writeActivationsFile(path, { model, hmm, hooks, source: { count: n, length: 6, draw: (c) => sampler.draw(c).tokens }, metadata, chunkBytes: 10 * 1200, onProgress: (d) => progress.push(d) });
    expect(progress.length).toBeGreaterThan(2);
    expect(progress.at(-1)).toBe(n);
    expect(shapes["blocks.0.attn.hook_pattern"]).toEqual([n, 2, 6, 6]);
    // The whole batch at once, as the command wrote it before.
    const s = sampleSequences(hmm, { count: n, length: 6, seed: 5 });
    const b = filterBeliefs(hmm, s.tokens, 6);
    const { logits, cache } = await model.runWithCache(s.tokens, 6, { names: hooks });
    const tensors: Record<string, NamedTensor> = {
      tokens: { dtype: "I32", shape: [n, 6], data: s.tokens },
      beliefs: { dtype: "F64", shape: [n, 6, 3], data: b.beliefs },
      optimal_loss: { dtype: "F64", shape: [n, 6], data: b.optimalLoss },
      logits: { dtype: "F32", shape: logits.shape, data: logits.data },
    };
    for (const h of hooks) tensors[h] = { dtype: "F32", shape: cache.get(h).shape, data: cache.get(h).data };
    expect(new Uint8Array(await readFile(path))).toEqual(encodeSafetensors(tensors, metadata));
    model.dispose();
  });
});
