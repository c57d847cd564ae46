/** Train/test split by sequence (never by token: tokens of one sequence share a history). */
import { Rng } from "../util/rng.js";
import type { Rows } from "../util/rows.js";

export interface SequenceSplit {
  /** Row indices (sequence * nPos + position) of each part. */
  readonly train: Int32Array;
  readonly test: Int32Array;
}

/** Split `sequences` sequences of `nPos` rows each; `testFraction` of sequences go to test. */
export function splitBySequence(sequences: number, nPos: number, testFraction: number, seed: number): SequenceSplit {
  const order = new Rng(seed, "probe-split").permutation(sequences);
  const nTest = Math.max(1, Math.round(sequences * testFraction));
  const pick = (seqs: Int32Array) => {
    const rows = new Int32Array(seqs.length * nPos);
    seqs.forEach((s, k) => {
      for (let t = 0; t < nPos; t++) rows[k * nPos + t] = s * nPos + t;
    });
    return rows;
  };
  return { test: pick(order.subarray(0, nTest)), train: pick(order.subarray(nTest)) };
}

/** The given rows of a matrix. */
export function takeRows(m: Rows, rows: Int32Array): Rows {
  const { cols, data } = m;
  const out = new Float64Array(rows.length * cols);
  // A plain loop: a subarray per row costs more than the copy for narrow matrices.
  for (let k = 0; k < rows.length; k++) {
    const src = rows[k] * cols;
    const dst = k * cols;
    for (let j = 0; j < cols; j++) out[dst + j] = data[src + j];
  }
  return { rows: rows.length, cols, data: out };
}
