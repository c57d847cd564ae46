import { describe, expect, it } from "vitest";
import { hungarian } from "../../src/recover/hungarian.js";
import { Rng } from "../../src/util/rng.js";

/** Minimum over all permutations, by brute force (no pruning: costs can be negative). */
function bruteForce(cost: Float64Array, n: number): number {
  let best = Infinity;
  const perm = Array.from({ length: n }, (_, i) => i);
  const rec = (k: number, acc: number) => {
    if (k === n) {
      best = Math.min(best, acc);
      return;
    }
    for (let j = k; j < n; j++) {
      [perm[k], perm[j]] = [perm[j], perm[k]];
      rec(k + 1, acc + cost[k * n + perm[k]]);
      [perm[k], perm[j]] = [perm[j], perm[k]];
    }
  };
  rec(0, 0);
  return best;
}

describe("hungarian", () => {
  it("finds the minimum-cost permutation (brute force over all permutations, n = 1..7)", () => {
    const rng = new Rng(1);
    for (let n = 1; n <= 7; n++) {
      for (let trial = 0; trial < 20; trial++) {
        // Integer costs with ties, and real costs, including negative ones.
        const cost = Float64Array.from({ length: n * n }, () => (trial % 2 ? rng.int(5) : rng.normal() * 10));
        const { perm, cost: total } = hungarian(cost, n);
        expect([...perm].sort()).toEqual(Array.from({ length: n }, (_, i) => i));
        let check = 0;
        for (let i = 0; i < n; i++) check += cost[i * n + perm[i]];
        expect(total).toBeCloseTo(check, 12);
        expect(total).toBeCloseTo(bruteForce(cost, n), 9);
      }
    }
  });

  it("recovers a hidden permutation from a distance matrix", () => {
    const truePerm = [2, 0, 3, 1];
    const cost = new Float64Array(16).fill(1);
    truePerm.forEach((j, i) => (cost[i * 4 + j] = 0));
    expect(Array.from(hungarian(cost, 4).perm)).toEqual(truePerm);
  });

  it("rejects a non-square or non-finite cost", () => {
    expect(() => hungarian(new Float64Array(5), 2)).toThrow(/n x n/);
    expect(() => hungarian(Float64Array.of(0, NaN, 1, 2), 2)).toThrow(/cost\[0\]\[1\]/);
  });
});
