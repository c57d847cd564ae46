/**
 * A byte-level BPE tokenizer read from a Hugging Face tokenizer.json: ours
 * (`trainBpe`) or downloaded ones of the same kind (GPT-2, GPT-Neo/TinyStories,
 * RoBERTa, ...). The pipeline is Hugging Face's: split out added tokens,
 * normalise, pre-tokenise, map each piece's UTF-8 bytes to byte symbols, merge
 * by rank; decoding maps tokens back to bytes and decodes UTF-8. Encodings
 * equal tokenizers.js's on the same file (test/language/tokenizer.test.ts).
 */
import { ArgumentError, describe } from "../../util/errors.js";
import { BpeMerges, MAX_BPE_VOCAB } from "./bpeModel.js";
import { BYTE_TO_UNICODE, bytesToSymbols, symbolsToBytes } from "./byteLevel.js";
import { makeNormalizer, type Normalizer } from "./normalizer.js";
import { makePostProcessor, type SpecialFrame } from "./postProcessor.js";
import { makePreTokenizer, type Piece, type PreTokenizer } from "./preTokenizer.js";
import { type AddedTokenJson, type ComponentJson, parseTokenizerJson, type TokenizerJson, tokenizerJsonError } from "./tokenizerJson.js";

export interface EncodeOptions {
  /**
   * Add the post-processor's special tokens (e.g. RoBERTa's <s> ... </s>).
   * Default true, as Hugging Face; GPT-2's and our tokenizers add none either way.
   */
  readonly addSpecialTokens?: boolean;
}

export interface DecodeOptions {
  /** Leave out tokens marked special (default false, as Hugging Face). */
  readonly skipSpecialTokens?: boolean;
}

export interface Encoding {
  /** [n_tokens] token ids. */
  readonly ids: Int32Array;
  /**
   * [n_tokens, 2] start and end (exclusive) of each token in the text, in
   * UTF-16 code units (JavaScript string indices). A token that splits a
   * character covers the whole character; tokens the post-processor adds are
   * empty spans. With a normalizer, offsets refer to the normalised text.
   */
  readonly offsets: Int32Array;
}

interface AddedToken {
  readonly id: number;
  readonly content: string;
  readonly special: boolean;
  readonly lstrip: boolean;
  readonly rstrip: boolean;
}

/** How many distinct pieces the encode cache holds before it is cleared (bounds memory, ~100 bytes each). */
const CACHE_LIMIT = 200_000;

function checkDecoder(config: ComponentJson | null | undefined, source: string, field = "decoder"): void {
  if (config?.type === "ByteLevel") return;
  if (config?.type === "Sequence" && Array.isArray(config.decoders) && config.decoders.length > 0) {
    (config.decoders as ComponentJson[]).forEach((c, k) => checkDecoder(c, source, `${field}.decoders[${k}]`));
    return;
  }
  throw tokenizerJsonError(source, field, config ? JSON.stringify(config.type) : "null", "a \"ByteLevel\" decoder (byte-level BPE)");
}

function escapeRegex(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}

/** Two tokens given one id: decoding that id could give either. */
function duplicateIdError(source: string, where: string, id: number, first: string, second: string): ArgumentError {
  return tokenizerJsonError(source, `${where} id ${id}`, `two tokens with id ${id}: ${JSON.stringify(first)} and ${JSON.stringify(second)}`, "one token per id");
}

export class BpeTokenizer {
  /** The tokenizer.json this tokenizer was read from (unchanged). */
  readonly json: TokenizerJson;
  /** One more than the largest token id (model vocab and added tokens). */
  readonly vocabSize: number;
  /** Number of merges. */
  readonly nMerges: number;
  /** Added tokens by content (special and not). */
  readonly addedTokens: ReadonlyMap<string, number>;
  /** Ids of the tokens marked special. */
  readonly specialIds: ReadonlySet<number>;

  readonly #tokenToId: Map<string, number>;
  readonly #idToToken: (string | undefined)[];
  /** Bytes each id stands for; null for added tokens and non-byte-level entries. */
  readonly #idBytes: (Uint8Array | null)[];
  readonly #byteId = new Int32Array(256);
  readonly #unkId: number;
  readonly #ignoreMerges: boolean;
  readonly #merges: BpeMerges;
  readonly #normalizer: Normalizer | null;
  readonly #preTokenizer: PreTokenizer;
  readonly #frame: SpecialFrame;
  readonly #added: ReadonlyMap<string, AddedToken>;
  readonly #addedPattern: RegExp | null;
  readonly #cache = new Map<string, { ids: Int32Array; lengths: Int32Array }>();
  readonly #encoder = new TextEncoder();

