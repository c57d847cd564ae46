import { readFileSync } from "node:fs";
import { expect } from "vitest";

/** Ground truth computed independently in numpy by test/fixtures/numpy_truth.py. */
export interface NumpyCase {
  transitions: number[][][];
  stationary: number[];
  myopic: number[];
  sequences: { tokens: number[]; beliefs: number[][]; loss: number[] }[];
  mspNodesDepth4: number;
}
export const numpyTruth: Record<string, NumpyCase> = JSON.parse(
  readFileSync(new URL("./fixtures/numpy-truth.json", import.meta.url), "utf8"),
);

/** Elementwise |a - b| <= atol (jax-js toBeAllclose style). */
export function expectAllClose(actual: ArrayLike<number>, expected: ArrayLike<number>, atol: number): void {
  expect(actual.length).toBe(expected.length);
  for (let i = 0; i < expected.length; i++) {
    if (!(Math.abs(actual[i] - expected[i]) <= atol)) {
      throw new Error(`index ${i}: ${actual[i]} differs from expected ${expected[i]} by more than ${atol}`);
    }
  }
}
