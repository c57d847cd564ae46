/**
 * Token frequency against rank (Zipf's law, f(r) ~ C r^-s): counts of each
 * token id in a sample, sorted, and the exponent s fitted by least squares
 * on log f against log r over the ranks whose count is at least `minCount`
 * (the tail of tokens seen once or twice is flat by construction and would
 * pull the slope). Ranks are rescaled by vocabulary for overlaying sizes:
 * rank * (reference vocabulary / this vocabulary), so rank r of a 1024-token
 * vocabulary sits where rank 4r of a 4096-token one does.
 */
import { ArgumentError, checkInteger } from "../../util/errors.js";

export interface ZipfFit {
  /** s in f ~ r^-s. */
  readonly exponent: number;
  /** log f at r = 1 of the fitted line (natural log). */
  readonly intercept: number;
  /** R^2 of the log-log fit. */
  readonly r2: number;
  /** Ranks 1..ranksFitted were fitted. */
  readonly ranksFitted: number;
}

export interface RankFrequency {
  readonly vocabSize: number;
  /** Tokens counted. */
  readonly tokens: number;
  /** Counts in decreasing order, zero counts dropped: [distinct tokens seen]. */
  readonly counts: Float64Array;
  /** Token ids in that order. */
  readonly ids: Int32Array;
  readonly fit: ZipfFit;
}

/** [vocabSize] how often each id occurs in `ids`. */
export function tokenCounts(ids: ArrayLike<number>, vocabSize: number): Float64Array {
  checkInteger("tokenCounts", "vocabSize", vocabSize, 1);
  const counts = new Float64Array(vocabSize);
  for (let k = 0; k < ids.length; k++) {
    const id = ids[k];
    if (!(id >= 0 && id < vocabSize)) throw new ArgumentError({ fn: "tokenCounts", argument: `ids[${k}]`, received: String(id), expected: `a token id in [0, ${vocabSize})` });
    counts[id]++;
  }
  return counts;
}

/** Least squares of log count on log rank over ranks 1..n with count >= minCount. */
export function fitZipf(sortedCounts: ArrayLike<number>, minCount = 5): ZipfFit {
  let n = 0;
  while (n < sortedCounts.length && sortedCounts[n] >= minCount) n++;
  if (n < 3) return { exponent: NaN, intercept: NaN, r2: NaN, ranksFitted: n };
  let sx = 0;
  let sy = 0;
  for (let r = 0; r < n; r++) {
    sx += Math.log(r + 1);
    sy += Math.log(sortedCounts[r]);
  }
  const mx = sx / n;
  const my = sy / n;
  let sxx = 0;
  let sxy = 0;
  let syy = 0;
  for (let r = 0; r < n; r++) {
    const dx = Math.log(r + 1) - mx;
    const dy = Math.log(sortedCounts[r]) - my;
    sxx += dx * dx;
    sxy += dx * dy;
    syy += dy * dy;
  }
  const slope = sxy / sxx;
  return { exponent: -slope, intercept: my - slope * mx, r2: syy > 0 ? (sxy * sxy) / (sxx * syy) : NaN, ranksFitted: n };
}

/** Rank-frequency of a token sample and its Zipf fit. */
export function rankFrequency(ids: ArrayLike<number>, vocabSize: number, minCount = 5): RankFrequency {
  const counts = tokenCounts(ids, vocabSize);
  const order = Array.from({ length: vocabSize }, (_, k) => k).filter((k) => counts[k] > 0);
  order.sort((a, b) => counts[b] - counts[a] || a - b);
  const sorted = Float64Array.from(order, (k) => counts[k]);
  return { vocabSize, tokens: ids.length, counts: sorted, ids: Int32Array.from(order), fit: fitZipf(sorted, minCount) };
}

/** Rank r of a `vocabSize` vocabulary on the axis of a `reference` one: r * reference / vocabSize. */
export function rescaledRank(rank: number, vocabSize: number, reference: number): number {
  return (rank * reference) / vocabSize;
}
