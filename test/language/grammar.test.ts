/**
 * The story grammar: a valid HMM whose samples carry their true states, exact
 * beliefs checked against closed-form Bayes updates, and the map from tokens
 * back to grammar symbols.
 */
import { describe, expect, it } from "vitest";
import {
  beliefMarginals,
  BpeTokenizer,
  bpeTokenizerJson,
  generateStories,
  generateStory,
  grammarDocuments,
  lastCompleteSymbol,
  parseGrammarSpec,
  renderSymbols,
  storyBeliefs,
  storyGrammar,
  tokenBeliefs,
  tokenStates,
  trainBpe,
  WordCounter,
  CHARACTERS,
  SLOTS,
} from "../../src/language/index.js";

const grammar = storyGrammar();
const S = grammar.hmm.nStates;
const id = (word: string) => {
  const k = grammar.symbols.indexOf(word);
  if (k < 0) throw new Error(`no symbol ${word}`);
  return k;
};

describe("storyGrammar", () => {
  it("is an HMM over (slot, character, mood) whose rows sum to 1", () => {
    expect(S).toBe(SLOTS.length * 4 * 2);
    expect(grammar.hmm.nSymbols).toBe(grammar.symbols.length);
    // fromFlat validated the row sums; check one row by hand: "subj" for Lily, happy.
    const i = (SLOTS.indexOf("subj") * 4 + 0) * 2 + 0;
    let lily = 0;
    for (let j = 0; j < S; j++) lily += grammar.hmm.transitions[(id("Lily") * S + i) * S + j];
    expect(lily).toBeCloseTo(0.85 * 0.35, 12);
  });

  it("records states that are consistent with every emitted symbol", () => {
    for (const story of generateStories(grammar, { count: 50, seed: 3 })) {
      expect(story.states.length).toBe(story.symbols.length + 1);
      expect(grammar.initial[story.states[0]]).toBeGreaterThan(0);
      for (let t = 0; t < story.symbols.length; t++) {
        expect(grammar.hmm.transitions[(story.symbols[t] * S + story.states[t]) * S + story.states[t + 1]]).toBeGreaterThan(0);
      }
      expect(story.symbols[story.symbols.length - 1]).toBe(grammar.endSymbol);
      // The character never changes within a story, and the text names it consistently.
      const c = grammar.stateCharacter[story.states[0]];
      for (let t = 0; t < story.symbols.length; t++) expect(grammar.stateCharacter[story.states[t]]).toBe(c);
      for (const other of CHARACTERS.filter((_, k) => k !== c)) expect(story.text).not.toContain(other.name);
    }
  });

  it("is reproducible story by story and renders spans that slice to the symbols", () => {
    const a = generateStory(grammar, 11, 5);
    const b = [...generateStories(grammar, { count: 6, seed: 11 })][5];
    expect(b.text).toBe(a.text);
    expect(generateStory(grammar, 12, 5).text).not.toBe(a.text);
    for (let t = 0; t < a.symbols.length; t++) expect(a.text.slice(a.spans[2 * t], a.spans[2 * t + 1])).toBe(grammar.symbols[a.symbols[t]]);
    expect(renderSymbols(grammar, [id("One day,"), id("there was a"), id("boy"), id(".")]).text).toBe("One day, there was a boy.");
  });

  it("starts 60% of stories with 'Once upon a time,' (sampling frequencies)", () => {
    let once = 0;
    const n = 4000;
    for (const doc of grammarDocuments({ stories: n, seed: 1, grammar: {} }, grammar)) if (doc.startsWith("Once upon a time,")) once++;
    // Binomial(4000, 0.6): sd 31.
    expect(Math.abs(once - 0.6 * n)).toBeLessThan(4 * 31);
  });
});

