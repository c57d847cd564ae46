import { describe, expect, it } from "vitest";
import { beliefKL, impliedNextTokenDistributions, KL_FLOOR, klDivergence, modelKL, nextTokenMap, projectOntoSimplex } from "../../src/probe/beliefKL.js";
import { makeProcess } from "../../src/process/catalogue/index.js";
import { createGeneralizedHmm } from "../../src/process/ghmm.js";
import { filterBeliefs } from "../../src/process/beliefs.js";
import { sampleSequences } from "../../src/process/sample.js";
import { toNested } from "../../src/process/hmm.js";
import { Rng } from "../../src/util/rng.js";
import type { Rows } from "../../src/util/rows.js";

/** Brute force: the closest point over every face of the simplex (support A: w_A = v_A - (sum v_A - 1) / |A|). */
function bruteForceProjection(v: number[]): number[] {
  const n = v.length;
  let best: number[] = [];
  let bestDist = Infinity;
  for (let mask = 1; mask < 1 << n; mask++) {
    const support = v.map((_, i) => i).filter((i) => mask & (1 << i));
    const shift = (support.reduce((a, i) => a + v[i], 0) - 1) / support.length;
    const w = v.map((vi, i) => (mask & (1 << i) ? vi - shift : 0));
    if (w.some((x) => x < -1e-15)) continue;
    const dist = w.reduce((a, wi, i) => a + (wi - v[i]) ** 2, 0);
    if (dist < bestDist) [best, bestDist] = [w, dist];
  }
  return best;
}

describe("projectOntoSimplex (Duchi et al. 2008)", () => {
  it("equals the brute-force closest point over all faces, for 300 random vectors of length 1..6", () => {
    const rng = new Rng(5);
    for (let trial = 0; trial < 300; trial++) {
      const n = 1 + (trial % 6);
      const v = Array.from({ length: n }, () => 2 * rng.normal());
      const w = projectOntoSimplex(v);
      const expected = bruteForceProjection(v);
      for (let i = 0; i < n; i++) expect(w[i]).toBeCloseTo(expected[i], 12);
    }
  });

  it("leaves a distribution unchanged and maps (0.7, 0.4, -0.1) to (0.65, 0.35, 0)", () => {
    expect(Array.from(projectOntoSimplex([0.2, 0.3, 0.5]))).toEqual([0.2, 0.3, 0.5]);
    const w = projectOntoSimplex([0.7, 0.4, -0.1]);
    [0.65, 0.35, 0].forEach((x, i) => expect(w[i]).toBeCloseTo(x, 15));
  });
});

