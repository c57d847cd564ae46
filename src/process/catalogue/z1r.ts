import { createHmm } from "../hmm.js";
import type { ProcessFactory } from "./types.js";

export type Z1rParams = { p: number };

/**
 * Zero-one-random (Z1R): period-3 process emitting 0, 1, then a random bit.
 * States 0 -(0)-> 1 -(1)-> 2 -(0|p, 1|1-p)-> 0. Same as ../shared/reference/truth.py
 * and epsilon-transformers' ZeroOneR(p); simplexity's zero_one_random(p) is z1r(1 - p)
 * (docs/conventions.md).
 */
export const z1r: ProcessFactory<Z1rParams> = {
  description: "zero-one-random: emits 0, 1, then a random bit, repeating",
  source: "Crutchfield & Feldman 2003; ../shared/reference/truth.py",
  params: { p: { default: 0.5, min: 0, max: 1, doc: "probability that the random bit is 0 (simplexity's zero_one_random p is 1 - this)" } },
  build({ p }) {
    const T = [
      [
        [0, 1, 0],
        [0, 0, 0],
        [p, 0, 0],
      ],
      [
        [0, 0, 0],
        [0, 0, 1],
        [1 - p, 0, 0],
      ],
    ];
    return createHmm(T, { name: "z1r", params: { p }, stateLabels: ["S0", "S1", "SR"] });
  },
};
