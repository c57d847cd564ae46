/**
 * Byte-level BPE training (Sennrich et al. 2016; GPT-2), the algorithm of
 * Hugging Face tokenizers' BpeTrainer (tokenizers/src/models/bpe/trainer.rs):
 *
 *   1. the vocabulary starts with the special tokens, then the 256 byte
 *      symbols sorted by code point;
 *   2. each distinct pre-token ("word", from WordCounter) becomes a sequence
 *      of byte-symbol ids, weighted by its count;
 *   3. pair counts over all words, and for each pair the words holding it;
 *   4. repeatedly take the most frequent pair (ties: the smaller (left, right)
 *      ids, as HF) from a max-heap with lazy updates, add left+right to the
 *      vocabulary, merge it in the words that hold it, and update the counts
 *      of the pairs around each merge site incrementally.
 *
 * Each merge costs time proportional to the occurrences it touches, not to the
 * corpus; memory is O(distinct words x their length). Training stops at the
 * vocabulary size or when the best pair is rarer than `minFrequency`.
 */
import { ArgumentError, checkInteger, checkKnownKeys, describe } from "../../util/errors.js";
import { MAX_BPE_VOCAB } from "./bpeModel.js";
import { BYTE_TO_UNICODE } from "./byteLevel.js";
import { byteLevelBpeJson, type TokenizerJson } from "./tokenizerJson.js";
import { DEFAULT_SPECIAL_TOKENS } from "./wordCounter.js";

export interface BpeTrainOptions {
  /** Total vocabulary: special tokens + 256 bytes + merges. */
  readonly vocabSize: number;
  /**
   * A pair must occur at least this often to be merged. Default 2, as
   * Hugging Face's ByteLevelBPETokenizer.train: a pair seen once is no pattern.
   */
  readonly minFrequency?: number;
  /** Added first, ids 0.., never merged. Default ["<s>", "</s>", "<pad>", "<unk>"]. */
  readonly specialTokens?: readonly string[];
  /** Called every 64 merges and at the end. */
  readonly onProgress?: (progress: { readonly merges: number; readonly target: number }) => void;
}

export interface BpeTrainResult {
  /** Token strings by id (byte-level symbols; special tokens first). */
  readonly vocab: readonly string[];
  /** Merges in rank order, as token strings. */
  readonly merges: readonly (readonly [string, string])[];
  /** [n_merges] id of the token each merge produced. */
  readonly mergeIds: Int32Array;
  readonly specialTokens: readonly string[];
  /** The vocabulary size asked for. */
  readonly vocabSize: number;
  /** Tokens before any merge: special tokens and the 256 bytes. */
  readonly baseVocabSize: number;
  /** True when training ended before vocabSize (see stopReason). */
  readonly stoppedEarly: boolean;
  /** "vocabSize" (reached), "noPairs" (every word is one token), or "minFrequency" (the best pair is rarer). */
  readonly stopReason: "vocabSize" | "noPairs" | "minFrequency";
}

const KNOWN = ["vocabSize", "minFrequency", "specialTokens", "onProgress"];

/** The smallest vocabulary: every byte plus the special tokens. */
export function minimumVocabSize(specialTokens: readonly string[] = DEFAULT_SPECIAL_TOKENS): number {
  return 256 + specialTokens.length;
}

/** Check a vocabulary size (exported for the command line, which checks before reading a corpus). */
export function checkVocabSize(fn: string, argument: string, vocabSize: unknown, specialTokens: readonly string[] = DEFAULT_SPECIAL_TOKENS): number {
  const min = minimumVocabSize(specialTokens);
  if (typeof vocabSize !== "number" || !Number.isInteger(vocabSize) || vocabSize < min || vocabSize > MAX_BPE_VOCAB) {
    throw new ArgumentError({
      fn,
      argument,
      received: describe(vocabSize),
      expected: `an integer in [${min}, ${MAX_BPE_VOCAB}] (256 byte tokens + ${specialTokens.length} special tokens ${JSON.stringify(specialTokens)}, plus the merges)`,
    });
  }
  return vocabSize;
}

/** A binary max-heap of (count, pair key): larger count first, then smaller key. */
class PairHeap {
  #counts: number[] = [];
  #keys: number[] = [];

  get size(): number {
    return this.#counts.length;
  }

