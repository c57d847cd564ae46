import { createHmm } from "../hmm.js";
import type { ProcessFactory } from "./types.js";

export type RrxorParams = { p1: number; p2: number };

/**
 * Random-random-XOR (Crutchfield & Feldman 2003; Shai et al. 2024): two random
 * bits, then their XOR, repeating. States: A (next bit is the first),
 * B0/B1 (first bit was 0/1), C0/C1 (the XOR to emit next is 0/1).
 * With p1 = p2 = 1/2 its mixed-state presentation has 36 states.
 */
export const rrxor: ProcessFactory<RrxorParams> = {
  description: "random-random-XOR: two random bits, then their XOR",
  source: "Crutchfield & Feldman 2003; Shai et al. 2024",
  params: {
    p1: { default: 0.5, min: 0, max: 1, doc: "probability that the first bit is 0" },
    p2: { default: 0.5, min: 0, max: 1, doc: "probability that the second bit is 0" },
  },
  build({ p1, p2 }) {
    const [A, B0, B1, C0, C1] = [0, 1, 2, 3, 4];
    const zero = () => Array.from({ length: 5 }, () => new Array<number>(5).fill(0));
    const T = [zero(), zero()];
    T[0][A][B0] = p1;
    T[1][A][B1] = 1 - p1;
    T[0][B0][C0] = p2;
    T[1][B0][C1] = 1 - p2;
    T[0][B1][C1] = p2;
    T[1][B1][C0] = 1 - p2;
    T[0][C0][A] = 1;
    T[1][C1][A] = 1;
    return createHmm(T, { name: "rrxor", params: { p1, p2 }, stateLabels: ["A", "B0", "B1", "C0", "C1"] });
  },
};
