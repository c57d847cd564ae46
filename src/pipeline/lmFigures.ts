/**
 * The figures of a language-model analysis, from its numbers (lmAnalysis.ts):
 * pure functions from results to SVG strings.
 */
import type { RankFrequency } from "../language/analysis/zipf.js";
import { rescaledRank } from "../language/analysis/zipf.js";
import type { OvMatrix, PatternStats } from "../language/analysis/heads.js";
import type { GrammarFactor } from "../language/analysis/grammarFactors.js";
import type { ProbeReport } from "../probe/beliefProbe.js";
import { barChartSvg, type BarGroup } from "../plot/barChart.js";
import { heatmapSvg } from "../plot/heatmap.js";
import { lineChartSvg, type LineSeries, type ReferenceLine } from "../plot/lineChart.js";
import { scatterGridSvg, type ScatterPanel } from "../plot/scatterGrid.js";
import { spectrumSvg } from "../plot/spectrum.js";
import type { StepMetrics } from "../train/trainer.js";

/** Frequency against rank, log-log, one line per vocabulary, ranks rescaled to the largest vocabulary. */
export function zipfFigure(sizes: readonly RankFrequency[]): string {
  const reference = Math.max(...sizes.map((s) => s.vocabSize));
  const series: LineSeries[] = sizes.map((s) => ({
    label: `vocab ${s.vocabSize}: Zipf exponent ${Number.isFinite(s.fit.exponent) ? s.fit.exponent.toFixed(3) : "n/a"} (ranks 1..${s.fit.ranksFitted})`,
    x: Float64Array.from(s.counts, (_, r) => rescaledRank(r + 1, s.vocabSize, reference)),
    y: Float64Array.from(s.counts, (c) => c / s.tokens),
  }));
  return lineChartSvg(series, {
    title: "Token frequency against rank",
    xLabel: `rank x ${reference} / vocabulary size (log)`,
    yLabel: "frequency (log)",
    logX: true,
    logY: true,
  });
}

export function embeddingSimilarityFigure(sim: Float64Array, n: number, vocab: number): string {
  return heatmapSvg([{ rows: n, cols: n, values: sim }], {
    title: `Cosine similarity of token embeddings (the ${n} most frequent of ${vocab} tokens)`,
    scale: "diverging",
    domain: [-1, 1],
    maxCells: 256,
    panelSize: 420,
    xLabel: "token (by frequency rank)",
    yLabel: "token (by frequency rank)",
    valueLabel: "cosine",
  });
}

export function embeddingBlocksFigure(blocks: Float64Array, k: number, n: number): string {
  return heatmapSvg([{ rows: k, cols: k, values: blocks }], {
    title: `Mean cosine similarity between ${k} frequency bands of ${n} tokens (diagonal excluded)`,
    scale: "diverging",
    cellText: true,
    panelSize: 380,
    xLabel: "frequency band (most frequent first)",
    yLabel: "frequency band",
    valueLabel: "mean cosine",
  });
}

export function ovCircuitFigure(circuits: readonly OvMatrix[], dModel: number): string {
  return heatmapSvg(
    circuits.map((c) => ({ title: `L${c.layer}H${c.head}  |W_OV| ${c.norm.toFixed(2)}`, rows: dModel, cols: dModel, values: c.matrix })),
    // Many wide heads: coarser panels keep the file small.
    { title: "OV circuits W_V W_O per head [d_model, d_model]", scale: "diverging", columns: Math.min(8, Math.max(...circuits.map((c) => c.head)) + 1), valueLabel: "weight", maxCells: circuits.length > 16 ? 48 : 128 },
  );
}

export function ovSpectrumFigure(circuits: readonly OvMatrix[], dHead: number): string {
  return spectrumSvg(
    circuits.map((c) => ({ label: `L${c.layer}H${c.head} (largest ${c.singularValues[0].toPrecision(3)})`, values: c.singularValues })),
    { title: "Singular values of each head's OV circuit (relative to its largest)", maxValues: Math.min(dHead + 2, 32), cutAfter: dHead, cutLabel: `d_head = ${dHead}` },
  );
}

export function attentionFigure(stats: readonly PatternStats[], maxPos = 64): string {
  const panels = stats.flatMap((s, l) =>
    Array.from({ length: s.heads }, (_, h) => {
      const P = Math.min(s.nPos, maxPos);
      const values = new Float64Array(P * P);
      for (let q = 0; q < P; q++) for (let k = 0; k < P; k++) values[q * P + k] = k <= q ? s.mean[(h * s.nPos + q) * s.nPos + k] : NaN;
      return { title: `L${l}H${h}  fixed ${s.fixedness[h].toFixed(2)}`, rows: P, cols: P, values };
    }),
  );
  // Averaged patterns are diffuse (1 / (q + 1) for a uniform head): a square-root scale up to the 99th percentile shows them.
  const all = panels.flatMap((p) => Array.from(p.values).filter(Number.isFinite)).sort((x, y) => x - y);
  const top = all.length > 0 ? all[Math.min(all.length - 1, Math.floor(0.99 * all.length))] : 1;
  return heatmapSvg(panels, {
    title: `Attention patterns averaged over ${stats[0]?.inputs ?? 0} windows${(stats[0]?.nPos ?? 0) > maxPos ? ` (first ${maxPos} positions)` : ""} (square-root colour scale)`,
    scale: "sequential",
    domain: [0, top > 0 ? top : 1],
    gamma: 0.5,
    columns: Math.min(8, stats[0]?.heads ?? 1),
    xLabel: "key position",
    yLabel: "query position",
    valueLabel: "attention",
  });
}

