/**
 * "Did you mean mess3?": the nearest valid name to a mistyped one, by edit
 * distance (insertions, deletions, substitutions and swaps of neighbours,
 * ignoring case), offered when it is close enough to be a typo.
 */
import { ArgumentError } from "../util/errors.js";

/** Optimal string alignment distance between a and b, case-insensitive. */
export function editDistance(a: string, b: string): number {
  const s = a.toLowerCase();
  const t = b.toLowerCase();
  const d: number[][] = Array.from({ length: s.length + 1 }, (_, i) => Array.from({ length: t.length + 1 }, (_, j) => (i === 0 ? j : j === 0 ? i : 0)));
  for (let i = 1; i <= s.length; i++) {
    for (let j = 1; j <= t.length; j++) {
      const cost = s[i - 1] === t[j - 1] ? 0 : 1;
      d[i][j] = Math.min(d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + cost);
      if (i > 1 && j > 1 && s[i - 1] === t[j - 2] && s[i - 2] === t[j - 1]) d[i][j] = Math.min(d[i][j], d[i - 2][j - 2] + 1);
    }
  }
  return d[s.length][t.length];
}

/** The candidate nearest to `typed`, if within a typo's reach (distance <= 2, and under half the name's length); ties go to the first. */
export function nearestName(typed: string, candidates: readonly string[]): string | undefined {
  let best: string | undefined;
  let bestDistance = Infinity;
  for (const c of candidates) {
    const d = editDistance(typed, c);
    if (d < bestDistance) {
      best = c;
      bestDistance = d;
    }
  }
  if (best === undefined || bestDistance === 0) return best;
  return bestDistance <= 2 && bestDistance < Math.max(typed.length, best.length) / 2 ? best : undefined;
}

/**
 * `err` again with "Did you mean X?" in front of its hint when it rejects
 * argument `argument` and a candidate is near `typed`; otherwise `err` itself.
 */
export function withNearestName(err: unknown, argument: string, typed: string, candidates: readonly string[]): unknown {
  if (!(err instanceof ArgumentError) || err.argument !== argument) return err;
  const near = nearestName(typed, candidates);
  if (near === undefined) return err;
  return new ArgumentError({ fn: err.fn, argument: err.argument, received: err.received, expected: err.expected, hint: `Did you mean ${near}?${err.hint ? ` ${err.hint}` : ""}` });
}
