/** The belief before the first token: given by the caller, by the process (Hmm.initial), or stationary. */
import { ArgumentError, describe } from "../util/errors.js";
import { checkInitial, type Hmm } from "./hmm.js";
import { stationaryDistribution } from "./stationary.js";

/**
 * The caller's initial distribution, validated; else the process's own
 * `initial`; else the stationary distribution. For a generalized HMM a
 * caller's vector is any real vector with initial · r = 1.
 */
export function initialDistribution(hmm: Hmm, initial: ArrayLike<number> | undefined, fn: string): Float64Array {
  if (initial === undefined) return hmm.initial ? Float64Array.from(hmm.initial) : stationaryDistribution(hmm);
  if (hmm.generalized) return checkGeneralizedInitial(hmm, initial, fn);
  return checkInitial(fn, initial, hmm.nStates, 1e-6);
}

function checkGeneralizedInitial(hmm: Hmm, initial: ArrayLike<number>, fn: string): Float64Array {
  const v = checkInitialShape(fn, initial, hmm.nStates);
  const r = hmm.normalizer!;
  let z = 0;
  for (let i = 0; i < v.length; i++) z += v[i] * r[i];
  if (Math.abs(z - 1) > 1e-6) {
    throw new ArgumentError({ fn, argument: "initial", received: `a row vector with initial · r = ${z}`, expected: "initial · r = 1 for a generalized HMM (r = hmm.normalizer)" });
  }
  return v;
}

function checkInitialShape(fn: string, initial: ArrayLike<number>, n: number): Float64Array {
  if (initial.length !== n) throw new ArgumentError({ fn, argument: "initial", received: describe(initial), expected: `${n} numbers` });
  return Float64Array.from({ length: n }, (_, i) => {
    const x = initial[i];
    if (typeof x !== "number" || !Number.isFinite(x)) throw new ArgumentError({ fn, argument: `initial[${i}]`, received: describe(x), expected: "a finite number" });
    return x;
  });
}