describe("exact beliefs over the grammar's hidden state", () => {
  it("match closed-form Bayes updates for character and mood", () => {
    const words = ["One day,", "there was a", "girl", "named", "Mia", ".", "She", "felt", "happy", ".", "She", "cried"];
    const symbols = Int32Array.from(words, id);
    const m = beliefMarginals(grammar, storyBeliefs(grammar, { symbols }));
    const character = (t: number) => Array.from(m.character.subarray(4 * t, 4 * t + 4));
    const happy = (t: number) => m.mood[2 * t];
    expect(character(1)).toEqual([0.25, 0.25, 0.25, 0.25].map((v) => expect.closeTo(v, 12)));
    expect(character(2)).toEqual([0.5, 0.5, 0, 0].map((v) => expect.closeTo(v, 12))); // "girl": Lily or Mia
    expect(character(4)).toEqual([0, 1, 0, 0].map((v) => expect.closeTo(v, 12))); // named Mia
    expect(happy(7)).toBeCloseTo(0.6, 12); // nothing about mood yet: the prior
    // "happy" after "felt": P(happy | happy mood) 0.8, P(happy | sad) 0.1.
    const afterHappy = (0.6 * 0.8) / (0.6 * 0.8 + 0.4 * 0.1);
    expect(happy(8)).toBeCloseTo(afterHappy, 12);
    // A sentence end keeps the mood with probability 0.85.
    const afterDot = afterHappy * 0.85 + (1 - afterHappy) * 0.15;
    expect(happy(9)).toBeCloseTo(afterDot, 12);
    // "cried" as a verb: 0.2 * 0.25 if happy, 0.2 * 0.75 if sad.
    expect(happy(11)).toBeCloseTo((afterDot * 0.25) / (afterDot * 0.25 + (1 - afterDot) * 0.75), 12);
    // Phase and slot are known exactly after each symbol.
    expect(m.phase[3 * 6 + 1]).toBeCloseTo(1, 12); // "She" is in the middle phase
    expect(m.slot[SLOTS.length * 7 + SLOTS.indexOf("feel")]).toBeCloseTo(1, 12);
  });

  it("maps tokens to the last complete symbol, its belief and its true state", () => {
    const counter = new WordCounter();
    for (const doc of grammarDocuments({ stories: 300, seed: 2, grammar: {} }, grammar)) counter.add(doc);
    const tokenizer = BpeTokenizer.fromJson(bpeTokenizerJson(trainBpe(counter.counts, { vocabSize: 300 })));
    const story = generateStory(grammar, 99, 0);
    const { offsets } = tokenizer.encodeWithOffsets(story.text);
    const last = lastCompleteSymbol(story.spans, offsets);
    const nTokens = offsets.length / 2;
    for (let k = 0; k < nTokens; k++) {
      const end = offsets[2 * k + 1];
      const w = last[k];
      if (w >= 0) expect(story.spans[2 * w + 1]).toBeLessThanOrEqual(end);
      if (w + 1 < story.symbols.length) expect(story.spans[2 * (w + 1) + 1]).toBeGreaterThan(end);
    }
    expect(last[nTokens - 1]).toBe(story.symbols.length - 1);
    const beliefs = storyBeliefs(grammar, story);
    const atTokens = tokenBeliefs(grammar, beliefs, last);
    const states = tokenStates(story, last);
    for (let k = 0; k < nTokens; k++) {
      // The belief gives the true state positive probability, and equals the initial belief before any symbol.
      expect(atTokens[k * S + states[k]]).toBeGreaterThan(0);
      if (last[k] < 0) expect(Array.from(atTokens.subarray(k * S, (k + 1) * S))).toEqual(Array.from(grammar.initial));
    }
    // A hand example: symbols "ab" [0,2) and "cd" [3,5); tokens [0,1) [1,3) [3,5).
    expect(Array.from(lastCompleteSymbol(Int32Array.from([0, 2, 3, 5]), Int32Array.from([0, 1, 1, 3, 3, 5])))).toEqual([-1, 0, 1]);
  });
});

describe("grammar corpus spec", () => {
  it("parses options and rejects bad ones", () => {
    expect(parseGrammarSpec("grammar")).toEqual({ stories: 20000, seed: 0, grammar: {} });
    expect(parseGrammarSpec("grammar:stories=10,seed=4,end=0.3")).toEqual({ stories: 10, seed: 4, grammar: { endProbability: 0.3 } });
    expect(() => parseGrammarSpec("grammar:stories=0")).toThrow(/expected an integer >= 1/);
    expect(() => parseGrammarSpec("grammar:colour=3")).toThrow(/key=number with key one of stories, seed, end, mood, happy/);
    expect(() => parseGrammarSpec("grammar:end=2")).toThrow(/endProbability/);
  });
});
