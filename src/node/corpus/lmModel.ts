/**
 * Language models on disk, whatever folder holds them:
 *   loadLanguageModel      a language run (`lm train`: RUN/model + RUN/tokenizer), a model folder
 *                          (config.json "beliefscope/model" + model.safetensors, with tokenizer.json beside
 *                          them when it has one), or a Hugging Face GPT-2 / GPT-Neo checkpoint folder
 *   languageWindows        windows of text for such a model: from a corpus (encoded with its tokenizer, BOS per
 *                          document) or, for a run, its own validation tokens
 *   importHfCheckpoint     `beliefscope lm import HF_DIR -o MODEL_DIR`: a Hugging Face checkpoint converted
 *                          once (TransformerLens's conversion, float32, TransformerLens names) into a model
 *                          folder that every model-folder reader takes (src/model/files.ts), with its tokenizer
 */
import { stat } from "node:fs/promises";
import { join } from "node:path";
import type { EngineDevice } from "../../engine/jax.js";
import { bosTokenOf, encodeCorpus } from "../../language/lm/encodeCorpus.js";
import { TokenStreamBuilder, type TokenStream } from "../../language/lm/tokenStream.js";
import type { CorpusRunData } from "../../language/lm/trainLanguageModel.js";
import { windowBatch, type WindowStart } from "../../language/lm/windows.js";
import type { BpeTokenizer } from "../../language/tokenizer/tokenizer.js";
import { MODEL_CONFIG_FILE, MODEL_FORMAT, MODEL_WEIGHTS_FILE, modelFromFiles, modelToFiles } from "../../model/files.js";
import type { SequenceModel } from "../../model/sequenceModel.js";
import { ArgumentError } from "../../util/errors.js";
import { readBytes, readJsonFile, readText } from "../readFiles.js";
import { FileRunStore, saveModelFolder } from "../runFolder.js";
import { closeLanguageData } from "./lmFolder.js";
import { openLanguageData } from "./languageData.js";
import { openCorpus, type CorpusOptions } from "./readCorpus.js";
import { isHfCheckpointFolder, loadHfCheckpoint } from "./hfCheckpoint.js";
import { loadTokenizer, saveTokenizerJson } from "./tokenizerFiles.js";

const exists = (path: string) => stat(path).then(() => true, () => false);

export type LanguageModelKind = "run" | "model" | "huggingface";

export interface LoadedLanguageModel {
  readonly model: SequenceModel;
  /** The tokenizer given, else the folder's own (null when it has none). */
  readonly tokenizer: BpeTokenizer | null;
  readonly kind: LanguageModelKind;
  /** What was loaded, for reports: the folder, and the checkpoint's model type. */
  readonly name: string;
  /** The folder of the model files (RUN/model for a run). */
  readonly modelDir: string;
}

/** True when `dir` holds a model folder of ours (config.json with "format": "beliefscope/model"). */
export async function isModelFolder(dir: string): Promise<boolean> {
  if (!(await exists(join(dir, MODEL_CONFIG_FILE)))) return false;
  const config = await readJsonFile<Record<string, unknown>>(join(dir, MODEL_CONFIG_FILE), "loadLanguageModel", "a model config.json").catch(() => null);
  return config?.format === MODEL_FORMAT;
}

/** Read a model folder's two files into a model. */
async function modelFolder(dir: string, device?: EngineDevice): Promise<SequenceModel> {
  const fn = "loadLanguageModel";
  const config = join(dir, MODEL_CONFIG_FILE);
  const weights = join(dir, MODEL_WEIGHTS_FILE);
  return (await modelFromFiles(await readText(config, fn, "the model's config.json"), await readBytes(weights, fn, "the model's weights (model.safetensors)"), { config, weights }, { device })).model;
}

