/**
 * Coarse classes of byte-level BPE tokens, for colouring figures: what a
 * token's text is, read from its bytes.
 */
import type { BpeTokenizer } from "../tokenizer/tokenizer.js";

export const TOKEN_CLASSES = ["special", "word start", "word piece", "punctuation", "number", "whitespace", "other"] as const;
export type TokenClass = (typeof TOKEN_CLASSES)[number];

/** The class of a token's text (special tokens are decided by the tokenizer). */
export function tokenTextClass(text: string): TokenClass {
  if (text.length === 0) return "other";
  if (/^\s+$/u.test(text)) return "whitespace";
  if (/^\s?\p{N}+$/u.test(text)) return "number";
  if (/^\s\p{L}/u.test(text)) return "word start";
  if (/^\p{L}/u.test(text)) return "word piece";
  if (/^\s?[\p{P}\p{S}]+\s*$/u.test(text)) return "punctuation";
  return "other";
}

/** [vocabSize] class index (into TOKEN_CLASSES) of every token. */
export function tokenClasses(tokenizer: BpeTokenizer): Int32Array {
  const out = new Int32Array(tokenizer.vocabSize);
  for (let id = 0; id < tokenizer.vocabSize; id++) {
    const cls: TokenClass =
      tokenizer.idToToken(id) === undefined ? "other" : tokenizer.specialIds.has(id) || tokenizer.tokenBytes(id) === null ? "special" : tokenTextClass(tokenizer.decode([id]));
    out[id] = TOKEN_CLASSES.indexOf(cls);
  }
  return out;
}
