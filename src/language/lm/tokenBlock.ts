/**
 * The validation split of a corpus with too few documents for the split by
 * document (corpus/split.ts): the last block of tokens is held out instead.
 *
 *   needsTokenBlock   the document split held out less than half the share asked for
 *   tokenBlockSize    ceil(share x tokens), at least `minTokens`, refused (naming --validation)
 *                     when the rest could not hold `minTokens` either
 *   sliceTokenStream  tokens [start, end) of a stream as a stream of its own
 *
 * The block is contiguous and at the end of the corpus, so no training window
 * (tokens [0, start)) reads a held-out token. Its first "document" starts at
 * the block's first token, which need not be a BOS.
 */
import { ArgumentError } from "../../util/errors.js";
import type { TokenStream } from "./tokenStream.js";

/** How the validation tokens of a run were chosen (run.json `data.validationSplit`). */
export type ValidationSplit = "documents" | "token-block" | "none";

/** True when the split by document held out under half of `fraction` of the tokens (too few documents for the share). */
export function needsTokenBlock(validationTokens: number, totalTokens: number, fraction: number): boolean {
  return fraction > 0 && validationTokens < 0.5 * fraction * totalTokens;
}

/** Tokens held out at the end of a stream of `totalTokens`: ceil(fraction x total), at least `minTokens`. */
export function tokenBlockSize(totalTokens: number, fraction: number, minTokens: number, fn: string): number {
  const size = Math.max(Math.ceil(fraction * totalTokens), minTokens);
  if (totalTokens - size < minTokens) {
    throw new ArgumentError({
      fn,
      argument: "--validation",
      received: `${fraction} of a corpus of ${totalTokens} tokens, too few documents to hold any out`,
      expected: `a corpus of at least ${2 * minTokens} tokens, so that a validation block of ${size} tokens and as many training tokens fit`,
      hint: "Use a larger corpus, or --validation 0 (losses are then on training text and labelled so).",
    });
  }
  return size;
}

class TokenStreamSlice implements TokenStream {
  readonly #stream: TokenStream;
  readonly #start: number;
  readonly #end: number;
  readonly #starts: number[];
  readonly #owns: boolean;

  constructor(stream: TokenStream, start: number, end: number, owns: boolean) {
    this.#stream = stream;
    this.#owns = owns;
    this.#start = start;
    this.#end = end;
    // The slice's first token starts its first document; then every document that starts inside it.
    this.#starts = [0];
    for (let d = 0; d < stream.nDocuments; d++) {
      const s = stream.documentStart(d);
      if (s > start && s < end) this.#starts.push(s - start);
    }
  }
  get nTokens(): number {
    return this.#end - this.#start;
  }
  get nDocuments(): number {
    return this.nTokens > 0 ? this.#starts.length : 0;
  }
  documentStart(d: number): number {
    return this.#starts[d];
  }
  read(start: number, count: number, out: Int32Array, offset = 0): void {
    if (!(start >= 0 && start + count <= this.nTokens)) {
      throw new ArgumentError({ fn: "TokenStream.read", argument: "start", received: `[${start}, ${start + count})`, expected: `a range within the ${this.nTokens} tokens` });
    }
    this.#stream.read(this.#start + start, count, out, offset);
  }
  close(): void {
    if (this.#owns) (this.#stream as { close?: () => void }).close?.();
  }
}

/** Tokens [start, end) of `stream` as a stream (reads go to `stream`; closing it closes `stream` when `owns`). */
export function sliceTokenStream(stream: TokenStream, start: number, end: number, owns = false): TokenStream {
  if (!(Number.isInteger(start) && Number.isInteger(end) && 0 <= start && start <= end && end <= stream.nTokens)) {
    throw new ArgumentError({ fn: "sliceTokenStream", argument: "range", received: `[${start}, ${end})`, expected: `a range within the ${stream.nTokens} tokens` });
  }
  return new TokenStreamSlice(stream, start, end, owns);
}

/** Training tokens [0, n - size) and the held-out block [n - size, n) of one stream (closing the training part closes `stream`). */
export function splitTokenBlock(stream: TokenStream, size: number): { train: TokenStream; validation: TokenStream } {
  const cut = stream.nTokens - size;
  return { train: sliceTokenStream(stream, 0, cut, true), validation: sliceTokenStream(stream, cut, stream.nTokens) };
}
