/**
 * Our byte-level BPE against Hugging Face's tokenizers.js (@huggingface/tokenizers,
 * the tokenizer code transformers.js uses) on the same tokenizer.json: ids must
 * be identical on held-out text, and decoding must give the text back.
 */
import { readdirSync, readFileSync } from "node:fs";
import { Tokenizer } from "@huggingface/tokenizers";
import { beforeAll, describe, expect, it } from "vitest";
import { BpeTokenizer, bpeTokenizerJson, trainBpe, WordCounter, type TokenizerJson } from "../../src/language/index.js";
import { ArgumentError } from "../../src/util/errors.js";

const LICENSES = "/usr/share/common-licenses";
const heldOut = readFileSync(`${LICENSES}/Apache-2.0`, "utf8");

/** Text that exercises the pre-tokenizer: contractions, digits, runs of spaces, CRLF, tabs, non-ASCII, emoji, CJK, combining marks. */
const TRICKY = [
  "I'm sure they'll say it's 42,000 -- isn't it?  Two  spaces,\tone tab,\r\nCRLF and   trailing   ",
  "Café naïve résumé — “quotes” ‘single’ … € ½ ÷ ×",
  "日本語のテキスト、中文文本。한국어 텍스트",
  "emoji 😀👍🏽 flags 🇫🇷 family 👨‍👩‍👧 and e\u0301 combining",
  "    leading spaces\n\n\nthree newlines\u00a0nbsp\u2009thin space",
  "numbers 3.14159 1e10 0x1F 12345678901234567890 and __dunder__ <tag attr=\"x\"/>",
].join("\n");

function reference(json: TokenizerJson): Tokenizer {
  return new Tokenizer(JSON.parse(JSON.stringify(json)), {});
}

function expectSameIds(ours: BpeTokenizer, ref: Tokenizer, text: string, addSpecialTokens = false): void {
  const a = Array.from(ours.encode(text, { addSpecialTokens }));
  const b = ref.encode(text, { add_special_tokens: addSpecialTokens }).ids;
  expect(a.length).toBe(b.length);
  expect(a).toEqual(b);
}

