/**
 * Documents from JSON lines: one JSON object per line, the document in a
 * string field (`text` by default, as Hugging Face data sets). Blank lines are
 * skipped, as are rows whose field is null or empty; anything else that is
 * not an object with a string field is an error naming the file and line.
 */
import { ArgumentError } from "../../util/errors.js";
import { DEFAULT_MAX_DOCUMENT_CHARS } from "./documentSplitter.js";
import { LineSplitter } from "./lineSplitter.js";

export class JsonlDocuments {
  readonly #lines: LineSplitter;
  readonly #source: string;
  readonly #field: string;
  #documents = 0;
  #lineNumber = 0;

  constructor(options: { readonly source: string; readonly textField?: string; readonly maxDocumentChars?: number }) {
    this.#source = options.source;
    this.#field = options.textField ?? "text";
    this.#lines = new LineSplitter(options.source, options.maxDocumentChars ?? DEFAULT_MAX_DOCUMENT_CHARS);
  }

  push(chunk: string): string[] {
    const out: string[] = [];
    for (const line of this.#lines.push(chunk)) this.#parse(line, out);
    return out;
  }

  end(): string[] {
    const out: string[] = [];
    for (const line of this.#lines.end()) this.#parse(line, out);
    return out;
  }

  get documents(): number {
    return this.#documents;
  }

  #parse(text: string, out: string[]): void {
    const n = ++this.#lineNumber;
    // Editors write a UTF-8 byte-order mark at the start of a file: not part of the first line's JSON.
    const line = n === 1 && text.startsWith("\ufeff") ? text.slice(1) : text;
    if (line.trim().length === 0) return;
    let row: unknown;
    try {
      row = JSON.parse(line);
    } catch (err) {
      throw new ArgumentError({
        fn: "readCorpus",
        argument: `${this.#source}:${n}`,
        received: `a line that is not JSON (${(err as Error).message})`,
        expected: `one JSON object per line with a string field "${this.#field}"`,
      });
    }
    if (typeof row !== "object" || row === null || Array.isArray(row)) {
      throw new ArgumentError({ fn: "readCorpus", argument: `${this.#source}:${n}`, received: `${Array.isArray(row) ? "an array" : JSON.stringify(row)?.slice(0, 40)}`, expected: `a JSON object with a string field "${this.#field}"` });
    }
    const value = (row as Record<string, unknown>)[this.#field];
    if (value === null || value === "") return;
    if (typeof value !== "string") {
      const keys = Object.keys(row as object);
      throw new ArgumentError({
        fn: "readCorpus",
        argument: `${this.#source}:${n}`,
        received: value === undefined ? `an object without "${this.#field}" (keys: ${keys.slice(0, 10).join(", ") || "none"})` : `"${this.#field}" of type ${typeof value}`,
        expected: `a string field "${this.#field}"`,
        hint: value === undefined && keys.length > 0 ? `Choose the field with --text-field (e.g. --text-field ${keys[0]}).` : undefined,
      });
    }
    this.#documents++;
    out.push(value);
  }
}
