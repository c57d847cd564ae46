/**
 * A probabilistic story grammar that is a hidden Markov model over words and
 * short phrases, so that its hidden structure is known exactly: the corpus the
 * toolkit generates when no data set is at hand, and a language whose Bayes
 * beliefs (src/process/beliefs.ts) can be probed for in a language model.
 *
 * Hidden state = (slot, character, mood):
 *   slot       where the story is: 20 positions of a small sentence automaton,
 *              grouped into phases opening / middle / ending
 *   character  the protagonist, Lily or Mia (girls), Ben or Tom (boys), drawn
 *              when a story starts and only partly revealed: "girl" halves the
 *              candidates, "She" says no more, the name settles it
 *   mood       happy or sad; it colours word choice (smiled / cried, felt happy
 *              / sad) and may flip at the end of each middle sentence
 *
 * A story: "Once upon a time, there was a little girl named Lily. She went to
 * the park. Lily saw a dog and smiled. In the end, she was happy. The end."
 * After "The end." the chain returns to the opening with a fresh character and
 * mood, so the HMM is a stationary process whose stories are its renewals.
 * Convention (as the rest of the toolkit): T[x][i][j] = P(emit symbol x, go to
 * state j | state i); the belief after symbols 0..t is over the state entered.
 */
import { checkKnownKeys, checkNumber } from "../../util/errors.js";
import { fromFlat, type Hmm } from "../../process/hmm.js";

export const CHARACTERS = Object.freeze([
  { name: "Lily", kind: "girl", pronoun: "She", lowerPronoun: "she" },
  { name: "Mia", kind: "girl", pronoun: "She", lowerPronoun: "she" },
  { name: "Ben", kind: "boy", pronoun: "He", lowerPronoun: "he" },
  { name: "Tom", kind: "boy", pronoun: "He", lowerPronoun: "he" },
] as const);
export const MOODS = Object.freeze(["happy", "sad"] as const);
export const PHASES = Object.freeze(["opening", "middle", "ending"] as const);

export const SLOTS = Object.freeze([
  "open", "intro", "kind", "kind2", "named", "name", "dot1",
  "subj", "verb", "place", "thing", "reaction", "react2", "feel", "dot",
  "endSubj", "endWas", "endMood", "endDot", "theEnd",
] as const);
export type Slot = (typeof SLOTS)[number];

const SLOT_PHASE: Record<Slot, number> = {
  open: 0, intro: 0, kind: 0, kind2: 0, named: 0, name: 0, dot1: 0,
  subj: 1, verb: 1, place: 1, thing: 1, reaction: 1, react2: 1, feel: 1, dot: 1,
  endSubj: 2, endWas: 2, endMood: 2, endDot: 2, theEnd: 2,
};

export interface StoryGrammarOptions {
  /** Probability that a middle sentence is instead the closing one ("In the end, ..."). Default 0.15: about 6 middle sentences a story. */
  readonly endProbability?: number;
  /** Probability that the mood stays the same across a sentence end. Default 0.85. */
  readonly moodPersistence?: number;
  /** Probability that a story starts happy. Default 0.6. */
  readonly happyStart?: number;
}

export const STORY_GRAMMAR_DEFAULTS: Required<StoryGrammarOptions> = Object.freeze({
  endProbability: 0.15,
  moodPersistence: 0.85,
  happyStart: 0.6,
});

export interface StoryGrammar {
  /** The HMM over symbols (words and phrases); nStates = slots x characters x moods. */
  readonly hmm: Hmm;
  /** Surface text of each symbol. */
  readonly symbols: readonly string[];
  /** Distribution of the state a story starts in: slot "open", any character, mood by happyStart. */
  readonly initial: Float64Array;
  /** Per state: slot index (into SLOTS), character index, mood index, phase index. */
  readonly stateSlot: Int32Array;
  readonly stateCharacter: Int32Array;
  readonly stateMood: Int32Array;
  readonly statePhase: Int32Array;
  /** The symbol that ends a story ("The end."). */
  readonly endSymbol: number;
  readonly options: Required<StoryGrammarOptions>;
}

