import { createHmm } from "../hmm.js";
import type { ProcessFactory } from "./types.js";

export type MatchingParensParams = { depth: number; p: number };

/**
 * Matching parentheses of bounded depth (Astera simplexity `matching_parens`,
 * which takes the list open_probs; here open_probs = [1, p, ..., p, 0] of
 * length depth + 1). The state is the nesting depth d = 0..depth: from d,
 * "(" moves to d + 1 with probability open_probs[d] and ")" to d - 1 with
 * 1 - open_probs[d]. simplexity's test case open_probs = [1, 0.5, 0.5] is
 * depth 3, p 0.5 (stationary (1, 2, 2, 1) / 6).
 */
export const matchingParens: ProcessFactory<MatchingParensParams> = {
  description: "balanced parentheses nested at most `depth` deep",
  source: "Astera simplexity transition_matrices.matching_parens (default from its tests)",
  params: {
    depth: { default: 3, min: 1, max: 64, integer: true, doc: "largest nesting depth (states 0..depth)" },
    p: { default: 0.5, min: 0, max: 1, doc: "probability of opening at depths 1..depth-1 (always opens at 0, closes at depth)" },
  },
  build({ depth, p }) {
    const S = depth + 1;
    const open = Array.from({ length: S }, (_, d) => (d === 0 ? 1 : d === depth ? 0 : p));
    const T = [0, 1].map(() => Array.from({ length: S }, () => new Array<number>(S).fill(0)));
    for (let d = 0; d < S; d++) {
      if (d + 1 < S) T[0][d][d + 1] = open[d];
      if (d > 0) T[1][d][d - 1] = 1 - open[d];
    }
    return createHmm(T, {
      name: "matching-parens",
      params: { depth, p },
      symbolLabels: ["(", ")"],
      stateLabels: Array.from({ length: S }, (_, d) => String(d)),
    });
  },
};
