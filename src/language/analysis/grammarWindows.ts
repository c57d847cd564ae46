/**
 * Probe data on the generated grammar corpus, where the hidden state is
 * known: windows of nPos tokens made of fresh stories (indices after the
 * corpus's, so none was trained on), each story BOS + its tokens, packed back
 * to back from a story start as the model reads them. For every token: the
 * true hidden state and the exact Bayes belief over the grammar's states given
 * the text so far (the belief after the last grammar symbol complete at that
 * token, alignment.ts; at a BOS, the grammar's initial distribution, to which
 * the chain returns after "The end.").
 */
import { checkInteger } from "../../util/errors.js";
import { lastCompleteSymbol, storyBeliefs, tokenBeliefs, tokenStates } from "../grammar/alignment.js";
import { generateStory } from "../grammar/stories.js";
import type { StoryGrammar } from "../grammar/storyGrammar.js";
import type { BpeTokenizer } from "../tokenizer/tokenizer.js";

export interface GrammarWindows {
  readonly windows: number;
  readonly nPos: number;
  /** [windows, nPos] token ids. */
  readonly tokens: Int32Array;
  /** [windows * nPos, n_states] exact beliefs. */
  readonly beliefs: Float64Array;
  /** [windows * nPos] the true hidden state. */
  readonly states: Int32Array;
  /** Stories used. */
  readonly stories: number;
}

export interface GrammarWindowOptions {
  readonly windows: number;
  readonly nPos: number;
  /** The grammar corpus's seed. */
  readonly seed: number;
  /** Index of the first story (the corpus's size, so the stories are new). */
  readonly firstStory: number;
  readonly bos: number;
}

export function grammarWindows(grammar: StoryGrammar, tokenizer: BpeTokenizer, o: GrammarWindowOptions): GrammarWindows {
  const fn = "grammarWindows";
  const n = checkInteger(fn, "windows", o.windows, 1);
  const P = checkInteger(fn, "nPos", o.nPos, 1);
  const S = grammar.hmm.nStates;
  const tokens = new Int32Array(n * P);
  const beliefs = new Float64Array(n * P * S);
  const states = new Int32Array(n * P);
  let story = o.firstStory;
  for (let w = 0; w < n; w++) {
    let t = 0;
    while (t < P) {
      const s = generateStory(grammar, o.seed, story++);
      const { ids, offsets } = tokenizer.encodeWithOffsets(s.text, { addSpecialTokens: false });
      const last = lastCompleteSymbol(s.spans, offsets);
      const b = tokenBeliefs(grammar, storyBeliefs(grammar, s), last);
      const st = tokenStates(s, last);
      // BOS: the story's start, before any symbol.
      const row = w * P + t;
      tokens[row] = o.bos;
      beliefs.set(grammar.initial, row * S);
      states[row] = s.states[0];
      t++;
      for (let k = 0; k < ids.length && t < P; k++, t++) {
        const r = w * P + t;
        tokens[r] = ids[k];
        beliefs.set(b.subarray(k * S, (k + 1) * S), r * S);
        states[r] = st[k];
      }
    }
  }
  return { windows: n, nPos: P, tokens, beliefs, states, stories: story - o.firstStory };
}
