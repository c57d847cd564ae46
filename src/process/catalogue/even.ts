import { createHmm } from "../hmm.js";
import type { ProcessFactory } from "./types.js";

export type EvenParams = { p: number };

/**
 * Even process: blocks of 1s have even length, separated by 0s
 * (Crutchfield & Feldman 2003). A -(0|1-p)-> A, A -(1|p)-> B, B -(1)-> A.
 * Not a Markov chain of any finite order. simplexity's even_ones(p) is even(p);
 * epsilon-transformers' EvenProcess(p) is even(1 - p) (docs/conventions.md).
 */
export const even: ProcessFactory<EvenParams> = {
  description: "even process: runs of 1s have even length",
  source: "Crutchfield & Feldman 2003",
  params: { p: { default: 0.5, min: 0, max: 1, doc: "probability of starting a pair of 1s from state A (epsilon-transformers' EvenProcess p is 1 - this)" } },
  build({ p }) {
    const T = [
      [
        [1 - p, 0],
        [0, 0],
      ],
      [
        [0, p],
        [1, 0],
      ],
    ];
    return createHmm(T, { name: "even", params: { p }, stateLabels: ["A", "B"] });
  },
};
