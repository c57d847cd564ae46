import { createGeneralizedHmm } from "../ghmm.js";
import type { ProcessFactory } from "./types.js";

export type TomQuantumParams = { alpha: number; beta: number };

/**
 * "Tom's quantum" process (Astera simplexity `tom_quantum(alpha, beta)`): a
 * 3-dimensional generalized HMM over 4 symbols, a qubit measured in
 * rotating bases written in Bloch-vector coordinates. With
 * g = 1 / (4 (alpha^2 + beta^2)), m = (alpha^2 - beta^2) g, o = 2 alpha beta g:
 *   T[0] = [[1/4, 0, o], [0, m, 0], [o, 0, 1/4]],   T[1] = the same with -o,
 *   T[2] = [[1/4, o, 0], [o, 1/4, 0], [0, 0, m]],   T[3] = the same with -o.
 * sum_x T[x] = diag(1, c, c) with c = alpha^2 / (alpha^2 + beta^2), so
 * r = initial = e_0. simplexity's tests use alpha = 1, beta = 4.3.
 */
export const tomQuantum: ProcessFactory<TomQuantumParams> = {
  description: "generalized HMM (3-dim Bloch vector, 4 symbols) from a measured qubit",
  source: "Astera simplexity transition_matrices.tom_quantum (defaults from its tests)",
  kind: "ghmm",
  params: {
    alpha: { default: 1, min: -1e6, max: 1e6, doc: "rotation parameter (with beta, sets the measurement angle)" },
    beta: { default: 4.3, min: -1e6, max: 1e6, doc: "rotation parameter; alpha^2 + beta^2 > 0, beta != 0" },
  },
  build({ alpha, beta }) {
    const g = 1 / (4 * (alpha * alpha + beta * beta));
    const q = 1 / 4;
    const m = (alpha * alpha - beta * beta) * g;
    const o = 2 * alpha * beta * g;
    const T = [
      [
        [q, 0, o],
        [0, m, 0],
        [o, 0, q],
      ],
      [
        [q, 0, -o],
        [0, m, 0],
        [-o, 0, q],
      ],
      [
        [q, o, 0],
        [o, q, 0],
        [0, 0, m],
      ],
      [
        [q, -o, 0],
        [-o, q, 0],
        [0, 0, m],
      ],
    ];
    return createGeneralizedHmm(T, { name: "tom-quantum", params: { alpha, beta } }, "makeProcess(tom-quantum)");
  },
};
