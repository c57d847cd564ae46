/**
 * Belief KL: how much a probed belief costs in prediction. For each row, the
 * optimal next-token distribution is P(x | eta) for the true belief eta; the
 * probe's image b-hat implies P(x | proj(b-hat)); belief KL is the mean over
 * rows of KL(optimal || implied) in nats. It weighs belief errors by how much
 * they change predictions, which R^2 (squared distance over states) does not.
 *
 * - proj is the Euclidean projection onto the probability simplex (Duchi,
 *   Shalev-Shwartz, Singer & Chandra 2008, "Efficient projections onto the
 *   l1-ball", Fig. 1: sort, find the threshold theta, clip).
 * - P(x | b) = b T[x] r is linear in b, so it is evaluated once per hidden
 *   state (the vertices e_i, through the process's `updateBelief`, which
 *   returns e_i T[x] r unclamped) and then mixed. The optimal distribution
 *   of a true belief is the same mixture. When some vertex does not imply a probability
 *   distribution (a generalized HMM, whose states are not probabilities),
 *   the implied vector P(. | b-hat) is projected onto the simplex over
 *   symbols instead of the belief.
 * - Floor: KL(p || q) is infinite where q = 0 < p, so q is smoothed as
 *   q' = (q + KL_FLOOR) / (1 + V * KL_FLOOR) with KL_FLOOR = 1e-6; one
 *   token's KL is then at most ln(1 / KL_FLOOR) + ln(1 + V * 1e-6), about
 *   13.8 nats. Terms with p = 0 contribute 0.
 *
 * The model's own KL to optimal uses its log-softmax in float64 (no floor:
 * a softmax is never exactly 0 in log space).
 */
import type { Hmm } from "../process/hmm.js";
import { updateBelief } from "../process/beliefs.js";
import { ArgumentError } from "../util/errors.js";
import type { Rows } from "../util/rows.js";

let sortScratch = new Float64Array(16);

/** Added to every implied probability before normalising again; see the file header. */
export const KL_FLOOR = 1e-6;

/**
 * Euclidean projection of v onto { w : w >= 0, sum w = 1 } (Duchi et al.
 * 2008): with u = v sorted descending, rho = max { j : u_j - (sum_{i<=j} u_i - 1) / j > 0 },
 * theta = (sum_{i<=rho} u_i - 1) / rho, w = max(v - theta, 0).
 */
export function projectOntoSimplex(v: ArrayLike<number>, out: Float64Array = new Float64Array(v.length)): Float64Array {
  projectRange(v, 0, v.length, out, 0);
  return out;
}

/**
 * projectOntoSimplex of v[vo .. vo + n) into out[oo .. oo + n), without allocating (one
 * projection per held-out row per fit and refit: allocating and sorting typed arrays dominated).
 */
function projectRange(v: ArrayLike<number>, vo: number, n: number, out: Float64Array, oo: number): void {
  if (sortScratch.length < n) sortScratch = new Float64Array(n);
  const u = sortScratch; // u[0 .. n) = v sorted descending
  if (n <= 32) {
    for (let i = 0; i < n; i++) {
      const x = v[vo + i];
      let j = i - 1;
      while (j >= 0 && u[j] < x) {
        u[j + 1] = u[j];
        j--;
      }
      u[j + 1] = x;
    }
  } else {
    const w = u.subarray(0, n);
    for (let i = 0; i < n; i++) w[i] = v[vo + i];
    w.sort().reverse();
  }
  let cumulative = 0;
  let theta = 0;
  for (let j = 0; j < n; j++) {
    cumulative += u[j];
    const t = (cumulative - 1) / (j + 1);
    if (u[j] - t > 0) theta = t;
  }
  for (let i = 0; i < n; i++) out[oo + i] = Math.max(v[vo + i] - theta, 0);
}

/** KL(p || q) in nats, with q smoothed by KL_FLOOR (see the file header). Both of length V. */
export function klDivergence(p: ArrayLike<number>, q: ArrayLike<number>): number {
  return klAt(p, q, 0, p.length);
}

/** klDivergence of p[o .. o + V) and q[o .. o + V). */
function klAt(p: ArrayLike<number>, q: ArrayLike<number>, o: number, V: number): number {
  const norm = 1 + V * KL_FLOOR;
  let kl = 0;
  for (let x = 0; x < V; x++) {
    const px = p[o + x];
    if (px > 0) kl += px * Math.log((px * norm) / (q[o + x] + KL_FLOOR));
  }
  return kl;
}

/**
 * The map from beliefs to next-token distributions, evaluated at the
 * vertices: E[i][x] = P(x | e_i), [S, V]. `simplex` says whether every row is
 * a probability distribution (then projecting beliefs onto the simplex
 * yields one too).
 */
export interface NextTokenMap {
  readonly nStates: number;
  readonly nSymbols: number;
  /** [nStates, nSymbols] */
  readonly vertices: Float64Array;
  readonly simplex: boolean;
}

