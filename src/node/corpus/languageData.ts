/**
 * A language run's data in its run folder: the tokenizer (RUN/tokenizer/
 * tokenizer.json, a copy, so the run stands alone) and the tokenized corpus
 * (RUN/tokens/, tokenFiles.ts), written once when the run starts and read
 * again when it resumes or is analysed.
 */
import { join } from "node:path";
import type { CorpusSplit } from "../../language/corpus/split.js";
import { rm } from "node:fs/promises";
import { encodeCorpus, type EncodeCorpusStats } from "../../language/lm/encodeCorpus.js";
import { needsTokenBlock, splitTokenBlock, tokenBlockSize, type ValidationSplit } from "../../language/lm/tokenBlock.js";
import type { CorpusRunData, LanguageModelData } from "../../language/lm/trainLanguageModel.js";
import type { WindowStart } from "../../language/lm/windows.js";
import type { BpeTokenizer } from "../../language/tokenizer/tokenizer.js";
import { ArgumentError } from "../../util/errors.js";
import { openCorpus, type CorpusOptions } from "./readCorpus.js";
import { createTokenFolder, openTokenFolder, readTokenFolderInfo } from "./tokenFiles.js";
import { loadTokenizer, saveTokenizerJson } from "./tokenizerFiles.js";

export const RUN_TOKENIZER = "tokenizer";
export const RUN_TOKENS = "tokens";

export interface PrepareLanguageDataOptions {
  readonly corpus: readonly string[];
  readonly corpusOptions?: Omit<CorpusOptions, "split" | "part" | "onProgress">;
  readonly tokenizer: BpeTokenizer;
  /** Where the tokenizer came from (recorded). */
  readonly tokenizerSource: string;
  readonly split: CorpusSplit;
  readonly windows: WindowStart;
  readonly maxTokens?: number;
  readonly bos?: number;
  /** Fewest tokens a held-out block may have (the model's n_ctx + 1, one window). Default 1. */
  readonly minValidationTokens?: number;
  readonly onProgress?: (p: { readonly phase: "tokenize"; readonly done: number; readonly total: number; readonly unit: "bytes" | "documents"; readonly documents: number; readonly tokens: number }) => void;
}

/**
 * Tokenize the corpus into RUN/tokens and copy the tokenizer to RUN/tokenizer; returns the streams. When the split
 * by document holds out under half the share asked for (too few documents), the corpus is tokenized again as one
 * stream and its last ceil(share x tokens) tokens (at least `minValidationTokens`) are held out instead.
 */
export async function prepareLanguageData(runDir: string, o: PrepareLanguageDataOptions): Promise<LanguageModelData> {
  await saveTokenizerJson(o.tokenizer.json, join(runDir, RUN_TOKENIZER, "tokenizer.json"));
  const folder = join(runDir, RUN_TOKENS);
  let pass = await encodeToFolder(folder, o, o.split);
  let split: ValidationSplit = o.split.validationFraction > 0 ? "documents" : "none";
  let blockTokens = 0;
  const total = pass.stats.trainTokens + pass.stats.validationTokens;
  if (needsTokenBlock(pass.stats.validationTokens, total, o.split.validationFraction)) {
    blockTokens = tokenBlockSize(total, o.split.validationFraction, o.minValidationTokens ?? 1, "lm train");
    await pass.discard();
    pass = await encodeToFolder(folder, o, { ...o.split, validationFraction: 0 }, total - blockTokens);
    split = "token-block";
  }
  const { stats } = pass;
  if (stats.trainDocuments === 0) {
    await pass.discard();
    throw new ArgumentError({ fn: "lm train", argument: "corpus", received: `no training documents (${stats.validationDocuments} held out)`, expected: "at least one document to train on", hint: "Lower --validation." });
  }
  const description: CorpusRunData = {
    kind: "corpus",
    corpus: [...o.corpus],
    tokenizer: { vocabSize: o.tokenizer.vocabSize, merges: o.tokenizer.nMerges, source: o.tokenizerSource },
    bos: stats.bos,
    windows: o.windows,
    validationFraction: o.split.validationFraction,
    splitSeed: o.split.seed,
    validationSplit: split,
    trainDocuments: split === "token-block" ? pass.before : stats.trainDocuments,
    validationDocuments: split === "token-block" ? pass.after : stats.validationDocuments,
    trainTokens: stats.trainTokens - blockTokens,
    validationTokens: split === "token-block" ? blockTokens : stats.validationTokens,
    truncated: stats.truncated,
  };
  await pass.finish({ bos: stats.bos, corpus: [...o.corpus], chars: stats.chars, truncated: stats.truncated });
  return openLanguageData(runDir, description);
}

