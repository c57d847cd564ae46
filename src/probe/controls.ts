/**
 * Controls for a belief probe: what a probe of the same kind reaches without
 * a learned belief representation. A probe means something only where it
 * beats all of them (verdict.ts).
 *
 * - shuffled: the same features, with the belief rows permuted across the
 *   data set (torch_ref.py's control): no relation at all; R^2 about
 *   -features / trainRows.
 * - untrained: the same sites of the same architecture at its initial weights:
 *   what architecture and random features of the recent tokens give.
 * - k-gram (k = 1..4): the same probe on one-hot features of the last k
 *   tokens plus position. On short-memory processes the belief is nearly a
 *   function of the last few tokens, so a model's probe is only evidence of
 *   a belief representation where it beats these.
 */
import { ArgumentError, checkInteger } from "../util/errors.js";
import { Rng } from "../util/rng.js";
import type { Rows } from "../util/rows.js";

/** The k-gram orders probed as controls by default. */
export const KGRAM_ORDERS: readonly number[] = Object.freeze([1, 2, 3, 4]);

/** "1-gram", "2-gram", ... */
export type KgramControl = `${number}-gram`;
export type ControlName = "shuffled" | "untrained" | KgramControl;

export function kgramLabel(k: number): KgramControl {
  return `${k}-gram`;
}

/**
 * One-hot features of the last k tokens and of position, [sequences * nPos, k * (V + 1) + nPos]
 * for tokens [sequences, nPos]. Row s * nPos + t (position t of sequence s, as the probes'
 * rows) has, for each lag l = 0..k-1, a one-hot of token t - l in slots l * (V + 1) + 0..V-1,
 * or slot l * (V + 1) + V ("no token") where t - l < 0; then a one-hot of t.
 * The linear probe on these is additive in the tokens (one weight per lag and symbol) plus a
 * per-position offset.
 */
export function kgramFeatures(tokens: Int32Array, nPos: number, nSymbols: number, k: number): Rows {
  const fn = "kgramFeatures";
  checkInteger(fn, "nPos", nPos, 1);
  checkInteger(fn, "nSymbols", nSymbols, 1);
  checkInteger(fn, "k", k, 1);
  if (tokens.length % nPos !== 0) {
    throw new ArgumentError({ fn, argument: "tokens", received: `${tokens.length} tokens`, expected: `a multiple of nPos = ${nPos} ([sequences, nPos])` });
  }
  const V = nSymbols;
  const cols = k * (V + 1) + nPos;
  const rows = tokens.length;
  const data = new Float64Array(rows * cols);
  for (let r = 0; r < rows; r++) {
    const t = r % nPos;
    const base = r - t;
    for (let l = 0; l < k; l++) {
      let slot = V;
      if (t - l >= 0) {
        slot = tokens[base + t - l];
        if (!(slot >= 0 && slot < V)) {
          throw new ArgumentError({ fn, argument: `tokens[${base + t - l}]`, received: String(slot), expected: `a token id in [0, ${V})` });
        }
      }
      data[r * cols + l * (V + 1) + slot] = 1;
    }
    data[r * cols + k * (V + 1) + t] = 1;
  }
  return { rows, cols, data };
}

/** The rows of `m` in a seeded random order: the targets of the shuffled control. */
export function shuffleRows(m: Rows, seed: number): Rows {
  const order = new Rng(seed, "probe-shuffle").permutation(m.rows);
  const data = new Float64Array(m.data.length);
  order.forEach((r, k) => data.set(m.data.subarray(r * m.cols, (r + 1) * m.cols), k * m.cols));
  return { rows: m.rows, cols: m.cols, data };
}
