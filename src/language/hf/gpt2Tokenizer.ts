/**
 * GPT-2's tokenizer files of the "slow" format (vocab.json + merges.txt, as
 * many GPT-2 / GPT-Neo / TinyStories checkpoints ship them) as the
 * tokenizer.json Hugging Face's GPT2TokenizerFast builds from them: byte-level
 * pre-tokenisation without a prefix space, every vocab.json entry in the model,
 * and <|endoftext|> an added special token.
 */
import { ArgumentError } from "../../util/errors.js";
import { BYTE_LEVEL_DECODER, BYTE_LEVEL_POST_PROCESSOR, type TokenizerJson } from "../tokenizer/tokenizerJson.js";

export function gpt2TokenizerJson(vocab: Readonly<Record<string, number>>, mergesText: string): TokenizerJson {
  if (typeof vocab !== "object" || vocab === null) {
    throw new ArgumentError({ fn: "gpt2TokenizerJson", argument: "vocab", received: typeof vocab, expected: "vocab.json: an object token -> id" });
  }
  // merges.txt: an optional "#version" line, then one "a b" per line.
  const merges = mergesText.split(/\r?\n/).filter((line, k) => line.length > 0 && !(k === 0 && line.startsWith("#version")));
  const eot = "<|endoftext|>";
  const added = vocab[eot] !== undefined ? [{ id: vocab[eot], content: eot, single_word: false, lstrip: false, rstrip: false, normalized: true, special: true }] : [];
  return {
    version: "1.0",
    truncation: null,
    padding: null,
    added_tokens: added,
    normalizer: null,
    pre_tokenizer: { type: "ByteLevel", add_prefix_space: false, trim_offsets: true, use_regex: true },
    post_processor: { ...BYTE_LEVEL_POST_PROCESSOR },
    decoder: { ...BYTE_LEVEL_DECODER },
    model: { type: "BPE", dropout: null, unk_token: null, continuing_subword_prefix: "", end_of_word_suffix: "", fuse_unk: false, vocab, merges },
  };
}
