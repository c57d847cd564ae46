/**
 * A hidden Markov model as labelled transition matrices (Crutchfield's
 * edge-emitting convention, as in Shai et al. 2024):
 *
 *   T[x][i][j] = P(emit symbol x, go to state j | in state i).
 *
 * Stored flat in a Float64Array with index (x * nStates + i) * nStates + j.
 * Every row of sum_x T[x] sums to 1.
 *
 * A generalized HMM (GHMM; Upper 1997, "Theory and algorithms for hidden
 * Markov models and generalized hidden Markov models") has real-valued T[x]
 * and word probabilities P(w) = initial · T[w_1] ··· T[w_n] · normalizer;
 * see ghmm.ts. Everything that takes an Hmm takes a GHMM too.
 */
import { ArgumentError, describe } from "../util/errors.js";

export interface Hmm {
  /** Catalogue name or a user label, e.g. "mess3". */
  readonly name: string;
  /** The parameters it was built with, for provenance (saved in JSON). */
  readonly params: Readonly<Record<string, number>>;
  /** V, the alphabet size. */
  readonly nSymbols: number;
  /** S, the number of hidden states. */
  readonly nStates: number;
  /** [nSymbols, nStates, nStates] flattened. */
  readonly transitions: Float64Array;
  /** Optional human labels for symbols (length V) and states (length S). */
  readonly symbolLabels: readonly string[];
  readonly stateLabels: readonly string[];
  /**
   * [nStates] The distribution of the first hidden state, when the process
   * fixes one (JSON "initial"; mixtures). Absent: the stationary distribution,
   * which must then be unique. For a GHMM always present: the initial row
   * vector, scaled so that initial · normalizer = 1.
   */
  readonly initial?: Float64Array;
  /** True for a generalized HMM: real-valued T[x], no hidden state to sample. */
  readonly generalized?: boolean;
  /**
   * [nStates] GHMM only: r, the right fixed vector of sum_x T[x] (M r = r),
   * scaled so that initial · r = 1. For a stochastic HMM it is the all-ones vector.
   */
  readonly normalizer?: Float64Array;
  /** GHMM only: every word up to this length was checked to have a nonnegative probability (ghmm.ts). */
  readonly validatedDepth?: number;
  /**
   * Set by `product` (composite.ts): the independent components this process
   * is the product of, so that quantities that add over independent
   * components (the entropy rate) are computed per component. Not saved in JSON.
   */
  readonly factors?: readonly Hmm[];
}

export interface CreateHmmOptions {
  readonly name?: string;
  readonly params?: Readonly<Record<string, number>>;
  readonly symbolLabels?: readonly string[];
  readonly stateLabels?: readonly string[];
  /**
   * How far a row of sum_x T[x] may be from 1. Default 1e-6: loose enough for
   * JSON written with 7 significant digits, tight enough to catch a typo.
   */
  readonly tolerance?: number;
  /**
   * Distribution of the first hidden state (length nStates, entries >= 0,
   * summing to 1 within `tolerance`). Needed when the hidden chain has more
   * than one closed class; otherwise it defaults to the stationary distribution.
   */
  readonly initial?: ArrayLike<number>;
}

/** Default tolerance for row sums; see CreateHmmOptions.tolerance. */
export const ROW_SUM_TOLERANCE = 1e-6;

/** Index of T[x][i][j] in `transitions`. */
export function tIndex(hmm: Pick<Hmm, "nStates">, x: number, i: number, j: number): number {
  return (x * hmm.nStates + i) * hmm.nStates + j;
}

/**
 * Build and validate an HMM from nested arrays T[x][i][j].
 * Rejects: zero symbols or states, ragged shapes, non-numbers, NaN/infinite or
 * negative entries, and rows of sum_x T[x] that do not sum to 1.
 */
export function createHmm(transitions: unknown, options: CreateHmmOptions = {}, fn = "createHmm"): Hmm {
  const { flat, nSymbols, nStates } = parseNestedTransitions(transitions, fn, checkEntry);
  return fromFlat(flat, nSymbols, nStates, options, fn);
}

