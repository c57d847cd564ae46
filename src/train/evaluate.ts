/**
 * Held-out evaluation of a next-token model on fresh sequences from its
 * process: the model's loss per position beside the Bayes-optimal
 * predictor's loss on the same sequences (paired, so sampling noise largely
 * cancels) and its expectation (the myopic entropy): the mean over
 * positions 1..n_ctx (process/optimalLoss.ts), exact, or a certified bracket
 * with an estimate where the budget cut the enumeration of beliefs; then the
 * excess over it is given against both ends.
 */
import type { SequenceModel } from "../model/sequenceModel.js";
import { filterBeliefs } from "../process/beliefs.js";
import type { Hmm } from "../process/hmm.js";
import type { EnumerationBudget } from "../process/budget.js";
import { optimalLoss as optimalLossOf, type OptimalLoss } from "../process/optimalLoss.js";
import { createSampler } from "../process/sample.js";
import { checkInteger } from "../util/errors.js";
import { deriveSeed } from "../util/rng.js";
import { nextTokenPairs } from "./objective.js";

export interface LossEvaluation {
  readonly sequences: number;
  /** Model cross-entropy of predicting token t (from tokens 0..t-1), t = 0..nPos; index 0 is NaN (never predicted). */
  readonly modelLossPerPosition: Float64Array;
  /** Optimal predictor's loss on the same sequences. */
  readonly optimalLossSameSequencesPerPosition: Float64Array;
  /** Expected optimal loss (myopic entropy): exact, or the midpoint of its certified bracket (see `optimum`). */
  readonly optimalLossPerPosition: Float64Array;
  /** The expected optimal loss with its certified bounds: mean over positions 1..nCtx, exact or a bracket. */
  readonly optimum: OptimalLoss;
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
  /**
   * The same against both ends of the optimum's certified bracket:
   * [modelLoss / meanUpper - 1, modelLoss / meanLower - 1] (equal when exact).
   */
  readonly relativeToExpectedRange: readonly [number, number];
  /** modelLoss - optimalLossSameSequences: an estimate of the KL divergence from the optimal predictor (nats/token). */
  readonly excessSameSequences: number;
}

export interface EvaluateOptions {
  /** Held-out sequences. Default 5000. */
  readonly sequences?: number;
  /** Seed of the held-out data (independent of training batches). Default 1. */
  readonly seed?: number;
  /** Called after each chunk of EVALUATION_CHUNK sequences with the sequences done. */
  readonly onProgress?: (done: number, total: number) => void;
  /** Budget for enumerating beliefs for the expected optimum (process/budget.ts); default budget.ts's. */
  readonly optimumBudget?: EnumerationBudget;
}

/** Sequences drawn, run and summed at a time: memory is flat in the count. */
export const EVALUATION_CHUNK = 2048;

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
  // Drawn, run and summed a chunk of sequences at a time, so memory stays flat as the count grows
  // (the sequences and sums are those of one batch: one seeded stream, sums in sequence order).
  const sampler = createSampler(hmm, { length: L, seed: deriveSeed(seed, "heldout-loss") }, fn);
  const modelSum = new Float64Array(L);
  const optimalSum = new Float64Array(L);
  for (let done = 0; done < n; ) {
    const c = Math.min(EVALUATION_CHUNK, n - done);
    const samples = sampler.draw(c);
    const { optimalLoss } = filterBeliefs(hmm, samples.tokens, L);
    const { inputs, targets } = nextTokenPairs({ batch: c, nPos: P, tokens: samples.tokens });
    const { data: logits } = await model.forward(inputs, P); // [chunk, pos, d_vocab]
    for (let t = 1; t < L; t++) {
      for (let s = 0; s < c; s++) {
        // Position t - 1 predicts token t.
        modelSum[t] -= logSoftmaxAt(logits, (s * P + t - 1) * V, V, targets[s * P + t - 1]);
        optimalSum[t] += optimalLoss[s * L + t];
      }
    }
    done += c;
    options.onProgress?.(done, n);
  }
  const modelPer = new Float64Array(L).fill(NaN);
  const optimalSame = new Float64Array(L).fill(NaN);
  for (let t = 1; t < L; t++) {
    modelPer[t] = modelSum[t] / n;
    optimalSame[t] = optimalSum[t] / n;
  }
  const expected = optimalLossOf(hmm, P, options.optimumBudget);
  const mean = (a: Float64Array) => a.subarray(1).reduce((x, y) => x + y, 0) / P;
  const modelLoss = mean(modelPer);
  const optimalSameMean = mean(optimalSame);
  return {
    sequences: n,
    modelLossPerPosition: modelPer,
    optimalLossSameSequencesPerPosition: optimalSame,
    optimalLossPerPosition: expected.perPosition,
    optimum: expected,
    modelLoss,
    optimalLossSameSequences: optimalSameMean,
    optimalLoss: expected.mean,
    relativeExcess: modelLoss / optimalSameMean - 1,
    relativeToExpected: modelLoss / expected.mean - 1,
    relativeToExpectedRange: [modelLoss / expected.meanUpper - 1, modelLoss / expected.meanLower - 1],
    excessSameSequences: modelLoss - optimalSameMean,
  };
}