/** Symbols written without a space before them. */
export const ATTACHED_SYMBOLS: ReadonlySet<string> = new Set([".", ","]);

type Character = (typeof CHARACTERS)[number];
type NextMood = "same" | "flip" | "fresh";
interface Rule {
  readonly word: string;
  readonly p: number;
  readonly to: Slot;
  readonly mood?: NextMood;
}

function rules(slot: Slot, c: Character, happy: boolean, o: Required<StoryGrammarOptions>): Rule[] {
  const h = (ifHappy: number, ifSad: number) => (happy ? ifHappy : ifSad);
  const middle = 1 - o.endProbability;
  switch (slot) {
    case "open": return [{ word: "Once upon a time,", p: 0.6, to: "intro" }, { word: "One day,", p: 0.4, to: "intro" }];
    case "intro": return [{ word: "there was a", p: 1, to: "kind" }];
    case "kind": return [{ word: "little", p: 0.3, to: "kind2" }, { word: c.kind, p: 0.7, to: "named" }];
    case "kind2": return [{ word: c.kind, p: 1, to: "named" }];
    case "named": return [{ word: "named", p: 0.7, to: "name" }, { word: ".", p: 0.3, to: "subj" }];
    case "name": return [{ word: c.name, p: 1, to: "dot1" }];
    case "dot1": return [{ word: ".", p: 1, to: "subj" }];
    case "subj": return [
      { word: c.name, p: middle * 0.35, to: "verb" },
      { word: c.pronoun, p: middle * 0.65, to: "verb" },
      { word: "In the end,", p: o.endProbability, to: "endSubj" },
    ];
    case "verb": return [
      { word: "went to the", p: 0.3, to: "place" },
      { word: "saw a", p: 0.3, to: "thing" },
      { word: "felt", p: 0.2, to: "feel" },
      { word: "smiled", p: 0.2 * h(0.75, 0.25), to: "dot" },
      { word: "cried", p: 0.2 * h(0.25, 0.75), to: "dot" },
    ];
    case "place": return [
      { word: "park", p: 0.3, to: "dot" }, { word: "beach", p: 0.25, to: "dot" },
      { word: "garden", p: 0.25, to: "dot" }, { word: "store", p: 0.2, to: "dot" },
    ];
    case "thing": return [
      { word: "dog", p: 0.25, to: "reaction" }, { word: "ball", p: 0.25, to: "reaction" }, { word: "bird", p: 0.2, to: "reaction" },
      { word: "flower", p: 0.15, to: "reaction" }, { word: "cat", p: 0.15, to: "reaction" },
    ];
    case "reaction": return [{ word: ".", p: 0.5, to: "subj", mood: "flip" }, { word: "and", p: 0.5, to: "react2" }];
    case "react2": return [
      { word: "smiled", p: h(0.5, 0.1), to: "dot" }, { word: "laughed", p: h(0.3, 0.05), to: "dot" },
      { word: "cried", p: h(0.05, 0.5), to: "dot" }, { word: "was scared", p: h(0.15, 0.35), to: "dot" },
    ];
    case "feel": return [
      { word: "happy", p: h(0.8, 0.1), to: "dot" }, { word: "sad", p: h(0.1, 0.7), to: "dot" }, { word: "tired", p: h(0.1, 0.2), to: "dot" },
    ];
    case "dot": return [{ word: ".", p: 1, to: "subj", mood: "flip" }];
    case "endSubj": return [{ word: c.lowerPronoun, p: 0.7, to: "endWas" }, { word: c.name, p: 0.3, to: "endWas" }];
    case "endWas": return [{ word: "was", p: 1, to: "endMood" }];
    case "endMood": return [{ word: "happy", p: h(0.9, 0.1), to: "endDot" }, { word: "sad", p: h(0.1, 0.9), to: "endDot" }];
    case "endDot": return [{ word: ".", p: 1, to: "theEnd" }];
    case "theEnd": return [{ word: "The end.", p: 1, to: "open", mood: "fresh" }];
  }
}

