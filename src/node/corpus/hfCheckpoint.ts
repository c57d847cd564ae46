/**
 * A local Hugging Face GPT-2 / GPT-Neo checkpoint folder (config.json +
 * model.safetensors, e.g. a download of roneneldan/TinyStories-1M) as a
 * SequenceModel, with the folder's tokenizer when it has one (tokenizer.json,
 * or GPT-2's vocab.json + merges.txt).
 */
import { stat } from "node:fs/promises";
import { join } from "node:path";
import type { EngineDevice } from "../../engine/jax.js";
import { convertHfCheckpoint, type HfConversion } from "../../language/hf/convert.js";
import { gpt2TokenizerJson } from "../../language/hf/gpt2Tokenizer.js";
import { BpeTokenizer } from "../../language/tokenizer/tokenizer.js";
import { modelFromStateDict } from "../../model/registry.js";
import type { SequenceModel } from "../../model/sequenceModel.js";
import { ArgumentError } from "../../util/errors.js";
import { readBytes, readJsonFile, readText } from "../readFiles.js";
import { loadTokenizer } from "./tokenizerFiles.js";

const exists = (path: string) => stat(path).then(() => true, () => false);

export interface HfCheckpoint {
  readonly model: SequenceModel;
  readonly conversion: Omit<HfConversion, "stateDict">;
  /** The folder's tokenizer, or null when it has none. */
  readonly tokenizer: BpeTokenizer | null;
  readonly dir: string;
}

/** True when `dir` looks like a Hugging Face checkpoint folder (config.json with a model_type). */
export async function isHfCheckpointFolder(dir: string): Promise<boolean> {
  if (!(await exists(join(dir, "config.json")))) return false;
  const config = await readJsonFile<Record<string, unknown>>(join(dir, "config.json"), "loadHfCheckpoint", "a Hugging Face config.json").catch(() => null);
  return typeof config?.model_type === "string";
}

/** Load a Hugging Face GPT-2 / GPT-Neo checkpoint folder; `nCtx` trims the positions (default all). */
export async function loadHfCheckpoint(dir: string, options: { nCtx?: number; device?: EngineDevice } = {}): Promise<HfCheckpoint> {
  const fn = "loadHfCheckpoint";
  const configPath = join(dir, "config.json");
  const weightsPath = join(dir, "model.safetensors");
  if (!(await exists(configPath))) {
    throw new ArgumentError({ fn, argument: dir, received: "a folder without config.json", expected: "a Hugging Face checkpoint folder (config.json + model.safetensors)" });
  }
  if (!(await exists(weightsPath))) {
    const bin = await exists(join(dir, "pytorch_model.bin"));
    throw new ArgumentError({
      fn,
      argument: dir,
      received: bin ? "a folder with pytorch_model.bin but no model.safetensors" : "a folder without model.safetensors",
      expected: "the weights as model.safetensors",
      hint: bin ? "Convert it once in Python: from safetensors.torch import save_file; save_file(torch.load('pytorch_model.bin'), 'model.safetensors')." : undefined,
    });
  }
  const config = await readJsonFile<unknown>(configPath, fn, "a Hugging Face config.json");
  const weights = await readBytes(weightsPath, fn, "the checkpoint's weights (model.safetensors)");
  const { stateDict, ...conversion } = convertHfCheckpoint(config, weights, { nCtx: options.nCtx, source: dir });
  const model = await modelFromStateDict("transformer", conversion.config as unknown as Record<string, unknown>, stateDict, { device: options.device });
  let tokenizer: BpeTokenizer | null = null;
  if (await exists(join(dir, "tokenizer.json"))) tokenizer = await loadTokenizer(join(dir, "tokenizer.json"));
  else if ((await exists(join(dir, "vocab.json"))) && (await exists(join(dir, "merges.txt")))) {
    const vocab = await readJsonFile<Record<string, number>>(join(dir, "vocab.json"), fn, "GPT-2's vocab.json");
    const merges = await readText(join(dir, "merges.txt"), fn, "GPT-2's merges.txt");
    tokenizer = BpeTokenizer.fromJson(gpt2TokenizerJson(vocab!, merges), join(dir, "vocab.json"));
  }
  return { model, conversion, tokenizer, dir };
}
