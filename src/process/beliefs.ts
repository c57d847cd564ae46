/**
 * Bayes-optimal filtering: the belief (distribution over hidden states) after
 * every prefix, eta_{t+1} = eta_t T[x_t] / (eta_t T[x_t] r), and the optimal
 * predictor's log-loss on every token. r is the all-ones vector for an HMM
 * and the normalizer of a generalized HMM (whose beliefs are row vectors
 * with eta · r = 1, not distributions).
 */
import { ArgumentError, checkInteger } from "../util/errors.js";
import { initialDistribution } from "./distribution.js";
import type { Hmm } from "./hmm.js";
import { prepare, symbolProbabilities } from "./prepared.js";

export interface FilterOptions {
  /** Belief before the first token; default the process's initial distribution (Hmm.initial, else stationary). */
  readonly initial?: ArrayLike<number>;
}

export interface FilterResult {
  readonly count: number;
  readonly length: number;
  readonly nStates: number;
  /** [count, length, nStates]: belief after tokens 0..t (inclusive) at position t. */
  readonly beliefs: Float64Array;
  /** [count, length]: -ln P(x_t | x_0..x_{t-1}) under the true process (nats). */
  readonly optimalLoss: Float64Array;
}

/** Next-symbol probabilities P(x | eta) = eta T[x] r (r = 1 for a stochastic HMM), written into `out` (length V). */
export function nextSymbolDistribution(hmm: Hmm, belief: ArrayLike<number>, out: Float64Array = new Float64Array(hmm.nSymbols)): Float64Array {
  return symbolProbabilities(prepare(hmm), belief, 0, out);
}

/**
 * Unnormalised update: out = eta T[x], then normalised so that out · r = 1
 * (a probability vector for a stochastic HMM). Returns the normaliser
 * P(x | eta) = eta T[x] r; a result <= 0 means x is impossible after eta
 * (then `out` is left unnormalised). `out` must not alias `belief`.
 */
export function updateBelief(hmm: Hmm, belief: ArrayLike<number>, x: number, out: Float64Array): number {
  const S = hmm.nStates;
  const T = hmm.transitions;
  out.fill(0);
  for (let i = 0; i < S; i++) {
    const bi = belief[i];
    if (bi === 0) continue;
    const row = (x * S + i) * S;
    for (let j = 0; j < S; j++) out[j] += bi * T[row + j];
  }
  let z = 0;
  if (hmm.generalized) {
    const r = hmm.normalizer!;
    for (let j = 0; j < S; j++) z += out[j] * r[j];
  } else {
    for (let j = 0; j < S; j++) z += out[j];
  }
  if (z > 0) for (let j = 0; j < S; j++) out[j] /= z;
  return z;
}

/**
 * Filter every sequence in `tokens` ([count, length], row-major).
 * Throws if a sequence has probability zero under the process.
 */
export function filterBeliefs(hmm: Hmm, tokens: Int32Array, length: number, options: FilterOptions = {}): FilterResult {
  const fn = "filterBeliefs";
  checkInteger(fn, "length", length, 1);
  if (tokens.length % length !== 0) {
    throw new ArgumentError({ fn, argument: "tokens", received: `${tokens.length} tokens`, expected: `a multiple of length ${length}` });
  }
  const count = tokens.length / length;
  const S = hmm.nStates;
  const pi = initialDistribution(hmm, options.initial, fn);
  const beliefs = new Float64Array(count * length * S);
  const optimalLoss = new Float64Array(count * length);
  const next = new Float64Array(S);
  for (let n = 0; n < count; n++) {
    let prev: ArrayLike<number> = pi;
    for (let t = 0; t < length; t++) {
      const x = tokens[n * length + t];
      if (!(x >= 0 && x < hmm.nSymbols)) {
        throw new ArgumentError({ fn, argument: `tokens[${n}][${t}]`, received: String(x), expected: `a symbol in [0, ${hmm.nSymbols})` });
      }
      const p = updateBelief(hmm, prev, x, next);
      if (!(p > 0)) {
        throw new ArgumentError({
          fn,
          argument: `tokens[${n}][${t}]`,
          received: `symbol ${x}, which has probability 0 after the prefix`,
          expected: `a sequence that ${hmm.name} can emit`,
        });
      }
      optimalLoss[n * length + t] = -Math.log(p);
      const out = beliefs.subarray((n * length + t) * S, (n * length + t + 1) * S);
      out.set(next);
      prev = out;
    }
  }
  return { count, length, nStates: S, beliefs, optimalLoss };
}