/** State index of (slot, character, mood). */
export function grammarState(slot: number, character: number, mood: number): number {
  return (slot * CHARACTERS.length + character) * MOODS.length + mood;
}

/** Build the grammar's HMM (about 8 MB: 160 states, ~40 symbols). */
export function storyGrammar(options: StoryGrammarOptions = {}): StoryGrammar {
  const fn = "storyGrammar";
  checkKnownKeys(fn, "options", options, Object.keys(STORY_GRAMMAR_DEFAULTS));
  const o: Required<StoryGrammarOptions> = { ...STORY_GRAMMAR_DEFAULTS, ...options };
  checkNumber(fn, "options.endProbability", o.endProbability, 0.001, 0.999);
  checkNumber(fn, "options.moodPersistence", o.moodPersistence, 0, 1);
  checkNumber(fn, "options.happyStart", o.happyStart, 0, 1);

  const nC = CHARACTERS.length;
  const nM = MOODS.length;
  const S = SLOTS.length * nC * nM;
  // Symbols in order of first appearance (deterministic ids).
  const symbols: string[] = [];
  const symbolId = new Map<string, number>();
  const entries: { i: number; x: string; j: number; p: number }[] = [];
  const moodNext = (m: number, kind: NextMood): [number, number][] => {
    if (kind === "same") return [[m, 1]];
    if (kind === "flip") return [[m, o.moodPersistence], [1 - m, 1 - o.moodPersistence]];
    return [[0, o.happyStart], [1, 1 - o.happyStart]];
  };
  SLOTS.forEach((slot, s) => {
    for (let c = 0; c < nC; c++) {
      for (let m = 0; m < nM; m++) {
        const i = grammarState(s, c, m);
        for (const r of rules(slot, CHARACTERS[c], m === 0, o)) {
          if (!symbolId.has(r.word)) {
            symbolId.set(r.word, symbols.length);
            symbols.push(r.word);
          }
          const to = SLOTS.indexOf(r.to);
          const fresh = r.mood === "fresh";
          const characters: [number, number][] = fresh ? Array.from({ length: nC }, (_, k) => [k, 1 / nC] as [number, number]) : [[c, 1]];
          for (const [c2, pc] of characters) {
            for (const [m2, pm] of moodNext(m, r.mood ?? "same")) {
              if (r.p * pc * pm > 0) entries.push({ i, x: r.word, j: grammarState(to, c2, m2), p: r.p * pc * pm });
            }
          }
        }
      }
    }
  });
  const V = symbols.length;
  const T = new Float64Array(V * S * S);
  for (const e of entries) T[(symbolId.get(e.x)! * S + e.i) * S + e.j] += e.p;

  const stateSlot = new Int32Array(S);
  const stateCharacter = new Int32Array(S);
  const stateMood = new Int32Array(S);
  const statePhase = new Int32Array(S);
  const stateLabels: string[] = [];
  for (let s = 0; s < SLOTS.length; s++) {
    for (let c = 0; c < nC; c++) {
      for (let m = 0; m < nM; m++) {
        const i = grammarState(s, c, m);
        stateSlot[i] = s;
        stateCharacter[i] = c;
        stateMood[i] = m;
        statePhase[i] = SLOT_PHASE[SLOTS[s]];
        stateLabels[i] = `${SLOTS[s]}/${CHARACTERS[c].name}/${MOODS[m]}`;
      }
    }
  }
  const initial = new Float64Array(S);
  for (let c = 0; c < nC; c++) {
    initial[grammarState(0, c, 0)] = o.happyStart / nC;
    initial[grammarState(0, c, 1)] = (1 - o.happyStart) / nC;
  }
  const hmm = fromFlat(T, V, S, { name: "story-grammar", params: { ...o }, symbolLabels: symbols, stateLabels }, fn);
  return {
    hmm,
    symbols,
    initial,
    stateSlot,
    stateCharacter,
    stateMood,
    statePhase,
    endSymbol: symbolId.get("The end.")!,
    options: o,
  };
}
