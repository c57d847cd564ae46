/**
 * The probe results as a fixed-width terminal table (demo and probe
 * commands), leading with each site's verdict: R^2 and belief KL of the
 * probe, the memory it is equivalent to (the smallest k whose joint lookup
 * on the last k tokens matches it), and its best control (the highest R^2),
 * then each site's verdict in words, the model's own KL and the
 * observability of beliefs. Site labels are printed whole (a cut label can
 * make two sites look alike).
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

/** "3 tokens", "3-4 tokens" (between), "> 6 tokens": the site's memory equivalent in a column. */
function memoryCell(s: SiteResult): string {
  const m = s.memory;
  if (m.undefinedReason) return "n/a";
  if (m.tokens === null) return `> ${m.largest} tokens`;
  if (m.below) return m.tokens === 1 ? "< 1 token" : `${m.tokens - 1}-${m.tokens} tokens`;
  return `${m.tokens} token${m.tokens === 1 ? "" : "s"}`;
}

export function probeTable(report: ProbeReport): string {
  const sites = report.sites;
  const w = Math.max(8, ...sites.map((s) => s.label.length));
  const header = `${"site".padEnd(w)}  ${"verdict".padEnd(15)}  ${"memory".padEnd(11)}    R^2  belief KL  observed R^2 | best control    R^2  belief KL`;
  const rows = sites.map((s) => {
    const best = bestControl(s);
    const control = best ? `${best[0].padEnd(11)} ${fixed(best[1].r2, 4, 7)} ${fixed(best[1].beliefKL, 5, 10)}` : "none";
    return `${s.label.padEnd(w)}  ${shortVerdict(s).padEnd(15)}  ${memoryCell(s).padEnd(11)}${fixed(s.r2, 4, 7)} ${fixed(s.beliefKL, 5, 10)} ${fixed(s.observedR2, 4, 13)} | ${control}`;
  });
  const obs = report.observability;
  const lookups = Object.entries(report.memory.lookups);
  const lines = [
    header,
    ...rows,
    "(every R^2 and belief KL here is held out: scored on sequences the probes and lookups were not fitted on)",
    "",
    "verdicts:",
    ...sites.map((s) => `  ${s.label}: ${s.statement}`),
    "",
    `memory: ${report.memory.rule}`,
    ...(lookups.length > 0
      ? [`  held-out R^2 / belief KL of the lookup on the last k tokens and position: ${lookups.map(([name, c]) => `${name.split("-")[0]}: ${fixed(c.r2, 4, 0)} / ${fixed(c.beliefKL, 5, 0)}`).join(", ")} (K = ${report.memory.largest})`]
      : ["  no lookup supported: too few training rows per context"]),
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
