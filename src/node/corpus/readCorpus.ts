/**
 * Streaming corpus reader: documents from text files (<|endoftext|>, blank
 * lines or a separator line), JSON lines, Parquet, directories and globs of
 * them, or the generated story grammar, with progress callbacks and a seeded
 * train/validation split by document.
 *
 * Memory is bounded by one read chunk (1 MiB) plus one document (text, JSON
 * lines; at most maxDocumentChars) or one Parquet row group, whatever the size
 * of the files (bench/language.ts measures the peak on 1 GB files).
 */
import { createReadStream } from "node:fs";
import { createGunzip } from "node:zlib";
import { asyncBufferFromFile } from "hyparquet";
import { ArgumentError } from "../../util/errors.js";
import { warn } from "../../util/warn.js";
import { DocumentSplitter } from "../../language/corpus/documentSplitter.js";
import { JsonlDocuments } from "../../language/corpus/jsonl.js";
import { parquetDocuments } from "../../language/corpus/parquet.js";
import type { ProgressCallback } from "../../language/corpus/progress.js";
import { detectSeparator, type DocumentSeparator, type SeparatorChoice, parseSeparator } from "../../language/corpus/separator.js";
import { checkCorpusSplit, type CorpusPart, documentPart, type CorpusSplit } from "../../language/corpus/split.js";
import { grammarDocuments, isGrammarSpec, parseGrammarSpec, type GrammarCorpusSpec } from "../../language/grammar/corpus.js";
import { type CorpusFile, type CorpusFormat, listCorpusFiles } from "./files.js";

export interface CorpusOptions {
  /** Force a format for every file; default "auto" (by extension: .parquet, .jsonl/.ndjson, else text). */
  readonly format?: CorpusFormat | "auto";
  /** Document separator in text files; default "auto" (see language/corpus/separator.ts). */
  readonly separator?: SeparatorChoice;
  /** The field (JSON lines) or column (Parquet) holding the text; default "text". */
  readonly textField?: string;
  /** Bound on one document (and line), in characters; default 32 Mi. */
  readonly maxDocumentChars?: number;
  /** Split by document; with `part`, read only that part. */
  readonly split?: CorpusSplit;
  /** "train", "validation" or "all" (default; the split is then ignored). */
  readonly part?: CorpusPart;
  /** Stop after this many documents of the part. */
  readonly maxDocuments?: number;
  readonly onProgress?: ProgressCallback;
}

export interface Corpus {
  /** What was opened, for messages: the paths or the grammar spec. */
  readonly description: string;
  readonly files: readonly CorpusFile[];
  /** The generated corpus, when the spec was "grammar[:...]". */
  readonly generated: GrammarCorpusSpec | null;
  /** Bytes of all files (0 for the generated corpus). */
  readonly totalBytes: number;
  /** A fresh pass over the documents (of `part`). Throws if the whole corpus holds no text. */
  documents(): AsyncGenerator<string>;
}

const CHUNK_BYTES = 1 << 20;

/** Stream a file's chunks as text, counting bytes read from disk. */
async function* textChunks(file: CorpusFile, onBytes: (n: number) => void): AsyncGenerator<string> {
  const raw = createReadStream(file.path, { highWaterMark: CHUNK_BYTES });
  let source: AsyncIterable<Buffer> = raw;
  if (file.gzip) {
    raw.on("data", (chunk: Buffer | string) => onBytes(chunk.length));
    source = raw.pipe(createGunzip({ chunkSize: CHUNK_BYTES }));
  }
  const decoder = new TextDecoder("utf-8", { fatal: false });
  let first = true;
  try {
    for await (const chunk of source) {
      if (!file.gzip) onBytes(chunk.length);
      const text = decoder.decode(chunk, { stream: true });
      if (first) {
        first = false;
        if (text.slice(0, 8192).includes("\u0000")) {
          throw new ArgumentError({ fn: "readCorpus", argument: file.path, received: "a binary file (NUL bytes)", expected: `a ${file.format === "jsonl" ? "JSON lines" : "UTF-8 text"} file` });
        }
      }
      yield text;
    }
  } catch (err) {
    if (err instanceof ArgumentError) throw err;
    throw new ArgumentError({ fn: "readCorpus", argument: file.path, received: `a file that could not be read (${(err as Error).message})`, expected: file.gzip ? "a readable gzip file" : "a readable file" });
  } finally {
    raw.destroy();
  }
  const tail = decoder.decode();
  if (tail.length > 0) yield tail;
}