  private constructor(json: TokenizerJson, source: string) {
    this.json = json;
    const model = json.model;
    this.#normalizer = makeNormalizer(json.normalizer, source);
    this.#preTokenizer = makePreTokenizer(json.pre_tokenizer, source);
    if (!this.#preTokenizer.byteLevel) {
      throw tokenizerJsonError(
        source,
        "pre_tokenizer",
        json.pre_tokenizer ? `type ${JSON.stringify(json.pre_tokenizer.type)} without a ByteLevel step` : "null",
        "a byte-level BPE tokenizer (a \"ByteLevel\" pre-tokenizer, possibly inside a \"Sequence\")",
        "SentencePiece-style BPE (Metaspace, byte fallback) is not supported.",
      );
    }
    checkDecoder(json.decoder, source);
    this.#frame = makePostProcessor(json.post_processor, source);

    this.#tokenToId = new Map();
    this.#idToToken = [];
    let maxId = -1;
    for (const [token, id] of Object.entries(model.vocab)) {
      if (typeof id !== "number" || !Number.isInteger(id) || id < 0 || id >= MAX_BPE_VOCAB) {
        throw tokenizerJsonError(source, `model.vocab[${JSON.stringify(token)}]`, describe(id), `an integer id in [0, ${MAX_BPE_VOCAB})`);
      }
      const other = this.#idToToken[id];
      if (other !== undefined) throw duplicateIdError(source, "model.vocab", id, other, token);
      this.#tokenToId.set(token, id);
      this.#idToToken[id] = token;
      maxId = Math.max(maxId, id);
    }
    const added = new Map<string, AddedToken>();
    const addedIds = new Map<string, number>();
    const specialIds = new Set<number>();
    for (const t of json.added_tokens ?? ([] as AddedTokenJson[])) {
      const token: AddedToken = { id: t.id, content: t.content, special: t.special === true, lstrip: t.lstrip === true, rstrip: t.rstrip === true };
      added.set(t.content, token);
      addedIds.set(t.content, t.id);
      if (token.special) specialIds.add(t.id);
      // An added token may repeat a vocabulary entry (GPT-2's <|endoftext|>), never take another token's id.
      const other = this.#idToToken[t.id];
      if (other !== undefined && other !== t.content) throw duplicateIdError(source, "added_tokens", t.id, other, t.content);
      this.#tokenToId.set(t.content, t.id);
      this.#idToToken[t.id] = t.content;
      maxId = Math.max(maxId, t.id);
    }
    this.#added = added;
    this.addedTokens = addedIds;
    this.specialIds = specialIds;
    this.vocabSize = maxId + 1;
    this.#addedPattern =
      added.size === 0
        ? null
        : new RegExp(
            [...added.keys()]
              .sort((a, b) => b.length - a.length)
              .map(escapeRegex)
              .join("|"),
            "gu",
          );
    this.#idBytes = this.#idToToken.map((token, id) => (token === undefined || specialIds.has(id) || added.has(token) ? null : symbolsToBytes(token)));
    for (let b = 0; b < 256; b++) this.#byteId[b] = this.#tokenToId.get(BYTE_TO_UNICODE[b]) ?? -1;
    const unk = model.unk_token;
    this.#unkId = typeof unk === "string" ? (this.#tokenToId.get(unk) ?? -1) : -1;
    this.#ignoreMerges = model.ignore_merges === true;

    const n = model.merges.length;
    const left = new Int32Array(n);
    const right = new Int32Array(n);
    const result = new Int32Array(n);
    for (let k = 0; k < n; k++) {
      const m = model.merges[k];
      const pair = typeof m === "string" ? m.split(" ") : m;
      if (!Array.isArray(pair) || pair.length !== 2 || typeof pair[0] !== "string" || typeof pair[1] !== "string") {
        throw tokenizerJsonError(source, `model.merges[${k}]`, JSON.stringify(m), "\"a b\" or [\"a\", \"b\"]");
      }
      const a = this.#tokenToId.get(pair[0]);
      const b = this.#tokenToId.get(pair[1]);
      const c = this.#tokenToId.get(pair[0] + pair[1]);
      if (a === undefined || b === undefined || c === undefined) {
        const missing = a === undefined ? pair[0] : b === undefined ? pair[1] : pair[0] + pair[1];
        throw tokenizerJsonError(source, `model.merges[${k}]`, `a merge of ${JSON.stringify(pair)} whose token ${JSON.stringify(missing)} is not in model.vocab`, "merges of tokens in the vocabulary into a token in the vocabulary");
      }
      left[k] = a;
      right[k] = b;
      result[k] = c;
    }
    this.#merges = new BpeMerges(left, right, result);
    this.nMerges = n;
  }

