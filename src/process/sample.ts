/**
 * Seeded sampling of many sequences from an HMM: draw the first state from
 * the initial distribution, then (symbol, next state) pairs from T. A
 * generalized HMM has no hidden state to draw, so its symbols are drawn one
 * at a time from the predictive distribution P(x | eta) = eta T[x] r and the
 * belief is updated after each (V S^2 work per token instead of V S).
 */
import { checkInteger } from "../util/errors.js";
import { Rng, checkSeed } from "../util/rng.js";
import { updateBelief } from "./beliefs.js";
import { initialDistribution } from "./distribution.js";
import type { Hmm } from "./hmm.js";
import { prepare, symbolProbabilities } from "./prepared.js";

export interface SampleOptions {
  /** Number of sequences. */
  readonly count: number;
  /** Tokens per sequence. */
  readonly length: number;
  readonly seed: number;
  /** Distribution of the first hidden state; default the process's initial distribution (Hmm.initial, else stationary). */
  readonly initial?: ArrayLike<number>;
}

export interface Samples {
  readonly count: number;
  readonly length: number;
  /** [count, length] emitted symbols. */
  readonly tokens: Int32Array;
  /** [count, length + 1] hidden state before each emission, then the final state; all -1 for a generalized HMM. */
  readonly states: Int32Array;
}

/** Draw the first index k with cdf[offset + k] > u, for k < n. */
function drawFromCdf(cdf: Float64Array, offset: number, n: number, u: number): number {
  for (let k = 0; k < n - 1; k++) if (u < cdf[offset + k]) return k;
  return n - 1;
}

export function sampleSequences(hmm: Hmm, options: SampleOptions): Samples {
  const fn = "sampleSequences";
  const count = checkInteger(fn, "count", options.count, 1);
  const length = checkInteger(fn, "length", options.length, 1);
  const rng = new Rng(checkSeed(fn, options.seed), "sample");
  const pi = initialDistribution(hmm, options.initial, fn);
  if (hmm.generalized) return sampleGeneralized(hmm, count, length, rng, pi);
  const S = hmm.nStates;
  const V = hmm.nSymbols;
  // cdf over the (symbol, next state) pair k = x * S + j, one row per state i.
  const cdf = new Float64Array(S * V * S);
  for (let i = 0; i < S; i++) {
    let acc = 0;
    for (let x = 0; x < V; x++) {
      for (let j = 0; j < S; j++) {
        acc += hmm.transitions[(x * S + i) * S + j];
        cdf[i * V * S + x * S + j] = acc;
      }
    }
    // Normalise away the row-sum tolerance so the last outcome is not favoured.
    for (let k = 0; k < V * S; k++) cdf[i * V * S + k] /= acc;
  }
  const piCdf = new Float64Array(S);
  let acc = 0;
  for (let i = 0; i < S; i++) piCdf[i] = acc += pi[i];
  for (let i = 0; i < S; i++) piCdf[i] /= acc;

  const tokens = new Int32Array(count * length);
  const states = new Int32Array(count * (length + 1));
  for (let n = 0; n < count; n++) {
    let s = drawFromCdf(piCdf, 0, S, rng.uniform());
    states[n * (length + 1)] = s;
    for (let t = 0; t < length; t++) {
      const k = drawFromCdf(cdf, s * V * S, V * S, rng.uniform());
      tokens[n * length + t] = Math.floor(k / S);
      s = k % S;
      states[n * (length + 1) + t + 1] = s;
    }
  }
  return { count, length, tokens, states };
}

/** Sequential sampling from the predictive distribution (generalized HMMs). */
function sampleGeneralized(hmm: Hmm, count: number, length: number, rng: Rng, initial: Float64Array): Samples {
  const S = hmm.nStates;
  const V = hmm.nSymbols;
  const prepared = prepare(hmm);
  const tokens = new Int32Array(count * length);
  const states = new Int32Array(count * (length + 1)).fill(-1);
  const probs = new Float64Array(V);
  const cdf = new Float64Array(V);
  let belief = new Float64Array(S);
  let next = new Float64Array(S);
  for (let n = 0; n < count; n++) {
    belief.set(initial);
    for (let t = 0; t < length; t++) {
      symbolProbabilities(prepared, belief, 0, probs);
      let acc = 0;
      for (let x = 0; x < V; x++) cdf[x] = acc += probs[x];
      const x = drawFromCdf(cdf, 0, V, rng.uniform() * acc);
      tokens[n * length + t] = x;
      updateBelief(hmm, belief, x, next);
      [belief, next] = [next, belief];
    }
  }
  return { count, length, tokens, states };
}