export function fixednessFigure(ranked: readonly { label: string; fixedness: number }[]): string {
  return barChartSvg(
    ranked.map((r) => ({ label: r.label, values: [r.fixedness] })),
    { title: "Heads ranked by how fixed their pattern is across inputs", valueLabel: "fraction of pattern variance explained by the mean pattern", domain: [0, 1] },
  );
}

export function pcaVarianceFigure(curves: readonly { label: string; explained: Float64Array }[], maxComponents = 32): string {
  return lineChartSvg(
    curves.map((c) => {
      const n = Math.min(maxComponents, c.explained.length);
      let acc = 0;
      return { label: c.label, x: Float64Array.from({ length: n }, (_, k) => k + 1), y: Float64Array.from({ length: n }, (_, k) => (acc += c.explained[k])), points: true };
    }),
    { title: "Residual stream: cumulative explained variance", xLabel: "principal components", yLabel: "fraction of variance", yDomain: [0, 1] },
  );
}

export function pcaScatterFigure(panels: readonly ScatterPanel[], classes: readonly string[], what: string): string {
  return scatterGridSvg(panels, { title: `Residual stream on its first two principal components, coloured by ${what}`, classes });
}

/** The first three principal components as three pairwise planes (PC1-PC2, PC1-PC3, PC2-PC3), one row per layer. */
export function pca3dFigure(panels: readonly ScatterPanel[], classes: readonly string[], what: string): string {
  return scatterGridSvg(panels, { title: `Residual stream, principal components 1-3 in pairwise planes, by ${what}`, classes, columns: 3, panelSize: 220 });
}

/**
 * Probes to each factor of the grammar's hidden state beside the full belief, at one site: one group per
 * target (the full 160-state belief, then slot, phase, character, mood), the probe's held-out R² beside
 * every control's (* beyond controls at that site).
 */
export function grammarFactorFigure(factors: readonly { factor: GrammarFactor; values: readonly string[]; report: ProbeReport }[], full: ProbeReport, site: string): string {
  const targets = [{ label: `full state (${full.nStates} states)`, report: full }, ...factors.map((f) => ({ label: `${f.factor} (${f.values.length} values)`, report: f.report }))];
  const controls = ["shuffled", "untrained", ...Object.keys(full.kgram)].filter((c) => targets.some((t) => t.report.sites.some((s) => c in s.controls)));
  const groups = targets.map((t) => {
    const s = t.report.sites.find((x) => x.label === site) ?? t.report.sites[t.report.sites.length - 1];
    return { label: `${t.label}${s.verdict.beyondControls ? " *" : ""}`, values: [s.r2 ?? NaN, ...controls.map((c) => s.controls[c as keyof typeof s.controls]?.r2 ?? NaN)] };
  });
  return barChartSvg(groups, {
    title: `Probes at ${site} to the grammar's hidden state, factor by factor (* beyond controls)`,
    series: ["probe", ...controls],
    valueLabel: "held-out R² of the factor's exact marginal belief",
    domain: [Math.min(0, ...groups.flatMap((g) => g.values.filter(Number.isFinite))), 1],
  });
}

/** `lossName` says what the loss is ("held-out loss" only when the windows were held out: lossLabel in lmAnalysis.ts). */
export function lossComparisonFigure(entries: readonly { label: string; loss: number }[], lossName = "held-out loss"): string {
  const groups: BarGroup[] = entries.map((e) => ({ label: e.label, values: [e.loss] }));
  const title = `${lossName.charAt(0).toUpperCase()}${lossName.slice(1)} on the same windows`;
  return barChartSvg(groups, { title, valueLabel: "cross-entropy (nats per token)", digits: 4 });
}

export function probeFigure(report: ProbeReport, title: string): string {
  const controls = ["shuffled", "untrained", ...Object.keys(report.kgram)].filter((c) => report.sites.some((s) => c in s.controls));
  const groups = report.sites.map((s) => ({ label: `${s.label}${s.verdict.beyondControls ? " *" : ""}`, values: [s.r2 ?? NaN, ...controls.map((c) => s.controls[c as keyof typeof s.controls]?.r2 ?? NaN)] }));
  return barChartSvg(groups, { title: `${title} (* beyond controls)`, series: ["probe", ...controls], valueLabel: "held-out R²", domain: [Math.min(0, ...groups.flatMap((g) => g.values.filter(Number.isFinite))), 1] });
}

/** Training loss (mean of every `window` steps) and validation loss against step, with reference losses. */
export function lmLossCurveFigure(metrics: readonly StepMetrics[], references: readonly ReferenceLine[]): string {
  const window = Math.max(1, Math.round(metrics.length / 100));
  const xs: number[] = [];
  const ys: number[] = [];
  for (let i = 0; i < metrics.length; i += window) {
    const chunk = metrics.slice(i, i + window);
    xs.push(chunk[chunk.length - 1].step);
    ys.push(chunk.reduce((a, m) => a + m.loss, 0) / chunk.length);
  }
  const val = metrics.filter((m) => m.validation && Number.isFinite(m.validation.loss));
  const series: LineSeries[] = [{ label: `training loss${window > 1 ? ` (mean of ${window} steps)` : ""}`, x: xs, y: ys }];
  if (val.length > 0) series.push({ label: "validation loss (held out)", x: val.map((m) => m.step), y: val.map((m) => m.validation!.loss), points: true });
  return lineChartSvg(series, { title: "Language model loss", xLabel: "step", yLabel: "cross-entropy (nats per token)", references });
}
