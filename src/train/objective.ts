/**
 * Next-token prediction on every position: a sample of nPos + 1 tokens gives
 * inputs tokens[0..nPos-1] and targets tokens[1..nPos], so position t predicts
 * token t + 1 for every t (nanoGPT's x = seq[:-1], y = seq[1:]). Every
 * position's residual stream is then trained, and the belief after tokens
 * 0..t, probed at position t, is the one the model needs for its prediction.
 */
import { numpy as np, valueAndGrad } from "@jax-js/jax";
import { ArgumentError } from "../util/errors.js";
import type { TransformerConfig } from "../model/config.js";
import { crossEntropy, forward, type Params } from "../model/forward.js";

/** Host-side batch: `batch` sequences of nPos + 1 tokens, row-major. */
export interface TokenBatch {
  readonly batch: number;
  /** Positions the model sees (inputs); each sequence holds nPos + 1 tokens. */
  readonly nPos: number;
  /** [batch, nPos + 1] */
  readonly tokens: Int32Array;
}

/** Host-side split of each sequence into inputs (tokens 0..nPos-1) and targets (tokens 1..nPos), both [batch, pos]. */
export function nextTokenPairs(b: TokenBatch, fn = "nextTokenPairs"): { inputs: Int32Array; targets: Int32Array } {
  const { batch, nPos, tokens } = b;
  const L = nPos + 1;
  if (tokens.length !== batch * L) {
    throw new ArgumentError({ fn, argument: "tokens", received: `${tokens.length} tokens`, expected: `batch * (nPos + 1) = ${batch * L}` });
  }
  const inputs = new Int32Array(batch * nPos);
  const targets = new Int32Array(batch * nPos);
  for (let n = 0; n < batch; n++) {
    inputs.set(tokens.subarray(n * L, n * L + nPos), n * nPos);
    targets.set(tokens.subarray(n * L + 1, (n + 1) * L), n * nPos);
  }
  return { inputs, targets };
}

/** Device arrays for one batch: inputs [batch, pos], targets [batch, pos] (the next tokens) and weights [batch, pos] (all 1). */
export function batchArrays(b: TokenBatch): { tokens: np.Array; targets: np.Array; weights: np.Array } {
  const { batch, nPos } = b;
  const { inputs, targets } = nextTokenPairs(b, "batchArrays");
  return {
    tokens: np.array(inputs, { dtype: np.int32 }).reshape([batch, nPos]), // [batch, pos]
    targets: np.array(targets, { dtype: np.int32 }).reshape([batch, nPos]), // [batch, pos]
    weights: np.ones([batch, nPos], { dtype: np.float32 }), // [batch, pos]
  };
}

/** loss(params, tokens, targets, weights): mean next-token cross-entropy in nats. Consumes its arguments. */
export function nextTokenLoss(c: TransformerConfig) {
  return (params: Params, tokens: np.Array, targets: np.Array, weights: np.Array): np.Array =>
    crossEntropy(forward(c, params, tokens), targets, weights, c.dVocab);
}

/** valueAndGrad of the next-token loss with respect to the parameters. */
export function lossAndGrad(c: TransformerConfig) {
  return valueAndGrad(nextTokenLoss(c));
}
