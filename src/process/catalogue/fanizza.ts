import { createGeneralizedHmm } from "../ghmm.js";
import type { ProcessFactory } from "./types.js";

export type FanizzaParams = { alpha: number; lambda: number };

/**
 * The Fanizza process (as defined in Astera simplexity
 * `fanizza(alpha, lamb)`): a 4-dimensional generalized HMM over {a, b}
 * whose T[b] is a damped rotation, so its beliefs never repeat; the
 * standard example of a process a GHMM presents compactly that needs many
 * (for most alpha, infinitely many) states as an HMM. With c = cos(alpha), s = sin(alpha),
 *   A = (1 - lambda c + lambda s) / (1 - 2 lambda c + lambda^2),
 *   B = (1 - lambda c - lambda s) / (1 - 2 lambda c + lambda^2),
 *   pi0 = [1 - (2 / (1 - lambda) - A - B) / 4, 1 / (2 (1 - lambda)), -A / 4, -B / 4],
 *   w = [1, 1 - lambda, 1 + lambda (s - c), 1 - lambda (s + c)],
 *   T[a] = w ⊗ pi0 (an "a" resets the state to pi0),
 *   T[b] = lambda [[0,0,0,0],[0,1,0,0],[0,0,c,-s],[0,0,s,c]] (a "b" rotates and damps).
 * (T[a] + T[b]) 1 = 1, so r = 1; the initial vector is the stationary one.
 * alpha is in radians (simplexity's tests use alpha = 2000, lambda = 0.49).
 */
export const fanizza: ProcessFactory<FanizzaParams> = {
  description: "generalized HMM (4-dim, real-valued T): an \"a\" resets, a \"b\" rotates and damps",
  source: "Astera simplexity transition_matrices.fanizza (defaults from its tests)",
  kind: "ghmm",
  params: {
    alpha: { default: 2000, min: -1e6, max: 1e6, doc: "rotation angle of T[b] in radians" },
    lambda: { default: 0.49, min: 0, max: 0.999, doc: "damping of T[b] (simplexity's lamb)" },
  },
  build({ alpha, lambda }) {
    const c = Math.cos(alpha);
    const s = Math.sin(alpha);
    const den = 1 - 2 * lambda * c + lambda * lambda;
    const A = (1 - lambda * c + lambda * s) / den;
    const B = (1 - lambda * c - lambda * s) / den;
    const pi0 = [1 - (2 / (1 - lambda) - A - B) / 4, 1 / (2 * (1 - lambda)), -A / 4, -B / 4];
    const w = [1, 1 - lambda, 1 + lambda * (s - c), 1 - lambda * (s + c)];
    const Ta = w.map((wi) => pi0.map((pj) => wi * pj));
    const Tb = [
      [0, 0, 0, 0],
      [0, lambda, 0, 0],
      [0, 0, lambda * c, -lambda * s],
      [0, 0, lambda * s, lambda * c],
    ];
    return createGeneralizedHmm([Ta, Tb], { name: "fanizza", params: { alpha, lambda }, symbolLabels: ["a", "b"] }, "makeProcess(fanizza)");
  },
};
