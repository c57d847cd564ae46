/**
 * Hugging Face GPT-2 and GPT-Neo checkpoints into the transformer, against
 * test/fixtures/hf_tiny.py: tiny checkpoints written from plain PyTorch with
 * Hugging Face's names and layouts, and the logits of Hugging Face's forward
 * pass (GPT-2: Conv1D, fused qkv, scaled scores; GPT-Neo: Linear, no q/k/v
 * biases, unscaled scores, a local layer with window 3 on 12 positions).
 */
import { readFileSync } from "node:fs";
import { cp, mkdtemp, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { convertHfCheckpoint, halfToFloat, hfTransformerConfig } from "../../src/language/index.js";
import { fastModelSupport } from "../../src/model/transformer/fast/support.js";
import { makeConfig } from "../../src/model/transformer/config.js";
import { importHfCheckpoint, loadHfCheckpoint, loadLanguageModel } from "../../src/node/corpus/index.js";
import { modelFromFiles } from "../../src/model/files.js";

const FIXTURES = join(import.meta.dirname, "../fixtures");
const truth = JSON.parse(readFileSync(join(FIXTURES, "hf-tiny.json"), "utf8")) as Record<string, { tokens: number[][]; logits: number[][][] }>;

async function maxLogitError(name: string): Promise<{ error: number; scale: number }> {
  const { model } = await loadHfCheckpoint(join(FIXTURES, "hf-tiny", name));
  const t = truth[name];
  const nPos = t.tokens[0].length;
  const logits = await model.forward(Int32Array.from(t.tokens.flat()), nPos);
  const expected = t.logits.flat(2);
  let error = 0;
  let scale = 0;
  expected.forEach((v, k) => {
    error = Math.max(error, Math.abs(v - logits.data[k]));
    scale = Math.max(scale, Math.abs(v));
  });
  model.dispose();
  return { error, scale };
}

describe("Hugging Face checkpoints (TransformerLens's weight conversion)", () => {
  it("gives GPT-2's logits (fused c_attn, Conv1D layout, tied lm_head, mask buffers ignored)", async () => {
    const { error, scale } = await maxLogitError("gpt2");
    expect(scale).toBeGreaterThan(1);
    expect(error).toBeLessThan(2e-5 * Math.max(1, scale));
  });

  it("gives GPT-Neo's logits (no attention scaling, a local window, no q/k/v biases, own lm_head)", async () => {
    const { error, scale } = await maxLogitError("gpt-neo");
    expect(scale).toBeGreaterThan(1);
    expect(error).toBeLessThan(2e-5 * Math.max(1, scale));
  });

  it("reads float16 checkpoints", async () => {
    const { error } = await maxLogitError("gpt-neo-f16");
    expect(error).toBeLessThan(1e-4);
    expect(halfToFloat(0x3c00)).toBe(1);
    expect(halfToFloat(0xc000)).toBe(-2);
    expect(halfToFloat(0x0001)).toBe(2 ** -24);
  });

  it("maps the configs: GPT-Neo's options fall back to jax-js, defaults keep the fused engine", () => {
    const neo = JSON.parse(readFileSync(join(FIXTURES, "hf-tiny/gpt-neo/config.json"), "utf8"));
    const { config } = hfTransformerConfig(neo);
    expect(config).toMatchObject({ nLayers: 2, dModel: 16, nHeads: 4, dHead: 4, dMlp: 24, nCtx: 16, dVocab: 29, activation: "gelu-tanh", attentionScale: 1, attentionWindows: [0, 3] });
    const support = fastModelSupport(config);
    expect(support.ok).toBe(false);
    expect(support.ok ? "" : support.reason).toMatch(/attentionScale|attentionWindows/);
    const gpt2 = hfTransformerConfig(JSON.parse(readFileSync(join(FIXTURES, "hf-tiny/gpt2/config.json"), "utf8"))).config;
    expect(fastModelSupport(gpt2).ok).toBe(true);
    expect(fastModelSupport(makeConfig({ dVocab: 5 })).ok).toBe(true);
    // All-global windows are the default, written as such.
    expect(Object.keys(makeConfig({ nLayers: 2, attentionWindows: [0, 0] }))).not.toContain("attentionWindows");
    expect(() => makeConfig({ nLayers: 2, attentionWindows: [4] })).toThrow(/attentionWindows' received an array of length 1; expected null .* one integer >= 0 per layer \(2\)/);
  });

  it("trims positions to nCtx", async () => {
    const { model, conversion } = await loadHfCheckpoint(join(FIXTURES, "hf-tiny/gpt2"), { nCtx: 10 });
    expect(model.nCtx).toBe(10);
    expect(conversion.checkpointPositions).toBe(16);
    expect(conversion.tied).toBe(true);
    expect(conversion.unused).toEqual(["transformer.h.0.attn.bias", "transformer.h.1.attn.bias"]);
    model.dispose();
  });

  it("names unsupported models and broken folders", async () => {
    const dir = await mkdtemp(join(tmpdir(), "bs-hf-"));
    await writeFile(join(dir, "config.json"), JSON.stringify({ model_type: "llama", hidden_size: 8 }));
    await expect(loadHfCheckpoint(dir)).rejects.toThrow(/without model.safetensors/);
    await cp(join(FIXTURES, "hf-tiny/gpt2/model.safetensors"), join(dir, "model.safetensors"));
    await expect(loadHfCheckpoint(dir)).rejects.toThrow(/model_type' received "llama"; expected "gpt2" or "gpt_neo".*llama checkpoints are not supported/);
    const gpt2 = JSON.parse(readFileSync(join(FIXTURES, "hf-tiny/gpt2/config.json"), "utf8"));
    const bytes = new Uint8Array(readFileSync(join(FIXTURES, "hf-tiny/gpt2/model.safetensors")));
    expect(() => convertHfCheckpoint({ ...gpt2, n_embd: 24 }, bytes)).toThrow(/wte.weight"\]' received shape \[23, 12\]; expected \[23, 24\]/);
    expect(() => convertHfCheckpoint({ ...gpt2, layer_norm_epsilon: 1e-6 }, bytes)).toThrow(/layer_norm_epsilon/);
    expect(() => convertHfCheckpoint(gpt2, bytes.subarray(0, 100))).toThrow(/header length/);
  });

  it("imports a checkpoint once as a model folder that the model-folder readers load with the same logits", async () => {
    const dir = await mkdtemp(join(tmpdir(), "bs-import-"));
    for (const name of ["gpt2", "gpt-neo"]) {
      const out = join(dir, name);
      const r = await importHfCheckpoint(join(FIXTURES, "hf-tiny", name), out);
      r.model.dispose();
      expect(r.files).toEqual(["config.json", "model.safetensors"]);
      const configText = readFileSync(join(out, "config.json"), "utf8");
      const config = JSON.parse(configText);
      expect(config).toMatchObject({ format: "beliefscope/model", architecture: "transformer", source: { kind: "huggingface", modelType: name === "gpt2" ? "gpt2" : "gpt_neo" } });
      expect(config.hookedTransformerConfig.n_layers).toBe(2);
      // src/model/files.ts reads the folder as any model folder; its logits are Hugging Face's.
      const { model } = await modelFromFiles(configText, new Uint8Array(readFileSync(join(out, "model.safetensors"))), { config: "config.json", weights: "model.safetensors" });
      const t = truth[name];
      const logits = await model.forward(Int32Array.from(t.tokens.flat()), t.tokens[0].length);
      const expected = t.logits.flat(2);
      const scale = Math.max(...expected.map(Math.abs));
      expected.forEach((v, k) => expect(Math.abs(v - logits.data[k])).toBeLessThan(2e-5 * Math.max(1, scale)));
      model.dispose();
      const loaded = await loadLanguageModel(out);
      expect([loaded.kind, loaded.tokenizer]).toEqual(["model", null]);
      loaded.model.dispose();
    }
    await expect(importHfCheckpoint(join(FIXTURES, "hf-tiny/gpt2"), join(dir, "gpt2"))).rejects.toThrow(/already holds a config.json; expected a new or empty folder/);
    await expect(importHfCheckpoint(join(dir, "gpt2"), join(dir, "again"))).rejects.toThrow(/a config.json without a Hugging Face model_type/);
    await expect(loadLanguageModel(dir)).rejects.toThrow(/a folder with no model in it; expected a language run folder/);
  });
});
