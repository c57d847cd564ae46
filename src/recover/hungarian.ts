/**
 * The assignment problem: a permutation minimising sum_i cost[i][perm[i]],
 * by the Hungarian method with potentials (Kuhn 1955; Munkres 1957; the
 * O(n^3) shortest-augmenting-path form of Jonker & Volgenant 1987 as in
 * e-maxx "Hungarian algorithm"). Used to match recovered states to true ones.
 */
import { ArgumentError } from "../util/errors.js";

export interface Assignment {
  /** perm[i] = the column assigned to row i. */
  readonly perm: Int32Array;
  readonly cost: number;
}

/** cost: [n, n] row-major. Exact for any finite costs; O(n^3) time, O(n^2) memory. */
export function hungarian(cost: ArrayLike<number>, n: number): Assignment {
  if (!(Number.isInteger(n) && n >= 1) || cost.length !== n * n) {
    throw new ArgumentError({ fn: "hungarian", argument: "cost", received: `${cost.length} values for n = ${n}`, expected: "an n x n row-major matrix (n >= 1)" });
  }
  for (let k = 0; k < cost.length; k++) {
    if (!Number.isFinite(cost[k])) throw new ArgumentError({ fn: "hungarian", argument: `cost[${Math.floor(k / n)}][${k % n}]`, received: String(cost[k]), expected: "a finite number" });
  }
  // 1-based arrays as in the classic formulation: u, v potentials; p[j] = row matched to column j.
  const u = new Float64Array(n + 1);
  const v = new Float64Array(n + 1);
  const p = new Int32Array(n + 1);
  const way = new Int32Array(n + 1);
  const minv = new Float64Array(n + 1);
  const used = new Uint8Array(n + 1);
  for (let i = 1; i <= n; i++) {
    p[0] = i;
    let j0 = 0;
    minv.fill(Infinity);
    used.fill(0);
    do {
      used[j0] = 1;
      const i0 = p[j0];
      let delta = Infinity;
      let j1 = 0;
      for (let j = 1; j <= n; j++) {
        if (used[j]) continue;
        const cur = cost[(i0 - 1) * n + (j - 1)] - u[i0] - v[j];
        if (cur < minv[j]) {
          minv[j] = cur;
          way[j] = j0;
        }
        if (minv[j] < delta) {
          delta = minv[j];
          j1 = j;
        }
      }
      for (let j = 0; j <= n; j++) {
        if (used[j]) {
          u[p[j]] += delta;
          v[j] -= delta;
        } else {
          minv[j] -= delta;
        }
      }
      j0 = j1;
    } while (p[j0] !== 0);
    do {
      const j1 = way[j0];
      p[j0] = p[j1];
      j0 = j1;
    } while (j0 !== 0);
  }
  const perm = new Int32Array(n);
  for (let j = 1; j <= n; j++) perm[p[j] - 1] = j - 1;
  let total = 0;
  for (let i = 0; i < n; i++) total += cost[i * n + perm[i]];
  return { perm, cost: total };
}
