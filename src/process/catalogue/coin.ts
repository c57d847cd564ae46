import { createHmm } from "../hmm.js";
import type { ProcessFactory } from "./types.js";

export type CoinParams = { p: number };

/**
 * A biased coin: one state, i.i.d. symbols, P(0) = p. The simplest process:
 * no memory, entropy rate H(p), every belief is the single state.
 * Same matrices as Astera's simplexity `coin(p)` ([[[p]], [[1 - p]]]).
 */
export const coin: ProcessFactory<CoinParams> = {
  description: "i.i.d. coin flips (1 state): no memory at all",
  source: "Astera simplexity transition_matrices.coin",
  params: { p: { default: 0.5, min: 0, max: 1, doc: "probability of symbol 0" } },
  build({ p }) {
    return createHmm([[[p]], [[1 - p]]], { name: "coin", params: { p }, stateLabels: ["S"] });
  },
};
