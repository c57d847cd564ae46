/**
 * Train byte-level BPE tokenizers of one or more sizes from a stream of
 * documents: one counting pass (WordCounter), one merge run to the largest
 * size (trainBpe), and a tokenizer.json per size cut from it (BPE is greedy:
 * the first k merges of the larger run are exactly a run to the smaller size).
 */
import { ArgumentError, checkKnownKeys } from "../../util/errors.js";
import { bpeTokenizerJson, checkVocabSize, trainBpe, type BpeTrainResult } from "./trainBpe.js";
import type { TokenizerJson } from "./tokenizerJson.js";
import { DEFAULT_SPECIAL_TOKENS, WordCounter } from "./wordCounter.js";

export interface TrainTokenizerOptions {
  /** Vocabulary sizes (each >= 256 + number of special tokens). */
  readonly vocabSizes: readonly number[];
  /** See BpeTrainOptions.minFrequency (default 2). */
  readonly minFrequency?: number;
  /** Default ["<s>", "</s>", "<pad>", "<unk>"]. */
  readonly specialTokens?: readonly string[];
  /** Called while merging. */
  readonly onMerge?: (progress: { readonly merges: number; readonly target: number }) => void;
  /** Called once counting is done, before merging. */
  readonly onCounted?: (stats: CountStats) => void;
}

export interface CountStats {
  readonly documents: number;
  /** Pre-tokens counted (with repeats). */
  readonly words: number;
  readonly distinctWords: number;
  /** UTF-16 code units read. */
  readonly chars: number;
}

export interface TrainedTokenizers {
  readonly stats: CountStats;
  readonly result: BpeTrainResult;
  /** tokenizer.json per requested size, in the order asked. */
  readonly tokenizers: readonly { readonly vocabSize: number; readonly json: TokenizerJson }[];
  /** Seconds counting and merging. */
  readonly countSeconds: number;
  readonly mergeSeconds: number;
}

const KNOWN = ["vocabSizes", "minFrequency", "specialTokens", "onMerge", "onCounted"];

export async function trainTokenizers(documents: AsyncIterable<string> | Iterable<string>, options: TrainTokenizerOptions): Promise<TrainedTokenizers> {
  const fn = "trainTokenizers";
  checkKnownKeys(fn, "options", options, KNOWN);
  const specialTokens = options.specialTokens ?? DEFAULT_SPECIAL_TOKENS;
  if (!Array.isArray(options.vocabSizes) || options.vocabSizes.length === 0) {
    throw new ArgumentError({ fn, argument: "options.vocabSizes", received: String(options.vocabSizes), expected: "a non-empty list of vocabulary sizes" });
  }
  options.vocabSizes.forEach((v, k) => checkVocabSize(fn, `options.vocabSizes[${k}]`, v, specialTokens));
  const largest = Math.max(...options.vocabSizes);

  const t0 = performance.now();
  const counter = new WordCounter({ specialTokens });
  for await (const doc of documents) counter.add(doc);
  const stats: CountStats = { documents: counter.documents, words: counter.words, distinctWords: counter.counts.size, chars: counter.chars };
  options.onCounted?.(stats);
  const t1 = performance.now();
  const result = trainBpe(counter.counts, {
    vocabSize: largest,
    minFrequency: options.minFrequency,
    specialTokens,
    onProgress: options.onMerge,
  });
  const t2 = performance.now();
  const tokenizers = options.vocabSizes.map((vocabSize) => ({ vocabSize, json: bpeTokenizerJson(result, vocabSize) }));
  return { stats, result, tokenizers, countSeconds: (t1 - t0) / 1000, mergeSeconds: (t2 - t1) / 1000 };
}
