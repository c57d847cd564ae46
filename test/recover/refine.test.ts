import { describe, expect, it } from "vitest";
import { makeProcess, sampleSequences, stationaryDistribution, fromFlat } from "../../src/process/index.js";
import { beliefBasis, refineHmm, refineObjective, stationaryAndFundamental } from "../../src/recover/refine.js";
import { hmmBeliefs } from "../../src/recover/recoverHmm.js";
import type { OperatorData } from "../../src/recover/closedForm.js";
import { presentationOfHmm, presentationPredictions } from "../../src/recover/linearPresentation.js";
import { Rng } from "../../src/util/rng.js";
import { expectAllClose } from "../helpers.js";

/** Targets from a process's own predictions (what an exact model would give). */
function dataFrom(hmmName: string, count: number, seed: number): OperatorData & { T: Float64Array; S: number } {
  const hmm = makeProcess(hmmName);
  const L = 6;
  const { tokens } = sampleSequences(hmm, { count, length: L + 1, seed });
  const pred = presentationPredictions(presentationOfHmm(hmm), tokens, L + 1, 0).probs; // [count, L + 1, V]
  const V = hmm.nSymbols;
  const t2 = new Int32Array(count * L);
  const next = new Float64Array(count * L * V);
  for (let n = 0; n < count; n++) {
    t2.set(tokens.subarray(n * (L + 1), n * (L + 1) + L), n * L);
    next.set(pred.subarray((n * (L + 1) + 1) * V, (n + 1) * (L + 1) * V), n * L * V);
  }
  return { count, length: L, nSymbols: V, tokens: t2, nextProbs: next, firstProbs: Float64Array.from(pred.subarray(0, V)), T: hmm.transitions, S: hmm.nStates };
}

function randomT(S: number, V: number, seed: number): Float64Array {
  const rng = new Rng(seed);
  const T = new Float64Array(V * S * S);
  const row = new Float64Array(V * S);
  for (let i = 0; i < S; i++) {
    rng.dirichlet(2, V * S, row);
    for (let x = 0; x < V; x++) for (let j = 0; j < S; j++) T[(x * S + i) * S + j] = row[x * S + j];
  }
  return T;
}

describe("refinement objective", () => {
  it("is zero at the true HMM and its gradient there is tangent to the constraints", () => {
    const data = dataFrom("mess3", 50, 1);
    const parts = refineObjective(data.T, 3, data, 0, null);
    expect(Math.abs(parts.kl)).toBeLessThan(1e-12);
  });

  it("gradient equals central finite differences along the constraint surface (KL, stationary start, belief agreement)", () => {
    // The objective is defined for stochastic T; the gradient is checked along directions that keep every
    // row of sum_x T[x] summing to 1 (dT = e_a - e_b within one row), the only ones the softmax moves along.
    const data = dataFrom("mess3", 30, 2);
    const S = 3;
    const V = 3;
    const T = randomT(S, V, 5);
    const coords = { rows: data.count * data.length, cols: 2, data: Float64Array.from({ length: data.count * data.length * 2 }, (_, k) => Math.sin(k)) };
    const basis = beliefBasis(coords, data.length, 4);
    const idx = (x: number, i: number, j: number) => (x * S + i) * S + j;
    for (const [w, b] of [[0, null], [0.7, basis]] as const) {
      const grad = new Float64Array(T.length);
      refineObjective(T, S, data, w, b, grad);
      const h = 1e-6;
      for (let i = 0; i < S; i++) {
        for (const [a, c] of [[idx(0, i, 0), idx(1, i, 2)], [idx(2, i, 1), idx(0, i, i)], [idx(1, i, 1), idx(2, i, 0)]]) {
          const plus = Float64Array.from(T);
          const minus = Float64Array.from(T);
          plus[a] += h;
          plus[c] -= h;
          minus[a] -= h;
          minus[c] += h;
          const fd = (refineObjective(plus, S, data, w, b).total - refineObjective(minus, S, data, w, b).total) / (2 * h);
          expect(grad[a] - grad[c]).toBeCloseTo(fd, 6);
        }
      }
    }
  });

  it("stationary distribution and fundamental matrix (pi M = pi, Z (I - M + 1 pi) = I)", () => {
    const T = randomT(4, 2, 3);
    const hmm = fromFlat(T, 2, 4);
    const M = new Float64Array(16);
    for (let x = 0; x < 2; x++) for (let k = 0; k < 16; k++) M[k] += T[x * 16 + k];
    const { pi, Z } = stationaryAndFundamental(M, 4);
    expectAllClose(pi, stationaryDistribution(hmm), 1e-12);
    for (let i = 0; i < 4; i++) for (let j = 0; j < 4; j++) {
      let s = 0;
      for (let k = 0; k < 4; k++) s += Z.get(i, k) * ((k === j ? 1 : 0) - M[k * 4 + j] + pi[j]);
      expect(s).toBeCloseTo(i === j ? 1 : 0, 10);
    }
  });

  it("Adam from a random start finds an HMM with the same predictions (z1r)", () => {
    const data = dataFrom("z1r", 200, 3);
    const start = randomT(3, 2, 8);
    const r = refineHmm(start, 3, data, { iterations: 800, learningRate: 0.1 });
    expect(r.history[r.history.length - 1]).toBeLessThan(r.history[0]);
    expect(r.kl).toBeLessThan(0.01 * r.history[0]);
    // Valid HMM: nonnegative, rows of sum_x T[x] sum to 1.
    for (const v of r.transitions) expect(v).toBeGreaterThanOrEqual(0);
    const b = hmmBeliefs(r.transitions, 3, 2, data.tokens, data.length);
    for (let k = 0; k < b.rows; k++) expect(b.data[3 * k] + b.data[3 * k + 1] + b.data[3 * k + 2]).toBeCloseTo(1, 12);
  });
});
