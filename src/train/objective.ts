/**
 * Next-token prediction: position t predicts token t + 1, for t < pos - 1,
 * as in ../shared/reference/torch_ref.py (the last position has no target).
 */
import { numpy as np, valueAndGrad } from "@jax-js/jax";
import type { TransformerConfig } from "../model/config.js";
import { crossEntropy, forward, type Params } from "../model/forward.js";

/** Host-side batch: tokens [batch, pos] and the derived targets and weights. */
export interface TokenBatch {
  readonly batch: number;
  readonly nPos: number;
  /** [batch, pos] */
  readonly tokens: Int32Array;
}

/** Device arrays for one batch: tokens, targets (token at pos + 1) and weights (1 where a target exists). */
export function batchArrays(b: TokenBatch): { tokens: np.Array; targets: np.Array; weights: np.Array } {
  const { batch, nPos, tokens } = b;
  const targets = new Int32Array(batch * nPos);
  const weights = new Float32Array(batch * nPos);
  for (let n = 0; n < batch; n++) {
    for (let t = 0; t < nPos - 1; t++) {
      targets[n * nPos + t] = tokens[n * nPos + t + 1];
      weights[n * nPos + t] = 1;
    }
  }
  return {
    tokens: np.array(tokens, { dtype: np.int32 }).reshape([batch, nPos]), // [batch, pos]
    targets: np.array(targets, { dtype: np.int32 }).reshape([batch, nPos]), // [batch, pos]
    weights: np.array(weights, { dtype: np.float32 }).reshape([batch, nPos]), // [batch, pos]
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
