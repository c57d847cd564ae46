/**
 * The memory a probe site is equivalent to: the smallest k whose joint
 * lookup on the last k tokens (and position) matches the site's probe.
 *
 * The k-token lookup is the least-squares probe on one-hot features of the
 * whole k-token context plus a one-hot of position (controls.ts, the "joint"
 * encoding): prediction a[context] + b[position], fitted in closed form
 * (exactly the least-squares fit, computed without a QR): eliminating a from
 * the normal equations leaves a positions x positions system
 *   (D_p - N^T D_c^-1 N) b = r_p - N^T D_c^-1 r_c
 * (D_c, D_p: weighted row counts per context and per position, N: per
 * (context, position), r_c, r_p: target sums), one unknown per connected
 * group of positions fixed at 0 (the fit is unchanged by moving a constant
 * between a and b), then a = D_c^-1 (r_c - N b). A held-out row whose
 * context was never seen in training (or not with a position of its group)
 * takes the (k-1)-token lookup's prediction (for k = 1, the training mean of
 * its position): still a function of the last k tokens and position.
 * Memory: O(contexts + training rows) (N is kept sparse), so a language
 * model's vocabulary and context length do not square into a table.
 *
 * "The data supports k" when k <= min(n_ctx, 16) and the training rows
 * number at least MIN_ROWS_PER_CONTEXT per context seen in them; K is the
 * largest such k (for mess3 with 2,000 training sequences of 10 tokens,
 * K = 6).
 *
 * Matching (MEMORY_RULE): the k-token lookup matches the probe when the
 * probe beats it on neither R^2 nor belief KL by the verdict's test
 * (verdict.ts: a 95% bootstrap interval of the gain, with fit variance,
 * above 0). The probe is then no more informative than the last k tokens,
 * and (as k is the smallest) more informative than the last k - 1 on one
 * measure at least. Phrased "as informative as the last k tokens", or
 * "more informative than the last k - 1 tokens, less than the last k" where
 * the lookup is better on both measures (both intervals below 0).
 */
import type { Rows } from "../util/rows.js";
import { solveSemidefinite } from "./refit.js";

/** Training rows per context seen that a lookup needs (see the file header). */
export const MIN_ROWS_PER_CONTEXT = 10;
/** Longest memory tried. */
export const MAX_MEMORY_TOKENS = 16;

export const MEMORY_RULE =
  "the smallest k whose joint lookup on the last k tokens and position the probe beats on neither R² nor belief KL " +
  "(the verdict's bootstrap test); \"more than K\" when the probe beats every lookup up to K, the largest k with at least " +
  `${MIN_ROWS_PER_CONTEXT} training rows per context seen`;

/** Context ids of every row for memory k: [rows] dense ids, and how many. */
export interface Contexts {
  readonly k: number;
  readonly ids: Int32Array;
  readonly count: number;
}

/**
 * Contexts of the last k tokens for every row of tokens [sequences, nPos] (row s * nPos + t),
 * each k from 1 to kMax; token t - l is V ("no token") where t - l < 0. Stops before the first
 * k that `keep` refuses, or where codes would exceed 2^52.
 */
export function contextsUpTo(tokens: Int32Array, nPos: number, nTokens: number, kMax: number, keep: (c: Contexts) => boolean = () => true): Contexts[] {
  const rows = tokens.length;
  const code = new Float64Array(rows);
  const out: Contexts[] = [];
  for (let k = 1; k <= kMax && (nTokens + 1) ** k <= 2 ** 52; k++) {
    const l = k - 1;
    const ids = new Int32Array(rows);
    const dense = new Map<number, number>();
    for (let r = 0; r < rows; r++) {
      const t = r % nPos;
      const slot = t - l >= 0 ? tokens[r - l] : nTokens;
      code[r] = code[r] * (nTokens + 1) + slot;
      let id = dense.get(code[r]);
      if (id === undefined) dense.set(code[r], (id = dense.size));
      ids[r] = id;
    }
    const c = { k, ids, count: dense.size };
    if (!keep(c)) break;
    out.push(c);
  }
  return out;
}