  /** Read a tokenizer.json (text or parsed). `source` names it in errors (e.g. the file path). */
  static fromJson(json: unknown, source = "tokenizer.json"): BpeTokenizer {
    return new BpeTokenizer(parseTokenizerJson(json, source), source);
  }

  tokenToId(token: string): number | undefined {
    return this.#tokenToId.get(token);
  }

  idToToken(id: number): string | undefined {
    return this.#idToToken[id];
  }

  /** The bytes a token stands for, or null for added/special tokens. */
  tokenBytes(id: number): Uint8Array | null {
    return this.#idBytes[id] ?? null;
  }

  /** Token ids of `text`. */
  encode(text: string, options: EncodeOptions = {}): Int32Array {
    const ids: number[] = [];
    this.#encode(text, options.addSpecialTokens ?? true, ids, null);
    return Int32Array.from(ids);
  }

  /** Token ids of `text` with each token's span in the text. */
  encodeWithOffsets(text: string, options: EncodeOptions = {}): Encoding {
    const ids: number[] = [];
    const offsets: number[] = [];
    this.#encode(text, options.addSpecialTokens ?? true, ids, offsets);
    return { ids: Int32Array.from(ids), offsets: Int32Array.from(offsets) };
  }

  /** The text of some token ids (invalid UTF-8, e.g. a split character, becomes U+FFFD). */
  decode(ids: ArrayLike<number>, options: DecodeOptions = {}): string {
    const skip = options.skipSpecialTokens ?? false;
    const decoder = new TextDecoder("utf-8", { fatal: false, ignoreBOM: true });
    let out = "";
    let bytes = new Uint8Array(256);
    let nBytes = 0;
    const flush = () => {
      if (nBytes > 0) out += decoder.decode(bytes.subarray(0, nBytes));
      nBytes = 0;
    };
    for (let k = 0; k < ids.length; k++) {
      const id = ids[k];
      const token = Number.isInteger(id) ? this.#idToToken[id] : undefined;
      if (token === undefined) {
        throw new ArgumentError({ fn: "BpeTokenizer.decode", argument: `ids[${k}]`, received: describe(id), expected: `a token id of this tokenizer (in [0, ${this.vocabSize}))` });
      }
      const b = this.#idBytes[id];
      if (b === null) {
        flush();
        if (!(skip && this.specialIds.has(id))) out += token;
        continue;
      }
      if (nBytes + b.length > bytes.length) {
        const bigger = new Uint8Array(Math.max(bytes.length * 2, nBytes + b.length));
        bigger.set(bytes.subarray(0, nBytes));
        bytes = bigger;
      }
      bytes.set(b, nBytes);
      nBytes += b.length;
    }
    flush();
    return out;
  }

