/**
 * Stationary distribution of the hidden chain M = sum_x T[x]: the
 * probability vector pi with pi M = pi.
 *
 * A finite chain has one stationary distribution per closed communicating
 * class (classes.ts). With one closed class C, pi is zero outside C and on C
 * it is the null vector of (M_CC^T - I), found by SVD. With several, the
 * process must say where it starts (Hmm.initial); its stationary mean is then
 * the Cesàro limit of initial M^n: each class's stationary distribution
 * weighted by the probability of ending up in that class.
 *
 * For a generalized HMM the stationary vector is the left fixed vector of M
 * (pi M = pi), scaled so that pi · normalizer = 1.
 */
import { Matrix, SingularValueDecomposition, solve } from "ml-matrix";
import { ArgumentError } from "../util/errors.js";
import { chainClasses, describeClasses } from "./classes.js";
import { stateTransitionMatrix, type Hmm } from "./hmm.js";

/** Singular values below this (relative to the largest, at least 1) count as zero. */
const NULL_TOLERANCE = 1e-10;

/**
 * Null vectors of a square matrix by SVD: the right singular vectors of the
 * singular values that count as zero. Returns the last one and the nullity.
 */
export function nullVector(A: Matrix): { vector: Float64Array; nullity: number } {
  const n = A.rows;
  const svd = new SingularValueDecomposition(A, { computeLeftSingularVectors: false });
  const sv = svd.diagonal; // descending
  const scale = Math.max(1, sv[0]);
  const nullity = sv.filter((s) => s <= NULL_TOLERANCE * scale).length;
  const V = svd.rightSingularVectors;
  return { vector: Float64Array.from({ length: n }, (_, i) => V.get(i, n - 1)), nullity };
}

/** Stationary distribution of the chain restricted to the closed class `states`. */
function classStationary(M: Float64Array, S: number, states: readonly number[]): Float64Array {
  const c = states.length;
  const pi = new Float64Array(S);
  if (c === 1) {
    pi[states[0]] = 1;
    return pi;
  }
  const A = new Matrix(c, c);
  for (let a = 0; a < c; a++) for (let b = 0; b < c; b++) A.set(a, b, M[states[b] * S + states[a]] - (a === b ? 1 : 0));
  const { vector } = nullVector(A);
  let total = 0;
  for (let a = 0; a < c; a++) total += vector[a];
  for (let a = 0; a < c; a++) pi[states[a]] = Math.max(0, vector[a] / total); // clamp roundoff (-1e-17)
  total = pi.reduce((s, v) => s + v, 0);
  for (let i = 0; i < S; i++) pi[i] /= total;
  return pi;
}

/**
 * The Cesàro limit lim (1/n) sum_{k<n} initial M^k of a stochastic HMM:
 * sum over closed classes c of a_c pi_c, where a_c is the probability of
 * being absorbed in c, a_c = initial(c) + initial(Tr) (I - Q)^-1 R_c
 * (Q: transient-to-transient block, R_c: transient-to-c row sums; Kemeny &
 * Snell Thm 3.3.7). Equals `initial` when `initial` is stationary.
 */
export function stationaryMean(hmm: Hmm, initial: ArrayLike<number>): Float64Array {
  const S = hmm.nStates;
  const M = stateTransitionMatrix(hmm);
  const { closed, transient } = chainClasses(hmm);
  const absorbed = closed.map((c) => c.reduce((s, i) => s + initial[i], 0));
  const fromTransient = transient.reduce((s, i) => s + initial[i], 0);
  if (transient.length > 0 && fromTransient > 0) {
    const t = transient.length;
    const IminusQ = new Matrix(t, t);
    const R = new Matrix(t, closed.length);
    for (let a = 0; a < t; a++) {
      for (let b = 0; b < t; b++) IminusQ.set(a, b, (a === b ? 1 : 0) - M[transient[a] * S + transient[b]]);
      closed.forEach((c, k) => R.set(a, k, c.reduce((s, j) => s + M[transient[a] * S + j], 0)));
    }
    const B = solve(IminusQ, R);
    closed.forEach((_, k) => {
      for (let a = 0; a < t; a++) absorbed[k] += initial[transient[a]] * B.get(a, k);
    });
  }
  const pi = new Float64Array(S);
  closed.forEach((c, k) => {
    if (!(absorbed[k] > 0)) return;
    const piC = classStationary(M, S, c);
    for (const i of c) pi[i] += absorbed[k] * piC[i];
  });
  const total = pi.reduce((s, v) => s + v, 0);
  for (let i = 0; i < S; i++) pi[i] /= total;
  return pi;
}

/** The left fixed vector of a GHMM's M, scaled so that pi · normalizer = 1. */
function generalizedStationary(hmm: Hmm): Float64Array {
  const S = hmm.nStates;
  const M = stateTransitionMatrix(hmm);
  const A = new Matrix(S, S);
  for (let i = 0; i < S; i++) for (let j = 0; j < S; j++) A.set(i, j, M[j * S + i] - (i === j ? 1 : 0));
  const { vector, nullity } = nullVector(A);
  if (nullity !== 1) {
    if (hmm.initial) return Float64Array.from(hmm.initial);
    throw new ArgumentError({
      fn: "stationaryDistribution",
      argument: `hmm (${hmm.name})`,
      received: `a generalized HMM whose sum_x T[x] has ${nullity} left fixed vectors`,
      expected: "exactly one (a unique stationary state)",
      hint: "Give the process an explicit initial vector.",
    });
  }
  const r = hmm.normalizer!;
  let z = 0;
  for (let i = 0; i < S; i++) z += vector[i] * r[i];
  return vector.map((v) => v / z);
}

/**
 * The stationary distribution. For a chain with several closed classes it is
 * the stationary mean of the process's `initial` distribution; without one,
 * an error names the closed classes.
 */
export function stationaryDistribution(hmm: Hmm): Float64Array {
  const S = hmm.nStates;
  if (hmm.generalized) return generalizedStationary(hmm);
  if (S === 1) return Float64Array.of(1);
  const { closed } = chainClasses(hmm);
  if (closed.length === 1) return classStationary(stateTransitionMatrix(hmm), S, closed[0]);
  if (hmm.initial) return stationaryMean(hmm, hmm.initial);
  throw new ArgumentError({
    fn: "stationaryDistribution",
    argument: `hmm (${hmm.name})`,
    received: `a hidden chain with ${closed.length} closed communicating classes, ${describeClasses(hmm, closed)}`,
    expected: "an irreducible chain with a unique stationary distribution",
    hint: "Give the process an explicit initial distribution instead (Hmm.initial, or \"initial\" in its JSON file).",
  });
}

/** True when `dist` M = `dist` within `tolerance` (max-norm). */
export function isStationary(hmm: Hmm, dist: ArrayLike<number>, tolerance = 1e-10): boolean {
  const S = hmm.nStates;
  const M = stateTransitionMatrix(hmm);
  for (let j = 0; j < S; j++) {
    let v = 0;
    for (let i = 0; i < S; i++) v += dist[i] * M[i * S + j];
    if (Math.abs(v - dist[j]) > tolerance) return false;
  }
  return true;
}