/** Contexts seen in the training rows. */
export function contextsSeen(c: Contexts, train: Int32Array): number {
  const seen = new Uint8Array(c.count);
  let n = 0;
  for (const r of train) {
    if (seen[c.ids[r]]) continue;
    seen[c.ids[r]] = 1;
    n++;
  }
  return n;
}

/**
 * Fit the joint lookup on the training rows (with row weights, null for 1 each) and predict the
 * test rows [test, S]; `fallback` [test, S] predicts rows whose context the fit cannot place
 * (null: the training mean of the row's position).
 */
export function jointLookup(c: Contexts, nPos: number, y: Rows, train: Int32Array, weights: Float64Array | null, test: Int32Array, fallback: Rows | null): Rows {
  const S = y.cols;
  const C = c.count;
  const P = nPos;
  const Dc = new Float64Array(C);
  const Dp = new Float64Array(P);
  const rc = new Float64Array(C * S);
  const rp = new Float64Array(P * S);
  // N, the weighted counts per (context, position), sparse: one entry per pair seen in training.
  const entryOf = new Map<number, number>();
  const entryContext: number[] = [];
  const entryPosition: number[] = [];
  const rowEntry = new Int32Array(train.length);
  for (let i = 0; i < train.length; i++) {
    const row = train[i];
    const key = c.ids[row] * P + (row % nPos);
    let e = entryOf.get(key);
    if (e === undefined) {
      entryOf.set(key, (e = entryContext.length));
      entryContext.push(c.ids[row]);
      entryPosition.push(row % nPos);
    }
    rowEntry[i] = e;
  }
  const N = new Float64Array(entryContext.length);
  for (let i = 0; i < train.length; i++) {
    const w = weights ? weights[i] : 1;
    if (w === 0) continue;
    const row = train[i];
    const id = c.ids[row];
    const t = row % nPos;
    Dc[id] += w;
    Dp[t] += w;
    N[rowEntry[i]] += w;
    for (let s = 0; s < S; s++) {
      const v = w * y.data[i * S + s];
      rc[id * S + s] += v;
      rp[t * S + s] += v;
    }
  }
  // Each context's entries with weight (CSR: start[id] .. start[id + 1] in `order`).
  const start = new Int32Array(C + 1);
  for (let e = 0; e < N.length; e++) if (N[e] !== 0) start[entryContext[e] + 1]++;
  for (let id = 0; id < C; id++) start[id + 1] += start[id];
  const order = new Int32Array(start[C]);
  const fill = start.slice(0, C);
  for (let e = 0; e < N.length; e++) if (N[e] !== 0) order[fill[entryContext[e]]++] = e;
  // Groups of positions linked by a shared context (union-find).
  const parent = Int32Array.from({ length: P }, (_, t) => t);
  const find = (t: number): number => (parent[t] === t ? t : (parent[t] = find(parent[t])));
  const firstPos = new Int32Array(C).fill(-1);
  for (let id = 0; id < C; id++) {
    for (let q = start[id]; q < start[id + 1]; q++) {
      const t = entryPosition[order[q]];
      if (firstPos[id] < 0) firstPos[id] = t;
      else parent[find(t)] = find(firstPos[id]);
    }
  }
  // Unknowns: every position with rows except each group's root (fixed at b = 0).
  const index = new Int32Array(P).fill(-1);
  let p = 0;
  for (let t = 0; t < P; t++) if (Dp[t] > 0 && find(t) !== t) index[t] = p++;
  const M = new Float64Array(p * p);
  const B = new Float64Array(p * S);
  for (let t = 0; t < P; t++) if (index[t] >= 0) {
    M[index[t] * p + index[t]] += Dp[t];
    for (let s = 0; s < S; s++) B[index[t] * S + s] += rp[t * S + s];
  }
  for (let id = 0; id < C; id++) {
    if (Dc[id] === 0) continue;
    for (let q = start[id]; q < start[id + 1]; q++) {
      const et = order[q];
      const it = index[entryPosition[et]];
      if (it < 0) continue;
      const nt = N[et] / Dc[id];
      for (let q2 = start[id]; q2 < start[id + 1]; q2++) {
        const iu = index[entryPosition[order[q2]]];
        if (iu >= 0) M[it * p + iu] -= nt * N[order[q2]];
      }
      for (let s = 0; s < S; s++) B[it * S + s] -= nt * rc[id * S + s];
    }
  }
  solveSemidefinite(M, p, B, S);
  const b = new Float64Array(P * S);
  for (let t = 0; t < P; t++) if (index[t] >= 0) for (let s = 0; s < S; s++) b[t * S + s] = B[index[t] * S + s];
  const a = new Float64Array(C * S);
  for (let id = 0; id < C; id++) {
    if (Dc[id] === 0) continue;
    for (let s = 0; s < S; s++) {
      let v = rc[id * S + s];
      for (let q = start[id]; q < start[id + 1]; q++) v -= N[order[q]] * b[entryPosition[order[q]] * S + s];
      a[id * S + s] = v / Dc[id];
    }
  }
  const out = new Float64Array(test.length * S);
  for (let i = 0; i < test.length; i++) {
    const row = test[i];
    const id = c.ids[row];
    const t = row % nPos;
    if (Dc[id] > 0 && Dp[t] > 0 && find(t) === find(firstPos[id])) {
      for (let s = 0; s < S; s++) out[i * S + s] = a[id * S + s] + b[t * S + s];
    } else if (fallback) {
      out.set(fallback.data.subarray(i * S, (i + 1) * S), i * S);
    } else {
      for (let s = 0; s < S; s++) out[i * S + s] = Dp[t] > 0 ? rp[t * S + s] / Dp[t] : 0;
    }
  }
  return { rows: test.length, cols: S, data: out };
}

