/**
 * Hugging Face `tokenizer.json` (the format written by the `tokenizers`
 * library and read by tokenizers.js / transformers.js), restricted to the kind
 * this toolkit trains and reads: byte-level BPE with merges (GPT-2, GPT-Neo /
 * TinyStories, RoBERTa, Llama 3 / Qwen-style Split + ByteLevel). Reading
 * validates the parts that change the ids and names what is unsupported.
 */
import { ArgumentError, describe } from "../../util/errors.js";

export interface AddedTokenJson {
  readonly id: number;
  readonly content: string;
  readonly single_word?: boolean;
  readonly lstrip?: boolean;
  readonly rstrip?: boolean;
  readonly normalized?: boolean;
  readonly special?: boolean;
}

export interface BpeModelJson {
  readonly type?: "BPE";
  readonly dropout?: number | null;
  readonly unk_token?: string | null;
  readonly continuing_subword_prefix?: string | null;
  readonly end_of_word_suffix?: string | null;
  readonly fuse_unk?: boolean;
  readonly byte_fallback?: boolean;
  readonly ignore_merges?: boolean;
  readonly vocab: Readonly<Record<string, number>>;
  /** "a b" (tokenizers < 0.20) or ["a", "b"] (>= 0.20). */
  readonly merges: readonly (string | readonly [string, string])[];
}

/** The parts of tokenizer.json we read; others (truncation, padding) are kept but do not change ids. */
export interface TokenizerJson {
  readonly version?: string;
  readonly truncation?: unknown;
  readonly padding?: unknown;
  readonly added_tokens?: readonly AddedTokenJson[];
  readonly normalizer?: ComponentJson | null;
  readonly pre_tokenizer?: ComponentJson | null;
  readonly post_processor?: ComponentJson | null;
  readonly decoder?: ComponentJson | null;
  readonly model: BpeModelJson;
}

/** A normalizer / pre-tokenizer / post-processor / decoder: a `type` and its fields. */
export interface ComponentJson {
  readonly type: string;
  readonly [field: string]: unknown;
}

