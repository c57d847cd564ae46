/**
 * Generalized hidden Markov models (Upper 1997, "Theory and algorithms for
 * hidden Markov models and generalized hidden Markov models"; Astera's
 * simplexity `GeneralizedHiddenMarkovModel`): real-valued matrices T[x],
 * not necessarily stochastic, with word probabilities
 *
 *   P(w_1 ... w_n) = initial · T[w_1] ··· T[w_n] · r,
 *
 * where r is the right fixed vector of M = sum_x T[x] (M r = r) and
 * initial · r = 1. Then sum_x P(w x) = P(w) for every word, so the word
 * probabilities are consistent; what makes a GHMM a valid process is that
 * they are also nonnegative, which no local condition on T guarantees. We
 * check it for every word up to a depth. Beliefs are the normalised row
 * vectors eta_w = initial T[w] / P(w) (so eta_w · r = 1); they are not
 * distributions and may have negative entries.
 */
import { Matrix } from "ml-matrix";
import { ArgumentError, checkInteger, checkNumber, describe } from "../util/errors.js";
import { checkLabels, parseNestedTransitions, stateTransitionMatrix, type CreateHmmOptions, type Hmm } from "./hmm.js";
import { nullVector } from "./stationary.js";

export interface CreateGeneralizedHmmOptions extends Omit<CreateHmmOptions, "initial"> {
  /** Initial row vector; default the left fixed vector of M. Any real entries. */
  readonly initial?: ArrayLike<number>;
  /** r; default the right fixed vector of M. Rescaled so that initial · r = 1. */
  readonly normalizer?: ArrayLike<number>;
  /** Words up to this length must have probabilities >= -tolerance. Default 8 (fewer for large alphabets: at most 2^17 words). */
  readonly validationDepth?: number;
  /** Tolerance of the validity checks (fixed vectors, word probabilities). Default 1e-9. */
  readonly tolerance?: number;
}

/** Most words the validity check looks at (all words of length <= depth). */
const MAX_VALIDATION_WORDS = 1 << 17;

function checkReal(fn: string, argument: string, value: unknown): number {
  if (typeof value !== "number" || !Number.isFinite(value)) {
    throw new ArgumentError({ fn, argument, received: describe(value), expected: "a finite real number" });
  }
  return value;
}

function checkVector(fn: string, argument: string, value: unknown, n: number): Float64Array {
  const ok = Array.isArray(value) || (ArrayBuffer.isView(value) && !(value instanceof DataView));
  if (!ok || (value as ArrayLike<unknown>).length !== n) {
    throw new ArgumentError({ fn, argument, received: describe(value), expected: `${n} finite numbers (one per state)` });
  }
  return Float64Array.from({ length: n }, (_, i) => checkReal(fn, `${argument}[${i}]`, (value as ArrayLike<unknown>)[i]));
}

/** Right (side "right": M v = v) or left (v M = v) fixed vector of M, or throw. */
function fixedVector(fn: string, M: Float64Array, S: number, side: "left" | "right"): Float64Array {
  const A = new Matrix(S, S);
  for (let i = 0; i < S; i++) for (let j = 0; j < S; j++) A.set(i, j, (side === "right" ? M[i * S + j] : M[j * S + i]) - (i === j ? 1 : 0));
  const { vector, nullity } = nullVector(A);
  if (nullity !== 1) {
    throw new ArgumentError({
      fn,
      argument: "transitions",
      received: `matrices whose sum M = sum_x T[x] has ${nullity} ${side} fixed vectors (eigenvalue 1 of multiplicity ${nullity})`,
      expected: "exactly one, as a generalized HMM needs (its largest eigenvalue must be 1 and simple)",
      hint: side === "right" ? "Scale T so that M has eigenvalue 1, or give 'normalizer'." : "Give 'initial' explicitly.",
    });
  }
  return vector;
}

/**
 * Build and validate a generalized HMM from nested T[x][i][j]. Rejects
 * non-finite entries, an M without a unique fixed vector, initial · r = 0,
 * and any word up to `validationDepth` with negative probability or whose
 * continuations do not sum to its probability.
 */