/**
 * Shape checks for nested T[x][i][j] (shared with generalized HMMs, which
 * check their entries with `entry`). Returns the flat [V, S, S] array.
 */
export function parseNestedTransitions(
  transitions: unknown,
  fn: string,
  entry: (fn: string, argument: string, value: unknown) => number,
): { flat: Float64Array; nSymbols: number; nStates: number } {
  const arg = "transitions";
  if (!Array.isArray(transitions)) {
    throw new ArgumentError({ fn, argument: arg, received: describe(transitions), expected: "a nested array T[symbol][from][to]" });
  }
  const nSymbols = transitions.length;
  if (nSymbols === 0) {
    throw new ArgumentError({ fn, argument: arg, received: "zero symbols (an empty array)", expected: "at least 1 symbol matrix T[x]" });
  }
  const first = transitions[0];
  if (!Array.isArray(first)) {
    throw new ArgumentError({ fn, argument: `${arg}[0]`, received: describe(first), expected: "a square matrix (array of rows)" });
  }
  const nStates = first.length;
  if (nStates === 0) {
    throw new ArgumentError({ fn, argument: `${arg}[0]`, received: "zero states (an empty matrix)", expected: "at least 1 hidden state" });
  }
  const flat = new Float64Array(nSymbols * nStates * nStates);
  for (let x = 0; x < nSymbols; x++) {
    const matrix = transitions[x];
    if (!Array.isArray(matrix) || matrix.length !== nStates) {
      throw new ArgumentError({
        fn,
        argument: `${arg}[${x}]`,
        received: Array.isArray(matrix) ? `${matrix.length} rows` : describe(matrix),
        expected: `${nStates} rows, like ${arg}[0] (every T[x] is nStates x nStates)`,
      });
    }
    for (let i = 0; i < nStates; i++) {
      const row = matrix[i];
      if (!Array.isArray(row) || row.length !== nStates) {
        throw new ArgumentError({
          fn,
          argument: `${arg}[${x}][${i}]`,
          received: Array.isArray(row) ? `a row of length ${row.length}` : describe(row),
          expected: `a row of length ${nStates} (every T[x] is square, nStates x nStates)`,
        });
      }
      for (let j = 0; j < nStates; j++) {
        flat[(x * nStates + i) * nStates + j] = entry(fn, `${arg}[${x}][${i}][${j}]`, row[j]);
      }
    }
  }
  return { flat, nSymbols, nStates };
}

function checkEntry(fn: string, argument: string, value: unknown): number {
  if (typeof value !== "number" || !Number.isFinite(value)) {
    throw new ArgumentError({ fn, argument, received: describe(value), expected: "a finite probability in [0, 1]" });
  }
  if (value < 0) {
    throw new ArgumentError({ fn, argument, received: String(value), expected: "a probability >= 0" });
  }
  if (value > 1) {
    throw new ArgumentError({ fn, argument, received: String(value), expected: "a probability <= 1" });
  }
  return value;
}

/** Build an HMM from an already flat [V, S, S] array, validating values and row sums. */
export function fromFlat(
  flat: Float64Array,
  nSymbols: number,
  nStates: number,
  options: CreateHmmOptions = {},
  fn = "fromFlat",
): Hmm {
  if (flat.length !== nSymbols * nStates * nStates) {
    throw new ArgumentError({
      fn,
      argument: "transitions",
      received: `${flat.length} entries`,
      expected: `nSymbols * nStates * nStates = ${nSymbols * nStates * nStates}`,
    });
  }
  for (let k = 0; k < flat.length; k++) {
    const x = Math.floor(k / (nStates * nStates));
    const i = Math.floor(k / nStates) % nStates;
    checkEntry(fn, `transitions[${x}][${i}][${k % nStates}]`, flat[k]);
  }
  const tolerance = options.tolerance ?? ROW_SUM_TOLERANCE;
  for (let i = 0; i < nStates; i++) {
    let sum = 0;
    for (let x = 0; x < nSymbols; x++) for (let j = 0; j < nStates; j++) sum += flat[(x * nStates + i) * nStates + j];
    if (Math.abs(sum - 1) > tolerance) {
      throw new ArgumentError({
        fn,
        argument: `transitions (row ${i})`,
        received: `sum over symbols x and next states j of T[x][${i}][j] = ${sum}`,
        expected: `1 within tolerance ${tolerance}`,
        hint: "Each hidden state must emit some symbol and move somewhere with total probability 1.",
      });
    }
  }
  const symbolLabels = checkLabels(fn, "symbolLabels", options.symbolLabels, nSymbols);
  const stateLabels = checkLabels(fn, "stateLabels", options.stateLabels, nStates);
  const initial = options.initial === undefined ? undefined : checkInitial(fn, options.initial, nStates, tolerance);
  return Object.freeze({
    name: options.name ?? "custom",
    params: Object.freeze({ ...(options.params ?? {}) }),
    nSymbols,
    nStates,
    transitions: flat,
    symbolLabels,
    stateLabels,
    ...(initial ? { initial } : {}),
  });
}

