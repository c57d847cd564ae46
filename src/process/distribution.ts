/** Checks for a probability vector over hidden states given by a user (an initial belief). */
import { ArgumentError, describe } from "../util/errors.js";
import type { Hmm } from "./hmm.js";
import { stationaryDistribution } from "./stationary.js";

/** The user's initial distribution, validated, or the stationary one. */
export function initialDistribution(hmm: Hmm, initial: ArrayLike<number> | undefined, fn: string): Float64Array {
  if (initial === undefined) return stationaryDistribution(hmm);
  if (initial.length !== hmm.nStates) {
    throw new ArgumentError({ fn, argument: "initial", received: describe(initial), expected: `a distribution over ${hmm.nStates} states` });
  }
  let sum = 0;
  for (let i = 0; i < initial.length; i++) {
    const v = initial[i];
    if (!Number.isFinite(v) || v < 0) {
      throw new ArgumentError({ fn, argument: `initial[${i}]`, received: describe(v), expected: "a probability >= 0" });
    }
    sum += v;
  }
  if (Math.abs(sum - 1) > 1e-6) {
    throw new ArgumentError({ fn, argument: "initial", received: `entries summing to ${sum}`, expected: "entries summing to 1" });
  }
  return Float64Array.from(initial, (v) => v / sum);
}
