import { Command } from "commander";
import { defaultCacheNames } from "../model/sequenceModel.js";
import { checkOutputFile } from "../node/outputPath.js";
import { resolveProcess } from "../node/processFiles.js";
import { readJsonFile } from "../node/readFiles.js";
import { loadTrainedModel } from "../node/runFolder.js";
import { createSampler, type Sampler } from "../process/sample.js";
import { writeActivationsFile, type TokenSource } from "../node/activationsFile.js";
import { countProgress } from "./countProgress.js";
import { ArgumentError, describe } from "../util/errors.js";
import { deriveSeed } from "../util/rng.js";
import { addDeviceOption, type ModelFlags } from "./commonOptions.js";
import { intOption } from "./options.js";
import { didYouMean } from "../util/didYouMean.js";

/** Token sequences from a JSON file: an array of equal-length arrays of token ids. */
async function readTokenFile(path: string, nCtx: number, dVocab: number): Promise<{ tokens: Int32Array; count: number; length: number }> {
  const fn = "beliefscope activations";
  const value = await readJsonFile<unknown>(path, fn, "a JSON array of token sequences, e.g. [[0,1,2],[2,2,1]]");
  const bad = (received: string): never => {
    throw new ArgumentError({ fn, argument: `--tokens ${path}`, received, expected: `a JSON array of equal-length arrays of token ids in [0, ${dVocab}), each at most ${nCtx} long` });
  };
  if (!Array.isArray(value) || value.length === 0) return bad(describe(value));
  const length = Array.isArray(value[0]) ? value[0].length : 0;
  if (length < 1 || length > nCtx) bad(`sequences of length ${length}`);
  const tokens = new Int32Array(value.length * length);
  value.forEach((seq, n) => {
    if (!Array.isArray(seq) || seq.length !== length) bad(`sequence ${n} of ${Array.isArray(seq) ? `length ${seq.length}` : describe(seq)}`);
    (seq as unknown[]).forEach((t, k) => {
      if (!Number.isInteger(t) || (t as number) < 0 || (t as number) >= dVocab) bad(`token ${describe(t)} at [${n}][${k}]`);
      tokens[n * length + k] = t as number;
    });
  });
  return { tokens, count: value.length, length };
}

/** Sequences handed out in order from a sampler. */
function sampledTokens(sampler: Sampler, count: number): TokenSource {
  return { count, length: sampler.length, draw: (c) => sampler.draw(c).tokens };
}

/** Sequences handed out in order from a token file. */
function fileTokens(t: { tokens: Int32Array; count: number; length: number }): TokenSource {
  let at = 0;
  return { count: t.count, length: t.length, draw: (c) => t.tokens.slice(t.length * at, t.length * (at += c)) };
}

export function activationsCommand(): Command {
  const cmd = new Command("activations")
    .description(
      "Save a model's activations at chosen hooks, with the tokens and their exact beliefs, as one safetensors file (read it in Python with safetensors.numpy.load_file)",
    )
    .argument("<model>", "a run folder or a model folder")
    .requiredOption("-o, --out <file>", "output .safetensors file")
    .option("--force", "replace --out if it exists")
    .option("--hooks <names>", "comma-separated hook names (default: the residual stream at every layer)")
    .option("--sequences <n>", "sequences to sample from the process", intOption(1), 1000)
    .option("--tokens <file>", "use these sequences instead (JSON array of token-id arrays)")
    .option("--process <spec>", "process for sampling and beliefs (default: the model's)")
    .option("--seed <n>", "seed of the sampled sequences", intOption(0), 0);
  addDeviceOption(cmd);
  return cmd.action(async (dir: string, o: Pick<ModelFlags, "device"> & { out: string; force?: boolean; hooks?: string; sequences: number; tokens?: string; process?: string; seed: number }) => {
    await checkOutputFile(o.out, { fn: "beliefscope activations", flag: "--out", force: o.force ?? false });
    const loaded = await loadTrainedModel(dir, { device: o.device });
    const { model } = loaded;
    const hmm = o.process ? await resolveProcess(o.process) : loaded.process;
    const valid = model.hookNames();
    const hooks = o.hooks ? o.hooks.split(",").map((h) => h.trim()) : defaultCacheNames(model);
    for (const h of hooks) {
      if (!valid.includes(h)) throw new ArgumentError({ fn: "beliefscope activations", argument: "--hooks", received: JSON.stringify(h), expected: `hooks of this model: ${valid.join(", ")}`, hint: didYouMean(h, valid) || undefined });
    }
    // Sampled (or read) and written a chunk of sequences at a time: memory is flat in --sequences.
    const data: TokenSource = o.tokens ? fileTokens(await readTokenFile(o.tokens, model.nCtx, model.dVocab)) : sampledTokens(createSampler(hmm, { length: model.nCtx, seed: deriveSeed(o.seed, "activations") }), o.sequences);
    await writeActivationsFile(o.out, {
      model,
      hmm,
      hooks,
      source: data,
      metadata: { process: hmm.name, architecture: model.architecture, config: JSON.stringify(model.config), hooks: hooks.join(","), seed: String(o.seed) },
      onProgress: countProgress("wrote", "sequences", data.count * data.length >= 1_000_000),
    });
    process.stdout.write(`wrote ${o.out}: tokens [${data.count}, ${data.length}], beliefs, optimal_loss, logits, ${hooks.length} hooks\n`);
    model.dispose();
  });
}