describe("belief KL", () => {
  const mess3 = makeProcess("mess3", { x: 0.05, alpha: 0.85 });
  const map = nextTokenMap(mess3);

  it("matches a hand computation on mess3 (projection, implied next token, floored KL)", () => {
    // True belief (0.5, 0.3, 0.2): next state (0.475, 0.305, 0.22) (stay 0.9, move 0.05 each);
    // P(x) = 0.075 + 0.775 s_x (emit own symbol 0.85, each other 0.075) = (0.443125, 0.311375, 0.2455).
    // Probed (0.7, 0.4, -0.1) projects to (0.65, 0.35, 0): next state (0.6025, 0.3475, 0.05),
    // P = (0.5419375, 0.3443125, 0.11375).
    const p = [0.443125, 0.311375, 0.2455];
    const q = [0.5419375, 0.3443125, 0.11375];
    const norm = 1 + 3 * KL_FLOOR;
    const expected = p.reduce((a, pi, i) => a + pi * Math.log((pi * norm) / (q[i] + KL_FLOOR)), 0);
    const truth: Rows = { rows: 1, cols: 3, data: Float64Array.of(0.5, 0.3, 0.2) };
    const probed: Rows = { rows: 1, cols: 3, data: Float64Array.of(0.7, 0.4, -0.1) };
    const implied = impliedNextTokenDistributions(map, probed).data;
    q.forEach((v, i) => expect(implied[i]).toBeCloseTo(v, 15));
    expect(beliefKL(map, truth, probed).mean).toBeCloseTo(expected, 15);
  });

  it("is 0 for exact beliefs and finite where the implied probability is 0 (floor 1e-6)", () => {
    const s = sampleSequences(mess3, { count: 20, length: 8, seed: 1 });
    const b: Rows = { rows: 160, cols: 3, data: filterBeliefs(mess3, s.tokens, 8).beliefs };
    expect(beliefKL(map, b, b).mean).toBeLessThan(1e-10); // only the floor's O(1e-6^2 / p) remains
    // p = (1/2, 1/2), q = (1, 0): 1/2 ln(1/2 * norm / (1 + eps)) + 1/2 ln(1/2 * norm / eps)
    const norm = 1 + 2 * KL_FLOOR;
    expect(klDivergence([0.5, 0.5], [1, 0])).toBeCloseTo(0.5 * Math.log((0.5 * norm) / (1 + KL_FLOOR)) + 0.5 * Math.log((0.5 * norm) / KL_FLOOR), 12);
    expect(klDivergence([0.5, 0.5], [1, 0])).toBeLessThan(Math.log(1 / KL_FLOOR));
  });

  it("the model's KL to optimal uses the log-softmax of its logits", () => {
    // logits (0, ln 2, ln 3) -> softmax (1/6, 1/3, 1/2)
    const optimal: Rows = { rows: 1, cols: 3, data: Float64Array.of(0.5, 0.25, 0.25) };
    const logits = { rows: 1, cols: 3, data: Float32Array.of(0, Math.log(2), Math.log(3)) };
    const expected = 0.5 * Math.log(0.5 / (1 / 6)) + 0.25 * Math.log(0.25 / (1 / 3)) + 0.25 * Math.log(0.25 / 0.5);
    expect(modelKL(optimal, logits).mean).toBeCloseTo(expected, 6); // float32 logits
    // Shift invariance, and huge logits do not overflow.
    const shifted = { rows: 1, cols: 3, data: Float64Array.of(1000, 1000 + Math.log(2), 1000 + Math.log(3)) };
    expect(modelKL(optimal, shifted).mean).toBeCloseTo(expected, 10);
  });

  it("a generalized HMM (mess3 in other coordinates) maps exact beliefs to the same next-token distributions", () => {
    // T'[x] = A^-1 T[x] A has the same word probabilities; its beliefs are b A with b · r' = 1.
    const A = [[1, 0.5, 0], [0, 1, 0.2], [0.1, 0, 1]];
    const Ainv = invert3(A);
    const T = toNested(mess3);
    const T2 = T.map((Tx) => matmul(matmul(Ainv, Tx), A));
    const ghmm = createGeneralizedHmm(T2);
    const gmap = nextTokenMap(ghmm);
    expect(gmap.simplex).toBe(false);
    const s = sampleSequences(mess3, { count: 10, length: 6, seed: 2 });
    const b = filterBeliefs(mess3, s.tokens, 6).beliefs;
    // The GHMM's own beliefs: proportional to b A, scaled so that eta · r' = 1.
    const bA = filterBeliefs(ghmm, s.tokens, 6).beliefs;
    for (let j = 0; j < 3; j++) expect(bA[j] / bA[0]).toBeCloseTo((b[0] * A[0][j] + b[1] * A[1][j] + b[2] * A[2][j]) / (b[0] * A[0][0] + b[1] * A[1][0] + b[2] * A[2][0]), 10);
    const plain = impliedNextTokenDistributions(map, { rows: 60, cols: 3, data: b }).data;
    const general = impliedNextTokenDistributions(gmap, { rows: 60, cols: 3, data: bA }).data;
    for (let k = 0; k < plain.length; k++) expect(general[k]).toBeCloseTo(plain[k], 10);
  });
});

function matmul(a: number[][], b: number[][]): number[][] {
  return a.map((row) => b[0].map((_, j) => row.reduce((s, v, k) => s + v * b[k][j], 0)));
}

function invert3(m: number[][]): number[][] {
  const [[a, b, c], [d, e, f], [g, h, i]] = m;
  const det = a * (e * i - f * h) - b * (d * i - f * g) + c * (d * h - e * g);
  return [
    [(e * i - f * h) / det, (c * h - b * i) / det, (b * f - c * e) / det],
    [(f * g - d * i) / det, (a * i - c * g) / det, (c * d - a * f) / det],
    [(d * h - e * g) / det, (b * g - a * h) / det, (a * e - b * d) / det],
  ];
}
