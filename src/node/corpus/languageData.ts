/**
 * A language run's data in its run folder: the tokenizer (RUN/tokenizer/
 * tokenizer.json, a copy, so the run stands alone) and the tokenized corpus
 * (RUN/tokens/, tokenFiles.ts), written once when the run starts and read
 * again when it resumes or is analysed.
 */
import { join } from "node:path";
import type { CorpusSplit } from "../../language/corpus/split.js";
import { encodeCorpus } from "../../language/lm/encodeCorpus.js";
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
  readonly onProgress?: (p: { readonly phase: "tokenize"; readonly done: number; readonly total: number; readonly unit: "bytes" | "documents"; readonly documents: number; readonly tokens: number }) => void;
}

/** Tokenize the corpus into RUN/tokens and copy the tokenizer to RUN/tokenizer; returns the streams. */
export async function prepareLanguageData(runDir: string, o: PrepareLanguageDataOptions): Promise<LanguageModelData> {
  await saveTokenizerJson(o.tokenizer.json, join(runDir, RUN_TOKENIZER, "tokenizer.json"));
  let tokens = 0;
  let last = { done: 0, total: 0, unit: "bytes" as "bytes" | "documents", documents: 0 };
  const corpus = await openCorpus(o.corpus, {
    ...o.corpusOptions,
    onProgress: (p) => {
      last = { done: p.done, total: p.total, unit: p.unit, documents: p.documents };
      o.onProgress?.({ phase: "tokenize", ...last, tokens });
    },
  });
  const folder = join(runDir, RUN_TOKENS);
  const parts = o.split.validationFraction > 0 ? ["train", "validation"] : ["train"];
  const out = await createTokenFolder(folder, parts, o.tokenizer.vocabSize);
  let stats;
  try {
    stats = await encodeCorpus(corpus.documents(), o.tokenizer, { train: out.sinks.train, validation: out.sinks.validation }, {
      split: o.split,
      maxTokens: o.maxTokens,
      bos: o.bos,
      onDocument: (p) => {
        tokens = p.tokens;
      },
    });
  } catch (err) {
    for (const sink of Object.values(out.sinks)) sink.close();
    throw err;
  }
  o.onProgress?.({ phase: "tokenize", ...last, done: last.total, tokens });
  if (stats.trainDocuments === 0) {
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
    trainDocuments: stats.trainDocuments,
    validationDocuments: stats.validationDocuments,
    trainTokens: stats.trainTokens,
    validationTokens: stats.validationTokens,
    truncated: stats.truncated,
  };
  await out.finish({ bos: stats.bos, corpus: [...o.corpus], chars: stats.chars, truncated: stats.truncated });
  return openLanguageData(runDir, description);
}

/** The streams of a run folder whose corpus was tokenized (`description` is run.json's data). */
export async function openLanguageData(runDir: string, description: CorpusRunData): Promise<LanguageModelData> {
  const folder = join(runDir, RUN_TOKENS);
  const { info, streams } = await openTokenFolder(folder);
  if (info.parts.train?.tokens !== description.trainTokens) {
    throw new ArgumentError({ fn: "lm train", argument: folder, received: `${info.parts.train?.tokens ?? 0} training tokens`, expected: `the ${description.trainTokens} of the run (run.json)`, hint: "The token files do not belong to this run: delete the tokens folder and start the run again." });
  }
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
