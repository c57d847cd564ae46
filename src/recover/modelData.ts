/**
 * Everything the recovery learns from comes from the model itself:
 *
 * - the first token's distribution, which the model (no BOS token) does not
 *   give: derived under stationarity as the fixed point of
 *   p(x1) = sum_x0 p(x0) p_model(x1 | x0) (the left fixed vector of the V x V
 *   matrix of the model's predictions after one token);
 * - sequences sampled autoregressively from the model (seeded), with the
 *   model's next-token distribution at every position;
 * - the model's predictions of the next k tokens after sampled prefixes (by
 *   running the model on every continuation of length k - 1);
 * - activations at a site (hooks concatenated feature-wise).
 *
 * Memory: tokens and distributions take (V + 1) * count * nCtx values;
 * activations count * nCtx * d_site float64 values (the caller bounds count).
 */
import { Matrix, solve } from "ml-matrix";
import type { SequenceModel } from "../model/index.js";
import type { Rows } from "../util/rows.js";
import { ArgumentError, checkInteger } from "../util/errors.js";
import { Rng } from "../util/rng.js";
import { warn } from "../util/warn.js";
import { didYouMean } from "../util/didYouMean.js";

/** Softmax of float32 logits into float64 probabilities: out[k] for k < V, from logits at `offset`. */
function softmaxInto(logits: Float32Array, offset: number, V: number, out: Float64Array, outOffset: number): void {
  let max = -Infinity;
  for (let x = 0; x < V; x++) max = Math.max(max, logits[offset + x]);
  let z = 0;
  for (let x = 0; x < V; x++) {
    const e = Math.exp(logits[offset + x] - max);
    out[outOffset + x] = e;
    z += e;
  }
  for (let x = 0; x < V; x++) out[outOffset + x] /= z;
}

/** Sequences per forward call, the same in every call of a recovery. */
export const FORWARD_BATCH = 256;

/**
 * Logits [count, nCtx, V] for sequences [count, nCtx], in batches of exactly
 * `batchSize` (the last one padded with zeros). jax-js compiles one program
 * per input shape, and compiling costs seconds, so every call here uses the
 * same shape; causal attention makes the padding after a position invisible
 * to it.
 */
export async function forwardFixedShape(model: SequenceModel, tokens: Int32Array, batchSize = FORWARD_BATCH): Promise<Float32Array> {
  const L = model.nCtx;
  const V = model.dVocab;
  const count = tokens.length / L;
  const out = new Float32Array(count * L * V);
  for (let start = 0; start < count; start += batchSize) {
    const b = Math.min(batchSize, count - start);
    const input = new Int32Array(batchSize * L);
    input.set(tokens.subarray(start * L, (start + b) * L));
    const logits = await model.forward(input, L, { batchSize }); // [batchSize, nCtx, V]
    out.set(logits.data.subarray(0, b * L * V), start * L * V);
  }
  return out;
}

/** Draw from a distribution stored at probs[offset .. offset + V). */
function draw(probs: Float64Array, offset: number, V: number, u: number): number {
  let acc = 0;
  for (let x = 0; x < V - 1; x++) {
    acc += probs[offset + x];
    if (u < acc) return x;
  }
  return V - 1;
}

export interface FirstTokenDistribution {
  /** [V] the stationary fixed point p(x1) = sum_x0 p(x0) p_model(x1 | x0). */
  readonly probs: Float64Array;
  /** [V, V] p_model(x1 | x0): the model's prediction after the single token x0. */
  readonly afterOneToken: Float64Array;
  /** max_x |p(x) - sum_x0 p(x0) P(x | x0)| at the fixed point. */
  readonly residual: number;
}

/**
 * The first token's distribution under stationarity: the left fixed vector
 * of the model's V x V matrix of predictions after one token.
 */
