/**
 * Documents from a stream of plain-text chunks (constant memory: at most one
 * document, bounded by `maxDocumentChars`). Documents are trimmed of blank
 * lines at the start and whitespace at the end; empty documents are dropped.
 */
import { ArgumentError } from "../../util/errors.js";
import { LineSplitter } from "./lineSplitter.js";
import { type DocumentSeparator, describeSeparator, END_OF_TEXT } from "./separator.js";

/**
 * Default bound on one document, in UTF-16 code units: 32 Mi characters, 32 to
 * 64 MB of string. A file without separators fails at this size with a clear
 * message instead of filling memory.
 */
export const DEFAULT_MAX_DOCUMENT_CHARS = 32 * 1024 * 1024;

function clean(doc: string): string {
  return doc.replace(/^(?:[ \t\f\v]*\r?\n)+/, "").trimEnd();
}

export class DocumentSplitter {
  readonly #separator: DocumentSeparator;
  readonly #source: string;
  readonly #max: number;
  readonly #lines: LineSplitter;
  readonly #separatorLine: string | null;
  #carry = "";
  #parts: string[] = [];
  #partsChars = 0;
  #documents = 0;

  constructor(separator: DocumentSeparator, options: { readonly source: string; readonly maxDocumentChars?: number }) {
    this.#separator = separator;
    this.#source = options.source;
    this.#max = options.maxDocumentChars ?? DEFAULT_MAX_DOCUMENT_CHARS;
    this.#lines = new LineSplitter(options.source, this.#max);
    this.#separatorLine = separator.startsWith("line:") ? separator.slice(5) : null;
  }

  /** Documents completed by this chunk. */
  push(chunk: string): string[] {
    const out: string[] = [];
    if (this.#separator === "endoftext") {
      const text = this.#carry + chunk;
      let start = 0;
      for (let at = text.indexOf(END_OF_TEXT); at >= 0; at = text.indexOf(END_OF_TEXT, start)) {
        this.#emit(text.slice(start, at), out);
        start = at + END_OF_TEXT.length;
      }
      this.#carry = text.slice(start);
      if (this.#carry.length > this.#max + END_OF_TEXT.length) this.#tooLong();
      return out;
    }
    for (const line of this.#lines.push(chunk)) this.#line(line, out);
    return out;
  }

  /** The last document. */
  end(): string[] {
    const out: string[] = [];
    if (this.#separator === "endoftext") {
      this.#emit(this.#carry, out);
      this.#carry = "";
      return out;
    }
    for (const line of this.#lines.end()) this.#line(line, out);
    this.#flushParts(out);
    return out;
  }

  /** Documents returned so far. */
  get documents(): number {
    return this.#documents;
  }

  #line(line: string, out: string[]): void {
    const isSeparator = this.#separatorLine === null ? line.trim().length === 0 : line === this.#separatorLine;
    if (isSeparator) {
      this.#flushParts(out);
      return;
    }
    this.#parts.push(line);
    this.#partsChars += line.length + 1;
    if (this.#partsChars > this.#max) this.#tooLong();
  }

  #flushParts(out: string[]): void {
    if (this.#parts.length > 0) this.#emit(this.#parts.join("\n"), out);
    this.#parts = [];
    this.#partsChars = 0;
  }

  #emit(raw: string, out: string[]): void {
    const doc = clean(raw);
    if (doc.length === 0) return;
    this.#documents++;
    out.push(doc);
  }

  #tooLong(): never {
    throw new ArgumentError({
      fn: "readCorpus",
      argument: this.#source,
      received: `document ${this.#documents + 1} longer than ${this.#max} characters`,
      expected: describeSeparator(this.#separator),
      hint: "Check the separator (--separator endoftext | blank-line | line:X), or raise maxDocumentChars.",
    });
  }
}
