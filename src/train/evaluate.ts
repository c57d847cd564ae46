/**
 * Held-out evaluation of a next-token model on fresh sequences from its
 * process: the model's loss per position beside the Bayes-optimal
 * predictor's loss on the same sequences (paired, so sampling noise largely
 * cancels) and its expectation (the myopic entropy).
 */
import type { HookedTransformer } from "../model/transformer.js";
import { filterBeliefs } from "../process/beliefs.js";
import type { Hmm } from "../process/hmm.js";
import { sampleSequences } from "../process/sample.js";
import { checkInteger } from "../util/errors.js";
import { deriveSeed } from "../util/rng.js";
import { optimalTrainingLoss } from "./run.js";

export interface LossEvaluation {
  readonly sequences: number;
  /** Model cross-entropy at positions 1..nPos-1 (nats), per position (index t = position t; index 0 is NaN). */
  readonly modelLossPerPosition: Float64Array;
  /** Optimal predictor's loss on the same sequences. */
  readonly optimalLossSameSequencesPerPosition: Float64Array;
  /** Expected optimal loss (myopic entropy). */
  readonly optimalLossPerPosition: Float64Array;
  /** Means over positions 1..nPos-1. */
  readonly modelLoss: number;
  readonly optimalLossSameSequences: number;
  readonly optimalLoss: number;
  /** modelLoss / optimalLoss - 1: 0.01 means 1% above optimal. */
  readonly relativeExcess: number;
  /** modelLoss - optimalLossSameSequences: an estimate of the KL from the optimal predictor (nats). */
  readonly excessSameSequences: number;
}

export interface EvaluateOptions {
  /** Held-out sequences. Default 5000. */
  readonly sequences?: number;
  /** Seed of the held-out data (independent of training batches). Default 1. */
  readonly seed?: number;
}

function logSoftmaxAt(logits: Float32Array, offset: number, V: number, target: number): number {
  let max = -Infinity;
  for (let v = 0; v < V; v++) max = Math.max(max, logits[offset + v]);
  let z = 0;
  for (let v = 0; v < V; v++) z += Math.exp(logits[offset + v] - max);
  return logits[offset + target] - max - Math.log(z);
}

export async function evaluateLoss(model: HookedTransformer, hmm: Hmm, options: EvaluateOptions = {}): Promise<LossEvaluation> {
  const fn = "evaluateLoss";
  const n = checkInteger(fn, "sequences", options.sequences ?? 5000, 1);
  const seed = checkInteger(fn, "seed", options.seed ?? 1, 0);
  const P = model.config.nCtx;
  const V = model.config.dVocab;
  const samples = sampleSequences(hmm, { count: n, length: P, seed: deriveSeed(seed, "heldout-loss") });
  const { optimalLoss } = filterBeliefs(hmm, samples.tokens, P);
  const { data: logits } = await model.forward(samples.tokens, P);
  const modelPer = new Float64Array(P).fill(NaN);
  const optimalSame = new Float64Array(P).fill(NaN);
  for (let t = 1; t < P; t++) {
    let m = 0;
    let o = 0;
    for (let s = 0; s < n; s++) {
      // Position t - 1 predicts token t.
      m -= logSoftmaxAt(logits, (s * P + t - 1) * V, V, samples.tokens[s * P + t]);
      o += optimalLoss[s * P + t];
    }
    modelPer[t] = m / n;
    optimalSame[t] = o / n;
  }
  const expected = optimalTrainingLoss(hmm, P);
  const mean = (a: Float64Array) => a.subarray(1).reduce((x, y) => x + y, 0) / (P - 1);
  const modelLoss = mean(modelPer);
  return {
    sequences: n,
    modelLossPerPosition: modelPer,
    optimalLossSameSequencesPerPosition: optimalSame,
    optimalLossPerPosition: expected.perPosition,
    modelLoss,
    optimalLossSameSequences: mean(optimalSame),
    optimalLoss: expected.mean,
    relativeExcess: modelLoss / expected.mean - 1,
    excessSameSequences: modelLoss - mean(optimalSame),
  };
}
