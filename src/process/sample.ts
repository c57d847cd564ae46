/**
 * Seeded sampling of many sequences from an HMM: draw the first state from
 * the initial distribution, then (symbol, next state) pairs from T. A
 * generalized HMM has no hidden state to draw, so its symbols are drawn one
 * at a time from the predictive distribution P(x | eta) = eta T[x] r and the
 * belief is updated after each (V S^2 work per token instead of V S).
 */
import { checkInteger } from "../util/errors.js";
import { Rng, checkSeed } from "../util/rng.js";
import { filterBeliefs, updateBelief } from "./beliefs.js";
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
  const count = checkInteger("sampleSequences", "count", options.count, 1);
  return createSampler(hmm, options, "sampleSequences").draw(count);
}

/**
 * Draws sequences a chunk at a time from one seeded stream: draw(a) then draw(b) gives the same
 * sequences as sampleSequences with count a + b, so a long sample can be written as it is drawn
 * with memory that stays flat.
 */
export interface Sampler {
  readonly length: number;
  draw(count: number): Samples;
}

export function createSampler(hmm: Hmm, options: Omit<SampleOptions, "count">, fn = "createSampler"): Sampler {
  const length = checkInteger(fn, "length", options.length, 1);
  const rng = new Rng(checkSeed(fn, options.seed), "sample");
  const pi = initialDistribution(hmm, options.initial, fn);
  if (hmm.generalized) {
    const prepared = prepare(hmm);
    return { length, draw: (count) => sampleGeneralized(hmm, prepared, checkInteger(fn, "count", count, 1), length, rng, pi) };
  }
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

  const draw = (count: number): Samples => {
    checkInteger(fn, "count", count, 1);
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
  };
  return { length, draw };
}

/** Sequential sampling from the predictive distribution (generalized HMMs). */
function sampleGeneralized(hmm: Hmm, prepared: ReturnType<typeof prepare>, count: number, length: number, rng: Rng, initial: Float64Array): Samples {
  const S = hmm.nStates;
  const V = hmm.nSymbols;
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

/** Numbers per piece of the JSON text (a piece is written before the next is built). */
const PIECE_NUMBERS = 1 << 16;

export interface SampleJsonOptions {
  readonly count: number;
  readonly length: number;
  readonly seed: number;
  /** Sequences drawn (and held) at a time. Default: as many as fit ~16 MiB of samples and beliefs. */
  readonly chunk?: number;
  /** Called after each chunk with the sequences written so far. */
  readonly onProgress?: (done: number, total: number) => void;
}

/** Bytes held per sequence while a chunk is drawn: tokens, states, beliefs and per-token loss. */
export function sampleBytesPerSequence(nStates: number, length: number): number {
  return length * (4 + 4 + 8 * nStates + 8) + 4;
}

/** A run of numbers as JSON array text, in pieces of PIECE_NUMBERS numbers. */
function* numberPieces(a: ArrayLike<number>, from: number, to: number): Generator<string> {
  for (let i = from; i < to; i += PIECE_NUMBERS) {
    const end = Math.min(to, i + PIECE_NUMBERS);
    const parts = new Array<string>(end - i);
    for (let k = i; k < end; k++) parts[k - i] = String(a[k]);
    yield (i > from ? "," : "") + parts.join(",");
  }
}

/**
 * The document `process sample` writes, {"process", "params", "seed", "sequences": [{tokens,
 * states, beliefs}, ...]}, as pieces of JSON text drawn a chunk of sequences at a time (one
 * sequence a line), so that memory stays flat as the count grows. The sequences are those of
 * sampleSequences with the same count, length and seed.
 */
export function* sampleJsonPieces(hmm: Hmm, options: SampleJsonOptions): Generator<string> {
  const fn = "sampleJsonPieces";
  const count = checkInteger(fn, "count", options.count, 1);
  const sampler = createSampler(hmm, { length: options.length, seed: options.seed }, fn);
  const L = sampler.length;
  const S = hmm.nStates;
  const chunk = Math.min(count, options.chunk ?? Math.max(1, Math.floor((16 << 20) / sampleBytesPerSequence(S, L))));
  yield `{"process":${JSON.stringify(hmm.name)},"params":${JSON.stringify(hmm.params)},"seed":${options.seed},"sequences":[\n`;
  for (let done = 0; done < count; ) {
    const n = Math.min(chunk, count - done);
    const s = sampler.draw(n);
    const b = filterBeliefs(hmm, s.tokens, L);
    for (let q = 0; q < n; q++) {
      yield `${done + q > 0 ? ",\n" : ""}{"tokens":[`;
      yield* numberPieces(s.tokens, q * L, (q + 1) * L);
      if (!hmm.generalized) {
        yield `],"states":[`;
        yield* numberPieces(s.states, q * (L + 1), (q + 1) * (L + 1));
      }
      yield `],"beliefs":[`;
      for (let t = 0; t < L; t += PIECE_NUMBERS) {
        const end = Math.min(L, t + PIECE_NUMBERS);
        const rows = new Array<string>(end - t);
        for (let k = t; k < end; k++) {
          const o = (q * L + k) * S;
          rows[k - t] = `[${Array.from(b.beliefs.subarray(o, o + S), String).join(",")}]`;
        }
        yield (t > 0 ? "," : "") + rows.join(",");
      }
      yield "]}";
    }
    done += n;
    options.onProgress?.(done, count);
  }
  yield "\n]}\n";
}
