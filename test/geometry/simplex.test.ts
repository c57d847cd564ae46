import { describe, expect, it } from "vitest";
import { beliefProjection, principalAxes, SIMPLEX_VERTICES } from "../../src/geometry/simplex.js";
import { beliefColours } from "../../src/geometry/colour.js";
import { expectAllClose } from "../helpers.js";

const rows = (data: number[], cols: number) => ({ rows: data.length / cols, cols, data: Float64Array.from(data) });

describe("belief projection", () => {
  it("maps the 3-simplex vertices to the triangle corners and the uniform belief to its centroid", () => {
    const p = beliefProjection(rows([1, 0, 0, 0, 1, 0, 0, 0, 1, 1 / 3, 1 / 3, 1 / 3], 3));
    expect(p.kind).toBe("simplex");
    const out = p.project(rows([1, 0, 0, 0, 1, 0, 0, 0, 1, 1 / 3, 1 / 3, 1 / 3], 3));
    expectAllClose(out, [...SIMPLEX_VERTICES.flat(), 0.5, Math.sqrt(3) / 6], 1e-12);
  });

  it("projects probe outputs off the plane sum = 1 orthogonally onto it", () => {
    const p = beliefProjection(rows([1, 0, 0], 3));
    // (1,0,0) + t (1,1,1) lands on the vertex of state 0 for any t.
    expectAllClose(p.project(rows([1.3, 0.3, 0.3, 0.8, -0.2, -0.2], 3)), [0, 0, 0, 0], 1e-12);
  });

  it("uses principal axes for more than 3 states: the directions of largest variance", () => {
    // Points c + t v1 + u v2 with v1 = (1, -1, 0, 0)/sqrt 2, v2 = (0, 0, 1, -1)/sqrt 2, t in {-2, 2}, u in {-1, 1}
    // (uncorrelated, var t > var u): the axes are v1 then v2, each signed so its largest entry is positive.
    const r = Math.SQRT1_2;
    const data: number[] = [];
    for (const [t, u] of [[-2, -1], [-2, 1], [2, -1], [2, 1]]) data.push(0.25 + 0.1 * t * r, 0.25 - 0.1 * t * r, 0.25 + 0.1 * u * r, 0.25 - 0.1 * u * r);
    const { axes } = principalAxes(rows(data, 4), 2);
    expectAllClose([axes[0], axes[2], axes[4], axes[6]], [r, -r, 0, 0], 1e-9);
    expectAllClose([axes[1], axes[3], axes[5], axes[7]], [0, 0, r, -r], 1e-9);
    const p = beliefProjection(rows(data, 4));
    expect(p.kind).toBe("pca");
    // Projections are the centred coordinates (0.1 t, 0.1 u).
    expectAllClose(p.project(rows(data, 4)), [-0.2, -0.1, -0.2, 0.1, 0.2, -0.1, 0.2, 0.1], 1e-12);
  });
});

describe("belief colours", () => {
  it("are the belief itself as RGB for 3 states", () => {
    expect(Array.from(beliefColours(rows([1, 0, 0, 0.5, 0.25, 0.25], 3)))).toEqual([255, 0, 0, 128, 64, 64]);
  });
});
