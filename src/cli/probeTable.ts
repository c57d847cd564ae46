/** The probe results as a fixed-width terminal table (demo and probe commands). */
import type { SiteResult } from "../probe/beliefProbe.js";

const num = (v: number | undefined, width: number) => (v ?? NaN).toFixed(4).padStart(width);

export function probeTable(sites: readonly SiteResult[]): string {
  const w = Math.min(24, Math.max(10, ...sites.map((s) => s.label.length)));
  const rows = sites.map(
    (s) => `${s.label.slice(0, w).padEnd(w)} ${num(s.test.r2, 7)} ${num(s.test.rmse, 7)}  | ${num(s.shuffled?.r2, 12)} | ${num(s.untrained?.r2, 13)}`,
  );
  return [`${"site".padEnd(w)}     R^2    RMSE  | shuffled R^2 | untrained R^2`, ...rows].join("\n") + "\n";
}