/** A site's memory equivalent, as reported. */
export interface MemoryEquivalent {
  /** The smallest k whose lookup matches the probe; null when none up to `largest`. */
  readonly tokens: number | null;
  /** K: the largest k the data supports (every k from 1 to K was compared). */
  readonly largest: number;
  /** "as informative as the last 3 tokens", "more informative than the last 6 tokens (the most this data supports)". */
  readonly phrase: string;
  /** The k-token lookup is better than the probe on both measures: the probe lies between the last k - 1 and k tokens. */
  readonly below: boolean;
  /** Why there is no memory equivalent (no lookup supported, or the probe's R^2 undefined); absent when there is one or tokens is null because the probe beats every lookup. */
  readonly undefinedReason?: string;
}

/**
 * The memory in words. `below`: the k-token lookup is better than the probe on both measures
 * (both intervals below 0), so the probe lies between the last k - 1 and k tokens.
 */
export function memoryPhrase(tokens: number | null, largest: number, below = false): string {
  const last = (k: number) => (k === 1 ? "the last token" : `the last ${k} tokens`);
  if (largest === 0) return "memory equivalent undefined (too few training rows for a lookup on the last token)";
  if (tokens === null) return `more informative than ${last(largest)} (the most this data supports)`;
  if (!below) return `as informative as ${last(tokens)}`;
  return tokens === 1 ? "less informative than the last token" : `more informative than ${last(tokens - 1)}, less than ${last(tokens)}`;
}

/** "beyond linear controls; as informative as the last 3 tokens": the verdict with the memory it faces. */
export function verdictStatement(verdict: string, memory: MemoryEquivalent): string {
  return `${verdict.replace(/^beyond controls/, "beyond linear controls")}; ${memory.phrase}`;
}
