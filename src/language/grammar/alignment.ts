/**
 * From tokens back to the grammar: for each token, the last grammar symbol
 * that is complete once the token has been read, and so the hidden state and
 * Bayes belief a model could know at that token. A token that ends inside a
 * symbol (" upon" in "Once upon a time,") maps to the symbol before it; tokens
 * before the first complete symbol map to -1, the story's initial belief.
 */
import { ArgumentError } from "../../util/errors.js";
import { filterBeliefs } from "../../process/beliefs.js";
import type { Story } from "./stories.js";
import { CHARACTERS, MOODS, PHASES, SLOTS, type StoryGrammar } from "./storyGrammar.js";

/**
 * [n_tokens] index of the last symbol whose span ends at or before each token's
 * end, or -1. `tokenOffsets` is [n_tokens, 2] (as BpeTokenizer.encodeWithOffsets),
 * `spans` is [n_symbols, 2] (as Story.spans); both over the same text.
 */
export function lastCompleteSymbol(spans: Int32Array, tokenOffsets: Int32Array): Int32Array {
  if (tokenOffsets.length % 2 !== 0) {
    throw new ArgumentError({ fn: "lastCompleteSymbol", argument: "tokenOffsets", received: `${tokenOffsets.length} numbers`, expected: "[n_tokens, 2] start/end pairs" });
  }
  const nTokens = tokenOffsets.length / 2;
  const nSymbols = spans.length / 2;
  const out = new Int32Array(nTokens);
  let w = -1;
  for (let k = 0; k < nTokens; k++) {
    const end = tokenOffsets[2 * k + 1];
    while (w + 1 < nSymbols && spans[2 * (w + 1) + 1] <= end) w++;
    out[k] = w;
  }
  return out;
}

/** [n_symbols, n_states] Bayes belief over the grammar state after each symbol of a story (from the story's initial distribution). */
export function storyBeliefs(grammar: StoryGrammar, story: Pick<Story, "symbols">): Float64Array {
  if (story.symbols.length === 0) return new Float64Array(0);
  return filterBeliefs(grammar.hmm, story.symbols, story.symbols.length, { initial: grammar.initial }).beliefs;
}

/**
 * [n_tokens, n_states] the belief at each token: the belief after its last
 * complete symbol (`lastSymbol` from lastCompleteSymbol), or the initial
 * distribution before any.
 */
export function tokenBeliefs(grammar: StoryGrammar, symbolBeliefs: Float64Array, lastSymbol: Int32Array): Float64Array {
  const S = grammar.hmm.nStates;
  const out = new Float64Array(lastSymbol.length * S);
  for (let k = 0; k < lastSymbol.length; k++) {
    const w = lastSymbol[k];
    out.set(w < 0 ? grammar.initial : symbolBeliefs.subarray(w * S, (w + 1) * S), k * S);
  }
  return out;
}

/** [n_tokens] the true hidden state at each token: the state entered after its last complete symbol. */
export function tokenStates(story: Pick<Story, "states">, lastSymbol: Int32Array): Int32Array {
  return Int32Array.from(lastSymbol, (w) => story.states[w + 1]);
}

export interface BeliefMarginals {
  /** [n, n_slots] */
  readonly slot: Float64Array;
  /** [n, 4] Lily, Mia, Ben, Tom */
  readonly character: Float64Array;
  /** [n, 2] happy, sad */
  readonly mood: Float64Array;
  /** [n, 3] opening, middle, ending */
  readonly phase: Float64Array;
}

/** Marginals of beliefs ([n, n_states]) over each factor of the hidden state. */
export function beliefMarginals(grammar: StoryGrammar, beliefs: Float64Array): BeliefMarginals {
  const S = grammar.hmm.nStates;
  const n = beliefs.length / S;
  const slot = new Float64Array(n * SLOTS.length);
  const character = new Float64Array(n * CHARACTERS.length);
  const mood = new Float64Array(n * MOODS.length);
  const phase = new Float64Array(n * PHASES.length);
  for (let r = 0; r < n; r++) {
    for (let i = 0; i < S; i++) {
      const p = beliefs[r * S + i];
      if (p === 0) continue;
      slot[r * SLOTS.length + grammar.stateSlot[i]] += p;
      character[r * CHARACTERS.length + grammar.stateCharacter[i]] += p;
      mood[r * MOODS.length + grammar.stateMood[i]] += p;
      phase[r * PHASES.length + grammar.statePhase[i]] += p;
    }
  }
  return { slot, character, mood, phase };
}
