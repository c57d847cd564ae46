/**
 * Byte-level BPE's alphabet (GPT-2, Radford et al. 2019; `bytes_to_unicode` in
 * openai/gpt-2 encoder.py, `ByteLevel` in Hugging Face tokenizers): every byte
 * 0..255 stands for one printable Unicode character, so that any UTF-8 text is
 * a string over 256 symbols and no input is ever unknown. Printable Latin-1
 * bytes stand for themselves; the others (controls, space, ...) are shifted to
 * U+0100.. in byte order, so a space is "Ġ" (U+0120) and a newline "Ċ" (U+010A).
 */

function buildByteToUnicode(): string[] {
  const printable: number[] = [];
  for (let b = 0x21; b <= 0x7e; b++) printable.push(b); // '!'..'~'
  for (let b = 0xa1; b <= 0xac; b++) printable.push(b); // '¡'..'¬'
  for (let b = 0xae; b <= 0xff; b++) printable.push(b); // '®'..'ÿ'
  const isPrintable = new Set(printable);
  const out = new Array<string>(256);
  let shifted = 0;
  for (let b = 0; b < 256; b++) {
    out[b] = isPrintable.has(b) ? String.fromCharCode(b) : String.fromCharCode(256 + shifted++);
  }
  return out;
}

/** BYTE_TO_UNICODE[b]: the one-character symbol that stands for byte b. */
export const BYTE_TO_UNICODE: readonly string[] = Object.freeze(buildByteToUnicode());

/** The inverse: symbol character code -> byte (-1 where the code is no byte symbol). Codes are all < 0x144. */
const UNICODE_TO_BYTE_TABLE: Int16Array = (() => {
  const table = new Int16Array(0x200).fill(-1);
  BYTE_TO_UNICODE.forEach((symbol, b) => (table[symbol.charCodeAt(0)] = b));
  return table;
})();

/** The byte a symbol character stands for, or -1 when it is none of the 256. */
export function byteOfSymbol(symbol: string): number {
  if (symbol.length !== 1) return -1;
  const code = symbol.charCodeAt(0);
  return code < UNICODE_TO_BYTE_TABLE.length ? UNICODE_TO_BYTE_TABLE[code] : -1;
}

/**
 * The bytes a byte-level token string stands for (e.g. "Ġthe" -> [0x20, 0x74, 0x68, 0x65]),
 * or null if some character is not one of the 256 byte symbols.
 */
export function symbolsToBytes(token: string): Uint8Array | null {
  const out = new Uint8Array(token.length);
  for (let k = 0; k < token.length; k++) {
    const code = token.charCodeAt(k);
    const b = code < UNICODE_TO_BYTE_TABLE.length ? UNICODE_TO_BYTE_TABLE[code] : -1;
    if (b < 0) return null;
    out[k] = b;
  }
  return out;
}

/** The byte-level string for some bytes (each byte becomes its symbol). */
export function bytesToSymbols(bytes: ArrayLike<number>): string {
  let s = "";
  for (let k = 0; k < bytes.length; k++) s += BYTE_TO_UNICODE[bytes[k]];
  return s;
}

/**
 * GPT-2's pre-tokenisation pattern (openai/gpt-2 encoder.py; the `ByteLevel`
 * pre-tokenizer with use_regex in HF tokenizers and tokenizers.js): English
 * contractions, runs of letters, of digits, of other non-space characters, each
 * with at most one leading space, and whitespace (a run before a non-space
 * character leaves its last space to that word).
 */
export const GPT2_PATTERN_SOURCE = String.raw`'s|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+`;

/** A fresh global regex for the GPT-2 pattern (global regexes carry state, so never share one). */
export function gpt2Pattern(): RegExp {
  return new RegExp(GPT2_PATTERN_SOURCE, "gu");
}
