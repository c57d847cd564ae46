/**
 * The probe results as a fixed-width terminal table (demo and probe
 * commands), leading with each site's verdict: R^2 and belief KL of the
 * probe, and those of its best control (the highest R^2), then the controls
 * a site did not beat, the model's own KL and the observability of beliefs.
 */
import type { ControlResult, ProbeReport, SiteResult } from "../probe/beliefProbe.js";

const fixed = (v: number | null | undefined, digits: number, width: number) => (v === null || v === undefined || !Number.isFinite(v) ? "n/a" : v.toFixed(digits)).padStart(width);

function shortVerdict(s: SiteResult): string {
  const v = s.verdict.verdict;
  if (v.startsWith("undefined")) return "undefined";
  return s.verdict.beyondControls ? "beyond controls" : "not beyond";
}

/** The control with the highest R^2 (then the lowest belief KL). */
function bestControl(s: SiteResult): [string, ControlResult] | undefined {
  const entries = Object.entries(s.controls).filter((e): e is [string, ControlResult] => e[1] !== undefined);
  entries.sort((a, b) => (b[1].r2 ?? -Infinity) - (a[1].r2 ?? -Infinity) || a[1].beliefKL - b[1].beliefKL);
  return entries[0];
}

export function probeTable(report: ProbeReport): string {
  const sites = report.sites;
  const w = Math.min(24, Math.max(8, ...sites.map((s) => s.label.length)));
  const header = `${"site".padEnd(w)}  ${"verdict".padEnd(15)}     R^2  belief KL  observed R^2 | best control    R^2  belief KL`;
  const rows = sites.map((s) => {
    const best = bestControl(s);
    const control = best ? `${best[0].padEnd(11)} ${fixed(best[1].r2, 4, 7)} ${fixed(best[1].beliefKL, 5, 10)}` : "none";
    return `${s.label.slice(0, w).padEnd(w)}  ${shortVerdict(s).padEnd(15)} ${fixed(s.r2, 4, 7)} ${fixed(s.beliefKL, 5, 10)} ${fixed(s.observedR2, 4, 13)} | ${control}`;
  });
  const notes = sites.filter((s) => !s.verdict.beyondControls).map((s) => `  ${s.label}: ${s.verdict.verdict}`);
  const obs = report.observability;
  const lines = [
    header,
    ...rows,
    ...(notes.length > 0 ? ["", "not beyond controls:", ...notes] : []),
    "",
    `belief KL: mean KL(optimal next token || next token implied by the probed belief), nats; the model's own next-token KL to optimal: ${fixed(report.modelKL, 5, 0)}`,
    `observed R^2: on the ${obs.observedRank} of ${report.nStates - 1} belief directions the next ${obs.horizon} tokens observe (singular values ${Array.from(obs.singularValues, (v) => v.toPrecision(3)).join(", ") || "none"})`,
    `verdict: ${report.verdictRule}`,
    ...Object.entries(report.references).map(
      ([name, c]) => `for context (not a control): a lookup table on the last tokens and position (${name}) reaches R^2 ${fixed(c.r2, 4, 0)}, belief KL ${fixed(c.beliefKL, 5, 0)}`,
    ),
  ];
  return lines.join("\n") + "\n";
}
