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
 *   a belief representation where it beats these. Two encodings:
 *   "per-token" (the default: a one-hot per lag, so the probe is additive in
 *   the tokens) and "joint" (a one-hot of the whole k-token context, so the
 *   probe is the best lookup table on the last k tokens plus a per-position
 *   offset; (V + 1)^k columns). The joint control is much stronger: on mess3
 *   (n_ctx 10) the joint 4-gram reaches R^2 0.9976, above a trained 4-layer
 *   model's final-layer probe (0.9956), where the per-token 4-gram reaches 0.965.
 */
import { ArgumentError, checkInteger } from "../util/errors.js";
import { Rng } from "../util/rng.js";
import type { Rows } from "../util/rows.js";

/** The k-gram orders probed as controls by default. */
export const KGRAM_ORDERS: readonly number[] = Object.freeze([1, 2, 3, 4]);

export type KgramEncoding = "per-token" | "joint";

/** "1-gram", "2-gram", ... (per-token) or "1-gram joint", ... */
export type KgramControl = `${number}-gram` | `${number}-gram joint`;
export type ControlName = "shuffled" | "untrained" | KgramControl;

export function kgramLabel(k: number, encoding: KgramEncoding = "per-token"): KgramControl {
  return encoding === "joint" ? `${k}-gram joint` : `${k}-gram`;
}

/** Most columns of a joint k-gram encoding ((V + 1)^k): bounds memory at rows * (1024 + nPos) float64 values. */
export const MAX_JOINT_KGRAM_COLUMNS = 1024;

/**
 * One-hot features of the last k tokens and of position for tokens [sequences, nPos]; row
 * s * nPos + t is position t of sequence s, as the probes' rows. Token t - l (lag l) is a symbol
 * 0..V-1, or V ("no token") where t - l < 0.
 * - "per-token": [rows, k * (V + 1) + nPos]; lag l sets slot l * (V + 1) + token. The linear
 *   probe on these is additive in the tokens (one weight per lag and symbol).
 * - "joint": [rows, (V + 1)^k + nPos]; one slot per context, sum_l token_l * (V + 1)^(k-1-l).
 *   The probe on these is a lookup table on the last k tokens.
 * Both end with a one-hot of t (a per-position offset).
 */
export function kgramFeatures(tokens: Int32Array, nPos: number, nSymbols: number, k: number, encoding: KgramEncoding = "per-token"): Rows {
  const fn = "kgramFeatures";
  checkInteger(fn, "nPos", nPos, 1);
  checkInteger(fn, "nSymbols", nSymbols, 1);
  checkInteger(fn, "k", k, 1);
  if (tokens.length % nPos !== 0) {
    throw new ArgumentError({ fn, argument: "tokens", received: `${tokens.length} tokens`, expected: `a multiple of nPos = ${nPos} ([sequences, nPos])` });
  }
  const V = nSymbols;
  const contexts = encoding === "joint" ? (V + 1) ** k : k * (V + 1);
  if (encoding === "joint" && contexts > MAX_JOINT_KGRAM_COLUMNS) {
    throw new ArgumentError({ fn, argument: "k", received: `${k} (a joint encoding of ${contexts} columns for ${V} symbols)`, expected: `(nSymbols + 1)^k <= ${MAX_JOINT_KGRAM_COLUMNS}`, hint: 'Use a smaller k or the "per-token" encoding.' });
  }
  const cols = contexts + nPos;
  const rows = tokens.length;
  const data = new Float64Array(rows * cols);
  for (let r = 0; r < rows; r++) {
    const t = r % nPos;
    const base = r - t;
    let code = 0;
    for (let l = 0; l < k; l++) {
      let slot = V;
      if (t - l >= 0) {
        slot = tokens[base + t - l];
        if (!(slot >= 0 && slot < V)) {
          throw new ArgumentError({ fn, argument: `tokens[${base + t - l}]`, received: String(slot), expected: `a token id in [0, ${V})` });
        }
      }
      if (encoding === "joint") code = code * (V + 1) + slot;
      else data[r * cols + l * (V + 1) + slot] = 1;
    }
    if (encoding === "joint") data[r * cols + code] = 1;
    data[r * cols + contexts + t] = 1;
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
