/**
 * The minimum-volume simplex enclosing a point cloud in R^r (r + 1 vertices):
 * Craig's criterion for unmixing ("Minimum-volume transforms for remotely
 * sensed data", 1994), the problem of MVES (Chan, Chi, Huang & Ma 2009),
 * solved here with a log barrier instead of alternating linear programs.
 * With G = Vh^-1 (Vh = [V, 1], one vertex per row) the barycentric
 * coordinates of a point p are eta_p = [p, 1] G, linear in G, and
 *
 *   minimise  -ln |det G| - mu sum_p sum_j ln eta_pj
 *
 * by damped Newton steps (Levenberg), for mu falling by 5x from 1/points to
 * 1e-8 of that. eta_p are the beliefs in the recovery. Only points on the hull
 * can touch the boundary, so the barrier runs over the extreme points in
 * 64 r random directions, plus any point found outside afterwards (an active
 * set, at most 5 passes). Start: successive projection (the largest simplex
 * on data points), grown until every point is inside.
 *
 * Cost: O(passes * rounds * iterations * (S r)^2 * hull points); memory O(n r).
 */
import { Matrix, determinant, inverse, solve } from "ml-matrix";
import { ArgumentError } from "../util/errors.js";
import type { Rows } from "../util/rows.js";
import { Rng } from "../util/rng.js";

export interface SimplexFit {
  /** [r + 1, r] vertices. */
  readonly vertices: Float64Array;
  /** Smallest barycentric coordinate of any input point (about 0: the simplex touches the cloud). */
  readonly minCoordinate: number;
  /** Points on the hull used by the barrier. */
  readonly hullPoints: number;
}

/** Barycentric coordinates of `point` (length r) for vertices Vh^-1 = G ([S, S]); into out (length S). */
function barycentric(G: Float64Array, S: number, point: Float64Array, offset: number, out: Float64Array): void {
  for (let j = 0; j < S; j++) {
    let s = G[(S - 1) * S + j]; // homogeneous coordinate 1
    for (let i = 0; i < S - 1; i++) s += point[offset + i] * G[i * S + j];
    out[j] = s;
  }
}

/** Vertices [S, S - 1] from G = Vh^-1. */
function verticesOf(G: Float64Array, S: number): Float64Array {
  const M = new Matrix(S, S);
  for (let i = 0; i < S; i++) for (let j = 0; j < S; j++) M.set(i, j, G[i * S + j]);
  const Vh = inverse(M);
  const V = new Float64Array(S * (S - 1));
  for (let i = 0; i < S; i++) for (let j = 0; j < S - 1; j++) V[i * (S - 1) + j] = Vh.get(i, j) / Vh.get(i, S - 1);
  return V;
}

function homogeneousInverse(V: Float64Array, S: number): Float64Array | null {
  const Vh = new Matrix(S, S);
  for (let i = 0; i < S; i++) {
    for (let j = 0; j < S - 1; j++) Vh.set(i, j, V[i * (S - 1) + j]);
    Vh.set(i, S - 1, 1);
  }
  const det = determinant(Vh);
  if (!Number.isFinite(det) || Math.abs(det) < 1e-300) return null;
  const G = inverse(Vh);
  return Float64Array.from(G.to1DArray());
}

/** Indices of points that are extreme in some direction (candidates for the hull). */
export function hullCandidates(points: Rows, seed: number, directions = 64 * Math.max(1, points.cols)): Int32Array {
  const r = points.cols;
  const set = new Set<number>();
  for (let j = 0; j < r; j++) {
    let lo = 0;
    let hi = 0;
    for (let p = 1; p < points.rows; p++) {
      if (points.data[p * r + j] < points.data[lo * r + j]) lo = p;
      if (points.data[p * r + j] > points.data[hi * r + j]) hi = p;
    }
    set.add(lo).add(hi);
  }
  if (r > 1) {
    const rng = new Rng(seed, "hull");
    const dir = new Float64Array(r);
    for (let d = 0; d < directions; d++) {
      for (let j = 0; j < r; j++) dir[j] = rng.normal();
      let best = 0;
      let bestValue = -Infinity;
      for (let p = 0; p < points.rows; p++) {
        let v = 0;
        for (let j = 0; j < r; j++) v += dir[j] * points.data[p * r + j];
        if (v > bestValue) {
          bestValue = v;
          best = p;
        }
      }
      set.add(best);
    }
  }
  return Int32Array.from([...set].sort((a, b) => a - b));
}

/**
 * Successive projection (Araújo et al. 2001; Gillis & Vavasis 2014): r + 1
 * points of the cloud spanning a large simplex, as the barrier's start.
 */
