/**
 * Next-token prediction on every position: a sample of nPos + 1 tokens gives
 * inputs tokens[0..nPos-1] and targets tokens[1..nPos], so position t predicts
 * token t + 1 for every t (nanoGPT's x = seq[:-1], y = seq[1:]). Every
 * position's residual stream is then trained, and the belief after tokens
 * 0..t, probed at position t, is the one the model needs for its prediction.
 */
import { nn, numpy as np, valueAndGrad } from "@jax-js/jax";
import { ArgumentError } from "../util/errors.js";
import type { Params } from "../model/architecture.js";
import { engineAccess, type SequenceModel } from "../model/sequenceModel.js";
import type { TrainTask } from "./trainer.js";

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

/**
 * Mean next-token cross-entropy (nats). targets: [batch, pos] int32 (the
 * token at pos + 1); weights: [batch, pos] float, 1 where a target counts.
 * Consumes all arguments.
 */
export function crossEntropy(logits: np.Array, targets: np.Array, weights: np.Array, dVocab: number): np.Array {
  const logProbs = nn.logSoftmax(logits, -1); // [batch, pos, d_vocab]
  const picked = logProbs.mul(nn.oneHot(targets, dVocab)).sum(-1); // [batch, pos]
  const total = weights.ref.sum();
  return picked.mul(weights).sum().div(total).neg(); // []
}

/** loss(params, tokens, targets, weights): mean next-token cross-entropy in nats of `model`'s architecture. Consumes its arguments. */
export function nextTokenLoss(model: SequenceModel) {
  const arch = engineAccess(model).architecture(model);
  const config = model.config;
  return (params: Params, tokens: np.Array, targets: np.Array, weights: np.Array): np.Array =>
    crossEntropy(arch.forward(config, params, tokens), targets, weights, config.dVocab);
}

/** valueAndGrad of the next-token loss with respect to the parameters. */
export function lossAndGrad(model: SequenceModel) {
  return valueAndGrad(nextTokenLoss(model));
}

/**
 * The training task of next-token prediction: `hostBatch(step)` gives the
 * step's [batchSize, nPos + 1] tokens (a pure function of the step).
 */
export function nextTokenTask(model: SequenceModel, o: { batchSize: number; nPos: number; hostBatch: (step: number) => Int32Array }): TrainTask {
  const loss = nextTokenLoss(model);
  return {
    loss: (params, b) => loss(params, b.tokens, b.targets, b.weights),
    hostBatch: o.hostBatch,
    deviceBatch: (tokens) => batchArrays({ batch: o.batchSize, nPos: o.nPos, tokens }),
    tokensPerStep: o.batchSize * o.nPos,
  };
}
