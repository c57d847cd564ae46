/** Printing a certified bracket without breaking its guarantee. */

/** The ends of [lo, hi] with `decimals` digits, rounded outward so the printed bracket still contains the value. */
export function outwardBracket(lo: number, hi: number, decimals = 10): [string, string] {
  const s = 10 ** decimals;
  return [(Math.floor(lo * s) / s).toFixed(decimals), (Math.ceil(hi * s) / s).toFixed(decimals)];
}

/**
 * The point estimate to print: the value every number in [lo, hi] rounds to,
 * with as many decimals (up to 8) as allows; none when the bracket is wider
 * than the printed precision (no common rounding at 2 decimals).
 */
export function commonRounding(lo: number, hi: number): string | undefined {
  for (let d = 8; d >= 2; d--) {
    if (lo.toFixed(d) === hi.toFixed(d)) return lo.toFixed(d);
  }
  return undefined;
}

/**
 * `v` with `decimals` digits, or more (up to 10) where that rounding would
 * print it below `floor`: a value proven >= a printed lower bound never
 * reads as below it. Monotone: a non-increasing sequence prints non-increasing.
 */
export function valueAtLeast(v: number, floor: number, decimals = 4): string {
  for (let d = decimals; d < 10; d++) {
    const text = v.toFixed(d);
    if (!(Number(text) < floor)) return text;
  }
  return v.toFixed(10);
}
