import { createHmm, toNested } from "../hmm.js";
import { rrxor } from "./rrxor.js";
import type { ProcessFactory } from "./types.js";

export type LeakyRrxorParams = { p1: number; p2: number; epsilon: number };

/**
 * Leaky RRXOR (Astera simplexity `leaky_rrxor`): rrxor's matrices mixed with
 * a uniform leak, T = (1 - epsilon) T_rrxor + (epsilon / 10) 1, where 1 is
 * all ones over the 2 x 5 x 5 (symbol, from, to) entries (each row of the
 * leak sums to 10 * epsilon / 10 = epsilon). Every transition becomes
 * possible, so the process never synchronizes and its MSP is infinite.
 */
export const leakyRrxor: ProcessFactory<LeakyRrxorParams> = {
  description: "rrxor with a uniform leak: every transition possible, never synchronizes",
  source: "Astera simplexity transition_matrices.leaky_rrxor (default epsilon from its tests)",
  params: {
    p1: { default: 0.5, min: 0, max: 1, doc: "probability that the first bit is 0" },
    p2: { default: 0.5, min: 0, max: 1, doc: "probability that the second bit is 0" },
    epsilon: { default: 0.1, min: 0, max: 1, doc: "leak: weight of the uniform transition over (symbol, next state)" },
  },
  build({ p1, p2, epsilon }) {
    const base = rrxor.build({ p1, p2 });
    const T = toNested(base).map((m) => m.map((row) => row.map((v) => (1 - epsilon) * v + epsilon / 10)));
    return createHmm(T, { name: "leaky-rrxor", params: { p1, p2, epsilon }, stateLabels: base.stateLabels });
  },
};
