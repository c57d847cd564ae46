/**
 * How far an attention pattern is one fixed query-by-key matrix. The least-squares fixed matrix
 * M minimising sum_b ||A_b - M||^2 over the inputs b is the mean pattern, so the fraction of the
 * pattern's variance it explains is the R² of "A_b[q,k] = M[q,k]" over the causal entries:
 *   1 - sum_b sum_{k<=q} (A_b[q,k] - M[q,k])^2 / sum_b sum_{k<=q} (A_b[q,k] - grand mean)^2.
 * Entries above the diagonal are 0 for every input and are left out (they would inflate the
 * fraction). A pattern that does not vary at all is fixed: fraction 1.
 */
import { ArgumentError, checkInteger } from "../util/errors.js";
import type { HeadPatternFit } from "./types.js";

/** Variance at or below this fraction of the sum of squared entries counts as none (float32 rounding; as R2_SST_FLOOR). */
const VARIANCE_FLOOR = 1e-12;

function fraction(within: number, total: number, sumSquares: number): number {
  if (!(total > VARIANCE_FLOOR * sumSquares)) return 1;
  return 1 - within / total;
}

/**
 * Per head, the fixed-matrix fit of `pattern` [count, head_index, query_pos, key_pos]
 * (hook_pattern, row-major). O(count * heads * nPos^2) time, O(heads * nPos^2) memory.
 */
export function fitFixedPattern(pattern: ArrayLike<number>, count: number, nHeads: number, nPos: number, layer = 0): HeadPatternFit[] {
  const fn = "fitFixedPattern";
  checkInteger(fn, "count", count, 1);
  checkInteger(fn, "nHeads", nHeads, 1);
  checkInteger(fn, "nPos", nPos, 1);
  const cells = nPos * nPos;
  if (pattern.length !== count * nHeads * cells) {
    throw new ArgumentError({ fn, argument: "pattern", received: `${pattern.length} values`, expected: `count * nHeads * nPos^2 = ${count * nHeads * cells} ([batch, head_index, query_pos, key_pos])` });
  }
  const out: HeadPatternFit[] = [];
  for (let h = 0; h < nHeads; h++) {
    // Two passes (means, then squared deviations): no cancellation for near-constant float32 patterns.
    const mean = new Float64Array(cells); // [query_pos, key_pos]
    for (let b = 0; b < count; b++) {
      const base = (b * nHeads + h) * cells;
      for (let c = 0; c < cells; c++) mean[c] += pattern[base + c];
    }
    for (let c = 0; c < cells; c++) mean[c] /= count;
    const within = new Float64Array(cells); // sum_b (A_b - M)^2 per cell
    for (let b = 0; b < count; b++) {
      const base = (b * nHeads + h) * cells;
      for (let c = 0; c < cells; c++) within[c] += (pattern[base + c] - mean[c]) ** 2;
    }
    // Over the causal cells of `rows`: total = within + count * sum_c (M_c - grand mean)^2.
    const explained = (rows: readonly number[]): number => {
      let n = 0;
      let g = 0;
      let w = 0;
      let meanSquare = 0;
      for (const q of rows) for (let k = 0; k <= q; k++) (g += mean[q * nPos + k]), (w += within[q * nPos + k]), (meanSquare += mean[q * nPos + k] ** 2 + within[q * nPos + k] / count), n++;
      g /= n;
      let between = 0;
      for (const q of rows) for (let k = 0; k <= q; k++) between += count * (mean[q * nPos + k] - g) ** 2;
      return fraction(w, w + between, count * meanSquare);
    };
    const fixedFraction = explained(Array.from({ length: nPos }, (_, q) => q));
    const fixedFractionLastQuery = explained([nPos - 1]);
    const std = new Float64Array(cells);
    for (let c = 0; c < cells; c++) std[c] = Math.sqrt(within[c] / count);
    for (let q = 0; q < nPos; q++) for (let k = q + 1; k < nPos; k++) (mean[q * nPos + k] = 0), (std[q * nPos + k] = 0);
    out.push({ layer, head: h, fixedFraction, fixedFractionLastQuery, meanPattern: mean, stdPattern: std });
  }
  return out;
}
