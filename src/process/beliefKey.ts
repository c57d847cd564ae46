/**
 * Beliefs equal within a tolerance share a key: each coordinate is rounded to
 * a multiple of the tolerance. (Two beliefs within the tolerance can straddle
 * a rounding boundary and keep separate keys; for exact repeats, as in finite
 * mixed-state presentations, the difference is ~1e-16 and this cannot happen
 * unless a coordinate sits exactly on a boundary.)
 */
export function beliefKey(belief: ArrayLike<number>, offset: number, nStates: number, tolerance: number): string {
  let key = "";
  for (let i = 0; i < nStates; i++) {
    if (i > 0) key += ",";
    key += Math.round(belief[offset + i] / tolerance);
  }
  return key;
}
