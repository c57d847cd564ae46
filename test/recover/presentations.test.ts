import { describe, expect, it } from "vitest";
import { chainClasses, fromFlat, makeProcess, processFromSpec, stationaryDistribution } from "../../src/process/index.js";
import { eigenvaluesNearOne, generalizedFromOperators, splitIntoComponents } from "../../src/recover/presentations.js";
import { presentationOfHmm, totalVariationByLength } from "../../src/recover/linearPresentation.js";
import { expectAllClose } from "../helpers.js";

describe("generalizedFromOperators", () => {
  it("operators similar to an HMM's (B_x = G^-1 T_x G, scaled by 1.03) give back its word distribution", () => {
    const hmm = makeProcess("mess3");
    const S = 3;
    const G = [2, 0.5, -1, 0.3, 1, 0.2, 1, 1, 1]; // invertible
    const Ginv = invert3(G);
    const B = new Float64Array(3 * 9);
    for (let x = 0; x < 3; x++) {
      const Tx = Array.from(hmm.transitions.subarray(x * 9, (x + 1) * 9));
      const P = mul3(mul3(Ginv, Tx), G);
      for (let k = 0; k < 9; k++) B[x * 9 + k] = 1.03 * P[k];
    }
    const g = generalizedFromOperators(B, S, 3);
    expect(g.problem).toBeNull();
    expect(g.perronRoot).toBeCloseTo(1.03, 10);
    const tv = totalVariationByLength(presentationOfHmm(hmm), presentationOfHmm(g.hmm!), 6);
    for (const v of tv) expect(v).toBeLessThan(1e-9);
  });

  it("operators that give a word a negative probability are refused, with the reason", () => {
    // M = B_0 + B_1 = [[0.9, 0.1], [0, 1]]: r = (1, 1), initial = (0, 1), so P("1") = -0.5 + 0.3 < 0.
    const B = Float64Array.of(0.7, 0.1, 0.5, 0.7, /* x = 1 */ 0.2, 0, -0.5, 0.3);
    const g = generalizedFromOperators(B, 2, 2);
    expect(g.hmm).toBeNull();
    expect(g.problem).toMatch(/negative|probability/);
  });
});

describe("splitIntoComponents", () => {
  it("finds the two classes of a slightly leaky mixture, their weights and leaks, and cuts the leak", () => {
    const mix = processFromSpec("mixture:z1r,golden-mean;weights=0.7,0.3");
    const S = mix.nStates; // 5: z1r's 3, then the golden mean's 2
    const eps = 1e-3;
    const T = Float64Array.from(mix.transitions, (v) => v * (1 - eps));
    // Leak eps per step from every state to the other class's first state, on symbol 0.
    for (let i = 0; i < S; i++) T[(0 * S + i) * S + (i < 3 ? 3 : 0)] += eps;
    const leaky = fromFlat(T, 2, S, { name: "leaky" });
    const M = new Float64Array(S * S);
    for (let x = 0; x < 2; x++) for (let k = 0; k < S * S; k++) M[k] += T[x * S * S + k];
    expect(eigenvaluesNearOne(M, S, 0.98)).toBe(2);
    const split = splitIntoComponents(leaky, 2)!;
    expect(split.classes).toEqual([[0, 1, 2], [3, 4]]);
    for (const l of split.leaks) expect(l).toBeCloseTo(eps, 6);
    // Weights: the leaky chain's stationary mass per class (equal leaks both ways: 1/2 each).
    const pi = stationaryDistribution(leaky);
    expect(split.weights[0]).toBeCloseTo(pi[0] + pi[1] + pi[2], 12);
    expect(chainClasses(split.hmm).closed).toEqual([[0, 1, 2], [3, 4]]);
    // Each class is its component exactly once the leak is cut.
    expectAllClose(split.hmm.transitions, mix.transitions, 1e-12);
    expect(splitIntoComponents(leaky, 1)).toBeNull();
  });
});

function mul3(a: number[], b: number[]): number[] {
  const c = new Array(9).fill(0);
  for (let i = 0; i < 3; i++) for (let j = 0; j < 3; j++) for (let k = 0; k < 3; k++) c[i * 3 + j] += a[i * 3 + k] * b[k * 3 + j];
  return c;
}

function invert3(m: number[]): number[] {
  const [a, b, c, d, e, f, g, h, i] = m;
  const det = a * (e * i - f * h) - b * (d * i - f * g) + c * (d * h - e * g);
  return [e * i - f * h, c * h - b * i, b * f - c * e, f * g - d * i, a * i - c * g, c * d - a * f, d * h - e * g, b * g - a * h, a * e - b * d].map((v) => v / det);
}
