/**
 * Stationary distribution of the hidden chain M = sum_x T[x]: the
 * probability vector pi with pi M = pi. Found as the null vector of
 * (M^T - I) by SVD, which also tells whether it is unique.
 */
import { Matrix, SingularValueDecomposition } from "ml-matrix";
import { ArgumentError } from "../util/errors.js";
import { stateTransitionMatrix, type Hmm } from "./hmm.js";

/** Singular values below this (relative to the largest, at least 1) count as zero. */
const NULL_TOLERANCE = 1e-10;

export function stationaryDistribution(hmm: Hmm): Float64Array {
  const S = hmm.nStates;
  if (S === 1) return Float64Array.of(1);
  const M = stateTransitionMatrix(hmm);
  const A = new Matrix(S, S);
  for (let i = 0; i < S; i++) for (let j = 0; j < S; j++) A.set(i, j, M[j * S + i] - (i === j ? 1 : 0));
  const svd = new SingularValueDecomposition(A, { computeLeftSingularVectors: false });
  const sv = svd.diagonal; // descending
  const scale = Math.max(1, sv[0]);
  const nullity = sv.filter((s) => s <= NULL_TOLERANCE * scale).length;
  if (nullity > 1) {
    throw new ArgumentError({
      fn: "stationaryDistribution",
      argument: `hmm (${hmm.name})`,
      received: `a hidden chain with ${nullity} closed communicating classes`,
      expected: "an irreducible chain with a unique stationary distribution",
      hint: "Give the process an explicit initial distribution instead (option 'initial').",
    });
  }
  const V = svd.rightSingularVectors;
  const pi = new Float64Array(S);
  let total = 0;
  for (let i = 0; i < S; i++) {
    pi[i] = V.get(i, S - 1);
    total += pi[i];
  }
  for (let i = 0; i < S; i++) {
    pi[i] /= total;
    // Clamp roundoff (-1e-17) so pi is a probability vector.
    if (pi[i] < 0) pi[i] = 0;
  }
  total = pi.reduce((a, b) => a + b, 0);
  for (let i = 0; i < S; i++) pi[i] /= total;
  return pi;
}
