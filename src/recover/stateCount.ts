/**
 * How many hidden states: from the affine dimension of what the model knows
 * about the future.
 *
 * For an HMM with S states whose beliefs span the simplex, the model's
 * predictions of the next k tokens after a prefix, p(w | prefix) = eta T[w] 1,
 * are an affine image of the (S - 1)-dimensional belief simplex: the centred
 * matrix of predictions (prefixes x words) has rank S - 1 (the process's rank
 * minus one when the rank is below S: then the minimal presentation has
 * fewer dimensions, and we say so). A trained model adds small errors in
 * every direction, so the spectrum is S - 1 large singular values, then a
 * floor.
 *
 * The rule: S - 1 is the last index r (r < maxStates) at which the spectrum
 * drops by at least `gap` (sigma_r >= gap * sigma_{r+1}) among singular values
 * whose RMS per prefix, sigma_r / sqrt(M), is at least `floor` (a direction
 * along which predictions move by less than that is not worth a state). No
 * such drop: S = 1 + the count of singular values above `floor`, capped.
 * Defaults gap = 2.5, floor = 0.005 (probability units). Measured on 26
 * trained models (the recovery bench, docs/recovery.md): the S - 1
 * signal values, then a floor near 0.002-0.006 whose values above 0.005 fall
 * by at most 1.8 per index (once 3.0: a direction a 1-layer model carried on
 * its own, which the count then follows); the last real state the models
 * carried dropped by 2.6x to 86x into the floor (a gap of 3 missed two). A
 * direction below the floor cannot be told from the model's own error.
 */
import { Matrix, SingularValueDecomposition } from "ml-matrix";
import { checkInteger, checkNumber } from "../util/errors.js";
import type { Rows } from "../util/rows.js";

export interface StateCountOptions {
  /** Largest state count the rule may return. Default 8. */
  readonly maxStates?: number;
  /** Drop factor that separates signal from the error floor. Default 2.5. */
  readonly gap?: number;
  /** Smallest RMS movement (per prefix, probability units) a direction needs. Default 0.005. */
  readonly floor?: number;
}

export interface StateCount {
  /** The number of states the rule chose. */
  readonly states: number;
  /** Singular values of the centred prediction matrix divided by sqrt(prefixes) (RMS per prefix), largest first. */
  readonly spectrum: Float64Array;
  /** Index r (1-based) of the drop the rule used, 0 if none. */
  readonly gapIndex: number;
  readonly gap: number;
  readonly floor: number;
  readonly maxStates: number;
  /** The rule in words, for reports. */
  readonly rule: string;
}

/** Singular values of the column-centred matrix X [rows, cols], divided by sqrt(rows). */
export function centredSpectrum(X: Rows, maxValues = 64): Float64Array {
  const { rows, cols } = X;
  const mean = new Float64Array(cols);
  for (let r = 0; r < rows; r++) for (let c = 0; c < cols; c++) mean[c] += X.data[r * cols + c] / rows;
  const m = new Matrix(rows, cols);
  for (let r = 0; r < rows; r++) for (let c = 0; c < cols; c++) m.set(r, c, X.data[r * cols + c] - mean[c]);
  const sv = new SingularValueDecomposition(m, { computeLeftSingularVectors: false, computeRightSingularVectors: false, autoTranspose: true }).diagonal;
  return Float64Array.from(sv.slice(0, maxValues), (v) => v / Math.sqrt(rows));
}

/** Apply the rule (see the file header) to a spectrum (largest first). */
export function chooseStateCount(spectrum: Float64Array, options: StateCountOptions = {}): StateCount {
  const fn = "chooseStateCount";
  const maxStates = checkInteger(fn, "maxStates", options.maxStates ?? 8, 1, 64);
  const gap = checkNumber(fn, "gap", options.gap ?? 2.5, 1);
  const floor = checkNumber(fn, "floor", options.floor ?? 0.005, 0);
  let gapIndex = 0;
  for (let r = 1; r < maxStates && r < spectrum.length; r++) {
    const s = spectrum[r - 1];
    const next = spectrum[r] ?? 0;
    if (s >= floor && s >= gap * next) gapIndex = r;
  }
  let states: number;
  if (gapIndex > 0) states = gapIndex + 1;
  else states = Math.min(maxStates, 1 + spectrum.filter((s) => s >= floor).length);
  const rule =
    `states = 1 + r, r the last index with sigma_r >= ${gap} sigma_(r+1) and sigma_r >= ${floor} (RMS per prefix), r < ${maxStates}` +
    (gapIndex > 0 ? ` (here r = ${gapIndex})` : `; no such drop, so 1 + the count above ${floor}`);
  return { states, spectrum, gapIndex, gap, floor, maxStates, rule };
}
