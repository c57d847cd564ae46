/**
 * `beliefscope lm ...` in-process: a language run in its folder (tokenizer,
 * tokens, metrics with validation, checkpoints, model), resume, the analysis
 * with every figure, a Hugging Face checkpoint folder analysed on a corpus,
 * token files on disk, and bad input as one-line errors.
 */
import { existsSync, readFileSync, statSync } from "node:fs";
import { mkdtemp, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parquetWriteFile } from "hyparquet-writer";
import { beforeAll, describe, expect, it } from "vitest";
import { lmCommand } from "../../src/cli/lmCommand.js";
import { tokenizerCommand } from "../../src/cli/tokenizerCommand.js";
import { TokenStreamBuilder } from "../../src/language/index.js";
import { createTokenFolder, openTokenFolder } from "../../src/node/corpus/tokenFiles.js";
import { loadHfCheckpoint } from "../../src/node/corpus/hfCheckpoint.js";
import { decodeSafetensors } from "../../src/util/safetensors.js";
import { runInProcess, type InProcessRun } from "../cli/inProcess.js";

type Run = InProcessRun;
const runCli = (args: string[]): Promise<Run> => runInProcess([lmCommand(), tokenizerCommand()], args);

const FIGURES = [
  "zipf",
  "embedding-similarity",
  "embedding-blocks",
  "ov-circuits",
  "ov-spectra",
  "attention-patterns",
  "head-fixedness",
  "residual-pca-variance",
  "residual-pca",
  "residual-pca-3d",
  "hmm-loss",
  "probes-hmm",
  "probes-grammar",
  "probes-grammar-factors",
  "loss-curve",
];
const TINY = ["--layers", "1", "--d-model", "16", "--heads", "2", "--d-head", "8", "--d-mlp", "32", "--n-ctx", "16", "--batch-size", "8", "--warmup", "5", "--lr", "0.01"];

let dir: string;
let run: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "bs-lm-"));
  run = join(dir, "run");
  const r = await runCli(["lm", "train", "grammar:stories=300", "--vocab", "300", "-o", run, "--steps", "40", "--val-every", "20", "--val-windows", "16", "--checkpoint-every", "20", ...TINY]);
  if (r.code !== 0) throw new Error(r.stderr);
}, 60_000);

describe("beliefscope lm train", () => {
  it("writes a language run: settings, tokenizer, tokens, metrics with validation, checkpoints and the model", () => {
    const settings = JSON.parse(readFileSync(join(run, "run.json"), "utf8"));
    expect(settings.data).toMatchObject({ kind: "corpus", corpus: ["grammar:stories=300"], bos: 0, windows: "random", validationFraction: 0.05 });
    expect(settings.process).toBeUndefined();
    expect(settings.model).toMatchObject({ nLayers: 1, dModel: 16, nCtx: 16, dVocab: 300 });
    expect(existsSync(join(run, "tokenizer", "tokenizer.json"))).toBe(true);
    expect(existsSync(join(run, "tokenizer", "tokenizer_config.json"))).toBe(true);
    const tokens = JSON.parse(readFileSync(join(run, "tokens", "tokens.json"), "utf8"));
    expect(tokens.parts.train.tokens).toBe(settings.data.trainTokens);
    expect(tokens.parts.train.documents + tokens.parts.validation.documents).toBe(300);
    const metrics = readFileSync(join(run, "metrics.jsonl"), "utf8").trim().split("\n").map((l) => JSON.parse(l));
    expect(metrics.length).toBe(40);
    expect(metrics.filter((m) => m.validation).map((m) => m.step)).toEqual([20, 40]);
    expect(metrics[39].validation.perplexity).toBeCloseTo(Math.exp(metrics[39].validation.loss), 9);
    expect(existsSync(join(run, "model", "model.safetensors"))).toBe(true);
    expect(existsSync(join(run, "checkpoints"))).toBe(true);
  });

  it("resumes with more steps from the run folder alone, and refuses to start over it", async () => {
    const before = statSync(join(run, "tokens", "tokens.json")).mtimeMs;
    const again = await runCli(["lm", "train", "grammar:stories=300", "-o", run, "--steps", "10"]);
    expect(again.code).toBe(1);
    expect(again.stderr).toContain("which already holds a run; expected a new or empty run folder. Add --resume");
    expect(statSync(join(run, "tokens", "tokens.json")).mtimeMs).toBe(before);
    const r = await runCli(["lm", "train", "--resume", "-o", run, "--steps", "50"]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/trained 50 steps \(resumed at 40\)/);
    expect(r.stdout).toMatch(/validation loss \d\.\d{4} nats\/token, perplexity/);
  }, 60_000);
});

