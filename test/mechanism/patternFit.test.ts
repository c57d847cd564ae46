import { describe, expect, it } from "vitest";
import { fitFixedPattern } from "../../src/mechanism/index.js";
import { ArgumentError } from "../../src/util/errors.js";

/** [count, heads, nPos, nPos] from a function of (input, head, query, key). */
function patterns(count: number, heads: number, nPos: number, f: (b: number, h: number, q: number, k: number) => number): Float64Array {
  const out = new Float64Array(count * heads * nPos * nPos);
  for (let b = 0; b < count; b++) for (let h = 0; h < heads; h++) for (let q = 0; q < nPos; q++) for (let k = 0; k < nPos; k++) out[((b * heads + h) * nPos + q) * nPos + k] = k <= q ? f(b, h, q, k) : 0;
  return out;
}

describe("fitFixedPattern", () => {
  it("a pattern that is the same for every input is fixed: fraction exactly 1, mean = the pattern, std 0", () => {
    const fits = fitFixedPattern(patterns(5, 2, 4, (_b, h, q, k) => (h + 1) / (q + 1) + 0.1 * k), 5, 2, 4);
    for (const f of fits) {
      expect(f.fixedFraction).toBe(1);
      expect(f.fixedFractionLastQuery).toBe(1);
      expect(Math.max(...f.stdPattern)).toBeLessThan(1e-15);
    }
    expect(fits[1].meanPattern[3 * 4 + 2]).toBeCloseTo(2 / 4 + 0.2, 14);
    expect(fits[1].meanPattern[0 * 4 + 3]).toBe(0); // above the diagonal
  });

  it("matches the closed form for a pattern that is one of two matrices", () => {
    // Inputs alternate between A = M + d and A = M - d on one causal cell (q=1, k=0), the rest fixed:
    // within = count * d^2 on that cell; between = count * sum_c (M_c - g)^2 over the 3 causal cells.
    const d = 0.25;
    const M = [0.5, 0.2, 0.8]; // cells (0,0), (1,0), (1,1)
    const count = 8;
    const p = patterns(count, 1, 2, (b, _h, q, k) => (q === 0 ? M[0] : k === 0 ? M[1] + (b % 2 ? d : -d) : M[2]));
    const [fit] = fitFixedPattern(p, count, 1, 2);
    const g = (M[0] + M[1] + M[2]) / 3;
    const within = count * d * d;
    const between = count * M.reduce((a, m) => a + (m - g) ** 2, 0);
    expect(fit.fixedFraction).toBeCloseTo(1 - within / (within + between), 12);
    // Last query row only: cells (1,0) and (1,1).
    const g1 = (M[1] + M[2]) / 2;
    const between1 = count * ((M[1] - g1) ** 2 + (M[2] - g1) ** 2);
    expect(fit.fixedFractionLastQuery).toBeCloseTo(1 - within / (within + between1), 12);
    expect(fit.stdPattern[1 * 2 + 0]).toBeCloseTo(d, 12);
  });

  it("a pattern that is pure input noise around a constant explains nothing (fraction 0)", () => {
    // Every causal cell equal in mean: between = 0, so the fixed matrix explains none of the variance.
    const [fit] = fitFixedPattern(patterns(6, 1, 3, (b) => 0.3 + (b % 3) * 0.1), 6, 1, 3);
    expect(fit.fixedFraction).toBeCloseTo(0, 12);
  });

  it("names the argument when the pattern has the wrong size", () => {
    expect(() => fitFixedPattern(new Float64Array(10), 2, 1, 3)).toThrow(ArgumentError);
    expect(() => fitFixedPattern(new Float64Array(10), 2, 1, 3)).toThrow(/argument 'pattern' received 10 values; expected count \* nHeads \* nPos\^2 = 18/);
  });
});
