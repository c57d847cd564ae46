/**
 * Stories sampled from the story grammar, with the hidden state of every
 * symbol recorded as it is drawn, the text, and each symbol's span in it. Story
 * k is a pure function of (seed, k), so any story can be regenerated alone.
 */
import { checkInteger } from "../../util/errors.js";
import { checkSeed, Rng } from "../../util/rng.js";
import { ATTACHED_SYMBOLS, type StoryGrammar } from "./storyGrammar.js";

export interface Story {
  readonly text: string;
  /** [n_symbols] grammar symbol ids. */
  readonly symbols: Int32Array;
  /** [n_symbols + 1] hidden state before each symbol, then the state after the last. */
  readonly states: Int32Array;
  /** [n_symbols, 2] start and end (exclusive) of each symbol in `text`. */
  readonly spans: Int32Array;
}

/** Bound on one story's length; unreachable in practice (a story ends with probability endProbability per sentence). */
const MAX_SYMBOLS = 1_000_000;

interface Sampler {
  /** Per state, a slice [offset[i], offset[i+1]) of outcomes (symbol, next state) with cumulative probability. */
  readonly offset: Int32Array;
  readonly symbol: Int32Array;
  readonly next: Int32Array;
  readonly cdf: Float64Array;
  readonly initialCdf: Float64Array;
}

const samplers = new WeakMap<StoryGrammar, Sampler>();

function samplerFor(grammar: StoryGrammar): Sampler {
  let sampler = samplers.get(grammar);
  if (sampler) return sampler;
  const { nStates: S, nSymbols: V, transitions: T } = grammar.hmm;
  const offset = new Int32Array(S + 1);
  const symbol: number[] = [];
  const next: number[] = [];
  const cdf: number[] = [];
  for (let i = 0; i < S; i++) {
    offset[i] = symbol.length;
    let acc = 0;
    for (let x = 0; x < V; x++) {
      for (let j = 0; j < S; j++) {
        const p = T[(x * S + i) * S + j];
        if (p > 0) {
          acc += p;
          symbol.push(x);
          next.push(j);
          cdf.push(acc);
        }
      }
    }
    for (let k = offset[i]; k < symbol.length; k++) cdf[k] /= acc;
  }
  offset[S] = symbol.length;
  const initialCdf = new Float64Array(S);
  let acc = 0;
  for (let i = 0; i < S; i++) initialCdf[i] = acc += grammar.initial[i];
  sampler = { offset, symbol: Int32Array.from(symbol), next: Int32Array.from(next), cdf: Float64Array.from(cdf), initialCdf };
  samplers.set(grammar, sampler);
  return sampler;
}

/** The text of a symbol sequence and each symbol's span: symbols joined by spaces, "." and "," attached. */
export function renderSymbols(grammar: StoryGrammar, symbols: ArrayLike<number>): { text: string; spans: Int32Array } {
  const spans = new Int32Array(2 * symbols.length);
  let text = "";
  for (let t = 0; t < symbols.length; t++) {
    const word = grammar.symbols[symbols[t]];
    if (t > 0 && !ATTACHED_SYMBOLS.has(word)) text += " ";
    spans[2 * t] = text.length;
    text += word;
    spans[2 * t + 1] = text.length;
  }
  return { text, spans };
}

/** Story number `index` of the corpus with this seed. */
export function generateStory(grammar: StoryGrammar, seed: number, index: number): Story {
  checkSeed("generateStory", seed);
  checkInteger("generateStory", "index", index, 0);
  const sampler = samplerFor(grammar);
  const rng = new Rng(seed, "story", index);
  const draw = (cdf: Float64Array, from: number, to: number) => {
    const u = rng.uniform();
    let lo = from;
    let hi = to - 1;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (u < cdf[mid]) hi = mid;
      else lo = mid + 1;
    }
    return lo;
  };
  const symbols: number[] = [];
  const states: number[] = [];
  let s = draw(sampler.initialCdf, 0, sampler.initialCdf.length);
  while (symbols.length < MAX_SYMBOLS) {
    states.push(s);
    const k = draw(sampler.cdf, sampler.offset[s], sampler.offset[s + 1]);
    symbols.push(sampler.symbol[k]);
    s = sampler.next[k];
    if (sampler.symbol[k] === grammar.endSymbol) break;
  }
  states.push(s);
  const { text, spans } = renderSymbols(grammar, symbols);
  return { text, symbols: Int32Array.from(symbols), states: Int32Array.from(states), spans };
}

/** Stories first..first+count-1 of the corpus with this seed. */
export function* generateStories(grammar: StoryGrammar, options: { readonly count: number; readonly seed: number; readonly first?: number }): Generator<Story> {
  const count = checkInteger("generateStories", "count", options.count, 0);
  const first = checkInteger("generateStories", "first", options.first ?? 0, 0);
  for (let k = 0; k < count; k++) yield generateStory(grammar, options.seed, first + k);
}