function successiveProjection(points: Rows, candidates: Int32Array): number[] | null {
  const r = points.cols;
  const S = r + 1;
  // Homogeneous rows [p, 1], projected away from the chosen ones, greedy by norm.
  const rows = Array.from(candidates, (p) => {
    const v = new Float64Array(S);
    for (let j = 0; j < r; j++) v[j] = points.data[p * r + j];
    v[r] = 1;
    return v;
  });
  const chosen: number[] = [];
  for (let k = 0; k < S; k++) {
    let best = -1;
    let bestNorm = -1;
    rows.forEach((v, idx) => {
      const n = v.reduce((a, b) => a + b * b, 0);
      if (n > bestNorm && !chosen.includes(idx)) {
        bestNorm = n;
        best = idx;
      }
    });
    // Fewer independent points than vertices: the cloud is flat; the caller starts from a regular simplex.
    if (best < 0 || bestNorm < 1e-20) return null;
    chosen.push(best);
    const u = Float64Array.from(rows[best]);
    const un = Math.sqrt(u.reduce((a, b) => a + b * b, 0)) || 1;
    for (let j = 0; j < S; j++) u[j] /= un;
    for (const v of rows) {
      let d = 0;
      for (let j = 0; j < S; j++) d += v[j] * u[j];
      for (let j = 0; j < S; j++) v[j] -= d * u[j];
    }
  }
  return chosen.map((idx) => candidates[idx]);
}