async function* fileDocuments(file: CorpusFile, options: CorpusOptions, onBytes: (n: number) => void): AsyncGenerator<string> {
  if (file.format === "parquet") {
    let last = 0;
    const buffer = await asyncBufferFromFile(file.path);
    yield* parquetDocuments(buffer, {
      source: file.path,
      textField: options.textField,
      onBytes: (done) => {
        const capped = Math.min(done, file.bytes);
        onBytes(capped - last);
        last = capped;
      },
    });
    onBytes(file.bytes - last);
    return;
  }
  if (file.format === "jsonl") {
    const reader = new JsonlDocuments({ source: file.path, textField: options.textField, maxDocumentChars: options.maxDocumentChars });
    for await (const chunk of textChunks(file, onBytes)) yield* reader.push(chunk);
    yield* reader.end();
    return;
  }
  let splitter: DocumentSplitter | null = null;
  const choice = options.separator ?? "auto";
  for await (const chunk of textChunks(file, onBytes)) {
    if (splitter === null) {
      const separator: DocumentSeparator = choice === "auto" ? detectSeparator(chunk) : choice;
      splitter = new DocumentSplitter(separator, { source: file.path, maxDocumentChars: options.maxDocumentChars });
    }
    yield* splitter.push(chunk);
  }
  if (splitter) yield* splitter.end();
}

function checkOptions(options: CorpusOptions): void {
  const fn = "openCorpus";
  if (options.separator !== undefined) parseSeparator(options.separator, fn);
  if (options.split) checkCorpusSplit(fn, options.split);
  if (options.part !== undefined && options.part !== "all") {
    if (options.part !== "train" && options.part !== "validation") {
      throw new ArgumentError({ fn, argument: "part", received: JSON.stringify(options.part), expected: '"train", "validation" or "all"' });
    }
    if (!options.split) throw new ArgumentError({ fn, argument: "split", received: "undefined", expected: `a split ({ validationFraction, seed }) to read the ${options.part} part` });
  }
  if (options.maxDocuments !== undefined && !(Number.isInteger(options.maxDocuments) && options.maxDocuments >= 1)) {
    throw new ArgumentError({ fn, argument: "maxDocuments", received: String(options.maxDocuments), expected: "an integer >= 1" });
  }
}

/**
 * Open a corpus: one or more files, directories or globs, or "grammar[:...]"
 * for the generated stories. Nothing is read until `documents()` is iterated.
 */
export async function openCorpus(spec: string | readonly string[], options: CorpusOptions = {}): Promise<Corpus> {
  checkOptions(options);
  const specs = typeof spec === "string" ? [spec] : [...spec];
  const grammarSpecs = specs.filter(isGrammarSpec);
  let generated: GrammarCorpusSpec | null = null;
  let files: CorpusFile[] = [];
  if (grammarSpecs.length > 0) {
    if (specs.length > 1) throw new ArgumentError({ fn: "openCorpus", argument: "corpus", received: JSON.stringify(specs), expected: "either the generated corpus (\"grammar[:...]\") or files, not both" });
    generated = parseGrammarSpec(specs[0]);
  } else {
    files = await listCorpusFiles(specs, options.format ?? "auto");
  }
  const totalBytes = files.reduce((s, f) => s + f.bytes, 0);
  const description = generated ? specs[0] : specs.join(" ");
  const part = options.part ?? "all";
  const split = options.split;
  const maxDocuments = options.maxDocuments ?? Infinity;

  async function* documents(): AsyncGenerator<string> {
    let index = 0;
    let selected = 0;
    let done = 0;
    const take = () => {
      const ok = part === "all" || documentPart(index, split!) === part;
      index++;
      return ok;
    };
    if (generated) {
      const total = generated.stories;
      const report = () => options.onProgress?.({ source: description, done: index, total, documents: index, unit: "documents" });
      for (const doc of grammarDocuments(generated)) {
        if (take()) {
          yield doc;
          if (++selected >= maxDocuments) break;
        }
        if (index % 256 === 0) report();
      }
      report();
      return;
    }
    for (const file of files) {
      const before = index;
      let lastReport = done;
      const onBytes = (n: number) => {
        done += n;
      };
      for await (const doc of fileDocuments(file, options, onBytes)) {
        if (take()) {
          yield doc;
          if (++selected >= maxDocuments) return;
        }
        if (done - lastReport >= CHUNK_BYTES) {
          lastReport = done;
          options.onProgress?.({ source: file.path, done, total: totalBytes, documents: index, unit: "bytes" });
        }
      }
      options.onProgress?.({ source: file.path, done, total: totalBytes, documents: index, unit: "bytes" });
      if (index === before && files.length > 1) warn(`corpus file ${file.path} holds no text (0 documents)`);
    }
    if (index === 0) {
      throw new ArgumentError({
        fn: "readCorpus",
        argument: description,
        received: files.length === 1 ? `a ${files[0].format === "parquet" ? "Parquet file" : "file"} with no text (0 documents, ${files[0].bytes} bytes)` : `${files.length} files with no text (0 documents)`,
        expected: "a corpus with at least one non-empty document",
      });
    }
  }
  return { description, files, generated, totalBytes, documents };
}
