import { createHmm } from "../hmm.js";
import type { ProcessFactory } from "./types.js";

export type Mess3Params = { x: number; alpha: number };

/**
 * Mess3 (Marzen & Crutchfield 2017; Shai et al. 2024): 3 hidden states, 3 symbols.
 * The chain stays with probability 1 - 2x and moves to each other state with
 * probability x; the state entered, j, emits symbol j with probability alpha
 * and each other symbol with (1 - alpha) / 2:
 *   T[s][i][j] = (s == j ? alpha : (1 - alpha) / 2) * (i == j ? 1 - 2x : x).
 * Same definition as ../shared/reference/truth.py. Its mixed-state
 * presentation is an infinite fractal on the 2-simplex.
 */
export const mess3: ProcessFactory<Mess3Params> = {
  description: "3-state, 3-symbol nonunifilar HMM whose belief states form a fractal (Shai et al. 2024)",
  source: "Marzen & Crutchfield 2017; Shai et al. 2024 (defaults x=0.05, alpha=0.85)",
  params: {
    x: { default: 0.05, min: 0, max: 0.5, doc: "probability of moving to each other state (stay: 1 - 2x)" },
    alpha: { default: 0.85, min: 0, max: 1, doc: "probability that state j emits symbol j" },
  },
  build({ x, alpha }) {
    const beta = (1 - alpha) / 2;
    const stay = 1 - 2 * x;
    const T = [0, 1, 2].map((s) => [0, 1, 2].map((i) => [0, 1, 2].map((j) => (s === j ? alpha : beta) * (i === j ? stay : x))));
    return createHmm(T, { name: "mess3", params: { x, alpha }, symbolLabels: ["A", "B", "C"] });
  },
};