describe("beliefscope lm analyze", () => {
  it("writes every figure (SVG and PNG), analysis.json and report.md, with probe verdicts beside their controls", async () => {
    const out = join(dir, "analysis");
    const r = await runCli(["lm", "analyze", run, "-o", out, "--hmm-states", "2,3", "--probe-windows", "24", "--resamples", "50"]);
    expect(r.code, r.stderr).toBe(0);
    for (const f of FIGURES) {
      expect(existsSync(join(out, `${f}.svg`)), f).toBe(true);
      expect(existsSync(join(out, `${f}.png`)), f).toBe(true);
    }
    const a = JSON.parse(readFileSync(join(out, "analysis.json"), "utf8"));
    expect(a.hmm.fits.map((f: { states: number }) => f.states)).toEqual([2, 3]);
    expect(a.hmm.transformerLoss).toBeCloseTo(a.validation.loss, 9);
    expect(a.embedding.blockMeans.length).toBe(8);
    expect(a.heads.fixednessRanked.length).toBe(2);
    for (const probes of [a.probesHmm, a.probesGrammar]) {
      for (const site of probes.sites) {
        expect(Object.keys(site.controls)).toEqual(expect.arrayContaining(["shuffled", "untrained", "1-gram", "4-gram"]));
        expect(typeof site.verdict).toBe("string");
      }
    }
    expect(a.probesGrammar.nStates).toBe(160);
    expect(a.probesGrammar.decoding.bayes.slot).toBeGreaterThan(0.9);
    // Each factor of the hidden state: its marginal probed with the same controls and a verdict per site.
    expect(Object.keys(a.probesGrammarFactors)).toEqual(["slot", "phase", "character", "mood"]);
    for (const [factor, values] of [["slot", 20], ["phase", 3], ["character", 4], ["mood", 2]] as const) {
      const p = a.probesGrammarFactors[factor];
      expect([p.values.length, p.nStates]).toEqual([values, values]);
      expect(p.site).toBe("layer 0"); // the deepest site of this 1-layer model (concat when there are several layers)
      for (const site of p.sites) expect(Object.keys(site.controls)).toEqual(expect.arrayContaining(["shuffled", "untrained", "1-gram", "4-gram"]));
    }
    expect(a.memoryBounds).toMatchObject({ activationBytes: 256 * 2 ** 20, forwardBytes: 64 * 2 ** 20 });
    expect(r.stdout).toContain("probes to each factor of the grammar's hidden state");
    expect(r.stdout).toContain("probes to the grammar's exact beliefs (its true hidden state)");
    expect(readFileSync(join(out, "report.md"), "utf8")).toContain("## Probes to the grammar's exact beliefs");
  }, 120_000);

  it("analyses a Hugging Face GPT-Neo checkpoint folder on a corpus with a given tokenizer", async () => {
    const out = join(dir, "neo");
    const ckpt = join(import.meta.dirname, "../fixtures/hf-tiny/gpt-neo-v300");
    const r = await runCli(["lm", "analyze", ckpt, "--corpus", "grammar:stories=200", "--tokenizer", join(run, "tokenizer"), "-o", out, "--n-pos", "12", "--hmm-states", "2", "--probe-windows", "16", "--resamples", "20"]);
    expect(r.code, r.stderr).toBe(0);
    const a = JSON.parse(readFileSync(join(out, "analysis.json"), "utf8"));
    expect(a.model.config).toMatchObject({ attentionScale: 1, attentionWindows: [0, 3] });
    expect(a.nPos).toBe(12);
    expect(existsSync(join(out, "attention-patterns.png"))).toBe(true);
  }, 60_000);
});

