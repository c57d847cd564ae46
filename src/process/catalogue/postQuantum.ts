import { EigenvalueDecomposition, Matrix } from "ml-matrix";
import { ArgumentError } from "../../util/errors.js";
import { createGeneralizedHmm } from "../ghmm.js";
import type { ProcessFactory } from "./types.js";

export type PostQuantumParams = { alpha: number; beta: number };

/**
 * The "post-quantum" process (as defined in Astera simplexity
 * `post_quantum(log_alpha, beta)`; the name is simplexity's): a
 * 3-dimensional generalized HMM over 3 symbols with negative entries,
 *   T[0] = m0 ⊗ mu0 with m0 = [1, 1, 0], mu0 = [1, -1, -1],
 *   T[1] = G(alpha), T[2] = G(beta), G(v) = [[v, 0, 0], [0, 1, 0], [0, ln v, 1]],
 * all divided by the largest |eigenvalue| of their sum. Requires
 * alpha > 1 > beta > 0, alpha + beta != 2 and ln(alpha) / ln(beta) not an
 * integer (simplexity's conditions). simplexity takes log(alpha); here
 * alpha itself (its tests use alpha = 2.7, beta = 0.5).
 */
export const postQuantum: ProcessFactory<PostQuantumParams> = {
  description: "generalized HMM (3-dim, 3 symbols, negative entries) from simplexity",
  source: "Astera simplexity transition_matrices.post_quantum (defaults from its tests)",
  kind: "ghmm",
  params: {
    alpha: { default: 2.7, min: 1, max: 1e6, doc: "alpha > 1 (simplexity takes log alpha)" },
    beta: { default: 0.5, min: 0, max: 1, doc: "0 < beta < 1" },
  },
  build({ alpha, beta }) {
    const fn = "makeProcess(post-quantum)";
    if (!(alpha > 1 && 1 > beta && beta > 0)) {
      throw new ArgumentError({ fn, argument: "params", received: `alpha = ${alpha}, beta = ${beta}`, expected: "alpha > 1 > beta > 0" });
    }
    if (alpha + beta === 2) throw new ArgumentError({ fn, argument: "params", received: `alpha + beta = 2`, expected: "alpha + beta != 2" });
    const ratio = Math.log(alpha) / Math.log(beta);
    if (Math.abs(ratio - Math.round(ratio)) < 1e-8) {
      throw new ArgumentError({ fn, argument: "params", received: `ln(alpha) / ln(beta) = ${ratio}`, expected: "a ratio that is not an integer" });
    }
    const m0 = [1, 1, 0];
    const mu0 = [1, -1, -1];
    const G = (v: number) => [
      [v, 0, 0],
      [0, 1, 0],
      [0, Math.log(v), 1],
    ];
    const T = [m0.map((a) => mu0.map((b) => a * b)), G(alpha), G(beta)];
    const sum = new Matrix(3, 3);
    for (const m of T) for (let i = 0; i < 3; i++) for (let j = 0; j < 3; j++) sum.set(i, j, sum.get(i, j) + m[i][j]);
    const eig = new EigenvalueDecomposition(sum);
    const scale = Math.max(...eig.realEigenvalues.map((re, k) => Math.hypot(re, eig.imaginaryEigenvalues[k])));
    const scaled = T.map((m) => m.map((row) => row.map((v) => v / scale)));
    return createGeneralizedHmm(scaled, { name: "post-quantum", params: { alpha, beta } }, fn);
  },
};
