import { createHmm } from "../hmm.js";
import type { ProcessFactory } from "./types.js";

export type SnsParams = { p: number; q: number };

/**
 * Simple nonunifilar source (Marzen & Crutchfield 2017, "Nearly maximally
 * predictive features and their dimensions"): A -(1|p)-> A, A -(1|1-p)-> B,
 * B -(1|q)-> B, B -(0|1-q)-> A. A 1 from A can lead to either state, so the
 * presentation is nonunifilar and the mixed-state presentation is infinite.
 * simplexity's sns(p, q) is sns(1 - p, 1 - q) with symbols 0 and 1 swapped
 * (name simplexity.sns; docs/conventions.md).
 */
export const sns: ProcessFactory<SnsParams> = {
  description: "simple nonunifilar source: 2 states, infinitely many belief states",
  source: "Marzen & Crutchfield 2017",
  params: {
    p: { default: 0.5, min: 0, max: 1, doc: "probability that A emits 1 and stays in A (simplexity.sns takes 1 - this, symbols swapped)" },
    q: { default: 0.5, min: 0, max: 1, doc: "probability that B emits 1 and stays in B" },
  },
  build({ p, q }) {
    const T = [
      [
        [0, 0],
        [1 - q, 0],
      ],
      [
        [p, 1 - p],
        [0, q],
      ],
    ];
    return createHmm(T, { name: "sns", params: { p, q }, stateLabels: ["A", "B"] });
  },
};
