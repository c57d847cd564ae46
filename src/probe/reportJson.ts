/**
 * A ProbeReport as plain JSON (for report.json / probes.json): per site the
 * label, hooks, features, R^2, RMSE, belief KL, the model's KL, R^2 on the
 * well-observed subspace, every control's scores, and the verdict with each
 * comparison's bootstrap interval, and the memory the site is equivalent to
 * (`memoryTokens`: the smallest k whose joint lookup on the last k tokens
 * matches the probe, or null with `memoryTokensAbove` = K when none up to K
 * does, or null with `memoryUndefined` when there is no equivalent: no
 * lookup supported or the probe's R^2 undefined; memory.ts). Numbers keep 6 significant digits; undefined R^2 is null
 * beside its reason.
 */
import type { ControlResult, ProbeReport } from "./beliefProbe.js";
import type { ControlComparison, Interval } from "./verdict.js";

/** 6 significant digits, as a number (null stays null). */
function round(v: number | null | undefined): number | null {
  if (v === null || v === undefined || !Number.isFinite(v)) return null;
  return Number(v.toPrecision(6));
}

function interval(i: Interval | null) {
  return i && { estimate: round(i.estimate), lower: round(i.lower), upper: round(i.upper) };
}

function control(c: ControlResult) {
  return {
    r2: round(c.r2),
    ...(c.r2Undefined ? { r2Undefined: c.r2Undefined } : {}),
    rmse: round(c.rmse),
    beliefKL: round(c.beliefKL),
    observedR2: round(c.observedR2),
    features: c.features,
  };
}

function comparison(c: ControlComparison) {
  return { control: c.control, r2Gain: interval(c.r2Gain), beliefKLGain: interval(c.klGain), beatsR2: c.beatsR2, beatsBeliefKL: c.beatsKL };
}

export function probeReportJson(report: ProbeReport) {
  const obs = report.observability;
  return {
    process: report.process,
    sequences: report.sequences,
    nPos: report.nPos,
    trainRows: report.trainRows,
    testRows: report.testRows,
    nStates: report.nStates,
    modelKL: round(report.modelKL),
    verdictRule: report.verdictRule,
    fitResamples: report.fitResamples,
    memoryRule: report.memory.rule,
    memoryLargest: report.memory.largest,
    memoryLookups: Object.fromEntries(Object.entries(report.memory.lookups).map(([name, c]) => [name, control(c)])),
    warnings: report.warnings.map((w) => w.message),
    kgramEncoding: report.kgramEncoding,
    references: Object.fromEntries(Object.entries(report.references).map(([name, c]) => [name, control(c)])),
    referencesSkipped: [...report.referencesSkipped],
    observability: {
      horizon: obs.horizon,
      words: obs.words,
      singularValues: Array.from(obs.singularValues, (v) => round(v)),
      threshold: obs.threshold,
      observedRank: obs.observedRank,
    },
    sites: report.sites.map((s) => ({
      label: s.label,
      hooks: [...s.hooks],
      features: s.features,
      rank: s.rank,
      verdict: s.verdict.verdict,
      statement: s.statement,
      memoryTokens: s.memory.tokens,
      ...(s.memory.tokens === null ? (s.memory.undefinedReason ? { memoryUndefined: s.memory.undefinedReason } : { memoryTokensAbove: s.memory.largest }) : {}),
      memoryBetween: s.memory.below,
      memoryComparisons: s.memory.comparisons.map(comparison),
      r2: round(s.r2),
      ...(s.r2Undefined ? { r2Undefined: s.r2Undefined } : {}),
      rmse: round(s.rmse),
      beliefKL: round(s.beliefKL),
      modelKL: round(s.modelKL),
      observedR2: round(s.observedR2),
      ...(s.observedR2Undefined ? { observedR2Undefined: s.observedR2Undefined } : {}),
      trainR2: round(s.train.r2),
      controls: Object.fromEntries(Object.entries(s.controls).map(([name, c]) => [name, control(c!)])),
      comparisons: s.verdict.comparisons.map(comparison),
    })),
    seconds: round(report.seconds),
  };
}
