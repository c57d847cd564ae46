/**
 * The optimum a model of the generated stories can reach, per token: the
 * grammar's entropy rate in nats per token. Stories are renewals of the
 * grammar's chain (it returns to its initial distribution after "The end."),
 * and the text of a story determines its symbols, so by the renewal-reward
 * theorem the entropy per token of the token stream (stories back to back,
 * each BOS + its tokens) is
 *   E[-log P(story)] / E[tokens of a story, BOS included],
 * with -log P(story) the sum over its symbols of -log p(symbol | previous
 * symbols) from the exact filter (src/process/beliefs.ts). Both expectations
 * are estimated on `stories` fresh stories; the standard error comes from the
 * delta method for a ratio of means.
 */
import { filterBeliefs } from "../../process/beliefs.js";
import { checkInteger } from "../../util/errors.js";
import { generateStory } from "../grammar/stories.js";
import type { StoryGrammar } from "../grammar/storyGrammar.js";
import type { BpeTokenizer } from "../tokenizer/tokenizer.js";

export interface GrammarEntropy {
  /** Entropy rate per token (nats), the best loss of any predictor with unbounded context. */
  readonly natsPerToken: number;
  readonly standardError: number;
  /** E[-log P(story)] (nats) and E[tokens per story] (with BOS). */
  readonly natsPerStory: number;
  readonly tokensPerStory: number;
  readonly stories: number;
}

export function grammarTokenEntropy(grammar: StoryGrammar, tokenizer: BpeTokenizer, o: { readonly stories: number; readonly seed: number; readonly firstStory: number }): GrammarEntropy {
  const n = checkInteger("grammarTokenEntropy", "stories", o.stories, 2);
  const h = new Float64Array(n);
  const t = new Float64Array(n);
  for (let k = 0; k < n; k++) {
    const s = generateStory(grammar, o.seed, o.firstStory + k);
    const losses = filterBeliefs(grammar.hmm, s.symbols, s.symbols.length, { initial: grammar.initial }).optimalLoss;
    h[k] = losses.reduce((a, b) => a + b, 0);
    t[k] = tokenizer.encode(s.text, { addSpecialTokens: false }).length + 1;
  }
  const mean = (a: Float64Array) => a.reduce((x, y) => x + y, 0) / a.length;
  const mh = mean(h);
  const mt = mean(t);
  const rate = mh / mt;
  // Delta method: Var(mean(h) / mean(t)) ~ Var(h - rate t) / (n mt^2).
  let v = 0;
  for (let k = 0; k < n; k++) v += (h[k] - rate * t[k]) ** 2;
  v /= n - 1;
  return { natsPerToken: rate, standardError: Math.sqrt(v / n) / mt, natsPerStory: mh, tokensPerStory: mt, stories: n };
}
