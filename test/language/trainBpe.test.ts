import { describe, expect, it } from "vitest";
import { Tokenizer } from "@huggingface/tokenizers";
import { BpeTokenizer, bpeTokenizerJson, trainBpe, trainTokenizers, WordCounter } from "../../src/language/index.js";
import { ArgumentError } from "../../src/util/errors.js";

const counts = (o: Record<string, number>) => Object.entries(o);

describe("trainBpe", () => {
  it("makes the merges computed by hand on the Hugging Face course corpus", () => {
    // Pairs: u g 20, p u 17, u n 16, h u 15, g s 5, b u 4 -> "ug"; then u n 16 -> "un";
    // h ug 15 -> "hug"; p un 12 -> "pun"; p ug 5 ties hug s 5: smaller ids first ("p" is a byte
    // symbol, "hug" a new token) -> "pug", then "hugs"; b un 4 -> "bun"; then every word is one token.
    const r = trainBpe(counts({ hug: 10, pug: 5, pun: 12, bun: 4, hugs: 5 }), { vocabSize: 400 });
    expect(r.merges).toEqual([["u", "g"], ["u", "n"], ["h", "ug"], ["p", "un"], ["p", "ug"], ["hug", "s"], ["b", "un"]]);
    expect(r.stoppedEarly).toBe(true);
    expect(r.stopReason).toBe("noPairs");
    expect(r.vocab.slice(0, 4)).toEqual(["<s>", "</s>", "<pad>", "<unk>"]);
    expect(r.vocab[4]).toBe("!"); // the byte alphabet sorted by code point follows the special tokens
    expect(r.vocab.length).toBe(4 + 256 + 7);
    expect(Array.from(r.mergeIds)).toEqual([260, 261, 262, 263, 264, 265, 266]);
  });

  it("stops at minFrequency", () => {
    const r = trainBpe(counts({ hug: 10, pug: 5, pun: 12, bun: 4, hugs: 5 }), { vocabSize: 400, minFrequency: 5 });
    expect(r.merges.map((m) => m.join("+"))).toEqual(["u+g", "u+n", "h+ug", "p+un", "p+ug", "hug+s"]);
    expect(r.stopReason).toBe("minFrequency");
  });

  it("counts overlapping pairs after a merge exactly (aaaa -> aa aa, not three aa pairs)", () => {
    // (a,a) = 3*3 + 2*2 = 13 first. Then aaaa -> [aa, aa] (pair aa aa: 3), aaa -> [aa, a] (aa a: 2),
    // so b c (4) comes before aa aa (3), then aa a (2).
    const r = trainBpe(counts({ aaaa: 3, aaa: 2, bc: 4 }), { vocabSize: 400 });
    expect(r.merges.map((m) => m.join("+"))).toEqual(["a+a", "b+c", "aa+aa", "aa+a"]);
    // Applying them to "aaaaa": a+a leftmost twice -> aa aa a; aa+aa -> aaaa a.
    const tokenizer = BpeTokenizer.fromJson(bpeTokenizerJson(r));
    const ids = tokenizer.encode("aaaaa");
    expect(Array.from(ids, (id) => tokenizer.idToToken(id))).toEqual(["aaaa", "a"]);
    const reference = new Tokenizer(bpeTokenizerJson(r) as object, {});
    expect(reference.encode("aaaaa", { add_special_tokens: false }).ids).toEqual(Array.from(ids));
  });

  it("merges across the space byte: words carry their leading space as Ġ", () => {
    const counter = new WordCounter();
    counter.add("the cat the cat the hat");
    expect(Object.fromEntries(counter.counts)).toEqual({ the: 1, " cat": 2, " the": 2, " hat": 1 });
    const r = trainBpe(counter.counts, { vocabSize: 263, minFrequency: 1 });
    // Ġ t 2+... : pairs ("Ġ","c") 2, ("c","a") 2, ("a","t") 3, ("Ġ","t") 2, ("t","h") 3, ("h","e") 3, ("Ġ","h") 1, ("h","a") 1
    // a t 3 and h e 3 and t h 3 tie: smallest ids first: "a"(97) < "h"(104) < "t"(116).
    expect(r.merges.map((m) => m.join("+"))).toEqual(["a+t", "h+e", "t+he"]);
  });

  it("cuts a larger run into the smaller vocabularies a direct run makes", async () => {
    const text = "She sells sea shells by the sea shore. The shells she sells are sea shells, I'm sure.";
    const docs = Array.from({ length: 5 }, (_, k) => `${text} ${k}`);
    const both = await trainTokenizers(docs, { vocabSizes: [285, 270] });
    const direct = await trainTokenizers(docs, { vocabSizes: [270] });
    expect(both.result.stoppedEarly).toBe(false);
    expect(both.tokenizers[1].json).toEqual(direct.tokenizers[0].json);
    expect(Object.keys(both.tokenizers[0].json.model.vocab).length).toBe(285);
    expect(Object.keys(both.tokenizers[1].json.model.vocab).length).toBe(270);
    expect(both.stats.documents).toBe(5);
  });

  it("reports progress and rejects a vocabulary below 256 bytes + special tokens", () => {
    const seen: number[] = [];
    trainBpe(counts({ abcdefgh: 3 }), { vocabSize: 270, onProgress: (p) => seen.push(p.merges) });
    expect(seen[seen.length - 1]).toBe(7);
    expect(() => trainBpe(counts({ ab: 2 }), { vocabSize: 259 })).toThrow(ArgumentError);
    expect(() => trainBpe(counts({ ab: 2 }), { vocabSize: 259 })).toThrow(/options.vocabSize' received 259; expected an integer in \[260, /);
    expect(() => trainBpe(counts({ ab: 2 }), { vocabSize: 300, minFreq: 2 } as never)).toThrow(/unknown option/);
  });
});
