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
 * check it for every word up to a depth, as deep as a work budget allows
 * (Hmm.validatedDepth records it). Beliefs are the normalised row
 * vectors eta_w = initial T[w] / P(w) (so eta_w · r = 1); they are not
 * distributions and may have negative entries.
 */
import { Matrix } from "ml-matrix";
import { ArgumentError, checkInteger, checkNumber, describe } from "../util/errors.js";
import { checkLabels, parseNestedTransitions, stateTransitionMatrix, type CreateHmmOptions, type Hmm } from "./hmm.js";
import { BeliefIndex } from "./beliefIndex.js";
import { childCost } from "./budget.js";
import { nullVector } from "./stationary.js";

export interface CreateGeneralizedHmmOptions extends Omit<CreateHmmOptions, "initial"> {
  /** Initial row vector; default the left fixed vector of M. Any real entries. */
  readonly initial?: ArrayLike<number>;
  /** r; default the right fixed vector of M. Rescaled so that initial · r = 1. */
  readonly normalizer?: ArrayLike<number>;
  /**
   * Words up to this length must have probabilities >= -tolerance. Default 64; the check stops
   * earlier when `validationWork` is spent, and Hmm.validatedDepth says how deep it went.
   */
  readonly validationDepth?: number;
  /** Work units (budget.ts) for that check. Default DEFAULT_VALIDATION_WORK (2^24, about 0.1-0.2 s). */
  readonly validationWork?: number;
  /** Tolerance of the validity checks (fixed vectors, word probabilities). Default 1e-9. */
  readonly tolerance?: number;
}

/** Most word-direction entries the validity check holds (the directions of one length, times S): 2^22 float64 = 32 MiB. */
const MAX_VALIDATION_ENTRIES = 1 << 22;

/** Work units (budget.ts) the validity check may spend by default: about 0.1-0.2 s. */
export const DEFAULT_VALIDATION_WORK = 2 ** 24;

/** Deepest word length checked by default (fewer when the work budget runs out first). */
export const DEFAULT_VALIDATION_DEPTH = 64;

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
  const draft: Hmm = {
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
  };
  const depth = checkInteger(fn, "validationDepth", options.validationDepth ?? DEFAULT_VALIDATION_DEPTH, 1, 64);
  const work = checkInteger(fn, "validationWork", options.validationWork ?? DEFAULT_VALIDATION_WORK, 0);
  const validatedDepth = checkWordProbabilities(draft, depth, tolerance, fn, work);
  return Object.freeze({ ...draft, validatedDepth });
}

/**
 * Every word w of length <= depth has P(w) >= -tolerance and
 * sum_x P(w x) = P(w) within tolerance, checked breadth-first (so the
 * shortest bad word is the one reported) until `depth` or until the work
 * budget is spent; returns the length checked.
 *
 * Words are grouped by the direction of their row vector v_w = initial T[w]
 * (u = v_w / max_i |v_w,i|): every extension of w has probability
 * s_w * (u T[x_1] ... T[x_k] r) with s_w = max_i |v_w,i|, so for each
 * direction only the word with the largest s_w can be the most negative,
 * and the check on one representative per direction is exactly the check
 * on every word. Processes whose directions repeat (finite presentations)
 * are checked to `depth` at once; others cost V childCost(S, V) work
 * units (budget.ts) per direction held.
 */
