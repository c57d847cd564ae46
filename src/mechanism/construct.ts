/**
 * A constructed model: a 1-layer, attention-only, linear-attention transformer (no LayerNorm, with
 * skip connections) whose weights are computed from the HMM, with no training.
 *
 * The attention implements the best linear operator (bestOperator.ts): at query t the belief
 * estimate is sum_{s<=t} W[t, s, x_s, :]. Viewing W as a matrix M[(t, s), (x, i)] and taking its
 * SVD, M = sum_h sigma_h u_h v_h^T, each singular triple becomes one head with
 *   pattern A_h[t, s] = sqrt(sigma_h) u_h[(t, s)]   (a fixed pattern, made by queries and keys
 *                                                    that read only the position block)
 *   OV image of token x = sqrt(sigma_h) v_h[(x, :)] (written into the belief block)
 * so the number of heads is the rank of M (at most V * S). The residual stream is
 *   [ token one-hot (V) | position one-hot (n_ctx) | belief estimate (S) ]:
 * W_E[x] = e_x, W_pos[t] = e_{V+t}; q_t = sqrt(d_head) A_h[t, :] (W_Q reads the position block),
 * k_s = e_s (W_K), so linear attention's score q_t . k_s / sqrt(d_head) is exactly A_h[t, s];
 * v_s = sqrt(sigma_h) v_h[(x_s, :)] (W_V reads the token block); W_O^h writes d_head coordinate i
 * to belief coordinate i. The unembedding is the convex best readout of that residual against
 * the exact next-token distributions (readout.ts). Everything is least squares or convex
 * optimisation against exact quantities of the HMM. Bounds: nCtx <= 1024, d_model <= 4096, heads
 * <= maxHeads; time is the operator's fit (bestOperator.ts) plus O(iterations * nSequences * nCtx *
 * (d_model V)^2) for the readout, under a second for mess3 at n_ctx 10.
 */
import { Matrix, SingularValueDecomposition } from "ml-matrix";
import { makeConfig, type StateDict } from "../model/index.js";
import type { Hmm } from "../process/index.js";
import { ArgumentError, checkChoice, checkInteger } from "../util/errors.js";
import { applyLinearOperator, bestLinearOperator } from "./bestOperator.js";
import { fitSoftmaxReadout, readoutLoss } from "./readout.js";
import { beliefSamples, DEFAULT_SEQUENCES } from "./samples.js";
import type { ConstructedModel, ConstructOptions, OperatorEmbedding } from "./types.js";

/** Defaults, with their reasons. */
export const CONSTRUCT_DEFAULTS = Object.freeze({
  /** The best linear operator; "shared" builds the one-embedding operator (fewer heads, a little worse). */
  operator: "per-position" as OperatorEmbedding,
  /** Bounds the model: a process needing more heads than this is refused, with the count. */
  maxHeads: 64,
  nSequences: DEFAULT_SEQUENCES,
  seed: 0,
});

/** Singular values at or below this fraction of the largest add no head (float32 weights resolve ~1e-7). */
const RANK_TOLERANCE = 1e-7;
/** Widest residual stream built (V + n_ctx + S). */
const MAX_D_MODEL = 4096;

