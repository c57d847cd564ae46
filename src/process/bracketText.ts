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
