/**
 * A tokenized corpus as one stream of token ids, documents back to back, each
 * starting with its BOS token, plus the index of each document's first token.
 * Training windows are read from it at any offset (windows.ts). The stream
 * may live in memory (ArrayTokenStream) or in a file (beliefscope/node's
 * FileTokenStream), so memory does not grow with the corpus.
 */
import { ArgumentError } from "../../util/errors.js";

export interface TokenStream {
  /** Tokens in the stream. */
  readonly nTokens: number;
  readonly nDocuments: number;
  /** Offset of document d's first token (its BOS), increasing in d. */
  documentStart(d: number): number;
  /** Copy tokens [start, start + count) to out[offset..]. */
  read(start: number, count: number, out: Int32Array, offset?: number): void;
}

/** Receives documents as they are tokenized (each already starting with BOS). */
export interface TokenSink {
  appendDocument(ids: Int32Array): void | Promise<void>;
}

export type TokenArray = Uint16Array | Uint32Array | Int32Array;

export class ArrayTokenStream implements TokenStream {
  readonly #tokens: TokenArray;
  readonly #starts: Uint32Array | Float64Array;

  /** `tokens` [n_tokens]; `starts` [n_documents] the offset of each document's first token. */
  constructor(tokens: TokenArray, starts: Uint32Array | Float64Array) {
    for (let d = 1; d < starts.length; d++) {
      if (!(starts[d] > starts[d - 1])) throw new ArgumentError({ fn: "ArrayTokenStream", argument: `starts[${d}]`, received: String(starts[d]), expected: `an offset above starts[${d - 1}] = ${starts[d - 1]}` });
    }
    if (starts.length > 0 && !(starts[starts.length - 1] < tokens.length)) {
      throw new ArgumentError({ fn: "ArrayTokenStream", argument: "starts", received: `a last start of ${starts[starts.length - 1]}`, expected: `offsets below the ${tokens.length} tokens` });
    }
    this.#tokens = tokens;
    this.#starts = starts;
  }
  get nTokens(): number {
    return this.#tokens.length;
  }
  get nDocuments(): number {
    return this.#starts.length;
  }
  documentStart(d: number): number {
    return this.#starts[d];
  }
  read(start: number, count: number, out: Int32Array, offset = 0): void {
    if (!(start >= 0 && start + count <= this.#tokens.length)) {
      throw new ArgumentError({ fn: "TokenStream.read", argument: "start", received: `[${start}, ${start + count})`, expected: `a range within the ${this.#tokens.length} tokens` });
    }
    for (let k = 0; k < count; k++) out[offset + k] = this.#tokens[start + k];
  }
  /** The tokens of document d (from its BOS to the next document's). */
  document(d: number): Int32Array {
    const end = d + 1 < this.#starts.length ? this.#starts[d + 1] : this.#tokens.length;
    return Int32Array.from(this.#tokens.subarray(this.#starts[d], end));
  }
}

/** Collects documents in memory (growing typed arrays), then gives an ArrayTokenStream. */
export class TokenStreamBuilder implements TokenSink {
  #tokens: Uint32Array = new Uint32Array(1 << 16);
  #starts: Float64Array = new Float64Array(1 << 10);
  #n = 0;
  #docs = 0;

  appendDocument(ids: Int32Array): void {
    if (this.#n + ids.length > this.#tokens.length) {
      const bigger = new Uint32Array(Math.max(2 * this.#tokens.length, this.#n + ids.length));
      bigger.set(this.#tokens.subarray(0, this.#n));
      this.#tokens = bigger;
    }
    if (this.#docs === this.#starts.length) {
      const bigger = new Float64Array(2 * this.#starts.length);
      bigger.set(this.#starts);
      this.#starts = bigger;
    }
    this.#starts[this.#docs++] = this.#n;
    this.#tokens.set(ids, this.#n);
    this.#n += ids.length;
  }

  get nTokens(): number {
    return this.#n;
  }

  build(): ArrayTokenStream {
    return new ArrayTokenStream(this.#tokens.slice(0, this.#n), this.#starts.slice(0, this.#docs));
  }
}
