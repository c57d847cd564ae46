/**
 * The minimum-volume simplex enclosing a point cloud in R^r (r + 1 vertices):
 * Craig's criterion for unmixing ("Minimum-volume transforms for remotely
 * sensed data", 1994), here solved as in MVES (Chan, Chi, Huang & Ma 2009)
 * but with a log barrier instead of alternating linear programs:
 *
 *   minimise  ln |det Vh| - mu sum_p sum_j ln eta_pj,   eta_p = [p, 1] Vh^-1
 *
 * over the vertices (rows of Vh = [V, 1]), for mu decreasing to 1e-6 of its
 * start, by gradient descent with backtracking that keeps every point
 * strictly inside. eta_p are the barycentric coordinates of p: in the
 * recovery, the beliefs. Only points on the hull can touch the boundary, so
 * the barrier runs over the extreme points in 64 r random directions.
 *
 * Derivatives (Vh square, G = Vh^-1): d ln|det Vh| = tr(G dVh), and
 * d eta = -eta dVh G, so d/dVh sum_j w_j ln eta_j = -eta^T (w / eta) G^T.
 *
 * Cost: O(iterations * hull points * r^2); memory O(n r).
 */
import { Matrix, inverse, determinant } from "ml-matrix";
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
function successiveProjection(points: Rows, candidates: Int32Array): number[] {
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
  const hull: Rows = { rows: candidates.length, cols: r, data: new Float64Array(candidates.length * r) };
  candidates.forEach((p, k) => hull.data.set(points.data.subarray(p * r, (p + 1) * r), k * r));

  // Start: the successive-projection simplex, grown about its centroid until every point is strictly inside.
  const start = successiveProjection(points, candidates);
  let V = new Float64Array(S * r);
  start.forEach((p, i) => V.set(points.data.subarray(p * r, (p + 1) * r), i * r));
  const centroid = new Float64Array(r);
  for (let i = 0; i < S; i++) for (let j = 0; j < r; j++) centroid[j] += V[i * r + j] / S;
  let G = homogeneousInverse(V, S);
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

  const objective = (Vc: Float64Array, mu: number): { value: number; G: Float64Array } | null => {
    const Gc = homogeneousInverse(Vc, S);
    if (!Gc) return null;
    const Vh = new Matrix(S, S);
    for (let i = 0; i < S; i++) {
      for (let j = 0; j < r; j++) Vh.set(i, j, Vc[i * r + j]);
      Vh.set(i, r, 1);
    }
    let value = Math.log(Math.abs(determinant(Vh)));
    for (let p = 0; p < hull.rows; p++) {
      barycentric(Gc, S, hull.data, p * r, eta);
      for (let j = 0; j < S; j++) {
        if (!(eta[j] > 0)) return null;
        value -= mu * Math.log(eta[j]);
      }
    }
    return { value, G: Gc };
  };

  const iterations = options.iterations ?? 200;
  const grad = new Float64Array(S * r);
  const gEta = new Float64Array(S);
  const tmp = new Float64Array(S);
  let mu = 1 / hull.rows;
  for (let round = 0; round < 7; round++, mu /= 10) {
    let current = objective(V, mu)!;
    let step = 1e-2;
    for (let it = 0; it < iterations; it++) {
      const Gc = current.G;
      // d ln|det Vh| / dVh = G^T; barrier: -mu * sum_p -eta_p^T (1 / eta_p) G^T.
      grad.fill(0);
      for (let i = 0; i < S; i++) for (let j = 0; j < r; j++) grad[i * r + j] = Gc[j * S + i];
      for (let p = 0; p < hull.rows; p++) {
        barycentric(Gc, S, hull.data, p * r, eta);
        for (let j = 0; j < S; j++) gEta[j] = 1 / eta[j];
        // tmp = G gEta^T  (length S, indexed by Vh column)
        for (let c = 0; c < S; c++) {
          let s = 0;
          for (let j = 0; j < S; j++) s += Gc[c * S + j] * gEta[j];
          tmp[c] = s;
        }
        for (let i = 0; i < S; i++) for (let c = 0; c < r; c++) grad[i * r + c] += mu * eta[i] * tmp[c];
      }
      let gnorm = 0;
      for (let k = 0; k < grad.length; k++) gnorm += grad[k] * grad[k];
      if (gnorm < 1e-20) break;
      // Backtracking line search along -grad.
      let accepted = false;
      for (let tries = 0; tries < 40; tries++) {
        const trial = new Float64Array(S * r);
        for (let k = 0; k < trial.length; k++) trial[k] = V[k] - step * grad[k];
        const next = objective(trial, mu);
        if (next && next.value <= current.value - 1e-4 * step * gnorm) {
          V = trial;
          current = next;
          accepted = true;
          step *= 1.5;
          break;
        }
        step /= 2;
      }
      if (!accepted) break;
    }
    G = current.G;
  }
  return { vertices: V, minCoordinate: minCoord(G!, points), hullPoints: hull.rows };
}