export async function firstTokenDistribution(model: SequenceModel): Promise<FirstTokenDistribution> {
  const V = model.dVocab;
  const L = model.nCtx;
  const tokens = new Int32Array(V * L); // [V, nCtx]: token x at position 0, padding after
  for (let x = 0; x < V; x++) tokens[x * L] = x;
  const logits = await forwardFixedShape(model, tokens); // [V, nCtx, V]
  const P = new Float64Array(V * V);
  for (let x = 0; x < V; x++) softmaxInto(logits, x * L * V, V, P, x * V);
  // (P^T - I) p = 0 with sum p = 1, by least squares (QR) on the stacked system: exact for an
  // irreducible chain (unique fixed point); for a reducible one, one of its fixed points.
  const A = new Matrix(V + 1, V);
  const rhs = new Matrix(V + 1, 1);
  for (let a = 0; a < V; a++) for (let b = 0; b < V; b++) A.set(b, a, P[a * V + b] - (a === b ? 1 : 0));
  for (let a = 0; a < V; a++) A.set(V, a, 1);
  rhs.set(V, 0, 1);
  const solution = solve(A, rhs).getColumn(0);
  const probs = Float64Array.from(solution, (v) => Math.max(0, v));
  const total = probs.reduce((x, y) => x + y, 0);
  for (let x = 0; x < V; x++) probs[x] /= total;
  let residual = 0;
  for (let b = 0; b < V; b++) {
    let s = 0;
    for (let a = 0; a < V; a++) s += probs[a] * P[a * V + b];
    residual = Math.max(residual, Math.abs(s - probs[b]));
  }
  return { probs, afterOneToken: P, residual };
}

export interface ModelSamples {
  readonly count: number;
  /** Tokens per sequence: the model's context length. */
  readonly length: number;
  readonly nSymbols: number;
  /** [count, length] */
  readonly tokens: Int32Array;
  /** [count, length, V]: p_model(x_{t+1} = . | x_0 .. x_t) at position t. */
  readonly nextProbs: Float64Array;
  /** [V] p(x_0), the stationary fixed point. */
  readonly firstProbs: Float64Array;
}

export interface SampleFromModelOptions {
  readonly count: number;
  readonly seed: number;
  readonly onProgress?: (done: number, total: number) => void;
}

/**
 * Sequences drawn autoregressively from the model: x_0 ~ p(x1) (stationary),
 * then x_{t+1} ~ p_model(. | x_0 .. x_t). nCtx forward passes of growing
 * length per batch.
 */
export async function sampleFromModel(model: SequenceModel, firstProbs: Float64Array, options: SampleFromModelOptions): Promise<ModelSamples> {
  const fn = "sampleFromModel";
  const count = checkInteger(fn, "count", options.count, 1);
  const batchSize = FORWARD_BATCH;
  const V = model.dVocab;
  const L = model.nCtx;
  const rng = new Rng(options.seed, "recover-sample");
  const tokens = new Int32Array(count * L);
  const nextProbs = new Float64Array(count * L * V);
  for (let n = 0; n < count; n++) tokens[n * L] = draw(firstProbs, 0, V, rng.uniform());
  let done = 0;
  for (let start = 0; start < count; start += batchSize) {
    const b = Math.min(batchSize, count - start);
    const batch = tokens.subarray(start * L, (start + b) * L); // [b, nCtx], filled position by position
    for (let t = 0; t < L; t++) {
      const logits = await forwardFixedShape(model, batch); // [b, nCtx, V]; positions > t are padding
      for (let n = 0; n < b; n++) {
        const seq = start + n;
        softmaxInto(logits, (n * L + t) * V, V, nextProbs, (seq * L + t) * V);
        if (t + 1 < L) tokens[seq * L + t + 1] = draw(nextProbs, (seq * L + t) * V, V, rng.uniform());
      }
      done += b;
      options.onProgress?.(done, count * L);
    }
  }
  return { count, length: L, nSymbols: V, tokens, nextProbs, firstProbs };
}

/**
 * The activations at `hooks` (concatenated) for sequences [count, length]:
 * rows [sequences * length, d], for the first `sequences` sequences that fit
 * in `maxValues` values (whole batches; at least one batch).
 */
export async function activationsAt(model: SequenceModel, tokens: Int32Array, length: number, hooks: readonly string[], maxValues = Infinity): Promise<{ activations: Rows; sequences: number }> {
  const count = tokens.length / length;
  const B = FORWARD_BATCH;
  const parts: Float64Array[] = [];
  let cols = 0;
  let sequences = 0;
  for (let start = 0; start < count; start += B) {
    const b = Math.min(B, count - start);
    if (sequences > 0 && (sequences + b) * length * cols > maxValues) break;
    const input = new Int32Array(B * length); // one shape for every call (see forwardFixedShape)
    input.set(tokens.subarray(start * length, (start + b) * length));
    const { cache } = await model.runWithCache(input, length, { names: hooks, batchSize: B });
    const part = cache.features(hooks); // [B * length, d]
    cols = part.cols;
    parts.push(part.data.slice(0, b * length * cols));
    sequences += b;
  }
  const data = new Float64Array(sequences * length * cols);
  let offset = 0;
  for (const p of parts) {
    data.set(p, offset);
    offset += p.length;
  }
  return { activations: { rows: sequences * length, cols, data }, sequences };
}

