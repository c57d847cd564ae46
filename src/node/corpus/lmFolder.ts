/**
 * `beliefscope lm train` in a run folder: the tokenizer (given, or trained on
 * the training documents), the tokenized corpus, and the language run, all in
 * RUN/ (run.json, metrics.jsonl, checkpoints/, model/, tokenizer/, tokens/).
 * A resumed run reads its tokens and tokenizer back and needs no corpus.
 */
import { join } from "node:path";
import type { EngineDevice } from "../../engine/jax.js";
import { documentPart, type CorpusSplit } from "../../language/corpus/split.js";
import { LM_TRANSFORMER_DEFAULTS, trainLanguageModel, type CorpusRunData, type LanguageModelData, type TrainLanguageModelOptions, type TrainLanguageModelResult } from "../../language/lm/trainLanguageModel.js";
import type { WindowStart } from "../../language/lm/windows.js";
import { BpeTokenizer } from "../../language/tokenizer/tokenizer.js";
import { trainTokenizers } from "../../language/tokenizer/trainTokenizer.js";
import type { EngineChoice } from "../../train/fastEngines.js";
import { ArgumentError } from "../../util/errors.js";
import { formatSize } from "../../util/humanUnits.js";
import { FileRunStore } from "../runFolder.js";
import { openLanguageData, prepareLanguageData, RUN_TOKENIZER, loadRunTokenizer } from "./languageData.js";
import { openCorpus, type CorpusOptions } from "./readCorpus.js";
import { loadTokenizer, saveTokenizerJson } from "./tokenizerFiles.js";

export interface LmProgress {
  readonly phase: "read" | "merge" | "tokenize";
  readonly done: number;
  readonly total: number;
  readonly detail: string;
}

export interface TrainLmInFolderOptions extends Omit<TrainLanguageModelOptions, "store"> {
  readonly runDir: string;
  /** The corpus (files, globs, "grammar[:...]"); not needed when resuming. */
  readonly corpus?: readonly string[];
  readonly corpusOptions?: Omit<CorpusOptions, "split" | "part" | "onProgress" | "maxDocuments">;
  /** A tokenizer.json (or its folder); without one a tokenizer of `vocab` tokens is trained on the training documents. */
  readonly tokenizer?: string;
  /** Vocabulary of the tokenizer trained when none is given. Default 1024. */
  readonly vocab?: number;
  /** Share of documents held out for validation. Default 0.05. */
  readonly validationFraction?: number;
  /** Seed of the train/validation split. Default the training seed. */
  readonly splitSeed?: number;
  readonly windows?: WindowStart;
  readonly maxTokens?: number;
  readonly device?: EngineDevice;
  readonly engine?: EngineChoice;
  readonly onProgress?: (p: LmProgress) => void;
}

export interface TrainLmInFolderResult extends TrainLanguageModelResult {
  readonly data: LanguageModelData;
  readonly tokenizer: BpeTokenizer;
}

const mb = formatSize;

/** Train a tokenizer on the training part of a corpus (the validation documents stay unseen). */
async function trainCorpusTokenizer(o: TrainLmInFolderOptions, split: CorpusSplit): Promise<BpeTokenizer> {
  const corpus = await openCorpus(o.corpus!, {
    ...o.corpusOptions,
    onProgress: (p) => o.onProgress?.({ phase: "read", done: p.done, total: p.total, detail: p.unit === "bytes" ? `${mb(p.done)} of ${mb(p.total)}` : `${p.documents} documents` }),
  });
  async function* trainingDocuments() {
    let index = 0;
    for await (const doc of corpus.documents()) if (documentPart(index++, split) === "train") yield doc;
  }
  const trained = await trainTokenizers(trainingDocuments(), {
    vocabSizes: [o.vocab ?? 1024],
    onMerge: (p) => o.onProgress?.({ phase: "merge", done: p.merges, total: p.target, detail: `${p.merges} of ${p.target} merges` }),
  });
  return BpeTokenizer.fromJson(trained.tokenizers[0].json, "trained tokenizer");
}

export async function trainLanguageModelInFolder(o: TrainLmInFolderOptions): Promise<TrainLmInFolderResult> {
  const fn = "lm train";
  const store = new FileRunStore(o.runDir);
  const saved = await store.readRun();
  if (saved && !o.resume) {
    throw new ArgumentError({ fn, argument: "--out", received: `${JSON.stringify(o.runDir)}, which already holds a run`, expected: "a new or empty run folder", hint: "Add --resume to continue that run, or choose another folder." });
  }
  if (o.resume && !saved) {
    throw new ArgumentError({ fn, argument: "--out", received: `${JSON.stringify(o.runDir)} with no run in it`, expected: "a run folder to resume", hint: "Drop --resume to start a new run there." });
  }
  let data: LanguageModelData;
  let tokenizer: BpeTokenizer;
  if (saved) {
    if (saved.data?.kind !== "corpus") {
      throw new ArgumentError({ fn, argument: "--out", received: `${JSON.stringify(o.runDir)}, a run not trained on a corpus`, expected: "a language run (`beliefscope lm train`)", hint: "Resume process runs with `beliefscope train --resume`." });
    }
    data = await openLanguageData(o.runDir, saved.data as CorpusRunData);
    tokenizer = await loadRunTokenizer(o.runDir);
  } else {
    if (!o.corpus || o.corpus.length === 0) {
      throw new ArgumentError({ fn, argument: "corpus", received: "nothing", expected: 'a corpus: text, JSON lines or Parquet files, directories or globs of them, or "grammar"' });
    }
    const seed = o.splitSeed ?? o.training?.seed ?? 0;
    const split: CorpusSplit = { validationFraction: o.validationFraction ?? 0.05, seed };
    tokenizer = o.tokenizer !== undefined ? await loadTokenizer(o.tokenizer) : await trainCorpusTokenizer(o, split);
    if (o.tokenizer === undefined) await saveTokenizerJson(tokenizer.json, join(o.runDir, RUN_TOKENIZER, "tokenizer.json"));
    data = await prepareLanguageData(o.runDir, {
      corpus: o.corpus,
      corpusOptions: o.corpusOptions,
      tokenizer,
      tokenizerSource: o.tokenizer ?? `trained here (${tokenizer.vocabSize} tokens)`,
      split,
      windows: o.windows ?? "random",
      maxTokens: o.maxTokens,
      // One validation window of the model's context (the default transformer's when a preset sets it).
      minValidationTokens: Number(o.model?.nCtx ?? LM_TRANSFORMER_DEFAULTS.nCtx) + 1,
      onProgress: (p) => o.onProgress?.({ phase: "tokenize", done: p.done, total: p.total, detail: `${p.documents} documents, ${(p.tokens / 1e6).toFixed(2)} M tokens` }),
    });
  }
  const result = await trainLanguageModel(data, { ...o, store });
  return { ...result, data, tokenizer };
}

/** Close the files behind a run's token streams. */
export function closeLanguageData(data: LanguageModelData): void {
  for (const s of [data.train, data.validation]) (s as { close?: () => void } | null)?.close?.();
}