interface EncodePass {
  readonly stats: EncodeCorpusStats;
  /** Documents starting before the cut, and ending after it (one cut by it counts in both). */
  readonly before: number;
  readonly after: number;
  finish(info: { readonly bos: number; readonly [extra: string]: unknown }): Promise<unknown>;
  discard(): Promise<void>;
}

/** One pass of the tokenizer over the corpus into the token folder's temporary files. */
async function encodeToFolder(folder: string, o: PrepareLanguageDataOptions, split: CorpusSplit, cut = Infinity): Promise<EncodePass> {
  let tokens = 0;
  let last = { done: 0, total: 0, unit: "bytes" as "bytes" | "documents", documents: 0 };
  const corpus = await openCorpus(o.corpus, {
    ...o.corpusOptions,
    onProgress: (p) => {
      last = { done: p.done, total: p.total, unit: p.unit, documents: p.documents };
      o.onProgress?.({ phase: "tokenize", ...last, tokens });
    },
  });
  const parts = split.validationFraction > 0 ? ["train", "validation"] : ["train"];
  const out = await createTokenFolder(folder, parts, o.tokenizer.vocabSize);
  const discard = async () => {
    for (const sink of Object.values(out.sinks)) sink.close();
    await rm(folder, { recursive: true, force: true });
  };
  let before = 0;
  let after = 0;
  let stats: EncodeCorpusStats;
  try {
    const train = out.sinks.train;
    const counting = {
      appendDocument: (ids: Int32Array) => {
        if (train.tokens < cut) before++;
        if (train.tokens + ids.length > cut) after++;
        return train.appendDocument(ids);
      },
    };
    stats = await encodeCorpus(corpus.documents(), o.tokenizer, { train: counting, validation: out.sinks.validation }, {
      split,
      maxTokens: o.maxTokens,
      bos: o.bos,
      onDocument: (p) => {
        tokens = p.tokens;
      },
    });
  } catch (err) {
    await discard();
    throw err;
  }
  o.onProgress?.({ phase: "tokenize", ...last, done: last.total, tokens });
  return { stats, before, after, finish: out.finish, discard };
}

/** The streams of a run folder whose corpus was tokenized (`description` is run.json's data). */
export async function openLanguageData(runDir: string, description: CorpusRunData): Promise<LanguageModelData> {
  const folder = join(runDir, RUN_TOKENS);
  const { info, streams } = await openTokenFolder(folder);
  const block = description.validationSplit === "token-block";
  const expected = description.trainTokens + (block ? description.validationTokens : 0);
  if (info.parts.train?.tokens !== expected) {
    throw new ArgumentError({ fn: "lm train", argument: folder, received: `${info.parts.train?.tokens ?? 0} training tokens`, expected: `the ${expected} of the run (run.json)`, hint: "The token files do not belong to this run: delete the tokens folder and start the run again." });
  }
  if (block) return { ...splitTokenBlock(streams.train, description.validationTokens), description };
  return { train: streams.train, validation: streams.validation ?? null, description };
}

/** True when the run folder holds a complete tokenization. */
export async function hasLanguageData(runDir: string): Promise<boolean> {
  return (await readTokenFolderInfo(join(runDir, RUN_TOKENS))) !== null;
}

/** The run's own tokenizer (RUN/tokenizer/tokenizer.json). */
export function loadRunTokenizer(runDir: string): Promise<BpeTokenizer> {
  return loadTokenizer(join(runDir, RUN_TOKENIZER, "tokenizer.json"));
}