export interface FuturePredictions {
  /** Words predicted: all words of length k (lexicographic, first symbol most significant). */
  readonly k: number;
  /** [prefixes, V^k]: p_model(w | prefix). */
  readonly probs: Float64Array;
  /** [prefixes] index into the samples' rows (sequence * length + position of the prefix's last token). */
  readonly rows: Int32Array;
}

/**
 * Length k of the future words in the prediction matrix: the longest with at
 * most 27 words (2 symbols: 4, 3: 3, 4 or 5: 2) and k <= nCtx / 2. Enough
 * columns for 8 states with few symbols, and V^(k-1) forward passes per prefix.
 */
export function futureWordLength(V: number, nCtx: number): number {
  let k = 1;
  while (V ** (k + 1) <= 27 && k + 1 <= Math.max(1, Math.floor(nCtx / 2))) k++;
  return k;
}

/**
 * p_model(w | prefix) for every word w of length k after `prefixes` sampled
 * prefixes (positions t <= nCtx - k, chosen uniformly with a seeded Rng),
 * by running the model on the prefix followed by each of the V^(k-1)
 * continuations. Cost: prefixes * V^(k-1) forward passes of length <= nCtx.
 */
export async function futurePredictions(model: SequenceModel, samples: ModelSamples, options: { prefixes: number; k: number; seed: number }): Promise<FuturePredictions> {
  const fn = "futurePredictions";
  const V = samples.nSymbols;
  const L = samples.length;
  const k = checkInteger(fn, "k", options.k, 1, L);
  const maxT = L - k; // prefix x_0..x_t needs t + k <= L positions
  const candidates = samples.count * (maxT + 1);
  const M = Math.min(checkInteger(fn, "prefixes", options.prefixes, 1), candidates);
  if (M < options.prefixes) warn(`futurePredictions: only ${candidates} prefixes are available; using all of them`);
  const rng = new Rng(options.seed, "recover-prefixes");
  const order = rng.permutation(candidates).subarray(0, M);
  const chosen = Array.from(order, (c) => ({ seq: Math.floor(c / (maxT + 1)), t: c % (maxT + 1) }));
  const nCont = V ** (k - 1);
  const nWords = V ** k;
  const probs = new Float64Array(M * nWords);
  const rows = new Int32Array(M);
  const cond = new Float64Array(V);
  // Every chosen prefix with every continuation u of length k - 1, padded to nCtx: [M * nCont, nCtx].
  const input = new Int32Array(M * nCont * L);
  for (let g = 0; g < M; g++) {
    const { seq, t } = chosen[g];
    for (let u = 0; u < nCont; u++) {
      const r = (g * nCont + u) * L;
      input.set(samples.tokens.subarray(seq * L, seq * L + t + 1), r);
      for (let s = 0; s < k - 1; s++) input[r + t + 1 + s] = Math.floor(u / V ** (k - 2 - s)) % V;
    }
  }
  const logits = await forwardFixedShape(model, input); // [M * nCont, nCtx, V]
  for (let g = 0; g < M; g++) {
    const { seq, t } = chosen[g];
    rows[g] = seq * L + t;
    for (let u = 0; u < nCont; u++) {
      const r = g * nCont + u;
      // P(u) = prod_s p(u_s | prefix u_<s), then P(u x) = P(u) p(x | prefix u).
      let pu = 1;
      for (let s = 0; s < k - 1; s++) {
        softmaxInto(logits, (r * L + t + s) * V, V, cond, 0);
        pu *= cond[input[r * L + t + 1 + s]];
      }
      softmaxInto(logits, (r * L + t + k - 1) * V, V, cond, 0);
      for (let x = 0; x < V; x++) probs[g * nWords + u * V + x] = pu * cond[x];
    }
  }
  return { k, probs, rows };
}

/** Check that `hooks` are hooks of the model with [batch, pos, ...] activations. */
export function checkSite(fn: string, model: SequenceModel, hooks: readonly string[]): void {
  const valid = new Set(model.hookNames());
  if (hooks.length === 0) throw new ArgumentError({ fn, argument: "site", received: "no hooks", expected: "at least one hook name" });
  for (const h of hooks) {
    if (!valid.has(h)) {
      throw new ArgumentError({ fn, argument: "site", received: JSON.stringify(h), expected: `hooks of this model: ${[...valid].join(", ")}`, hint: didYouMean(h, valid) || undefined });
    }
  }
}