  #above(i: number, j: number): boolean {
    const ci = this.#counts[i];
    const cj = this.#counts[j];
    return ci > cj || (ci === cj && this.#keys[i] < this.#keys[j]);
  }

  #swap(i: number, j: number): void {
    const c = this.#counts[i];
    this.#counts[i] = this.#counts[j];
    this.#counts[j] = c;
    const k = this.#keys[i];
    this.#keys[i] = this.#keys[j];
    this.#keys[j] = k;
  }

  push(count: number, key: number): void {
    this.#counts.push(count);
    this.#keys.push(key);
    let i = this.#counts.length - 1;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (!this.#above(i, parent)) break;
      this.#swap(i, parent);
      i = parent;
    }
  }

  /** Remove the top; returns [count, key]. */
  pop(): [number, number] {
    const top: [number, number] = [this.#counts[0], this.#keys[0]];
    const lastCount = this.#counts.pop()!;
    const lastKey = this.#keys.pop()!;
    const n = this.#counts.length;
    if (n > 0) {
      this.#counts[0] = lastCount;
      this.#keys[0] = lastKey;
      let i = 0;
      for (;;) {
        const l = 2 * i + 1;
        if (l >= n) break;
        const r = l + 1;
        const c = r < n && this.#above(r, l) ? r : l;
        if (!this.#above(c, i)) break;
        this.#swap(c, i);
        i = c;
      }
    }
    return top;
  }
}

/** Train byte-level BPE on word counts (from WordCounter.counts). */
export function trainBpe(wordCounts: Iterable<readonly [string, number]>, options: BpeTrainOptions): BpeTrainResult {
  const fn = "trainBpe";
  checkKnownKeys(fn, "options", options, KNOWN);
  const specialTokens = [...(options.specialTokens ?? DEFAULT_SPECIAL_TOKENS)];
  const vocabSize = checkVocabSize(fn, "options.vocabSize", options.vocabSize, specialTokens);
  const minFrequency = checkInteger(fn, "options.minFrequency", options.minFrequency ?? 2, 0);
  if (new Set(specialTokens).size !== specialTokens.length || specialTokens.some((t) => typeof t !== "string" || t.length === 0)) {
    throw new ArgumentError({ fn, argument: "options.specialTokens", received: JSON.stringify(specialTokens), expected: "distinct non-empty strings" });
  }

  // 1. Vocabulary: special tokens, then the byte alphabet sorted by code point (HF's compute_alphabet).
  const vocab: string[] = [...specialTokens];
  const tokenId = new Map<string, number>();
  specialTokens.forEach((t, id) => tokenId.set(t, id));
  const alphabet = [...BYTE_TO_UNICODE].sort((a, b) => a.charCodeAt(0) - b.charCodeAt(0));
  const byteId = new Int32Array(256);
  for (const symbol of alphabet) {
    if (tokenId.has(symbol)) continue; // a special token that is a single byte symbol keeps its id
    tokenId.set(symbol, vocab.length);
    vocab.push(symbol);
  }
  BYTE_TO_UNICODE.forEach((symbol, b) => (byteId[b] = tokenId.get(symbol)!));

  const baseVocabSize = vocab.length;

  // Pair keys left * base + right keep (left, right) order; below 2^31 (vocabularies up to 46,340)
  // they are small integers, which V8 stores unboxed: half the memory of the pair tables.
  const base = vocabSize <= 46_340 ? 46_340 : MAX_BPE_VOCAB;
  const pairKey = (left: number, right: number) => left * base + right;

  // 2. Words as id sequences.
  const encoder = new TextEncoder();
  const words: Int32Array[] = [];
  const lengths: number[] = [];
  const counts: number[] = [];
  for (const [word, count] of wordCounts) {
    if (!(count > 0)) continue;
    const bytes = encoder.encode(word);
    if (bytes.length < 2) continue; // nothing to merge
    const ids = new Int32Array(bytes.length);
    for (let k = 0; k < bytes.length; k++) ids[k] = byteId[bytes[k]];
    words.push(ids);
    lengths.push(bytes.length);
    counts.push(count);
  }

  // 3. Pair counts, and the words that hold each pair (with repeats; visits dedupe by stamp).
  const pairCounts = new Map<number, number>();
  const where = new Map<number, number[]>();
  for (let w = 0; w < words.length; w++) {
    const ids = words[w];
    const c = counts[w];
    for (let k = 0; k + 1 < ids.length; k++) {
      const key = pairKey(ids[k], ids[k + 1]);
      pairCounts.set(key, (pairCounts.get(key) ?? 0) + c);
      const list = where.get(key);
      if (list === undefined) where.set(key, [w]);
      else if (list[list.length - 1] !== w) list.push(w);
    }
  }
  const heap = new PairHeap();
  for (const [key, count] of pairCounts) heap.push(count, key);

  // 4. Merge.
  const target = vocabSize - vocab.length;
  const merges: [string, string][] = [];
  const mergeIds: number[] = [];
  const stamp = new Int32Array(words.length).fill(-1);
  const threshold = Math.max(1, minFrequency);
  let stopReason: BpeTrainResult["stopReason"] = "vocabSize";
  const grown = new Set<number>();
  const change = (key: number, delta: number, w: number) => {
    pairCounts.set(key, (pairCounts.get(key) ?? 0) + delta);
    if (delta > 0) {
      grown.add(key);
      const list = where.get(key);
      if (list === undefined) where.set(key, [w]);
      else if (list[list.length - 1] !== w) list.push(w);
    }
  };
  while (vocab.length < vocabSize) {
    if (heap.size === 0) {
      stopReason = "noPairs";
      break;
    }
    const [count, key] = heap.pop();
    const current = pairCounts.get(key) ?? 0;
    if (count !== current) {
      if (current > 0) heap.push(current, key);
      continue;
    }
    if (count < threshold) {
      stopReason = "minFrequency";
      break;
    }
    const a = Math.floor(key / base);
    const b = key - a * base;
    const merged = vocab[a] + vocab[b];
    let newId = tokenId.get(merged);
    if (newId === undefined) {
      newId = vocab.length;
      vocab.push(merged);
      tokenId.set(merged, newId);
    }
    merges.push([vocab[a], vocab[b]]);
    mergeIds.push(newId);

    const mergeIndex = merges.length;
    grown.clear();
    for (const w of where.get(key) ?? []) {
      if (stamp[w] === mergeIndex) continue;
      stamp[w] = mergeIndex;
      const ids = words[w];
      const n = lengths[w];
      const c = counts[w];
      let out = 0;
      let i = 0;
      // Left to right, non-overlapping, compacting in place (HF's Word::merge).
      while (i < n) {
        if (i + 1 < n && ids[i] === a && ids[i + 1] === b) {
          if (out > 0) {
            change(pairKey(ids[out - 1], a), -c, w);
            change(pairKey(ids[out - 1], newId), c, w);
          }
          if (i + 2 < n) {
            change(pairKey(b, ids[i + 2]), -c, w);
            change(pairKey(newId, ids[i + 2]), c, w);
          }
          ids[out++] = newId;
          i += 2;
        } else {
          ids[out++] = ids[i++];
        }
      }
      lengths[w] = out;
    }
    pairCounts.delete(key);
    where.delete(key);
    for (const k of grown) {
      const c = pairCounts.get(k) ?? 0;
      if (c > 0) heap.push(c, k);
    }
    if (merges.length % 64 === 0) options.onProgress?.({ merges: merges.length, target });
  }
  options.onProgress?.({ merges: merges.length, target });
  return { vocab, merges, mergeIds: Int32Array.from(mergeIds), specialTokens, vocabSize, baseVocabSize, stoppedEarly: stopReason !== "vocabSize", stopReason };
}

/**
 * The tokenizer.json of a training result cut to `vocabSize` tokens (the first
 * merges: BPE training is greedy, so the first k merges of a larger run are the
 * merges a run to the smaller size makes). Default: the size trained for.
 */
export function bpeTokenizerJson(result: BpeTrainResult, vocabSize: number = result.vocabSize): TokenizerJson {
  checkVocabSize("bpeTokenizerJson", "vocabSize", vocabSize, result.specialTokens);
  let nMerges = 0;
  while (nMerges < result.merges.length && result.mergeIds[nMerges] < vocabSize) nMerges++;
  let size = result.baseVocabSize;
  for (let k = 0; k < nMerges; k++) size = Math.max(size, result.mergeIds[k] + 1);
  return byteLevelBpeJson(result.vocab.slice(0, size), result.merges.slice(0, nMerges), result.specialTokens);
}