describe("beliefscope lm import, evaluate, activations", () => {
  it("imports a Hugging Face checkpoint as a model folder that evaluate and activations take, with the same numbers as the checkpoint", async () => {
    const ckpt = join(import.meta.dirname, "../fixtures/hf-tiny/gpt-neo-v300");
    const model = join(dir, "imported");
    const imp = await runCli(["lm", "import", ckpt, "-o", model, "--tokenizer", join(run, "tokenizer")]);
    expect(imp.code, imp.stderr).toBe(0);
    expect(imp.stdout).toMatch(/imported .*gpt_neo.*2-layer d_model-16 transformer/);
    expect(existsSync(join(model, "tokenizer.json"))).toBe(true);
    const text = ["--corpus", "grammar:stories=60", "--n-pos", "12", "--windows", "8"];
    const a = await runCli(["lm", "evaluate", model, ...text, "-o", join(dir, "eval.json")]);
    const b = await runCli(["lm", "evaluate", ckpt, ...text, "--tokenizer", join(run, "tokenizer")]);
    expect(a.code, a.stderr).toBe(0);
    expect(b.code, b.stderr).toBe(0);
    const loss = (out: string) => Number(/loss (\d+\.\d+) nats\/token/.exec(out)![1]);
    expect(loss(a.stdout)).toBeGreaterThan(1);
    expect(Math.abs(loss(a.stdout) - loss(b.stdout))).toBeLessThan(1e-4);
    const e = JSON.parse(readFileSync(join(dir, "eval.json"), "utf8"));
    expect(e.perPosition.length).toBe(12);
    expect(e.perplexity).toBeCloseTo(Math.exp(e.loss), 9);
    const out = join(dir, "acts.safetensors");
    const c = await runCli(["lm", "activations", model, ...text, "--hooks", "blocks.1.hook_resid_post", "--logits", "-o", out]);
    expect(c.code, c.stderr).toBe(0);
    const { tensors } = decodeSafetensors(new Uint8Array(readFileSync(out)), out);
    expect(tensors.tokens.shape).toEqual([8, 12]);
    expect(tensors["blocks.1.hook_resid_post"].shape).toEqual([8, 12, 16]);
    expect(tensors.logits.shape).toEqual([8, 12, 300]);
    // The logits saved are the checkpoint's own on those tokens.
    const { model: hf } = await loadHfCheckpoint(ckpt);
    const ref = await hf.forward(tensors.tokens.data as Int32Array, 12);
    let err = 0;
    ref.data.forEach((v, k) => (err = Math.max(err, Math.abs(v - (tensors.logits.data as Float32Array)[k]))));
    expect(err).toBeLessThan(1e-4);
    hf.dispose();
    const bad = await runCli(["lm", "activations", model, ...text, "--hooks", "blocks.9.hook_resid_post", "-o", out, "--force"]);
    expect(bad.stderr).toMatch(/--hooks' received "blocks.9.hook_resid_post"; expected hooks of this model/);
    const runEval = await runCli(["lm", "evaluate", run, "--windows", "4", "--n-pos", "8"]);
    expect(runEval.stdout).toMatch(/its validation tokens/);
  }, 60_000);
});

describe("token files and bad input", () => {
  it("reads back what it wrote, in uint16 and uint32", async () => {
    for (const vocab of [300, 70_000]) {
      const folder = join(dir, `tokens-${vocab}`);
      const w = await createTokenFolder(folder, ["train"], vocab);
      const memory = new TokenStreamBuilder();
      for (let d = 0; d < 30; d++) {
        const ids = Int32Array.from({ length: 3 + d }, (_, k) => (k === 0 ? 0 : (d * 7919 + k * 104729) % vocab));
        w.sinks.train.appendDocument(ids);
        memory.appendDocument(ids);
      }
      const info = await w.finish({ bos: 0 });
      expect(info.dtype).toBe(vocab <= 65536 ? "uint16" : "uint32");
      const { streams } = await openTokenFolder(folder);
      const a = streams.train;
      const b = memory.build();
      expect([a.nTokens, a.nDocuments]).toEqual([b.nTokens, b.nDocuments]);
      const x = new Int32Array(b.nTokens);
      const y = new Int32Array(b.nTokens);
      a.read(0, a.nTokens, x);
      b.read(0, b.nTokens, y);
      expect(Array.from(x)).toEqual(Array.from(y));
      for (let d = 0; d < 30; d++) expect(a.documentStart(d)).toBe(b.documentStart(d));
      a.close();
    }
  });

  it("names the problem: no text, a Parquet file without a text column, a folder that is not a run, a missing corpus", async () => {
    const empty = join(dir, "empty.txt");
    await writeFile(empty, "\n \n\n");
    const e = await runCli(["lm", "train", empty, "-o", join(dir, "e"), ...TINY]);
    expect(e.code).toBe(1);
    expect(e.stderr).toMatch(/empty.txt' received a file with no text \(0 documents, 4 bytes\); expected a corpus with at least one non-empty document/);
    const parquet = join(dir, "stories.parquet");
    parquetWriteFile({ filename: parquet, columnData: [{ name: "story", data: ["Once upon a time."], type: "STRING" }] });
    const p = await runCli(["lm", "train", parquet, "-o", join(dir, "p"), ...TINY]);
    expect(p.stderr).toContain(`received a Parquet file without a "text" column (its columns: story); expected a Parquet file with a string column "text". Choose the column with --text-field (e.g. --text-field story).`);
    const notRun = await runCli(["lm", "analyze", dir, "-o", join(dir, "x")]);
    expect(notRun.stderr).toMatch(/received a folder with neither run.json nor a Hugging Face config.json/);
    const none = await runCli(["lm", "train", "-o", join(dir, "n")]);
    expect(none.stderr).toMatch(/lm train: argument 'corpus' received nothing/);
    for (const r of [e, p, notRun, none]) expect(r.stderr).not.toMatch(/^\s+at /m);
  });

  it("streams a corpus and counts it (lm corpus)", async () => {
    const jsonl = join(dir, "c.jsonl");
    await writeFile(jsonl, ['{"text": "One."}', '{"text": "Two words."}', "", '{"text": ""}', '{"text": "Three, here."}'].join("\n"));
    const r = await runCli(["lm", "corpus", jsonl]);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/3 documents, 26 characters \(mean 9, longest 12\)/);
  });
});