/** The minimum-volume enclosing simplex of `points` [n, r] (n >= 1, r >= 1). */
export function minVolumeSimplex(points: Rows, options: { seed?: number; iterations?: number } = {}): SimplexFit {
  const fn = "minVolumeSimplex";
  const r = points.cols;
  const S = r + 1;
  if (points.rows < 1 || r < 1) throw new ArgumentError({ fn, argument: "points", received: `${points.rows} x ${r}`, expected: "at least one point in at least one dimension" });
  const candidates = hullCandidates(points, options.seed ?? 0);
  const hullOf = (idx: ArrayLike<number>): Rows => {
    const h: Rows = { rows: idx.length, cols: r, data: new Float64Array(idx.length * r) };
    for (let k = 0; k < idx.length; k++) h.data.set(points.data.subarray(idx[k] * r, (idx[k] + 1) * r), k * r);
    return h;
  };
  let hullIndex = Array.from(candidates);
  let hull = hullOf(hullIndex);

  // Start: the successive-projection simplex, grown about its centroid until every point is strictly inside.
  const start = successiveProjection(points, candidates);
  let V: Float64Array = new Float64Array(S * r);
  const centroid = new Float64Array(r);
  let G: Float64Array | null = null;
  if (start) {
    start.forEach((p, i) => V.set(points.data.subarray(p * r, (p + 1) * r), i * r));
    for (let i = 0; i < S; i++) for (let j = 0; j < r; j++) centroid[j] += V[i * r + j] / S;
    G = homogeneousInverse(V, S);
  } else {
    for (let p = 0; p < hull.rows; p++) for (let j = 0; j < r; j++) centroid[j] += hull.data[p * r + j] / hull.rows;
  }
  if (!G) {
    // Degenerate start (points in a lower-dimensional set): a regular simplex around the centroid.
    const spread = Math.sqrt(hull.data.reduce((a, b, k) => a + (b - centroid[k % r]) ** 2, 0) / Math.max(1, hull.rows)) || 1;
    for (let i = 0; i < S; i++) for (let j = 0; j < r; j++) V[i * r + j] = centroid[j] + spread * (i === j ? 1 : i === r ? -1 : 0) * r;
    G = homogeneousInverse(V, S)!;
  }
  const eta = new Float64Array(S);
  const minCoord = (Gm: Float64Array, cloud: Rows): number => {
    let m = Infinity;
    for (let p = 0; p < cloud.rows; p++) {
      barycentric(Gm, S, cloud.data, p * r, eta);
      for (let j = 0; j < S; j++) m = Math.min(m, eta[j]);
    }
    return m;
  };
  const grow = (target: number) => {
    const m = minCoord(G!, hull);
    if (m >= target) return;
    // Scaling about the centroid by lambda maps eta to (eta - 1/S) / lambda + 1/S.
    const lambda = (1 / S - m) / (1 / S - target);
    for (let i = 0; i < S; i++) for (let j = 0; j < r; j++) V[i * r + j] = centroid[j] + lambda * (V[i * r + j] - centroid[j]);
    G = homogeneousInverse(V, S)!;
  };
  grow(0.05 / S);

  // Newton's method in G = Vh^-1 (barycentric coordinates are linear in G: eta_p = [p, 1] G). The free
  // parameters are G's first r columns; the last is e_S - sum of the others, so every eta sums to 1.
  //   f(G) = -ln|det G| - mu sum_p sum_j ln eta_pj
  //   d(-ln|det G|)/dG = -G^-T;  d(-mu ln eta_pj)/dG[:, j] = -mu h_p / eta_pj
  // Gradient analytic, Hessian by central differences of the gradient (at most 56 parameters), Levenberg damping.
  const nFree = S * r;
  const full = (free: Float64Array): Float64Array => {
    const Gm = new Float64Array(S * S);
    for (let i = 0; i < S; i++) {
      let rest = i === S - 1 ? 1 : 0;
      for (let j = 0; j < r; j++) {
        Gm[i * S + j] = free[i * r + j];
        rest -= free[i * r + j];
      }
      Gm[i * S + r] = rest;
    }
    return Gm;
  };
  const evaluate = (free: Float64Array, mu: number, grad: Float64Array | null): number => {
    const Gm = full(free);
    const M = new Matrix(S, S);
    for (let i = 0; i < S; i++) for (let j = 0; j < S; j++) M.set(i, j, Gm[i * S + j]);
    const det = determinant(M);
    if (!Number.isFinite(det) || Math.abs(det) < 1e-300) return Infinity;
    let value = -Math.log(Math.abs(det));
    const D = new Float64Array(S * S); // df/dG (full)
    if (grad) {
      const inv = inverse(M);
      for (let i = 0; i < S; i++) for (let j = 0; j < S; j++) D[i * S + j] = -inv.get(j, i);
    }
    for (let p = 0; p < hull.rows; p++) {
      barycentric(Gm, S, hull.data, p * r, eta);
      for (let j = 0; j < S; j++) {
        if (!(eta[j] > 0)) return Infinity;
        value -= mu * Math.log(eta[j]);
        if (grad) {
          const c = -mu / eta[j];
          for (let i = 0; i < r; i++) D[i * S + j] += c * hull.data[p * r + i];
          D[r * S + j] += c;
        }
      }
    }
    if (grad) for (let i = 0; i < S; i++) for (let j = 0; j < r; j++) grad[i * r + j] = D[i * S + j] - D[i * S + r];
    return value;
  };
  let free = new Float64Array(nFree);
  for (let i = 0; i < S; i++) for (let j = 0; j < r; j++) free[i * r + j] = G![i * S + j];
  const newtonRounds = (mu0: number) => {
    const g = new Float64Array(nFree);
    const gp = new Float64Array(nFree);
    const gm = new Float64Array(nFree);
    const iterations = options.iterations ?? 30;
    for (let mu = mu0; mu > mu0 * 1e-8; mu /= 5) {
      let value = evaluate(free, mu, g);
      let lambda = 1e-6;
      for (let it = 0; it < iterations; it++) {
        // Hessian by central differences of the gradient.
        const H = new Matrix(nFree, nFree);
        const scale = Math.max(1e-8, 1e-6 * Math.max(...Array.from(free, Math.abs)));
        for (let k = 0; k < nFree; k++) {
          const x = Float64Array.from(free);
          x[k] += scale;
          if (!Number.isFinite(evaluate(x, mu, gp))) { lambda = Math.max(lambda, 1); break; }
          x[k] -= 2 * scale;
          if (!Number.isFinite(evaluate(x, mu, gm))) { lambda = Math.max(lambda, 1); break; }
          for (let l = 0; l < nFree; l++) H.set(l, k, (gp[l] - gm[l]) / (2 * scale));
        }
        let improved = false;
        for (let tries = 0; tries < 30 && !improved; tries++) {
          const A = new Matrix(nFree, nFree);
          const diag = Math.max(...Array.from({ length: nFree }, (_, k) => Math.abs(H.get(k, k))), 1e-12);
          for (let a = 0; a < nFree; a++) for (let b = 0; b < nFree; b++) A.set(a, b, (H.get(a, b) + H.get(b, a)) / 2 + (a === b ? lambda * diag : 0));
          let step: Float64Array;
          try {
            step = Float64Array.from(solve(A, Matrix.columnVector(Array.from(g, (v) => -v))).getColumn(0));
          } catch {
            lambda *= 10;
            continue;
          }
          const trial = Float64Array.from(free, (v, k) => v + step[k]);
          const next = evaluate(trial, mu, null);
          if (next < value - 1e-15 * Math.abs(value)) {
            free = trial;
            value = evaluate(free, mu, g);
            lambda = Math.max(1e-9, lambda / 10);
            improved = true;
          } else {
            lambda *= 10;
          }
        }
        if (!improved) break;
        let gn = 0;
        for (const v of g) gn += v * v;
        if (gn < 1e-24) break;
      }
    }
  };
  // Active set: the barrier runs over the hull candidates; points found outside join them and the fit repeats.
  for (let pass = 0; pass < 5; pass++) {
    newtonRounds(1 / hull.rows);
    G = full(free);
    const outside: number[] = [];
    for (let p = 0; p < points.rows; p++) {
      barycentric(G, S, points.data, p * r, eta);
      if (Math.min(...eta) < -1e-9) outside.push(p);
    }
    if (outside.length === 0) break;
    hullIndex = [...hullIndex, ...outside.slice(0, 1000)];
    hull = hullOf(hullIndex);
    // Back inside: grow the current simplex about its centroid.
    V = verticesOf(G, S);
    const c = new Float64Array(r);
    for (let i = 0; i < S; i++) for (let j = 0; j < r; j++) c[j] += V[i * r + j] / S;
    centroid.set(c);
    G = homogeneousInverse(V, S)!;
    grow(0.01 / S);
    for (let i = 0; i < S; i++) for (let j = 0; j < r; j++) free[i * r + j] = G![i * S + j];
  }
  V = verticesOf(G!, S);
  return { vertices: V, minCoordinate: minCoord(G!, points), hullPoints: hull.rows };
}
