import { describe, expect, it } from "vitest";
import { centredSpectrum, chooseStateCount } from "../../src/recover/stateCount.js";
import { minVolumeSimplex } from "../../src/recover/simplex.js";
import { hungarian } from "../../src/recover/hungarian.js";
import { Rng } from "../../src/util/rng.js";

describe("state count from the prediction spectrum", () => {
  it("counts directions above the error floor: the last drop by 3x", () => {
    expect(chooseStateCount(Float64Array.of(0.3, 0.25, 0.004, 0.003, 0.002)).states).toBe(3); // mess3-like
    expect(chooseStateCount(Float64Array.of(0.3, 0.1, 0.05, 0.006, 0.005)).states).toBe(4); // a weak third direction
    expect(chooseStateCount(Float64Array.of(0.3, 0.1, 0.05, 0.02, 0.004, 0.0039)).states).toBe(5);
    expect(chooseStateCount(Float64Array.of(0.003, 0.002, 0.001)).states).toBe(1); // i.i.d.: nothing above the floor
    expect(chooseStateCount(Float64Array.of(0.3, 0.2, 0.1, 0.05, 0.025, 0.0125, 0.006, 0.003, 0.001), { maxStates: 4 }).states).toBeLessThanOrEqual(4);
  });

  it("the centred spectrum of an exactly rank-2 cloud has two nonzero values", () => {
    const rng = new Rng(2);
    const rows = 300;
    const data = new Float64Array(rows * 6);
    const a = Float64Array.from({ length: 6 }, () => rng.normal());
    const b = Float64Array.from({ length: 6 }, () => rng.normal());
    for (let r = 0; r < rows; r++) {
      const u = rng.normal();
      const v = rng.normal();
      for (let j = 0; j < 6; j++) data[r * 6 + j] = 5 + u * a[j] + v * b[j];
    }
    const sp = centredSpectrum({ rows, cols: 6, data });
    expect(sp[1]).toBeGreaterThan(0.1);
    expect(sp[2]).toBeLessThan(1e-10);
  });
});

describe("minimum-volume enclosing simplex", () => {
  it("recovers a triangle from points filling it, and a tetrahedron", () => {
    for (const S of [3, 4]) {
      const r = S - 1;
      const rng = new Rng(S);
      const vertices = Float64Array.from({ length: S * r }, () => rng.normal() * 2);
      const n = 3000;
      const pts = new Float64Array(n * r);
      const w = new Float64Array(S);
      for (let p = 0; p < n; p++) {
        rng.dirichlet(0.3, S, w); // mass near the corners, as beliefs of a synchronising process
        for (let j = 0; j < r; j++) for (let i = 0; i < S; i++) pts[p * r + j] += w[i] * vertices[i * r + j];
      }
      const fit = minVolumeSimplex({ rows: n, cols: r, data: pts }, { seed: 1 });
      expect(fit.minCoordinate).toBeGreaterThan(-1e-5); // hull points from sampled directions: a point can sit a hair outside
      const cost = new Float64Array(S * S);
      for (let i = 0; i < S; i++) for (let k = 0; k < S; k++) for (let j = 0; j < r; j++) cost[i * S + k] += (vertices[i * r + j] - fit.vertices[k * r + j]) ** 2;
      const { perm } = hungarian(cost, S);
      for (let i = 0; i < S; i++) expect(Math.sqrt(cost[i * S + perm[i]])).toBeLessThan(0.05);
    }
  });
});
