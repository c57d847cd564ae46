import { createHmm } from "../hmm.js";
import type { ProcessFactory } from "./types.js";

export type NoConsecutiveOnesParams = { p: number };

/**
 * No consecutive ones (Astera simplexity `no_consecutive_ones`): binary,
 * never "11". A -(0|1-p)-> A, A -(1|p)-> B, B -(0)-> A. The golden mean
 * process with 0 and 1 swapped; stationary (1/(1+p), p/(1+p)).
 */
export const noConsecutiveOnes: ProcessFactory<NoConsecutiveOnesParams> = {
  description: "binary, no two consecutive 1s (the golden mean with 0 and 1 swapped)",
  source: "Astera simplexity transition_matrices.no_consecutive_ones",
  params: { p: { default: 0.5, min: 0, max: 1, doc: "probability of emitting 1 from state A" } },
  build({ p }) {
    const T = [
      [
        [1 - p, 0],
        [1, 0],
      ],
      [
        [0, p],
        [0, 0],
      ],
    ];
    return createHmm(T, { name: "no-consecutive-ones", params: { p }, stateLabels: ["A", "B"] });
  },
};
