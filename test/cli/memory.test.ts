/**
 * Every size option is checked against --max-memory before any work: the refusal names the
 * estimate, what it is made of, the budget and the largest value that fits (docs/memory.md).
 * Small --max-memory values trigger the refusals; nothing large is ever allocated here.
 */
import { mkdtemp, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Command } from "commander";
import { beforeAll, describe, expect, it } from "vitest";
import { activationsCommand } from "../../src/cli/activationsCommand.js";
import { animateCommand } from "../../src/cli/animateCommand.js";
import { constructCommand } from "../../src/cli/constructCommand.js";
import { movieCommand } from "../../src/cli/movieCommand.js";
import { lmCommand } from "../../src/cli/lmCommand.js";
import { probeCommand } from "../../src/cli/probeCommand.js";
import { processCommand } from "../../src/cli/processCommand.js";
import { recoverCommand } from "../../src/cli/recoverCommand.js";
import { tokenizerCommand } from "../../src/cli/tokenizerCommand.js";
import { trainCommand } from "../../src/cli/trainCommand.js";
import { MemoryLimitError } from "../../src/util/memory.js";
import { ArgumentError } from "../../src/util/errors.js";
import { runCli } from "./run.js";

/** Run a command in this process; resolve with the error it throws (or null). */
async function refusal(cmd: Command, args: string[]): Promise<Error | null> {
  cmd.exitOverride();
  try {
    await cmd.parseAsync(args, { from: "user" });
    return null;
  } catch (err) {
    return err as Error;
  }
}

const M = ["--max-memory", "256MiB"];
const hfTiny = join(import.meta.dirname, "../fixtures/hf-tiny/gpt-neo-v300");
let dir = "";
let run = "";

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "bs-memory-"));
  run = join(dir, "run");
  const err = await refusal(trainCommand(), ["mess3", "-o", run, "--preset", "small", "--layers", "1", "--d-model", "8", "--heads", "2", "--d-head", "4", "--d-mlp", "16", "--steps", "1"]);
  expect(err).toBeNull();
  expect(await refusal(tokenizerCommand(), ["train", "grammar:stories=200", "--vocab", "260", "-o", join(dir, "tok")])).toBeNull();
}, 60_000);

