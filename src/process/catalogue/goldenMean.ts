import { createHmm } from "../hmm.js";
import type { ProcessFactory } from "./types.js";

export type GoldenMeanParams = { p: number };

/**
 * Golden mean process: binary sequences with no two consecutive 0s
 * (Crutchfield & Feldman 2003). A -(1|1-p)-> A, A -(0|p)-> B, B -(1)-> A.
 */
export const goldenMean: ProcessFactory<GoldenMeanParams> = {
  description: "golden mean: binary, no two consecutive 0s",
  source: "Crutchfield & Feldman 2003",
  params: { p: { default: 0.5, min: 0, max: 1, doc: "probability of emitting 0 from state A" } },
  build({ p }) {
    const T = [
      [
        [0, p],
        [0, 0],
      ],
      [
        [1 - p, 0],
        [1, 0],
      ],
    ];
    return createHmm(T, { name: "golden-mean", params: { p }, stateLabels: ["A", "B"] });
  },
};
