/**
 * Conversion from the classic (state transition matrix A, emission matrix B)
 * form of an HMM to labelled transition matrices T[x][i][j].
 *
 * Two conventions exist and both are common:
 * - "source" (Rabiner 1989): state i emits x with B[i][x], then moves to j with A[i][j]:
 *     T[x][i][j] = B[i][x] * A[i][j]
 * - "destination": the chain moves to j with A[i][j], and j emits x with B[j][x]:
 *     T[x][i][j] = A[i][j] * B[j][x]
 *   (mess3 in Shai et al. is naturally written this way.)
 */
import { ArgumentError, describe } from "../util/errors.js";
import { createHmm, type CreateHmmOptions, type Hmm } from "./hmm.js";

export type EmissionConvention = "source" | "destination";

export interface ClassicFormOptions extends CreateHmmOptions {
  /** Which state emits: the one left ("source", default, Rabiner) or the one entered ("destination"). */
  readonly emitFrom?: EmissionConvention;
}

const FN = "fromTransitionEmission";

function checkMatrix(argument: string, value: unknown, rows: number | null, cols: number | null): number[][] {
  if (!Array.isArray(value) || value.length === 0) {
    throw new ArgumentError({ fn: FN, argument, received: describe(value), expected: "a non-empty matrix (array of rows)" });
  }
  const nRows = rows ?? value.length;
  if (value.length !== nRows) {
    throw new ArgumentError({ fn: FN, argument, received: `${value.length} rows`, expected: `${nRows} rows (one per hidden state)` });
  }
  const nCols = cols ?? (Array.isArray(value[0]) ? value[0].length : -1);
  value.forEach((row, i) => {
    if (!Array.isArray(row) || row.length !== nCols || nCols <= 0) {
      throw new ArgumentError({
        fn: FN,
        argument: `${argument}[${i}]`,
        received: Array.isArray(row) ? `a row of length ${row.length}` : describe(row),
        expected: `a row of length ${nCols > 0 ? nCols : ">= 1"}`,
      });
    }
    row.forEach((v: unknown, j: number) => {
      if (typeof v !== "number" || !Number.isFinite(v) || v < 0) {
        throw new ArgumentError({ fn: FN, argument: `${argument}[${i}][${j}]`, received: describe(v), expected: "a finite probability >= 0" });
      }
    });
  });
  return value as number[][];
}

/**
 * Build an HMM from a state transition matrix `transition[i][j]` (S x S) and
 * an emission matrix `emission[i][x]` (S x V).
 */
export function fromTransitionEmission(transition: unknown, emission: unknown, options: ClassicFormOptions = {}): Hmm {
  const A = checkMatrix("transition", transition, null, null);
  const S = A.length;
  if (A[0].length !== S) {
    throw new ArgumentError({ fn: FN, argument: "transition", received: `a ${S} x ${A[0].length} matrix`, expected: "a square matrix" });
  }
  const B = checkMatrix("emission", emission, S, null);
  const V = B[0].length;
  const emitFrom = options.emitFrom ?? "source";
  if (emitFrom !== "source" && emitFrom !== "destination") {
    throw new ArgumentError({ fn: FN, argument: "options.emitFrom", received: describe(emitFrom), expected: '"source" or "destination"' });
  }
  const tol = options.tolerance ?? 1e-6;
  for (const [name, M] of [["transition", A], ["emission", B]] as const) {
    M.forEach((row, i) => {
      const sum = row.reduce((a, b) => a + b, 0);
      if (Math.abs(sum - 1) > tol) {
        throw new ArgumentError({ fn: FN, argument: `${name}[${i}]`, received: `a row summing to ${sum}`, expected: `a row summing to 1 within ${tol}` });
      }
    });
  }
  const T = Array.from({ length: V }, (_, x) =>
    Array.from({ length: S }, (_, i) =>
      Array.from({ length: S }, (_, j) => (emitFrom === "source" ? B[i][x] * A[i][j] : A[i][j] * B[j][x])),
    ),
  );
  const { emitFrom: _ignored, ...rest } = options;
  return createHmm(T, rest, FN);
}