/** Validate a distribution over hidden states; returns a normalised copy. */
export function checkInitial(fn: string, initial: unknown, nStates: number, tolerance = ROW_SUM_TOLERANCE, argument = "initial"): Float64Array {
  const isArrayLike = Array.isArray(initial) || (ArrayBuffer.isView(initial) && !(initial instanceof DataView));
  if (!isArrayLike || (initial as ArrayLike<unknown>).length !== nStates) {
    throw new ArgumentError({ fn, argument, received: describe(initial), expected: `a distribution over the ${nStates} hidden states (${nStates} numbers >= 0 summing to 1)` });
  }
  const values = initial as ArrayLike<unknown>;
  let sum = 0;
  for (let i = 0; i < nStates; i++) {
    const v = values[i];
    if (typeof v !== "number" || !Number.isFinite(v) || v < 0) {
      throw new ArgumentError({ fn, argument: `${argument}[${i}]`, received: describe(v), expected: "a probability >= 0" });
    }
    sum += v;
  }
  if (Math.abs(sum - 1) > tolerance) {
    throw new ArgumentError({ fn, argument, received: `entries summing to ${sum}`, expected: `entries summing to 1 within ${tolerance}` });
  }
  return Float64Array.from(values as ArrayLike<number>, (v) => v / sum);
}

export function checkLabels(fn: string, argument: string, labels: readonly string[] | undefined, n: number): readonly string[] {
  if (labels === undefined) return Object.freeze(Array.from({ length: n }, (_, k) => String(k)));
  if (!Array.isArray(labels) || labels.length !== n || labels.some((l) => typeof l !== "string")) {
    throw new ArgumentError({ fn, argument, received: describe(labels), expected: `${n} strings` });
  }
  return Object.freeze([...labels]);
}

/** The hidden-state Markov chain M[i][j] = sum_x T[x][i][j], flat [S, S]. */
export function stateTransitionMatrix(hmm: Hmm): Float64Array {
  const S = hmm.nStates;
  const M = new Float64Array(S * S);
  for (let x = 0; x < hmm.nSymbols; x++) {
    const base = x * S * S;
    for (let k = 0; k < S * S; k++) M[k] += hmm.transitions[base + k];
  }
  return M;
}

/** T as nested arrays T[x][i][j] (for JSON and display). */
export function toNested(hmm: Hmm): number[][][] {
  const S = hmm.nStates;
  return Array.from({ length: hmm.nSymbols }, (_, x) =>
    Array.from({ length: S }, (_, i) => Array.from(hmm.transitions.subarray((x * S + i) * S, (x * S + i + 1) * S))),
  );
}

/**
 * Unifilar: from every state, each symbol leads to at most one next state.
 * Then the state is a function of the start state and the word, and the
 * entropy rate has a closed form (see entropy.ts).
 */
export function isUnifilar(hmm: Hmm): boolean {
  // A GHMM has no hidden state, so "the state after a word" means nothing.
  if (hmm.generalized) return false;
  const S = hmm.nStates;
  for (let x = 0; x < hmm.nSymbols; x++) {
    for (let i = 0; i < S; i++) {
      let successors = 0;
      for (let j = 0; j < S; j++) if (hmm.transitions[(x * S + i) * S + j] > 0) successors++;
      if (successors > 1) return false;
    }
  }
  return true;
}
