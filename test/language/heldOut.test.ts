/**
 * "Held-out" means held out (issue 15, section 1): a corpus with too few
 * documents for the validation share holds out its last block of tokens
 * (src/language/lm/tokenBlock.ts), so its losses are held out and say so; a
 * run with no validation text is analysed on training text, and then no loss
 * anywhere (stdout, report.md, analysis.json, the hmm-loss figure) is called
 * held-out.
 */
import { readFileSync } from "node:fs";
import { mkdtemp, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { lmCommand } from "../../src/cli/lmCommand.js";
import { ArrayTokenStream, needsTokenBlock, sliceTokenStream, splitTokenBlock, tokenBlockSize } from "../../src/language/index.js";
import { openTokenFolder } from "../../src/node/corpus/tokenFiles.js";
import { lossLabel } from "../../src/pipeline/lmLossLabel.js";
import { resetWarnings } from "../../src/util/warn.js";
import { Rng } from "../../src/util/rng.js";
import { runInProcess } from "../cli/inProcess.js";

const runCli = (args: string[]) => runInProcess([lmCommand()], args);

describe("the held-out block of tokens", () => {
  it("is the last ceil(share x tokens) tokens, at least one window, and refused (naming --validation) when nothing is left to train on", () => {
    expect(needsTokenBlock(0, 1000, 0.05)).toBe(true);
    expect(needsTokenBlock(24, 1000, 0.05)).toBe(true); // under half of the 50 asked for
    expect(needsTokenBlock(25, 1000, 0.05)).toBe(false);
    expect(needsTokenBlock(0, 1000, 0)).toBe(false); // no validation asked for
    expect(tokenBlockSize(1000, 0.05, 17, "lm train")).toBe(50);
    expect(tokenBlockSize(1000, 0.01, 17, "lm train")).toBe(17);
    expect(() => tokenBlockSize(30, 0.05, 17, "lm train")).toThrow(
      "lm train: argument '--validation' received 0.05 of a corpus of 30 tokens, too few documents to hold any out; expected a corpus of at least 34 tokens, so that a validation block of 17 tokens and as many training tokens fit. Use a larger corpus, or --validation 0 (losses are then on training text and labelled so).",
    );
  });

  it("splits a stream into a training prefix and the held-out tail, documents cut at the block", () => {
    const tokens = Int32Array.from({ length: 20 }, (_, k) => k);
    const stream = new ArrayTokenStream(tokens, Float64Array.from([0, 6, 13]));
    const { train, validation } = splitTokenBlock(stream, 9);
    expect([train.nTokens, validation.nTokens]).toEqual([11, 9]);
    expect(Array.from({ length: train.nDocuments }, (_, d) => train.documentStart(d))).toEqual([0, 6]);
    // The block starts inside document 1: its first "document" is the block's start, then document 2 (at 13 - 11).
    expect(Array.from({ length: validation.nDocuments }, (_, d) => validation.documentStart(d))).toEqual([0, 2]);
    const out = new Int32Array(9);
    validation.read(0, 9, out);
    expect(Array.from(out)).toEqual([11, 12, 13, 14, 15, 16, 17, 18, 19]);
    expect(() => validation.read(5, 5, out)).toThrow(/\[5, 10\).*within the 9 tokens/);
    expect(() => sliceTokenStream(stream, 4, 21)).toThrow(/within the 20 tokens/);
  });

  it("labels a loss held-out only for held-out windows", () => {
    expect(lossLabel("documents")).toMatchObject({ loss: "held-out loss", heldOut: true });
    expect(lossLabel("token-block")).toMatchObject({ loss: "held-out loss", heldOut: true });
    expect(lossLabel("training-text")).toMatchObject({ loss: "training-text loss (not held out)", heldOut: false });
    expect(lossLabel("given-text").loss).not.toMatch(/held-out/);
  });
});

const TINY = ["--layers", "1", "--d-model", "16", "--heads", "2", "--d-head", "8", "--d-mlp", "32", "--n-ctx", "16", "--batch-size", "8", "--warmup", "2", "--lr", "0.01", "--vocab", "280"];
const ANALYSIS = ["--hmm-states", "1,2", "--hmm-windows", "16", "--probe-windows", "8", "--resamples", "10"];

describe("lm on a corpus of three documents", () => {
  let dir: string;
  let corpus: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), "bs-heldout-"));
    corpus = join(dir, "three.txt");
    const rng = new Rng(7, "held-out-corpus");
    const words = ["the", "cat", "sat", "on", "a", "mat", "and", "dog", "ran", "far", "away", "home"];
    const doc = (n: number) => Array.from({ length: n }, () => words[Math.floor(rng.uniform() * words.length)]).join(" ");
    await writeFile(corpus, [doc(900), doc(700), doc(800)].join("\n<|endoftext|>\n") + "\n");
  });

  it("holds out the last block of tokens, trains before it, and calls its losses held-out", async () => {
    const run = join(dir, "run");
    const r = await runCli(["lm", "train", corpus, "-o", run, "--steps", "4", "--val-every", "2", "--val-windows", "4", ...TINY]);
    expect(r.code, r.stderr).toBe(0);
    const data = JSON.parse(readFileSync(join(run, "run.json"), "utf8")).data;
    const { info, streams } = await openTokenFolder(join(run, "tokens"));
    const total = info.parts.train.tokens;
    streams.train.close();
    expect(Object.keys(info.parts)).toEqual(["train"]); // one stream: the block is its tail
    expect(data).toMatchObject({ validationSplit: "token-block", validationTokens: Math.ceil(0.05 * total), trainTokens: total - Math.ceil(0.05 * total), trainDocuments: 3, validationDocuments: 1 });
    expect(r.stdout).toMatch(new RegExp(`corpus: 3 documents, too few to hold out 0.05 of them: training on the first ${data.trainTokens} tokens, the last ${data.validationTokens} held out`));
    const metrics = readFileSync(join(run, "metrics.jsonl"), "utf8").trim().split("\n").map((l) => JSON.parse(l));
    expect(metrics.filter((m) => m.validation).map((m) => m.step)).toEqual([2, 4]);

    const out = join(dir, "analysis");
    const a = await runCli(["lm", "analyze", run, "-o", out, ...ANALYSIS]);
    expect(a.code, a.stderr).toBe(0);
    expect(a.stderr).not.toMatch(/training text/);
    const json = JSON.parse(readFileSync(join(out, "analysis.json"), "utf8"));
    expect(json.validation).toMatchObject({ text: "token-block", heldOut: true });
    expect(json.hmm.fits.map((f: Record<string, unknown>) => Object.keys(f).includes("heldOutLoss"))).toEqual([true, true]);
    expect(a.stdout).toMatch(/^held-out loss \d+\.\d{4} nats\/token .*HMMs: 1 state \d/m);
    const report = readFileSync(join(out, "report.md"), "utf8");
    expect(report).toMatch(/Held-out loss on \d+ validation windows of the held-out last block of tokens \(too few documents to hold out by document\)/);
    expect(report).toContain("| HMM, 1 state (Baum-Welch");
    expect(readFileSync(join(out, "hmm-loss.svg"), "utf8")).toContain("Held-out loss on the same windows");
  }, 60_000);

  it("with no validation text, analyses training text and never calls a loss held-out", async () => {
    resetWarnings();
    const run = join(dir, "run0");
    const r = await runCli(["lm", "train", corpus, "-o", run, "--steps", "2", "--validation", "0", ...TINY]);
    expect(r.code, r.stderr).toBe(0);
    expect(JSON.parse(readFileSync(join(run, "run.json"), "utf8")).data.validationSplit).toBe("none");
    expect(r.stdout).toContain("no validation text: no validation loss");
    const out = join(dir, "analysis0");
    const a = await runCli(["lm", "analyze", run, "-o", out, ...ANALYSIS]);
    expect(a.code, a.stderr).toBe(0);
    expect(a.stderr).toContain('the run holds out no validation text (--validation 0): analysing training text instead, and every loss is labelled "training-text loss (not held out)"');
    expect(a.stdout).toMatch(/^training-text loss \(not held out\) \d+\.\d{4} nats\/token/m);
    expect(a.stdout).not.toMatch(/held-out loss/);
    const json = JSON.parse(readFileSync(join(out, "analysis.json"), "utf8"));
    expect(json.validation).toMatchObject({ text: "training-text", heldOut: false });
    expect(JSON.stringify(json.hmm)).not.toMatch(/heldOut|held-out/);
    expect(json.hmm.fits[0].loss).toBeGreaterThan(0);
    const report = readFileSync(join(out, "report.md"), "utf8");
    expect(report).not.toMatch(/held-out loss/i);
    expect(report).toMatch(/Training-text loss \(not held out\) on \d+ windows of the training text \(the run has no validation text\)/);
    expect(report).toContain("| predictor | training-text loss (not held out) (nats/token) |");
    const svg = readFileSync(join(out, "hmm-loss.svg"), "utf8");
    expect(svg).toContain("Training-text loss (not held out) on the same windows");
    expect(svg).not.toMatch(/held-out/i);
  }, 60_000);
});