export function checkWordProbabilities(hmm: Hmm, depth: number, tolerance: number, fn: string, maxWork = DEFAULT_VALIDATION_WORK): number {
  const S = hmm.nStates;
  const V = hmm.nSymbols;
  const T = hmm.transitions;
  const r = hmm.normalizer!;
  const dot = (v: ArrayLike<number>, offset: number) => {
    let p = 0;
    for (let i = 0; i < S; i++) p += v[offset + i] * r[i];
    return p;
  };
  // Per level: each direction's parent (in the level above) and symbol, to spell its representative word.
  const parents: Int32Array[] = [];
  const symbols: Int32Array[] = [];
  const wordOf = (level: number, index: number, last?: number) => {
    const out: string[] = last === undefined ? [] : [hmm.symbolLabels[last]];
    for (let d = level; d > 0; d--) {
      out.unshift(hmm.symbolLabels[symbols[d - 1][index]]);
      index = parents[d - 1][index];
    }
    return `[${out.join(" ")}]`;
  };
  const p0 = dot(hmm.initial!, 0);
  if (Math.abs(p0 - 1) > tolerance) {
    throw new ArgumentError({ fn, argument: "initial", received: `initial · r = ${p0}`, expected: "1" });
  }
  const start = maxAbs(hmm.initial!, 0, S);
  let directions = Float64Array.from(hmm.initial!, (v) => v / start); // [n, S]
  let scales = Float64Array.of(start); // [n]
  const perDirection = V * childCost(S, V);
  let work = 0;
  const child = new Float64Array(S);
  for (let d = 1; d <= depth; d++) {
    const n = scales.length;
    if (d > 1 && work + n * perDirection > maxWork) return d - 1;
    work += n * perDirection;
    const capacity = Math.min(n * V, MAX_VALIDATION_ENTRIES / S);
    const index = new BeliefIndex(S, 1e-12, Math.max(1, capacity), Math.min(Math.max(1, capacity), 1024));
    const nextScales: number[] = [];
    const parent: number[] = [];
    const symbol: number[] = [];
    for (let w = 0; w < n; w++) {
      let sum = 0;
      for (let x = 0; x < V; x++) {
        child.fill(0);
        for (let i = 0; i < S; i++) {
          const ui = directions[w * S + i];
          if (ui === 0) continue;
          const row = (x * S + i) * S;
          for (let j = 0; j < S; j++) child[j] += ui * T[row + j];
        }
        const q = scales[w] * dot(child, 0);
        if (q < -tolerance) {
          throw new ArgumentError({
            fn,
            argument: "transitions",
            received: `a generalized HMM that gives the word ${wordOf(d - 1, w, x)} probability ${Number(q.toPrecision(6))}`,
            expected: `nonnegative probabilities for every word (found among the words of length ${d}; the check goes to length ${depth} as far as its work budget allows, tolerance ${tolerance})`,
            hint: "A GHMM is a process only when initial · T[w] · r >= 0 for every word w.",
          });
        }
        sum += q;
        const m = maxAbs(child, 0, S);
        if (!(m > 0)) continue; // the zero vector: this word and all its extensions have probability 0
        for (let j = 0; j < S; j++) child[j] /= m;
        const id = index.findOrAdd(child);
        if (id < 0) return d; // memory bound: words of length d are checked, their extensions are not
        if (id === nextScales.length) {
          nextScales.push(scales[w] * m);
          parent.push(w);
          symbol.push(x);
        } else if (scales[w] * m > nextScales[id]) {
          nextScales[id] = scales[w] * m;
          parent[id] = w;
          symbol[id] = x;
        }
      }
      const p = scales[w] * dot(directions, w * S);
      if (Math.abs(sum - p) > tolerance * Math.max(1, Math.abs(p))) {
        throw new ArgumentError({
          fn,
          argument: "transitions",
          received: `a generalized HMM whose continuations of ${wordOf(d - 1, w)} sum to ${Number(sum.toPrecision(9))}, not ${Number(p.toPrecision(9))}`,
          expected: "sum_x P(w x) = P(w) (normalizer must be the right fixed vector of sum_x T[x])",
        });
      }
    }
    parents.push(Int32Array.from(parent));
    symbols.push(Int32Array.from(symbol));
    directions = index.beliefs.slice(0, index.size * S);
    scales = Float64Array.from(nextScales);
    if (scales.length === 0) return depth; // every word of length d has probability 0, and so do all longer ones
  }
  return depth;
}

function maxAbs(v: ArrayLike<number>, offset: number, n: number): number {
  let m = 0;
  for (let i = 0; i < n; i++) m = Math.max(m, Math.abs(v[offset + i]));
  return m;
}
