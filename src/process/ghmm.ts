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
  /** Words up to this length must have probabilities >= -tolerance. Default 8 (fewer for large alphabets: at most 2^22 / S words of one length). */
  readonly validationDepth?: number;
  /** Tolerance of the validity checks (fixed vectors, word probabilities). Default 1e-9. */
  readonly tolerance?: number;
}

/** Most word-vector entries the validity check holds (the words of one length, times S): 2^22 float64 = 32 MiB. */
const MAX_VALIDATION_ENTRIES = 1 << 22;

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
  let initial: Float64Array;
  if (options.initial !== undefined) initial = checkVector(fn, "initial", options.initial, S);
  else {
    // The left fixed vector has no scale or sign of its own: scale it to sum 1 (as simplexity does)
    // when it can be, so that stochastic-looking processes get r = 1.
    initial = fixedVector(fn, M, S, "left");
    const total = initial.reduce((a, b) => a + b, 0);
    if (Math.abs(total) > 1e-9) initial = initial.map((v) => v / total);
  }
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
  const maxDepth = Math.max(1, Math.floor(Math.log(MAX_VALIDATION_ENTRIES / S) / Math.log(Math.max(2, V))));
  const depth = Math.min(checkInteger(fn, "validationDepth", options.validationDepth ?? 8, 1, 64), maxDepth);
  checkWordProbabilities(hmm, depth, tolerance, fn);
  return hmm;
}

/**
 * Every word w of length <= depth has P(w) >= -tolerance and
 * sum_x P(w x) = P(w) within tolerance. Breadth-first over words, carrying
 * the unnormalised row vectors initial T[w], so the shortest bad word is
 * the one reported.
 */
export function checkWordProbabilities(hmm: Hmm, depth: number, tolerance: number, fn: string): void {
  const S = hmm.nStates;
  const V = hmm.nSymbols;
  const T = hmm.transitions;
  const r = hmm.normalizer!;
  const probability = (v: Float64Array, offset: number) => {
    let p = 0;
    for (let i = 0; i < S; i++) p += v[offset + i] * r[i];
    return p;
  };
  const wordOf = (index: number, length: number) => {
    const symbols: string[] = [];
    for (let k = 0; k < length; k++) {
      symbols.unshift(hmm.symbolLabels[index % V]);
      index = Math.floor(index / V);
    }
    return `[${symbols.join(" ")}]`;
  };
  let level = Float64Array.from(hmm.initial!); // [V^d, S]
  const p0 = probability(level, 0);
  if (Math.abs(p0 - 1) > tolerance) {
    throw new ArgumentError({ fn, argument: "initial", received: `initial · r = ${p0}`, expected: "1" });
  }
  for (let d = 1; d <= depth; d++) {
    const n = level.length / S;
    const next = new Float64Array(n * V * S);
    for (let w = 0; w < n; w++) {
      let sum = 0;
      for (let x = 0; x < V; x++) {
        const out = (w * V + x) * S;
        for (let i = 0; i < S; i++) {
          const vi = level[w * S + i];
          if (vi === 0) continue;
          const row = (x * S + i) * S;
          for (let j = 0; j < S; j++) next[out + j] += vi * T[row + j];
        }
        const q = probability(next, out);
        if (q < -tolerance) {
          throw new ArgumentError({
            fn,
            argument: "transitions",
            received: `a generalized HMM that gives the word ${wordOf(w * V + x, d)} probability ${Number(q.toPrecision(6))}`,
            expected: `nonnegative probabilities for every word (checked up to length ${depth}, tolerance ${tolerance})`,
            hint: "A GHMM is a process only when initial · T[w] · r >= 0 for every word w.",
          });
        }
        sum += q;
      }
      const p = probability(level, w * S);
      if (Math.abs(sum - p) > tolerance * Math.max(1, Math.abs(p))) {
        throw new ArgumentError({
          fn,
          argument: "transitions",
          received: `a generalized HMM whose continuations of ${wordOf(w, d - 1)} sum to ${Number(sum.toPrecision(9))}, not ${Number(p.toPrecision(9))}`,
          expected: "sum_x P(w x) = P(w) (normalizer must be the right fixed vector of sum_x T[x])",
        });
      }
    }
    level = next;
  }
}