/** Build the constructed model for `hmm` at context length nCtx. */
export function constructLinearAttention(hmm: Hmm, nCtx: number, options: ConstructOptions = {}): ConstructedModel {
  const fn = "constructLinearAttention";
  checkInteger(fn, "nCtx", nCtx, 1, 1024);
  const operator = checkChoice(fn, "options.operator", options.operator ?? CONSTRUCT_DEFAULTS.operator, ["per-position", "shared"] as const);
  const maxHeads = checkInteger(fn, "options.maxHeads", options.maxHeads ?? CONSTRUCT_DEFAULTS.maxHeads, 1, 4096);
  const nSequences = options.nSequences ?? CONSTRUCT_DEFAULTS.nSequences;
  const seed = options.seed ?? CONSTRUCT_DEFAULTS.seed;
  const V = hmm.nSymbols;
  const S = hmm.nStates;
  const T = nCtx;
  if (V < 2) {
    throw new ArgumentError({ fn, argument: "hmm", received: `${hmm.name}, which has ${V} symbol`, expected: "a process with at least 2 symbols (with one there is nothing to predict and no logits to build)" });
  }
  const dModel = V + T + S;
  if (dModel > MAX_D_MODEL) {
    throw new ArgumentError({ fn, argument: "hmm", received: `${hmm.name} at n_ctx ${T}: d_model = V + n_ctx + S = ${dModel}`, expected: `d_model <= ${MAX_D_MODEL} (the residual holds a one-hot token, a one-hot position and the belief)` });
  }
  const op = bestLinearOperator(hmm, T, { embedding: operator, positions: "all", nSequences, seed });

  // M[(t, s), (x, i)] over the causal (t, s) pairs.
  const pairs: [number, number][] = [];
  for (let t = 0; t < T; t++) for (let s = 0; s <= t; s++) pairs.push([t, s]);
  const M = new Matrix(pairs.length, V * S);
  pairs.forEach(([t, s], r) => {
    for (let c = 0; c < V * S; c++) M.set(r, c, op.weights[(t * T + s) * V * S + c]);
  });
  const svd = new SingularValueDecomposition(M, { autoTranspose: true });
  const sigma = svd.diagonal;
  const heads = sigma.filter((v) => v > RANK_TOLERANCE * sigma[0]).length || 1;
  if (heads > maxHeads) {
    throw new ArgumentError({
      fn,
      argument: "hmm",
      received: `${hmm.name}, whose best ${operator} linear operator has rank ${heads} (one head per rank; V * S = ${V} * ${S})`,
      expected: `at most maxHeads = ${maxHeads} heads`,
      hint: `Raise maxHeads (--max-heads) to ${heads}, or build the shared operator (--operator shared).`,
    });
  }
  const U = svd.leftSingularVectors;
  const W = svd.rightSingularVectors;
  const dHead = Math.max(T, S);
  const config = makeConfig({ nLayers: 1, dModel, nHeads: heads, dHead, nCtx: T, dVocab: V, layerNorm: false, attnOnly: true, attention: "linear" }) as unknown as Record<string, unknown>;
  const tensor = (shape: number[]) => ({ shape, data: new Float32Array(shape.reduce((a, b) => a * b, 1)) });
  const sd: StateDict = {
    "embed.W_E": tensor([V, dModel]), // [d_vocab, d_model]
    "pos_embed.W_pos": tensor([T, dModel]), // [n_ctx, d_model]
    "blocks.0.attn.W_Q": tensor([heads, dModel, dHead]), // [head_index, d_model, d_head]
    "blocks.0.attn.b_Q": tensor([heads, dHead]),
    "blocks.0.attn.W_K": tensor([heads, dModel, dHead]),
    "blocks.0.attn.b_K": tensor([heads, dHead]),
    "blocks.0.attn.W_V": tensor([heads, dModel, dHead]),
    "blocks.0.attn.b_V": tensor([heads, dHead]),
    "blocks.0.attn.W_O": tensor([heads, dHead, dModel]), // [head_index, d_head, d_model]
    "blocks.0.attn.b_O": tensor([dModel]),
    "unembed.W_U": tensor([dModel, V]), // [d_model, d_vocab]
    "unembed.b_U": tensor([V]),
  };
  for (let x = 0; x < V; x++) sd["embed.W_E"].data[x * dModel + x] = 1;
  for (let t = 0; t < T; t++) sd["pos_embed.W_pos"].data[t * dModel + V + t] = 1;
  const rootE = Math.sqrt(dHead);
  for (let h = 0; h < heads; h++) {
    const scale = Math.sqrt(sigma[h]);
    pairs.forEach(([t, s], r) => {
      // q_t[s] = sqrt(d_head) A_h[t, s], read from position t's indicator.
      sd["blocks.0.attn.W_Q"].data[(h * dModel + V + t) * dHead + s] = rootE * scale * U.get(r, h);
    });
    for (let s = 0; s < T; s++) sd["blocks.0.attn.W_K"].data[(h * dModel + V + s) * dHead + s] = 1;
    for (let x = 0; x < V; x++) for (let i = 0; i < S; i++) sd["blocks.0.attn.W_V"].data[(h * dModel + x) * dHead + i] = scale * W.get(x * S + i, h);
    for (let i = 0; i < S; i++) sd["blocks.0.attn.W_O"].data[(h * dHead + i) * dModel + V + T + i] = 1;
  }

  // The readout: residual features [token one-hot | position one-hot | estimate] at every position.
  const residualFeatures = (tokens: Int32Array, count: number): Float64Array => {
    const estimate = applyLinearOperator({ ...op, weights: float32Rounded(op.weights) }, tokens, T); // [count, pos, n_states]
    const f = new Float64Array(count * T * dModel); // [count * pos, d_model]
    for (let r = 0; r < count * T; r++) {
      f[r * dModel + tokens[r]] = 1;
      f[r * dModel + V + (r % T)] = 1;
      for (let i = 0; i < S; i++) f[r * dModel + V + T + i] = estimate[r * S + i];
    }
    return f;
  };
  const fit = beliefSamples(hmm, T, nSequences, seed, "operator-fit", fn);
  const readout = fitSoftmaxReadout(residualFeatures(fit.tokens, fit.count), fit.next, fit.count * T, dModel, V);
  for (let j = 0; j < dModel * V; j++) sd["unembed.W_U"].data[j] = readout.weights[j];
  for (let a = 0; a < V; a++) sd["unembed.b_U"].data[a] = readout.intercept[a];

  const test = beliefSamples(hmm, T, nSequences, seed, "operator-test", fn);
  // Per test sequence (T rows each), so that the sample means carry standard errors.
  const fitted = { weights: Float64Array.from(sd["unembed.W_U"].data), intercept: Float64Array.from(sd["unembed.b_U"].data) };
  const testFeatures = residualFeatures(test.tokens, test.count);
  const lossPer = Float64Array.from({ length: test.count }, (_, n) =>
    readoutLoss(fitted, testFeatures.subarray(n * T * dModel, (n + 1) * T * dModel), test.next.subarray(n * T * V, (n + 1) * T * V), T, dModel, V),
  );
  const optimalPer = new Float64Array(test.count);
  for (let r = 0; r < test.count * T; r++) for (let a = 0; a < V; a++) if (test.next[r * V + a] > 0) optimalPer[Math.floor(r / T)] -= (test.next[r * V + a] * Math.log(test.next[r * V + a])) / T;
  const meanSe = (a: Float64Array) => {
    const m = a.reduce((x, y) => x + y, 0) / a.length;
    const v = a.reduce((x, y) => x + (y - m) ** 2, 0) / Math.max(1, a.length - 1);
    return [m, Math.sqrt(v / a.length)];
  };
  const [loss, lossSe] = meanSe(lossPer);
  const [optimal, optimalSe] = meanSe(optimalPer);
  const [, excessSe] = meanSe(lossPer.map((l, n) => l - optimalPer[n]));
  return {
    architecture: "transformer",
    config,
    stateDict: sd,
    operator: op,
    heads,
    layout: { token: [0, V], position: [V, V + T], belief: [V + T, V + T + S] },
    loss,
    optimalLoss: optimal,
    relativeExcess: loss / optimal - 1,
    sampledSequences: test.count,
    lossStandardError: lossSe,
    optimalLossStandardError: optimalSe,
    relativeExcessStandardError: excessSe / optimal,
  };
}

/** The operator as the float32 weights will reproduce it (to score the readout on what the model computes). */
function float32Rounded(w: Float64Array): Float64Array {
  return Float64Array.from(Float32Array.from(w));
}