/** Error for a tokenizer.json we cannot read, naming the file and the field. */
export function tokenizerJsonError(source: string, field: string, received: string, expected: string, hint?: string): ArgumentError {
  return new ArgumentError({
    fn: "loadTokenizer",
    argument: `${source}: ${field}`,
    received,
    expected,
    hint,
  });
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** Parse tokenizer.json text (or an already parsed object) and check its shape. */
export function parseTokenizerJson(input: unknown, source = "tokenizer.json"): TokenizerJson {
  let json: unknown = input;
  if (typeof input === "string") {
    try {
      json = JSON.parse(input);
    } catch (err) {
      throw tokenizerJsonError(source, "(file)", `text that is not JSON (${(err as Error).message})`, "a Hugging Face tokenizer.json");
    }
  }
  if (!isRecord(json)) throw tokenizerJsonError(source, "(file)", describe(json), "a JSON object (a Hugging Face tokenizer.json)");
  const model = json.model;
  if (!isRecord(model)) {
    throw tokenizerJsonError(source, "model", describe(model), "an object with type \"BPE\", vocab and merges", "Is this a Hugging Face tokenizer.json?");
  }
  const type = model.type ?? (model.merges !== undefined ? "BPE" : undefined);
  if (type !== "BPE") {
    throw tokenizerJsonError(
      source,
      "model.type",
      describe(type ?? "(missing)"),
      "\"BPE\" (byte-level BPE with merges)",
      type === "WordPiece" || type === "Unigram" || type === "WordLevel"
        ? `${type} tokenizers (BERT-style WordPiece, SentencePiece Unigram, word-level) are not supported; use a byte-level BPE tokenizer such as GPT-2's, or train one with \`beliefscope tokenizer train\`.`
        : undefined,
    );
  }
  if (!isRecord(model.vocab)) throw tokenizerJsonError(source, "model.vocab", describe(model.vocab), "an object token -> id");
  if (!Array.isArray(model.merges)) throw tokenizerJsonError(source, "model.merges", describe(model.merges), "an array of merges (\"a b\" or [\"a\", \"b\"])");
  if (model.dropout !== undefined && model.dropout !== null && model.dropout !== 0) {
    throw tokenizerJsonError(source, "model.dropout", describe(model.dropout), "null (BPE dropout is a training-time randomisation; encodings would not be deterministic)");
  }
  for (const field of ["continuing_subword_prefix", "end_of_word_suffix"] as const) {
    const v = model[field];
    if (v !== undefined && v !== null && v !== "") {
      throw tokenizerJsonError(source, `model.${field}`, describe(v), "null or \"\" (byte-level BPE marks word starts with a space, not with affixes)");
    }
  }
  if (json.added_tokens !== undefined && json.added_tokens !== null && !Array.isArray(json.added_tokens)) {
    throw tokenizerJsonError(source, "added_tokens", describe(json.added_tokens), "an array of {id, content, special, ...}");
  }
  const added = (json.added_tokens as unknown[] | undefined | null) ?? [];
  added.forEach((t, k) => {
    if (!isRecord(t) || typeof t.content !== "string" || t.content.length === 0 || typeof t.id !== "number" || !Number.isInteger(t.id) || t.id < 0) {
      throw tokenizerJsonError(source, `added_tokens[${k}]`, describe(t), "{ id: a non-negative integer, content: a non-empty string, ... }");
    }
  });
  for (const part of ["normalizer", "pre_tokenizer", "post_processor", "decoder"] as const) {
    const v = json[part];
    if (v !== undefined && v !== null && !(isRecord(v) && typeof v.type === "string")) {
      throw tokenizerJsonError(source, part, describe(v), "null or an object with a string `type`");
    }
  }
  return { ...(json as object), added_tokens: added as AddedTokenJson[] } as unknown as TokenizerJson;
}

/** The settings our trained tokenizers use (those of GPT-2's tokenizer.json). */
export const BYTE_LEVEL_PRE_TOKENIZER = { type: "ByteLevel", add_prefix_space: false, trim_offsets: true, use_regex: true } as const;
export const BYTE_LEVEL_POST_PROCESSOR = { type: "ByteLevel", add_prefix_space: true, trim_offsets: false, use_regex: true } as const;
export const BYTE_LEVEL_DECODER = { type: "ByteLevel", add_prefix_space: true, trim_offsets: true, use_regex: true } as const;

/**
 * A byte-level BPE tokenizer.json from a vocabulary (token strings by id) and
 * merges in rank order. Special tokens are listed in both `model.vocab` and
 * `added_tokens`, as Hugging Face's BpeTrainer writes them. Merges are written
 * in the "a b" form, which every version of tokenizers and tokenizers.js reads
 * (a byte-level token never contains a space: the space byte is "Ġ").
 */
export function byteLevelBpeJson(
  vocab: readonly string[],
  merges: readonly (readonly [string, string])[],
  specialTokens: readonly string[],
): TokenizerJson {
  const vocabObject: Record<string, number> = {};
  vocab.forEach((token, id) => (vocabObject[token] = id));
  const added_tokens: AddedTokenJson[] = specialTokens.map((content) => {
    const id = vocabObject[content];
    if (id === undefined) throw new Error(`byteLevelBpeJson: special token ${JSON.stringify(content)} is not in the vocabulary`);
    return { id, content, single_word: false, lstrip: false, rstrip: false, normalized: false, special: true };
  });
  return {
    version: "1.0",
    truncation: null,
    padding: null,
    added_tokens,
    normalizer: null,
    pre_tokenizer: { ...BYTE_LEVEL_PRE_TOKENIZER },
    post_processor: { ...BYTE_LEVEL_POST_PROCESSOR },
    decoder: { ...BYTE_LEVEL_DECODER },
    model: {
      type: "BPE",
      dropout: null,
      unk_token: null,
      continuing_subword_prefix: null,
      end_of_word_suffix: null,
      fuse_unk: false,
      byte_fallback: false,
      ignore_merges: false,
      vocab: vocabObject,
      merges: merges.map(([a, b]) => `${a} ${b}`),
    },
  };
}

/**
 * The tokenizer_config.json Hugging Face writes beside a tokenizer.json
 * (PreTrainedTokenizerFast), so that the folder loads with
 * `AutoTokenizer.from_pretrained(dir)` in transformers (Python) and
 * transformers.js. Special tokens are named when present: "<s>" as BOS, "</s>"
 * as EOS, "<pad>", "<unk>". No spaces are cleaned up when decoding (byte-level
 * BPE decodes to the exact text).
 */
export function tokenizerConfigJson(json: TokenizerJson): Record<string, unknown> {
  const added = new Set((json.added_tokens ?? []).map((t) => t.content));
  const named = (token: string) => (added.has(token) ? token : null);
  return {
    tokenizer_class: "PreTrainedTokenizerFast",
    bos_token: named("<s>"),
    eos_token: named("</s>"),
    pad_token: named("<pad>"),
    unk_token: named("<unk>"),
    add_bos_token: false,
    add_eos_token: false,
    clean_up_tokenization_spaces: false,
    model_max_length: 1e30,
  };
}
