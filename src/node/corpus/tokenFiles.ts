/**
 * Token streams on disk, so a language run's memory does not grow with its
 * corpus: a folder (RUN/tokens/) with, per part (train, validation),
 *   PART.tokens   the token ids, little-endian uint16 (vocabularies up to 65,536) or uint32
 *   PART.docs     the offset of each document's first token, little-endian uint32
 * and tokens.json describing them:
 *   { "format": "beliefscope/tokens", "version": 1, "dtype": "uint16", "bos": 0,
 *     "vocabSize": 1024, "parts": { "train": { "tokens": N, "documents": D }, ... }, ... }
 * Files are written under temporary names and renamed when complete, tokens.json
 * last: a folder without tokens.json is an interrupted tokenization. Reading
 * keeps the document offsets in memory (4 bytes a document) and reads each
 * window from the file (FileTokenStream).
 */
import { closeSync, openSync, readSync, writeSync } from "node:fs";
import { mkdir, rename, rm, stat } from "node:fs/promises";
import { join } from "node:path";
import type { TokenSink, TokenStream } from "../../language/lm/tokenStream.js";
import { ArgumentError } from "../../util/errors.js";
import { writeJsonAtomically } from "../atomicWrite.js";
import { readBytes, readJsonFile } from "../readFiles.js";

export const TOKENS_FORMAT = "beliefscope/tokens";

export interface TokenFolderInfo {
  readonly format: typeof TOKENS_FORMAT;
  readonly version: 1;
  readonly dtype: "uint16" | "uint32";
  readonly bos: number;
  readonly vocabSize: number;
  readonly parts: Readonly<Record<string, { readonly tokens: number; readonly documents: number }>>;
  /** Anything the writer adds (corpus, tokenizer, statistics). */
  readonly [extra: string]: unknown;
}

const BUFFER_TOKENS = 1 << 20;

/** Writes one part's two files, buffering a million tokens at a time. */
export class FileTokenSink implements TokenSink {
  readonly #tokensFd: number;
  readonly #docsFd: number;
  readonly #bytes: 2 | 4;
  readonly #tokenBuffer: Uint16Array | Uint32Array;
  readonly #docBuffer = new Uint32Array(1 << 16);
  #nBuffered = 0;
  #nDocsBuffered = 0;
  #tokens = 0;
  #documents = 0;
  #closed = false;

  constructor(readonly tokensPath: string, readonly docsPath: string, dtype: "uint16" | "uint32") {
    this.#bytes = dtype === "uint16" ? 2 : 4;
    this.#tokenBuffer = dtype === "uint16" ? new Uint16Array(BUFFER_TOKENS) : new Uint32Array(BUFFER_TOKENS);
    this.#tokensFd = openSync(tokensPath, "w");
    this.#docsFd = openSync(docsPath, "w");
  }

  get tokens(): number {
    return this.#tokens;
  }
  get documents(): number {
    return this.#documents;
  }