describe("refusals by the memory model, before any work", () => {
  it("probe --sequences", async () => {
    const err = await refusal(probeCommand(), [run, "--sequences", "1000000", "--max-memory", "1GiB"]);
    expect(err).toBeInstanceOf(MemoryLimitError);
    expect(err!.message).toBe(
      "beliefscope probe: --sequences 1000000 needs about 35.1 GiB of memory (192 MiB + 1000000 sequences x 10 positions x 3.7 KiB a position: activations at 2 hooks, float64 features of 2 sites, again for the untrained control, beliefs, logits, k-gram controls, least-squares workspace); --max-memory is 1.0 GiB (given); the largest --sequences that fits is 20613. Raise --max-memory or lower --sequences.",
    );
  });

  it("activations --sequences streams to the file: memory is flat, a file larger than the free disk is refused", async () => {
    const out = join(dir, "a.safetensors");
    const err = await refusal(activationsCommand(), [run, "--sequences", "1000000000000", "-o", out]);
    expect(err).toBeInstanceOf(ArgumentError);
    expect(err!.message).toMatch(
      new RegExp(`^beliefscope activations: argument '--out' received "${out}", which would take about 1019 TiB \\(1000000000000 sequences x 1120 bytes of tensors\\); expected an output that fits the [\\d.]+ [KMGTP]?i?B free on ${dir}\\. Lower --sequences or ask for fewer --hooks, or write elsewhere\\.$`),
    );
  });

  it("recover --tokens", async () => {
    const err = await refusal(recoverCommand(), [run, "--tokens", "10000000", "-o", join(dir, "rec"), ...M]);
    expect(err!.message).toBe(
      "beliefscope recover: --tokens 10000000 needs about 1.8 GiB of memory (10000000 tokens x 180 bytes (a token, the model's 3 next-token probabilities twice, forward-backward over 8 states) + 64.0 MiB of activations); --max-memory is 256 MiB (given); the largest --tokens that fits is 559240. Raise --max-memory or lower --tokens.",
    );
  });

  it("train: the model's width, then the batch", async () => {
    const big = await refusal(trainCommand(), ["mess3", "--d-model", "8192", "--d-head", "2048", "-o", join(dir, "big"), "--max-memory", "4GiB"]);
    expect(big!.message).toBe(
      "beliefscope train: --d-model 8192 needs about 27.2 GiB of memory (4-layer d_model-8192 transformer: 1090962435 parameters x 24 bytes (weights, gradients, Adam moments, copies) + batch 64 x 3874010 activation values x 12 bytes (forward, backward)); --max-memory is 4.0 GiB (given); the largest --d-model that fits is 922. Raise --max-memory or lower --d-model.",
    );
    const batch = await refusal(trainCommand(), ["mess3", "--batch-size", "100000", "-o", join(dir, "batch"), ...M]);
    expect(batch!.message).toMatch(/^beliefscope train: --batch-size 100000 needs about 60\.3 GiB of memory \(4-layer d_model-64 transformer: 201091 parameters .*; the largest --batch-size that fits is 252\. Raise --max-memory or lower --batch-size\.$/);
  });

  it("process sample --length (not --count: sequences are written as drawn), msp and info --max-beliefs", async () => {
    const sample = await refusal(processCommand(), ["sample", "mess3", "--count", "10000000", "--length", "10000000", ...M]);
    expect(sample!.message).toBe(
      "beliefscope process sample: --length 10000000 needs about 485 MiB of memory (one sequence of 10000000 tokens holds a token, a state, 3 belief coordinates and a loss per token, 381 MiB, plus the runtime; --count does not matter: sequences are written as they are drawn); --max-memory is 256 MiB (given); the largest --length that fits is 3984588. Raise --max-memory or lower --length.",
    );
    const msp = await refusal(processCommand(), ["msp", "mess3", "--depth", "64", "--max-beliefs", "1073741824", "--max-work", "1e13", "-o", join(dir, "msp.json"), ...M]);
    expect(msp!.message).toBe(
      "beliefscope process msp: --max-beliefs 1073741824 needs about 864 GiB of memory (up to 1073741824 nodes (the least of --max-beliefs, the nodes --depth reaches and those --max-work pays for) x (184 bytes while enumerated + ~680 bytes as JSON arrays and text), S = 3, V = 3); --max-memory is 256 MiB (given); the largest --max-beliefs that fits is 194180. Raise --max-memory or lower --max-beliefs.",
    );
    const info = await refusal(processCommand(), ["info", "mess3", "--max-beliefs", "1073741824", ...M]);
    expect(info!.message).toBe(
      "beliefscope process info: --max-beliefs 1073741824 needs about 184 GiB of memory (1073741824 beliefs x (2 S + 3 V + 8) x 8 bytes = 1073741824 x 184 bytes, S = 3, V = 3); --max-memory is 256 MiB (given); the largest --max-beliefs that fits is 911805. Raise --max-memory or lower --max-beliefs.",
    );
  });

  it("lm activations and lm evaluate --windows, before the windows are drawn", async () => {
    const text = ["--corpus", "grammar:stories=10", "--windows", "1000000000", ...M];
    const acts = await refusal(lmCommand(), ["activations", hfTiny, ...text, "--logits", "-o", join(dir, "x.safetensors")]);
    expect(acts!.message).toBe(
      "lm activations: --windows 1000000000 needs about 43.2 TiB of memory (1000000000 windows x 17 positions x 2.7 KiB a position: tokens, 48 activation values (3 hooks) and 300 logits in float32, held and then encoded into the file); --max-memory is 256 MiB (given); the largest --windows that fits is 3534. Raise --max-memory or lower --windows.",
    );
    const ev = await refusal(lmCommand(), ["evaluate", hfTiny, ...text]);
    expect(ev!.message).toBe(
      "lm evaluate: --windows 1000000000 needs about 253 GiB of memory (1000000000 windows x 17 positions x 16 B a position: the windows' tokens and a float64 loss per token); --max-memory is 256 MiB (given); the largest --windows that fits is 616809. Raise --max-memory or lower --windows.",
    );
  });

  it("lm train --val-windows and --batch-size, before the corpus is read", async () => {
    const val = await refusal(lmCommand(), ["train", "grammar:stories=10", "--val-windows", "1000000000", "-o", join(dir, "lm1"), "--max-memory", "1GiB"]);
    expect(val!.message).toBe(
      "lm train: --val-windows 1000000000 needs about 1.9 TiB of memory (1000000000 windows x 129 positions x 16 B a position: the windows' tokens and a float64 loss per token); --max-memory is 1.0 GiB (given); the largest --val-windows that fits is 471452. Raise --max-memory or lower --val-windows.",
    );
    const batch = await refusal(lmCommand(), ["train", "grammar:stories=10", "--batch-size", "100000", "-o", join(dir, "lm2"), "--max-memory", "1GiB"]);
    expect(batch!.message).toMatch(/^lm train: --batch-size 100000 needs about .* the largest --batch-size that fits is \d+\. Raise --max-memory or lower --batch-size\.$/);
  });

  it("lm analyze --hmm-windows and --probe-windows, before the windows are drawn (once \"Invalid typed array length\")", async () => {
    const args = [hfTiny, "--corpus", "grammar:stories=30", "--tokenizer", join(dir, "tok", "tokenizer.json"), ...M];
    const hmm = await refusal(lmCommand(), ["analyze", ...args, "--hmm-windows", "1000000000", "-o", join(dir, "an1")]);
    expect(hmm!.message).toBe(
      "lm analyze: --hmm-windows 1000000000 needs about 1.1 TiB of memory (1000000000 windows x 17 positions x 68 B a position: the token and the HMM fits' forward-backward); --max-memory is 256 MiB (given); the largest --hmm-windows that fits is 145131. Raise --max-memory or lower --hmm-windows.",
    );
    const probe = await refusal(lmCommand(), ["analyze", ...args, "--probe-windows", "1000000000", "-o", join(dir, "an2")]);
    expect(probe!.message).toBe(
      "lm analyze: --probe-windows 1000000000 needs about 11.9 TiB of memory (1000000000 windows x 17 positions x 772 B a position: the token and 48 residual-stream features in float64, twice); --max-memory is 256 MiB (given); the largest --probe-windows that fits is 12783. Raise --max-memory or lower --probe-windows.",
    );
  });

  it("tokenizer encode --file, by its size before it is read", async () => {
    const tok = join(dir, "tok");
    const file = join(dir, "text.txt");
    await writeFile(file, "the cat sat on the mat.\n".repeat(100_000)); // 2.4 MB
    const err = await refusal(tokenizerCommand(), ["encode", join(tok, "tokenizer.json"), "-f", file, ...M]);
    expect(err!.message).toBe(
      `tokenizer encode: --file ${file} (2400000 bytes of text) needs about 348 MiB of memory (2400000 characters x ~110 bytes (the text, its pre-tokens, ids and offsets, the printed ids)); --max-memory is 256 MiB (given); the largest that fits is 1525201 bytes of text. Raise --max-memory or encode a smaller file (split it, e.g. with split -C 100M).`,
    );
  });

  it("construct, animate and movie --sequences (once \"Invalid typed array length\")", async () => {
    const c = await refusal(constructCommand(), ["mess3", "--sequences", "1000000000", "-o", join(dir, "c"), ...M]);
    expect(c!.message).toBe(
      "beliefscope construct: --sequences 1000000000 needs about 2.3 TiB of memory (1000000000 sequences x 10 positions x 256 B a position: tokens, states, 3 beliefs and the fit's rows); --max-memory is 256 MiB (given); the largest --sequences that fits is 65536. Raise --max-memory or lower --sequences.",
    );
    const a = await refusal(animateCommand(), ["mess3", "mess3:x=0.1", "--sequences", "1000000000", "-o", join(dir, "a.gif"), ...M]);
    expect(a!.message).toBe(c!.message.replace("construct", "animate"));
    const m = await refusal(movieCommand(), [run, "--sequences", "1000000000", "-o", join(dir, "m.gif"), ...M]);
    expect(m!.message).toBe(
      "beliefscope movie: --sequences 1000000000 needs about 7.0 TiB of memory (1000000000 sequences x 10 positions x 768 B a position: tokens, states, 3 beliefs and the fit's rows, 32 features in float64 twice); --max-memory is 256 MiB (given); the largest --sequences that fits is 21845. Raise --max-memory or lower --sequences.",
    );
  });

  it("process sample -o: a file larger than the free disk is refused before any work", async () => {
    const out = join(dir, "big", "samples.json");
    const err = await refusal(processCommand(), ["sample", "mess3", "--count", "1000000000000", "--length", "1000", "-o", out, ...M]);
    expect(err).toBeInstanceOf(ArgumentError);
    expect(err!.message).toMatch(
      new RegExp(`^beliefscope process sample: argument '--out' received "${out}", which would take about 64\\.0 PiB \\(1000000000000 sequences x 1000 tokens x ~72 bytes of JSON\\); expected an output that fits the [\\d.]+ [KMGTP]?i?B free on ${dir}\\. Lower --count or --length, or write elsewhere\\.$`),
    );
  });

  it("names a bad --max-memory", async () => {
    const err = await refusal(processCommand(), ["sample", "mess3", "--max-memory", "lots"]);
    expect(err).toBeInstanceOf(ArgumentError);
    expect(err!.message).toBe(`beliefscope: argument '--max-memory' received "lots"; expected a memory size of at least 1 MiB, e.g. "4GiB", "2048MB", "512MiB" (a bare number is bytes).`);
  });

  it("on the command line: a usage error (exit 1), never an unexpected one", async () => {
    const r = await runCli(["process", "sample", "mess3", "--count", "1", "--length", "1000000000", "--max-memory", "1GiB"]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/^error: beliefscope process sample: --length 1000000000 needs about 37\.4 GiB of memory .*the largest --length that fits is \d+\. Raise --max-memory or lower --length\.\n$/);
    expect(r.stderr).not.toContain("unexpected");
  }, 30_000);
});