describe("BpeTokenizer (trained on the Debian license texts)", () => {
  let json: TokenizerJson;
  let ours: BpeTokenizer;
  let ref: Tokenizer;
  beforeAll(() => {
    const counter = new WordCounter();
    for (const f of readdirSync(LICENSES)) if (f !== "Apache-2.0") counter.add(readFileSync(`${LICENSES}/${f}`, "utf8"));
    json = bpeTokenizerJson(trainBpe(counter.counts, { vocabSize: 1024 }));
    ours = BpeTokenizer.fromJson(json);
    ref = reference(json);
  });

  it("encodes held-out English exactly as tokenizers.js and round-trips it", () => {
    expectSameIds(ours, ref, heldOut);
    const ids = ours.encode(heldOut);
    expect(ours.decode(ids)).toBe(heldOut);
    expect(ref.decode(Array.from(ids), { skip_special_tokens: true, clean_up_tokenization_spaces: false })).toBe(heldOut);
    // A BPE of 1024 tokens trained on 250 kB of licenses compresses a new license to > 2.5 chars/token.
    expect(heldOut.length / ids.length).toBeGreaterThan(2.5);
    expect(ours.vocabSize).toBe(1024);
  });

  it("agrees on text unlike its training data (Unicode, emoji, whitespace) and round-trips bytes", () => {
    expectSameIds(ours, ref, TRICKY);
    expect(ours.decode(ours.encode(TRICKY))).toBe(TRICKY);
    for (const line of TRICKY.split("\n")) expectSameIds(ours, ref, line);
  });

  it("splits special tokens out of the text and can skip them when decoding", () => {
    const text = "<s>Hello world</s><pad> again<unk>";
    expectSameIds(ours, ref, text);
    const ids = ours.encode(text);
    expect(ids[0]).toBe(0);
    expect(ours.decode(ids)).toBe(text);
    expect(ours.decode(ids, { skipSpecialTokens: true })).toBe("Hello world again");
  });

  it("gives the same ids with offsets as without", () => {
    for (const text of [heldOut, TRICKY, "<s>Hi</s> there"]) expect(Array.from(ours.encodeWithOffsets(text).ids)).toEqual(Array.from(ours.encode(text)));
  });

  it("gives each token its span in the text", () => {
    const text = "naïve 😀 test";
    const { ids, offsets } = ours.encodeWithOffsets(text);
    expect(offsets.length).toBe(2 * ids.length);
    let joined = "";
    for (let k = 0; k < ids.length; k++) {
      const [s, e] = [offsets[2 * k], offsets[2 * k + 1]];
      expect(s).toBeLessThan(e);
      if (k > 0) expect(s).toBeGreaterThanOrEqual(offsets[2 * k - 2]);
      const piece = ours.decode([ids[k]]);
      // Whole characters decode to the span's text; a token holding part of a character covers all of it.
      if (!piece.includes("\ufffd")) expect(text.slice(s, e)).toBe(piece);
      else expect([...text.slice(s, e)].length).toBe(1);
      if (k === 0 || s >= offsets[2 * k - 1]) joined += text.slice(s, e);
    }
    expect(joined).toBe(text);
  });

  it("rejects an unknown id when decoding", () => {
    expect(() => ours.decode([5, 99999])).toThrow(/ids\[1\]' received 99999; expected a token id of this tokenizer/);
  });
});

/** A GPT-2-style tokenizer.json written by hand: legacy "a b" merges, <|endoftext|> added last. */
function gpt2Like(options: { addPrefixSpace?: boolean; ignoreMerges?: boolean; roberta?: boolean } = {}): TokenizerJson {
  const counter = new WordCounter({ specialTokens: [] });
  counter.add(readFileSync(`${LICENSES}/GPL-3`, "utf8"));
  const trained = trainBpe(counter.counts, { vocabSize: 600, specialTokens: [] });
  const vocab: Record<string, number> = {};
  trained.vocab.forEach((t, id) => (vocab[t] = id));
  const eot = trained.vocab.length;
  vocab["<|endoftext|>"] = eot;
  return {
    version: "1.0",
    truncation: null,
    padding: null,
    added_tokens: [{ id: eot, content: "<|endoftext|>", single_word: false, lstrip: false, rstrip: false, normalized: true, special: true }],
    normalizer: null,
    pre_tokenizer: { type: "ByteLevel", add_prefix_space: options.addPrefixSpace ?? false, trim_offsets: true, use_regex: true },
    post_processor: options.roberta
      ? { type: "RobertaProcessing", sep: ["<|endoftext|>", eot], cls: ["<|endoftext|>", eot], trim_offsets: true, add_prefix_space: false }
      : { type: "ByteLevel", add_prefix_space: true, trim_offsets: false, use_regex: true },
    decoder: { type: "ByteLevel", add_prefix_space: true, trim_offsets: true, use_regex: true },
    model: {
      type: "BPE",
      dropout: null,
      unk_token: null,
      continuing_subword_prefix: "",
      end_of_word_suffix: "",
      fuse_unk: false,
      ignore_merges: options.ignoreMerges ?? false,
      vocab,
      merges: trained.merges.map(([a, b]) => `${a} ${b}`),
    },
  };
}

describe("BpeTokenizer (downloaded-style tokenizer.json variants)", () => {
  const text = `${heldOut.slice(0, 3000)}<|endoftext|>${TRICKY}<|endoftext|>`;

  it("matches tokenizers.js on a GPT-2-style file with <|endoftext|> and legacy merges", () => {
    const json = gpt2Like();
    const ours = BpeTokenizer.fromJson(JSON.stringify(json), "gpt2-like.json");
    expectSameIds(ours, reference(json), text);
    expect(ours.decode(ours.encode(text))).toBe(text);
  });

  it("matches with add_prefix_space, with ignore_merges, and with a RoBERTa post-processor", () => {
    for (const variant of [{ addPrefixSpace: true }, { ignoreMerges: true }]) {
      const json = gpt2Like(variant);
      expectSameIds(BpeTokenizer.fromJson(json), reference(json), text);
    }
    const roberta = gpt2Like({ roberta: true });
    expectSameIds(BpeTokenizer.fromJson(roberta), reference(roberta), "Hello there", true);
    const framed = BpeTokenizer.fromJson(roberta);
    const plain = framed.encode("Hello there", { addSpecialTokens: false });
    const withSpecial = framed.encode("Hello there", { addSpecialTokens: true });
    const eot = framed.tokenToId("<|endoftext|>");
    expect(Array.from(withSpecial)).toEqual([eot, ...plain, eot]);
  });

  it("matches with merges written as pairs and a Split + ByteLevel pipeline", () => {
    const base = gpt2Like();
    const json: TokenizerJson = {
      ...base,
      pre_tokenizer: {
        type: "Sequence",
        pretokenizers: [
          { type: "Split", pattern: { Regex: String.raw`[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}{1,3}| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+` }, behavior: "Isolated", invert: false },
          { type: "ByteLevel", add_prefix_space: false, trim_offsets: true, use_regex: false },
        ],
      },
      model: { ...base.model, merges: base.model.merges.map((m) => (m as string).split(" ") as [string, string]) },
    };
    expectSameIds(BpeTokenizer.fromJson(json), reference(json), text);
  });
});

describe("BpeTokenizer errors", () => {
  const base = gpt2Like();

  it("names WordPiece and Unigram tokenizers as unsupported", () => {
    const wordPiece = { ...base, model: { type: "WordPiece", vocab: { a: 0 }, unk_token: "[UNK]" } };
    expect(() => BpeTokenizer.fromJson(wordPiece, "bert/tokenizer.json")).toThrow(ArgumentError);
    expect(() => BpeTokenizer.fromJson(wordPiece, "bert/tokenizer.json")).toThrow(
      /loadTokenizer: argument 'bert\/tokenizer.json: model.type' received "WordPiece"; expected "BPE".*WordPiece tokenizers .* are not supported/,
    );
    const unigram = { ...base, model: { type: "Unigram", vocab: [["a", -1]] } };
    expect(() => BpeTokenizer.fromJson(unigram)).toThrow(/received "Unigram"; expected "BPE"/);
  });

  it("rejects non-byte-level pipelines, broken merges and non-JSON", () => {
    expect(() => BpeTokenizer.fromJson({ ...base, pre_tokenizer: { type: "Metaspace", replacement: "▁" } })).toThrow(/pre_tokenizer.type' received "Metaspace"/);
    expect(() => BpeTokenizer.fromJson({ ...base, pre_tokenizer: null })).toThrow(/a byte-level BPE tokenizer/);
    expect(() => BpeTokenizer.fromJson({ ...base, model: { ...base.model, merges: ["Ġ zzz"] } })).toThrow(/model.merges\[0\]' received a merge of \["Ġ","zzz"\] whose token "zzz" is not in model.vocab/);
    expect(() => BpeTokenizer.fromJson("{ nope", "x.json")).toThrow(/x.json: \(file\)' received text that is not JSON/);
    expect(() => BpeTokenizer.fromJson({ ...base, model: { ...base.model, dropout: 0.1 } })).toThrow(/model.dropout/);
  });
});
