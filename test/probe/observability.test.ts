import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { observability, subspaceR2, tangentBasis, wordProbabilityMatrix } from "../../src/probe/observability.js";
import { createHmm } from "../../src/process/hmm.js";
import { makeProcess } from "../../src/process/catalogue/index.js";
import type { Rows } from "../../src/util/rows.js";

interface ObsCase { name: string; transitions: number[][][]; horizon: number; singularValues: number[]; O: number[][] }
const truth: { observability: ObsCase[] } = JSON.parse(readFileSync(new URL("./fixtures/probe-truth.json", import.meta.url), "utf8"));

describe("observability against numpy (test/probe/fixtures/probe_truth.py)", () => {
  for (const c of truth.observability) {
    it(`${c.name}: word probabilities and tangent singular values`, () => {
      const hmm = createHmm(c.transitions);
      const O = wordProbabilityMatrix(hmm, c.horizon);
      expect(O.cols).toBe(c.O[0].length);
      const flat = c.O.flat();
      for (let k = 0; k < flat.length; k++) expect(O.data[k]).toBeCloseTo(flat[k], 14);
      const obs = observability(hmm);
      expect(obs.horizon).toBe(3);
      for (let k = 0; k < c.singularValues.length; k++) expect(obs.singularValues[k]).toBeCloseTo(c.singularValues[k], 12);
    });
  }

  it("twin states: e_1 - e_2 is unobservable, so the well-observed subspace has rank 1 and is orthogonal to it", () => {
    const obs = observability(createHmm(truth.observability[0].transitions));
    expect(obs.observedRank).toBe(1);
    const d = obs.observedBasis.data; // [3, 1]
    expect(d[1] - d[2]).toBeCloseTo(0, 12); // orthogonal to e_1 - e_2
    expect(d[0] + d[1] + d[2]).toBeCloseTo(0, 12); // in the tangent space
    expect(Math.hypot(d[0], d[1], d[2])).toBeCloseTo(1, 12);
  });

  it("mess3 observes both belief directions; the horizon shrinks to fit maxWords", () => {
    const mess3 = makeProcess("mess3");
    expect(observability(mess3).observedRank).toBe(2);
    const small = observability(mess3, { maxWords: 12 });
    expect([small.horizon, small.words]).toEqual([2, 12]);
  });

  it("subspaceR2 ignores errors along unobserved directions", () => {
    // Targets spread along (1, -1, 0)/sqrt2 and (1, 1, -2)/sqrt6; predictions wrong only along the second.
    const target: Rows = { rows: 4, cols: 3, data: Float64Array.of(0.5, 0.3, 0.2, 0.3, 0.5, 0.2, 0.4, 0.4, 0.2, 0.2, 0.2, 0.6) };
    const pred: Rows = { rows: 4, cols: 3, data: target.data.map((v, k) => v + [0.05, 0.05, -0.1][k % 3] * (k < 6 ? 1 : -1)) };
    const basis: Rows = { rows: 3, cols: 1, data: Float64Array.of(Math.SQRT1_2, -Math.SQRT1_2, 0) };
    expect(subspaceR2(pred, target, basis).r2).toBeCloseTo(1, 14);
    const other: Rows = { rows: 3, cols: 1, data: Float64Array.of(1 / Math.sqrt(6), 1 / Math.sqrt(6), -2 / Math.sqrt(6)) };
    expect(subspaceR2(pred, target, other).r2!).toBeLessThan(0.9);
    expect(subspaceR2(pred, target, { rows: 3, cols: 0, data: new Float64Array(0) })).toEqual({ r2: null, r2Undefined: "no belief direction is observed in the next tokens" });
  });

  it("tangentBasis is orthonormal and orthogonal to r", () => {
    for (const r of [[1, 1, 1, 1], [0.5, 2, -1, 1]]) {
      const Z = tangentBasis(4, r);
      for (let a = 0; a < 3; a++) {
        expect(r.reduce((s, v, i) => s + v * Z.get(i, a), 0)).toBeCloseTo(0, 14);
        for (let b = 0; b < 3; b++) expect([0, 1, 2, 3].reduce((s, i) => s + Z.get(i, a) * Z.get(i, b), 0)).toBeCloseTo(a === b ? 1 : 0, 14);
      }
    }
  });
});