/** A language model from a run folder, a model folder or a Hugging Face checkpoint folder. */
export async function loadLanguageModel(source: string, options: { tokenizer?: string; device?: EngineDevice } = {}): Promise<LoadedLanguageModel> {
  const fn = "loadLanguageModel";
  const given = options.tokenizer !== undefined ? await loadTokenizer(options.tokenizer) : null;
  if (await isHfCheckpointFolder(source)) {
    const ckpt = await loadHfCheckpoint(source, { device: options.device });
    return { model: ckpt.model, tokenizer: given ?? ckpt.tokenizer, kind: "huggingface", name: `${source} (${ckpt.conversion.modelType})`, modelDir: source };
  }
  if (await isModelFolder(source)) {
    const model = await modelFolder(source, options.device);
    const own = await exists(join(source, "tokenizer.json"));
    return { model, tokenizer: given ?? (own ? await loadTokenizer(join(source, "tokenizer.json")) : null), kind: "model", name: source, modelDir: source };
  }
  if ((await exists(join(source, "run.json"))) && (await isModelFolder(join(source, "model")))) {
    const model = await modelFolder(join(source, "model"), options.device);
    const own = await exists(join(source, "tokenizer", "tokenizer.json"));
    return { model, tokenizer: given ?? (own ? await loadTokenizer(join(source, "tokenizer", "tokenizer.json")) : null), kind: "run", name: source, modelDir: join(source, "model") };
  }
  throw new ArgumentError({
    fn,
    argument: source,
    received: (await exists(join(source, "run.json"))) ? "a run folder whose training has not finished (no model/)" : "a folder with no model in it",
    expected: "a language run folder (`beliefscope lm train`), a model folder (config.json + model.safetensors) or a Hugging Face GPT-2 / GPT-Neo checkpoint folder",
  });
}

export interface ImportHfOptions {
  /** A tokenizer.json (or its folder) to put beside the model when the checkpoint folder has none. */
  readonly tokenizer?: string;
  /** Keep this many positions (default the checkpoint's). */
  readonly nCtx?: number;
  readonly device?: EngineDevice;
}

export interface ImportHfResult {
  readonly out: string;
  readonly model: SequenceModel;
  readonly modelType: string;
  readonly tied: boolean;
  /** Tensors of the checkpoint the conversion did not use (buffers such as attn.bias). */
  readonly unused: readonly string[];
  readonly tokenizer: BpeTokenizer | null;
  readonly files: string[];
}

/**
 * Convert a Hugging Face GPT-2 / GPT-Neo checkpoint folder into a model folder: OUT/config.json
 * ("beliefscope/model", the transformer's config, TransformerLens's HookedTransformerConfig and a
 * "source" record of the conversion), OUT/model.safetensors (float32, TransformerLens names), and
 * OUT/tokenizer.json + tokenizer_config.json when the checkpoint (or `tokenizer`) has a tokenizer.
 */
export async function importHfCheckpoint(source: string, out: string, options: ImportHfOptions = {}): Promise<ImportHfResult> {
  const fn = "lm import";
  if (!(await isHfCheckpointFolder(source))) {
    throw new ArgumentError({ fn, argument: source, received: (await exists(join(source, MODEL_CONFIG_FILE))) ? "a config.json without a Hugging Face model_type" : "a folder without config.json", expected: "a Hugging Face GPT-2 / GPT-Neo checkpoint folder (config.json + model.safetensors)" });
  }
  if (await exists(join(out, MODEL_CONFIG_FILE))) {
    throw new ArgumentError({ fn, argument: "--out", received: `${JSON.stringify(out)}, which already holds a config.json`, expected: "a new or empty folder", hint: "Choose another folder, or delete that one first." });
  }
  const ckpt = await loadHfCheckpoint(source, { nCtx: options.nCtx, device: options.device });
  const tokenizer = options.tokenizer !== undefined ? await loadTokenizer(options.tokenizer) : ckpt.tokenizer;
  const { modelType, tied, unused, checkpointPositions } = ckpt.conversion;
  const files = await modelToFiles(ckpt.model, {
    source: { kind: "huggingface", dir: source, modelType, checkpointPositions, tied, unused: [...unused], conversion: "TransformerLens convert_gpt2_weights / convert_neo_weights" },
    ...(tokenizer ? { tokenizer: "tokenizer.json" } : {}),
  });
  await saveModelFolder(out, files);
  const written = [MODEL_CONFIG_FILE, MODEL_WEIGHTS_FILE];
  if (tokenizer) {
    await saveTokenizerJson(tokenizer.json, join(out, "tokenizer.json"));
    written.push("tokenizer.json", "tokenizer_config.json");
  }
  return { out, model: ckpt.model, modelType, tied, unused, tokenizer, files: written };
}

