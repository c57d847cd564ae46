/**
 * The first pass of BPE training: pre-tokenise every document with GPT-2's
 * pattern and count each distinct piece ("word"), as Hugging Face's BpeTrainer
 * does before it merges anything. Documents stream through; memory grows with
 * the number of distinct pieces (about 100 bytes each: ~10 MB for TinyStories'
 * ~10^5, ~1 GB for 10^7 on web text), not with the corpus.
 */
import { gpt2Pattern } from "./byteLevel.js";

export const DEFAULT_SPECIAL_TOKENS: readonly string[] = Object.freeze(["<s>", "</s>", "<pad>", "<unk>"]);

export interface WordCounterOptions {
  /** Strings cut out of the text before counting, never merged into words (default the special tokens). */
  readonly specialTokens?: readonly string[];
}

function escapeRegex(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}

export class WordCounter {
  readonly #counts = new Map<string, number>();
  readonly #pattern = gpt2Pattern();
  readonly #specials: RegExp | null;
  #documents = 0;
  #words = 0;
  #chars = 0;

  constructor(options: WordCounterOptions = {}) {
    const specials = options.specialTokens ?? DEFAULT_SPECIAL_TOKENS;
    this.#specials = specials.length === 0 ? null : new RegExp([...specials].sort((a, b) => b.length - a.length).map(escapeRegex).join("|"), "g");
  }

  /** Count the pieces of one document. */
  add(text: string): void {
    this.#documents++;
    this.#chars += text.length;
    if (this.#specials !== null && text.search(this.#specials) >= 0) {
      for (const part of text.split(this.#specials)) this.#addSection(part);
    } else {
      this.#addSection(text);
    }
  }

  #addSection(text: string): void {
    const pattern = this.#pattern;
    const counts = this.#counts;
    pattern.lastIndex = 0;
    let n = 0;
    for (let m = pattern.exec(text); m !== null; m = pattern.exec(text)) {
      const word = m[0];
      counts.set(word, (counts.get(word) ?? 0) + 1);
      n++;
    }
    this.#words += n;
  }

  /** Distinct pieces and their counts. */
  get counts(): ReadonlyMap<string, number> {
    return this.#counts;
  }

  get documents(): number {
    return this.#documents;
  }

  /** Pieces counted (with repeats). */
  get words(): number {
    return this.#words;
  }

  /** UTF-16 code units counted. */
  get chars(): number {
    return this.#chars;
  }
}
