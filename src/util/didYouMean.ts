/**
 * "Did you mean ...?" for a mistyped name: the nearest choice by edit
 * distance (case-insensitive), when it is close enough to be the likely
 * intent (at most a third of the name's length, and at least 1, apart).
 */

/** Edit distance of two strings: insertions, deletions, substitutions and swaps of neighbours ("h46" -> "h64") cost 1. */
export function editDistance(a: string, b: string): number {
  const d: number[][] = Array.from({ length: a.length + 1 }, (_, i) => Array.from({ length: b.length + 1 }, (_, j) => (i === 0 ? j : j === 0 ? i : 0)));
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      d[i][j] = Math.min(d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) d[i][j] = Math.min(d[i][j], d[i - 2][j - 2] + 1);
    }
  }
  return d[a.length][b.length];
}

/** The choice nearest `name` however far (case-insensitive; ties go to the first), with its distance; null when there are none. */
export function nearestChoice(name: string, choices: Iterable<string>): { readonly choice: string; readonly distance: number } | null {
  const lower = name.toLowerCase();
  let best: { choice: string; distance: number } | null = null;
  for (const c of choices) {
    const d = editDistance(lower, c.toLowerCase());
    if (best === null || d < best.distance) best = { choice: c, distance: d };
  }
  return best;
}

/** The choice nearest `name`, or null when none is close. */
export function nearestName(name: string, choices: Iterable<string>): string | null {
  const best = nearestChoice(name, choices);
  return best !== null && best.distance > 0 && best.distance <= Math.max(1, Math.floor(name.length / 3)) ? best.choice : null;
}

/** ` Did you mean "X"?` for the nearest choice, or "" (for an error's hint). */
export function didYouMean(name: unknown, choices: Iterable<string>): string {
  if (typeof name !== "string") return "";
  const near = nearestName(name, choices);
  return near === null ? "" : `Did you mean ${JSON.stringify(near)}?`;
}
