/**
 * Lines from a stream of text chunks, with memory bounded by the longest
 * line: complete lines come out as chunks arrive ("\n" or "\r\n" endings
 * removed), the unfinished tail waits for the next chunk.
 */
import { ArgumentError } from "../../util/errors.js";

export class LineSplitter {
  #carry = "";
  #lineNumber = 0;
  readonly #maxLineChars: number;
  readonly #source: string;

  constructor(source: string, maxLineChars: number) {
    this.#source = source;
    this.#maxLineChars = maxLineChars;
  }

  /** Lines returned so far. */
  get lines(): number {
    return this.#lineNumber;
  }

  /** Complete lines in `chunk` (after what was carried over). */
  push(chunk: string, out: string[] = []): string[] {
    let text = this.#carry + chunk;
    let start = 0;
    for (let nl = text.indexOf("\n"); nl >= 0; nl = text.indexOf("\n", start)) {
      const end = nl > start && text.charCodeAt(nl - 1) === 13 ? nl - 1 : nl;
      out.push(text.slice(start, end));
      this.#lineNumber++;
      start = nl + 1;
    }
    this.#carry = start === 0 ? text : text.slice(start);
    text = "";
    if (this.#carry.length > this.#maxLineChars) this.#tooLong();
    return out;
  }

  /** The last line, if the text did not end with a newline. */
  end(out: string[] = []): string[] {
    if (this.#carry.length > 0) {
      out.push(this.#carry.endsWith("\r") ? this.#carry.slice(0, -1) : this.#carry);
      this.#lineNumber++;
    }
    this.#carry = "";
    return out;
  }

  #tooLong(): never {
    throw new ArgumentError({
      fn: "readCorpus",
      argument: this.#source,
      received: `a line longer than ${this.#maxLineChars} characters (after line ${this.#lineNumber})`,
      expected: "lines that fit the line-length bound (maxDocumentChars)",
      hint: "Is this a text file with line breaks? Raise the bound with maxDocumentChars if the lines are meant to be this long.",
    });
  }
}
