/** Training batches drawn from a process: batch k is a pure function of (seed, k). */
import type { Hmm } from "../process/hmm.js";
import { sampleSequences } from "../process/sample.js";
import { deriveSeed } from "../util/rng.js";

export interface ProcessBatchOptions {
  readonly batchSize: number;
  readonly nPos: number;
  readonly seed: number;
}

/** Token batch [batchSize, nPos + 1] for step k (inputs and the token each position predicts). */
export function processTokens(hmm: Hmm, o: ProcessBatchOptions, step: number): Int32Array {
  return sampleSequences(hmm, { count: o.batchSize, length: o.nPos + 1, seed: deriveSeed(o.seed, "train-batch", step) }).tokens;
}