export function createGeneralizedHmm(transitions: unknown, options: CreateGeneralizedHmmOptions = {}, fn = "createGeneralizedHmm"): Hmm {
  const { flat, nSymbols: V, nStates: S } = parseNestedTransitions(transitions, fn, checkReal);
  const tolerance = checkNumber(fn, "tolerance", options.tolerance ?? 1e-9, 0, 1);
  const M = stateTransitionMatrix({ nStates: S, nSymbols: V, transitions: flat } as Hmm);
  let r: Float64Array;
  if (options.normalizer !== undefined) {
    r = checkVector(fn, "normalizer", options.normalizer, S);
    for (let i = 0; i < S; i++) {
      let v = 0;
      for (let j = 0; j < S; j++) v += M[i * S + j] * r[j];
      if (Math.abs(v - r[i]) > tolerance * Math.max(1, Math.abs(r[i]))) {
        throw new ArgumentError({ fn, argument: "normalizer", received: `a vector r with (M r)[${i}] = ${v} but r[${i}] = ${r[i]}`, expected: "the right fixed vector of M = sum_x T[x] (M r = r)" });
      }
    }
  } else {
    r = fixedVector(fn, M, S, "right");
  }
  const initial = options.initial !== undefined ? checkVector(fn, "initial", options.initial, S) : fixedVector(fn, M, S, "left");
  let z = 0;
  for (let i = 0; i < S; i++) z += initial[i] * r[i];
  if (!(Math.abs(z) > 1e-12)) {
    throw new ArgumentError({ fn, argument: "initial", received: `a vector with initial · r = ${z}`, expected: "initial · r != 0 (the total probability of the empty word)" });
  }
  // Scale so that the empty word has probability 1 with initial as given (up to sign).
  const normalizer = r.map((v) => v / z);
  const hmm: Hmm = Object.freeze({
    name: options.name ?? "custom-ghmm",
    params: Object.freeze({ ...(options.params ?? {}) }),
    nSymbols: V,
    nStates: S,
    transitions: flat,
    symbolLabels: checkLabels(fn, "symbolLabels", options.symbolLabels, V),
    stateLabels: checkLabels(fn, "stateLabels", options.stateLabels, S),
    initial,
    generalized: true,
    normalizer,
  });
  const maxDepth = Math.max(1, Math.floor(Math.log(MAX_VALIDATION_WORDS) / Math.log(Math.max(2, V))));
  const depth = Math.min(checkInteger(fn, "validationDepth", options.validationDepth ?? 8, 1, 64), maxDepth);
  checkWordProbabilities(hmm, depth, tolerance, fn);
  return hmm;
}

/**
 * Every word w of length <= depth has P(w) >= -tolerance and
 * sum_x P(w x) = P(w) within tolerance. Depth-first over words, carrying the
 * unnormalised row vector initial T[w].
 */
export function checkWordProbabilities(hmm: Hmm, depth: number, tolerance: number, fn: string): void {
  const S = hmm.nStates;
  const V = hmm.nSymbols;
  const T = hmm.transitions;
  const r = hmm.normalizer!;
  const stack: Float64Array[] = [Float64Array.from(hmm.initial!)];
  for (let d = 1; d <= depth; d++) stack.push(new Float64Array(S));
  const word: number[] = [];
  const probability = (v: Float64Array) => {
    let p = 0;
    for (let i = 0; i < S; i++) p += v[i] * r[i];
    return p;
  };
  const visit = (d: number, p: number): void => {
    if (d === depth) return;
    const v = stack[d];
    const child = stack[d + 1];
    let sum = 0;
    for (let x = 0; x < V; x++) {
      child.fill(0);
      for (let i = 0; i < S; i++) {
        const vi = v[i];
        if (vi === 0) continue;
        const row = (x * S + i) * S;
        for (let j = 0; j < S; j++) child[j] += vi * T[row + j];
      }
      const q = probability(child);
      word.push(x);
      if (q < -tolerance) {
        throw new ArgumentError({
          fn,
          argument: "transitions",
          received: `a generalized HMM that gives the word [${word.map((s) => hmm.symbolLabels[s]).join(" ")}] probability ${q}`,
          expected: `nonnegative probabilities for every word (checked up to length ${depth}, tolerance ${tolerance})`,
          hint: "A GHMM is a process only when initial · T[w] · r >= 0 for every word w.",
        });
      }
      sum += q;
      visit(d + 1, q);
      word.pop();
    }
    if (Math.abs(sum - p) > tolerance * Math.max(1, Math.abs(p))) {
      throw new ArgumentError({
        fn,
        argument: "transitions",
        received: `a generalized HMM whose continuations of [${word.map((s) => hmm.symbolLabels[s]).join(" ")}] sum to ${sum}, not ${p}`,
        expected: "sum_x P(w x) = P(w) (normalizer must be the right fixed vector of sum_x T[x])",
      });
    }
  };
  const p0 = probability(stack[0]);
  if (Math.abs(p0 - 1) > tolerance) {
    throw new ArgumentError({ fn, argument: "initial", received: `initial · r = ${p0}`, expected: "1" });
  }
  visit(0, p0);
}