  #encode(text: string, addSpecial: boolean, ids: number[], offsets: number[] | null): void {
    if (addSpecial) {
      for (const id of this.#frame.before) {
        ids.push(id);
        offsets?.push(0, 0);
      }
    }
    const pattern = this.#addedPattern;
    if (pattern === null) {
      this.#encodeSection(text, 0, ids, offsets);
    } else {
      // Added tokens are matched in the raw text, longest first; lstrip/rstrip
      // tokens take the whitespace beside them (Hugging Face's AddedVocabulary).
      pattern.lastIndex = 0;
      let last = 0;
      for (let m = pattern.exec(text); m !== null; m = pattern.exec(text)) {
        const token = this.#added.get(m[0])!;
        let start = m.index;
        let end = start + m[0].length;
        if (token.lstrip) while (start > last && /\s/u.test(text[start - 1])) start--;
        if (token.rstrip) while (end < text.length && /\s/u.test(text[end])) end++;
        if (start > last) this.#encodeSection(text.slice(last, start), last, ids, offsets);
        ids.push(token.id);
        offsets?.push(m.index, m.index + m[0].length);
        last = end;
        pattern.lastIndex = end;
      }
      if (last < text.length) this.#encodeSection(text.slice(last), last, ids, offsets);
    }
    if (addSpecial) {
      for (const id of this.#frame.after) {
        ids.push(id);
        offsets?.push(text.length, text.length);
      }
    }
  }

  #encodeSection(text: string, offset: number, ids: number[], offsets: number[] | null): void {
    const normalized = this.#normalizer ? this.#normalizer(text) : text;
    const regex = this.#preTokenizer.singleRegex;
    if (regex !== null && offsets === null) {
      // Fast path (GPT-2's pre-tokenizer, no offsets): matches straight to the cache.
      regex.lastIndex = 0;
      const pieces = normalized.match(regex) ?? [];
      for (let p = 0; p < pieces.length; p++) {
        const cached = this.#cache.get(pieces[p]) ?? this.#encodeNew(pieces[p]);
        const pieceIds = cached.ids;
        for (let k = 0; k < pieceIds.length; k++) ids.push(pieceIds[k]);
      }
      return;
    }
    for (const piece of this.#preTokenizer.split(normalized, offset)) this.#encodePiece(piece, ids, offsets);
  }

  #encodePiece(piece: Piece, ids: number[], offsets: number[] | null): void {
    const cached = this.#cache.get(piece.text) ?? this.#encodeNew(piece.text);
    for (let k = 0; k < cached.ids.length; k++) ids.push(cached.ids[k]);
    if (offsets) pieceOffsets(piece, cached.lengths, offsets);
  }

  /** BPE of a piece not in the cache; caches it. */
  #encodeNew(pieceText: string): { ids: Int32Array; lengths: Int32Array } {
    const bytes = this.#encoder.encode(pieceText);
    const outIds: number[] = [];
    const outLengths: number[] = [];
    const whole = this.#ignoreMerges ? this.#tokenToId.get(bytesToSymbols(bytes)) : undefined;
    if (whole !== undefined && this.#idBytes[whole] !== null) {
      outIds.push(whole);
      outLengths.push(bytes.length);
    } else {
      const initial = new Int32Array(bytes.length);
      for (let k = 0; k < bytes.length; k++) {
        const id = this.#byteId[bytes[k]];
        if (id < 0 && this.#unkId < 0) {
          throw new ArgumentError({
            fn: "BpeTokenizer.encode",
            argument: "text",
            received: `byte 0x${bytes[k].toString(16).padStart(2, "0")} (in ${JSON.stringify(pieceText)})`,
            expected: "bytes the vocabulary covers (this tokenizer.json lacks some byte symbols and has no unk_token)",
          });
        }
        initial[k] = id;
      }
      this.#mergeWithUnknown(initial, outIds, outLengths);
    }
    const cached = { ids: Int32Array.from(outIds), lengths: Int32Array.from(outLengths) };
    if (this.#cache.size >= CACHE_LIMIT) this.#cache.clear();
    this.#cache.set(pieceText, cached);
    return cached;
  }

  /** BPE over byte ids; bytes without a symbol (id -1) become unk and split the piece. */
  #mergeWithUnknown(initial: Int32Array, ids: number[], lengths: number[]): void {
    let from = 0;
    for (let k = 0; k <= initial.length; k++) {
      if (k === initial.length || initial[k] < 0) {
        if (k > from) this.#merges.apply(initial.subarray(from, k), ids, lengths);
        if (k < initial.length) {
          ids.push(this.#unkId);
          lengths.push(1);
        }
        from = k + 1;
      }
    }
  }
}

/** Append [start, end) in the source text for each token of a piece, given each token's byte length. */
function pieceOffsets(piece: Piece, byteLengths: Int32Array, out: number[]): void {
  const text = piece.text;
  // Walk characters and bytes together: charAt(byte) is the UTF-16 index of the character holding it.
  let charIndex = 0;
  let byteIndex = 0;
  let charBytes = 0;
  let charUnits = 0;
  const advanceChar = () => {
    charIndex += charUnits;
    const code = text.codePointAt(charIndex) ?? 0;
    charUnits = code > 0xffff ? 2 : 1;
    charBytes = code < 0x80 ? 1 : code < 0x800 ? 2 : code < 0x10000 ? 3 : 4;
    // A lone surrogate is encoded as U+FFFD (3 bytes) by TextEncoder.
    if (code >= 0xd800 && code <= 0xdfff) charBytes = 3;
  };
  advanceChar();
  let charByteStart = 0;
  const toSource = (i: number) => piece.start + Math.max(0, i - piece.virtualPrefix);
  for (let t = 0; t < byteLengths.length; t++) {
    const tokenStartByte = byteIndex;
    while (tokenStartByte >= charByteStart + charBytes) {
      charByteStart += charBytes;
      advanceChar();
    }
    const start = charIndex;
    byteIndex += byteLengths[t];
    while (byteIndex > charByteStart + charBytes) {
      charByteStart += charBytes;
      advanceChar();
    }
    const end = charIndex + charUnits;
    out.push(toSource(start), toSource(end));
  }
}