export interface LanguageWindowOptions {
  /** The text; for a run, default its own validation tokens. */
  readonly corpus?: readonly string[];
  readonly corpusOptions?: Omit<CorpusOptions, "split" | "part" | "onProgress">;
  /** Tokens of the corpus encoded at most. Default 2,000,000. */
  readonly maxTokens?: number;
  readonly windows: number;
  readonly nPos: number;
  readonly seed: number;
  /** Where windows start: document starts (BOS at position 0, the default) or random tokens. */
  readonly start?: WindowStart;
}

export interface LanguageWindows {
  /** [windows, nPos + 1] tokens: the model reads the first nPos, the last nPos are the targets. */
  readonly tokens: Int32Array;
  readonly bos: number;
  /** Where the text came from. */
  readonly description: string;
}

/** Windows of text for a loaded language model (see LanguageWindowOptions). */
export async function languageWindows(loaded: LoadedLanguageModel, o: LanguageWindowOptions): Promise<LanguageWindows> {
  const fn = "lm";
  const batch = { batchSize: o.windows, nPos: o.nPos, seed: o.seed, start: o.start ?? "document" };
  if ((!o.corpus || o.corpus.length === 0) && loaded.kind === "run") {
    const run = await new FileRunStore(loaded.name).readRun();
    const data = await openLanguageData(loaded.name, run!.data as CorpusRunData);
    try {
      const stream = data.validation && data.validation.nTokens > o.nPos + 1 ? data.validation : data.train;
      return { tokens: windowBatch(stream, batch, 0), bos: data.description.bos, description: `${loaded.name}: its ${stream === data.train ? "training" : "validation"} tokens` };
    } finally {
      closeLanguageData(data);
    }
  }
  if (!o.corpus || o.corpus.length === 0) throw new ArgumentError({ fn, argument: "--corpus", received: "nothing", expected: "text for the model (files, globs, or \"grammar\")" });
  const tokenizer = loaded.tokenizer;
  if (!tokenizer) throw new ArgumentError({ fn, argument: "--tokenizer", received: "nothing, and the folder has no tokenizer.json (or vocab.json + merges.txt)", expected: "the model's tokenizer" });
  if (tokenizer.vocabSize > loaded.model.dVocab) {
    throw new ArgumentError({ fn, argument: "--tokenizer", received: `a tokenizer of ${tokenizer.vocabSize} tokens`, expected: `at most the model's d_vocab = ${loaded.model.dVocab}` });
  }
  const bos = bosTokenOf(tokenizer, fn);
  const corpus = await openCorpus(o.corpus, o.corpusOptions ?? {});
  const sink = new TokenStreamBuilder();
  const stats = await encodeCorpus(corpus.documents(), tokenizer, { train: sink }, { split: { validationFraction: 0, seed: 0 }, bos, maxTokens: o.maxTokens ?? 2_000_000 });
  const stream: TokenStream = sink.build();
  return { tokens: windowBatch(stream, batch, 0), bos, description: `${o.corpus.join(" ")}: ${stats.trainDocuments} documents, ${stats.trainTokens} tokens${stats.truncated ? " (cut at --max-tokens)" : ""}` };
}