  appendDocument(ids: Int32Array): void {
    if (this.#tokens + ids.length > 0xffffffff) {
      throw new ArgumentError({ fn: "tokenizeCorpus", argument: "corpus", received: "more than 2^32 tokens in one part", expected: "at most 4,294,967,295 tokens (use --max-tokens)" });
    }
    if (this.#nDocsBuffered === this.#docBuffer.length) this.#flushDocs();
    this.#docBuffer[this.#nDocsBuffered++] = this.#tokens;
    this.#documents++;
    let k = 0;
    while (k < ids.length) {
      const n = Math.min(ids.length - k, BUFFER_TOKENS - this.#nBuffered);
      this.#tokenBuffer.set(ids.subarray(k, k + n), this.#nBuffered);
      this.#nBuffered += n;
      k += n;
      if (this.#nBuffered === BUFFER_TOKENS) this.#flushTokens();
    }
    this.#tokens += ids.length;
  }

  #flushTokens(): void {
    if (this.#nBuffered === 0) return;
    const view = new Uint8Array(this.#tokenBuffer.buffer, 0, this.#nBuffered * this.#bytes);
    writeSync(this.#tokensFd, view);
    this.#nBuffered = 0;
  }

  #flushDocs(): void {
    if (this.#nDocsBuffered === 0) return;
    writeSync(this.#docsFd, new Uint8Array(this.#docBuffer.buffer, 0, this.#nDocsBuffered * 4));
    this.#nDocsBuffered = 0;
  }

  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    try {
      this.#flushTokens();
      this.#flushDocs();
    } finally {
      closeSync(this.#tokensFd);
      closeSync(this.#docsFd);
    }
  }
}

/** A token stream read from a part's files: document offsets in memory, tokens read per window. */
export class FileTokenStream implements TokenStream {
  readonly nTokens: number;
  readonly #starts: Uint32Array;
  readonly #fd: number;
  readonly #bytes: 2 | 4;
  #scratch = new Uint8Array(4096);

  private constructor(fd: number, nTokens: number, starts: Uint32Array, bytes: 2 | 4) {
    this.#fd = fd;
    this.nTokens = nTokens;
    this.#starts = starts;
    this.#bytes = bytes;
  }

  static async open(folder: string, part: string, info: TokenFolderInfo): Promise<FileTokenStream> {
    const fn = "openTokenFolder";
    const p = info.parts[part];
    const tokensPath = join(folder, `${part}.tokens`);
    const docsPath = join(folder, `${part}.docs`);
    const bytes = info.dtype === "uint16" ? 2 : 4;
    const size = await stat(tokensPath).then((s) => s.size, () => -1);
    if (!p || size !== p.tokens * bytes) {
      throw new ArgumentError({ fn, argument: tokensPath, received: size < 0 ? "no such file" : `${size} bytes`, expected: `${(p?.tokens ?? 0) * bytes} bytes (${p?.tokens ?? 0} ${info.dtype} tokens, from tokens.json)`, hint: "The token files are damaged: delete the tokens folder to tokenize the corpus again." });
    }
    const docBytes = await readBytes(docsPath, fn, "document offsets (uint32)");
    if (docBytes.length !== p.documents * 4) {
      throw new ArgumentError({ fn, argument: docsPath, received: `${docBytes.length} bytes`, expected: `${p.documents * 4} bytes (${p.documents} documents)` });
    }
    const starts = new Uint32Array(p.documents);
    new Uint8Array(starts.buffer).set(docBytes);
    return new FileTokenStream(openSync(tokensPath, "r"), p.tokens, starts, bytes);
  }

  get nDocuments(): number {
    return this.#starts.length;
  }
  documentStart(d: number): number {
    return this.#starts[d];
  }
  read(start: number, count: number, out: Int32Array, offset = 0): void {
    if (!(start >= 0 && start + count <= this.nTokens)) {
      throw new ArgumentError({ fn: "TokenStream.read", argument: "start", received: `[${start}, ${start + count})`, expected: `a range within the ${this.nTokens} tokens` });
    }
    const n = count * this.#bytes;
    if (this.#scratch.length < n) this.#scratch = new Uint8Array(n);
    readSync(this.#fd, this.#scratch, 0, n, start * this.#bytes);
    const view = new DataView(this.#scratch.buffer, 0, n);
    if (this.#bytes === 2) for (let k = 0; k < count; k++) out[offset + k] = view.getUint16(2 * k, true);
    else for (let k = 0; k < count; k++) out[offset + k] = view.getUint32(4 * k, true);
  }
  close(): void {
    closeSync(this.#fd);
  }
}

/** Sinks for the parts of a new token folder (written under temporary names). */
export async function createTokenFolder(folder: string, parts: readonly string[], vocabSize: number): Promise<{ sinks: Record<string, FileTokenSink>; finish(info: { readonly bos: number; readonly [extra: string]: unknown }): Promise<TokenFolderInfo> }> {
  await rm(join(folder, "tokens.json"), { force: true });
  await mkdir(folder, { recursive: true });
  const dtype = vocabSize <= 65536 ? "uint16" : "uint32";
  const sinks: Record<string, FileTokenSink> = {};
  for (const part of parts) sinks[part] = new FileTokenSink(join(folder, `${part}.tokens.tmp`), join(folder, `${part}.docs.tmp`), dtype);
  return {
    sinks,
    async finish(extra) {
      const info: Record<string, { tokens: number; documents: number }> = {};
      for (const [part, sink] of Object.entries(sinks)) {
        sink.close();
        await rename(sink.tokensPath, join(folder, `${part}.tokens`));
        await rename(sink.docsPath, join(folder, `${part}.docs`));
        info[part] = { tokens: sink.tokens, documents: sink.documents };
      }
      const file: TokenFolderInfo = { ...extra, bos: extra.bos, format: TOKENS_FORMAT, version: 1, dtype, vocabSize, parts: info };
      await writeJsonAtomically(join(folder, "tokens.json"), file);
      return file;
    },
  };
}

/** The token folder's description, or null when it has none (never written, or interrupted). */
export async function readTokenFolderInfo(folder: string): Promise<TokenFolderInfo | null> {
  const info = await readJsonFile<TokenFolderInfo>(join(folder, "tokens.json"), "openTokenFolder", "a token folder's tokens.json", { missingOk: true });
  if (info === null) return null;
  if (info.format !== TOKENS_FORMAT || (info.dtype !== "uint16" && info.dtype !== "uint32") || typeof info.parts !== "object") {
    throw new ArgumentError({ fn: "openTokenFolder", argument: join(folder, "tokens.json"), received: JSON.stringify(info).slice(0, 80), expected: `a "${TOKENS_FORMAT}" description with dtype and parts` });
  }
  return info;
}

/** Open the parts of a token folder as streams. */
export async function openTokenFolder(folder: string): Promise<{ info: TokenFolderInfo; streams: Record<string, FileTokenStream> }> {
  const info = await readTokenFolderInfo(folder);
  if (!info) {
    throw new ArgumentError({ fn: "openTokenFolder", argument: folder, received: "a folder without tokens.json", expected: "a token folder written by `beliefscope lm train`" });
  }
  const streams: Record<string, FileTokenStream> = {};
  for (const part of Object.keys(info.parts)) streams[part] = await FileTokenStream.open(folder, part, info);
  return { info, streams };
}