export function nextTokenMap(hmm: Hmm): NextTokenMap {
  const S = hmm.nStates;
  const V = hmm.nSymbols;
  const vertices = new Float64Array(S * V);
  let simplex = true;
  const e = new Float64Array(S);
  const scratch = new Float64Array(S);
  for (let i = 0; i < S; i++) {
    e.fill(0);
    e[i] = 1;
    let sum = 0;
    for (let x = 0; x < V; x++) {
      const p = updateBelief(hmm, e, x, scratch); // e_i T[x] r
      vertices[i * V + x] = p;
      if (p < 0) simplex = false;
      sum += p;
    }
    if (Math.abs(sum - 1) > 1e-6) simplex = false;
  }
  return { nStates: S, nSymbols: V, vertices, simplex };
}

function checkBeliefs(fn: string, argument: string, m: Rows, map: NextTokenMap): void {
  if (m.cols !== map.nStates || m.data.length !== m.rows * m.cols) {
    throw new ArgumentError({ fn, argument, received: `${m.rows} x ${m.cols}`, expected: `[rows, ${map.nStates}] beliefs over the process's hidden states` });
  }
}

/** Next-token distributions [rows, V] of exact beliefs [rows, S]. */
export function nextTokenDistributions(map: NextTokenMap, beliefs: Rows): Rows {
  checkBeliefs("nextTokenDistributions", "beliefs", beliefs, map);
  const { nStates: S, nSymbols: V, vertices } = map;
  const out = new Float64Array(beliefs.rows * V);
  for (let r = 0; r < beliefs.rows; r++) {
    for (let i = 0; i < S; i++) {
      const b = beliefs.data[r * S + i];
      if (b === 0) continue;
      for (let x = 0; x < V; x++) out[r * V + x] += b * vertices[i * V + x];
    }
  }
  return { rows: beliefs.rows, cols: V, data: out };
}

/** Next-token distributions [rows, V] implied by probed beliefs [rows, S], projected as the file header says. */
export function impliedNextTokenDistributions(map: NextTokenMap, probed: Rows): Rows {
  checkBeliefs("impliedNextTokenDistributions", "probed", probed, map);
  const { nStates: S, nSymbols: V } = map;
  const b = new Float64Array(S);
  const q = new Float64Array(V);
  const out = new Float64Array(probed.rows * V);
  for (let r = 0; r < probed.rows; r++) {
    if (map.simplex) projectRange(probed.data, r * S, S, b, 0);
    else for (let i = 0; i < S; i++) b[i] = probed.data[r * S + i];
    q.fill(0);
    for (let i = 0; i < S; i++) {
      if (b[i] === 0) continue;
      for (let x = 0; x < V; x++) q[x] += b[i] * map.vertices[i * V + x];
    }
    if (map.simplex) out.set(q, r * V);
    else projectRange(q, 0, V, out, r * V);
  }
  return { rows: probed.rows, cols: V, data: out };
}

export interface KLResult {
  /** Mean over rows, nats. */
  readonly mean: number;
  /** [rows] KL of each row, nats. */
  readonly perRow: Float64Array;
}

/** Row-wise KL(p_r || q_r) in nats for distributions [rows, V], and its mean. */
export function rowKL(p: Rows, q: Rows): KLResult {
  if (p.rows !== q.rows || p.cols !== q.cols) {
    throw new ArgumentError({ fn: "rowKL", argument: "q", received: `${q.rows} x ${q.cols}`, expected: `${p.rows} x ${p.cols}, as p` });
  }
  const V = p.cols;
  const perRow = new Float64Array(p.rows);
  let total = 0;
  for (let r = 0; r < p.rows; r++) {
    perRow[r] = klAt(p.data, q.data, r * V, V);
    total += perRow[r];
  }
  return { mean: total / p.rows, perRow };
}

/**
 * Belief KL of probed beliefs [rows, S] against true beliefs [rows, S]:
 * mean KL(P(. | true) || P(. | proj(probed))), nats.
 */
export function beliefKL(map: NextTokenMap, trueBeliefs: Rows, probed: Rows): KLResult {
  return rowKL(nextTokenDistributions(map, trueBeliefs), impliedNextTokenDistributions(map, probed));
}

/**
 * The model's own next-token KL to optimal: mean KL(optimal_r || softmax(logits_r)),
 * optimal [rows, V], logits [rows, V] (float32 or float64), nats.
 */
export function modelKL(optimal: Rows, logits: { readonly rows: number; readonly cols: number; readonly data: ArrayLike<number> }): KLResult {
  if (logits.rows !== optimal.rows || logits.cols !== optimal.cols) {
    throw new ArgumentError({ fn: "modelKL", argument: "logits", received: `${logits.rows} x ${logits.cols}`, expected: `${optimal.rows} x ${optimal.cols}, one row of next-token logits per optimal distribution` });
  }
  const V = optimal.cols;
  const perRow = new Float64Array(optimal.rows);
  let total = 0;
  for (let r = 0; r < optimal.rows; r++) {
    let max = -Infinity;
    for (let x = 0; x < V; x++) max = Math.max(max, logits.data[r * V + x]);
    let z = 0;
    for (let x = 0; x < V; x++) z += Math.exp(logits.data[r * V + x] - max);
    const logZ = max + Math.log(z);
    let kl = 0;
    for (let x = 0; x < V; x++) {
      const p = optimal.data[r * V + x];
      if (p > 0) kl += p * (Math.log(p) - (logits.data[r * V + x] - logZ));
    }
    perRow[r] = kl;
    total += kl;
  }
  return { mean: total / optimal.rows, perRow };
}
