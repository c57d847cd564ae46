/**
 * Held-out evaluation of a next-token model on fresh sequences from its
 * process: the model's loss per position beside the Bayes-optimal
 * predictor's loss on the same sequences (paired, so sampling noise largely
 * cancels) and its expectation (the myopic entropy).
 */
import type { SequenceModel } from "../model/sequenceModel.js";
import { filterBeliefs } from "../process/beliefs.js";
import type { Hmm } from "../process/hmm.js";
import { sampleSequences } from "../process/sample.js";
import { checkInteger } from "../util/errors.js";
import { deriveSeed } from "../util/rng.js";
import { nextTokenPairs } from "./objective.js";
import { optimalTrainingLoss } from "./trainOnProcess.js";

export interface LossEvaluation {
  readonly sequences: number;
  /** Model cross-entropy of predicting token t (from tokens 0..t-1), t = 0..nPos; index 0 is NaN (never predicted). */
  readonly modelLossPerPosition: Float64Array;
  /** Optimal predictor's loss on the same sequences. */
  readonly optimalLossSameSequencesPerPosition: Float64Array;
  /** Expected optimal loss (myopic entropy). */
  readonly optimalLossPerPosition: Float64Array;
  /** Means over the predicted tokens 1..nPos. */
  readonly modelLoss: number;
  readonly optimalLossSameSequences: number;
  readonly optimalLoss: number;
  /**
   * How far above optimal the model is, on the same sequences:
   * modelLoss / optimalLossSameSequences - 1 (0.01 = 1% above). Pairing removes most sampling
   * noise: with 5000 sequences the unpaired ratio modelLoss / optimalLoss - 1 wanders by ~0.3%.
   */
  readonly relativeExcess: number;
  /** modelLoss / optimalLoss - 1, against the expected optimal loss. */
  readonly relativeToExpected: number;
  /** modelLoss - optimalLossSameSequences: an estimate of the KL divergence from the optimal predictor (nats/token). */
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

export async function evaluateLoss(model: SequenceModel, hmm: Hmm, options: EvaluateOptions = {}): Promise<LossEvaluation> {
  const fn = "evaluateLoss";
  const n = checkInteger(fn, "sequences", options.sequences ?? 5000, 1);
  const seed = checkInteger(fn, "seed", options.seed ?? 1, 0);
  const P = model.nCtx;
  const V = model.dVocab;
  const L = P + 1; // the model sees P tokens and predicts tokens 1..P
  const samples = sampleSequences(hmm, { count: n, length: L, seed: deriveSeed(seed, "heldout-loss") });
  const { optimalLoss } = filterBeliefs(hmm, samples.tokens, L);
  const { inputs, targets } = nextTokenPairs({ batch: n, nPos: P, tokens: samples.tokens });
  const { data: logits } = await model.forward(inputs, P); // [batch, pos, d_vocab]
  const modelPer = new Float64Array(L).fill(NaN);
  const optimalSame = new Float64Array(L).fill(NaN);
  for (let t = 1; t < L; t++) {
    let m = 0;
    let o = 0;
    for (let s = 0; s < n; s++) {
      // Position t - 1 predicts token t.
      m -= logSoftmaxAt(logits, (s * P + t - 1) * V, V, targets[s * P + t - 1]);
      o += optimalLoss[s * L + t];
    }
    modelPer[t] = m / n;
    optimalSame[t] = o / n;
  }
  const expected = optimalTrainingLoss(hmm, P);
  const mean = (a: Float64Array) => a.subarray(1).reduce((x, y) => x + y, 0) / P;
  const modelLoss = mean(modelPer);
  const optimalSameMean = mean(optimalSame);
  return {
    sequences: n,
    modelLossPerPosition: modelPer,
    optimalLossSameSequencesPerPosition: optimalSame,
    optimalLossPerPosition: expected.perPosition,
    modelLoss,
    optimalLossSameSequences: optimalSameMean,
    optimalLoss: expected.mean,
    relativeExcess: modelLoss / optimalSameMean - 1,
    relativeToExpected: modelLoss / expected.mean - 1,
    excessSameSequences: modelLoss - optimalSameMean,
  };
}
