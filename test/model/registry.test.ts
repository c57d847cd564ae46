import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { architectureNames, createModel, getArchitecture, modelFromStateDict } from "../../src/model/registry.js";
import { modelFromFiles, modelToFiles } from "../../src/model/files.js";
import { VERSION } from "../../src/version.js";

const tiny = { nLayers: 1, dModel: 8, nHeads: 2, dHead: 4, dMlp: 16, nCtx: 5, dVocab: 3 };

describe("architecture registry", () => {
  it("names the registered architectures when asked for an unknown one", async () => {
    expect(architectureNames()).toContain("transformer");
    expect(() => getArchitecture("transfomer")).toThrow(/getArchitecture: argument 'arch' received "transfomer"; expected one of the registered architectures: transformer/);
    await expect(createModel("lstmm")).rejects.toThrow(/createModel: argument 'arch' received "lstmm"/);
  });

  it("creates the same weights for the same seed, and round-trips through model files", async () => {
    const a = await createModel("transformer", { config: tiny, seed: 7 });
    const b = await createModel("transformer", { config: tiny, seed: 7 });
    const sa = await a.stateDict();
    expect((await b.stateDict())["blocks.0.attn.W_Q"].data).toEqual(sa["blocks.0.attn.W_Q"].data);
    expect(a.parameterCount).toBe(Object.values(sa).reduce((n, t) => n + t.data.length, 0));
    const files = await modelToFiles(a, { step: 3 });
    const cfg = JSON.parse(files.config);
    expect(cfg).toMatchObject({ format: "beliefscope/model", version: 2, architecture: "transformer", step: 3 });
    expect(cfg.hookedTransformerConfig).toMatchObject({ n_layers: 1, d_model: 8, n_heads: 2, d_head: 4, d_vocab: 3, act_fn: "gelu", normalization_type: "LN" });
    const { model: c } = await modelFromFiles(files.config, files.weights, { config: "config.json", weights: "model.safetensors" });
    const tokens = Int32Array.from({ length: 10 }, (_, i) => i % 3);
    expect((await c.forward(tokens, 5)).data).toEqual((await a.forward(tokens, 5)).data);
    // Version 1 files (no "architecture") are transformers.
    const v1 = JSON.stringify({ format: "beliefscope/model", version: 1, model: cfg.model });
    const { model: d } = await modelFromFiles(v1, files.weights, { config: "v1.json", weights: "w" });
    expect(d.architecture).toBe("transformer");
    for (const m of [a, b, c, d]) m.dispose();
  });

  it("checks state dicts by name and shape", async () => {
    const a = await createModel("transformer", { config: tiny });
    const sd = await a.stateDict();
    const { ["unembed.b_U"]: _dropped, ...missing } = sd;
    await expect(modelFromStateDict("transformer", tiny, missing)).rejects.toThrow(`transformer: fromStateDict: argument 'stateDict["unembed.b_U"]' received nothing; expected a tensor of shape [3].`);
    expect(() => a.loadStateDict({ ...sd, "embed.W_E": { shape: [3, 9], data: new Float32Array(27) } })).toThrow(
      `transformer: loadStateDict: argument 'stateDict["embed.W_E"]' received shape [3, 9] with 27 values; expected shape [3, 8].`,
    );
    a.dispose();
  });

  it("says which file is wrong when config.json is not a model config", async () => {
    await expect(modelFromFiles("{", new Uint8Array(8), { config: "m/config.json", weights: "m/model.safetensors" })).rejects.toThrow(
      /loadModel: argument 'm\/config.json' received text that is not valid JSON/,
    );
    await expect(modelFromFiles(JSON.stringify({ format: "beliefscope/model", version: 2, architecture: "gpt9", model: {} }), new Uint8Array(8), { config: "c.json", weights: "w" })).rejects.toThrow(
      /loadModel: argument 'arch' received "gpt9"; expected one of the registered architectures/,
    );
  });
});

describe("package", () => {
  it("VERSION equals package.json's version", () => {
    expect(VERSION).toBe(JSON.parse(readFileSync(new URL("../../package.json", import.meta.url), "utf8")).version);
  });
});
