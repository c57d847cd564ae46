/**
 * Line charts as SVG: several series on shared axes, each axis linear or
 * logarithmic (base 10, ticks at powers of ten), horizontal reference lines,
 * and a legend. Used for rank-frequency (log-log), explained-variance curves
 * and loss curves.
 */
import { FONT, round1 } from "./svg.js";
import { fitText, textAboveSvg, textBlockSvg, textWidth } from "./text.js";
import { linearTicks } from "./ticks.js";

export interface LineSeries {
  readonly label: string;
  readonly x: ArrayLike<number>;
  readonly y: ArrayLike<number>;
  readonly colour?: string;
  /** Draw markers at the points. Default false. */
  readonly points?: boolean;
  readonly dashed?: boolean;
}

export interface ReferenceLine {
  readonly y: number;
  readonly label: string;
  readonly colour?: string;
}

export interface LineChartOptions {
  readonly title?: string;
  readonly xLabel?: string;
  readonly yLabel?: string;
  readonly logX?: boolean;
  readonly logY?: boolean;
  readonly references?: readonly ReferenceLine[];
  readonly yDomain?: readonly [number, number];
  readonly width?: number;
  readonly height?: number;
}

export const SERIES_COLOURS = ["#1f77b4", "#d62728", "#2ca02c", "#9467bd", "#ff7f0e", "#8c564b", "#e377c2", "#17becf", "#7f7f7f", "#bcbd22"];

/** A log axis's tick label: a power of ten. */
function fmtPower(v: number): string {
  const a = Math.abs(v);
  if (a >= 1e4 || a < 1e-3) return v.toExponential(0);
  return String(Number(v.toPrecision(4)));
}

export function lineChartSvg(series: readonly LineSeries[], options: LineChartOptions = {}): string {
  const width = options.width ?? 640;
  const height = options.height ?? 400;
  const entries = [...(options.references ?? []).map((r) => r.label), ...series.map((s) => s.label)];
  // Two legend columns, one when a label would not fit half the width; each label fitted to its column.
  const legendColumns = entries.some((l) => textWidth(l, 11) + 30 > (width - 88) / 2) ? 1 : 2;
  const legendFits = entries.map((l) => fitText(l, (width - 88) / legendColumns - 30, 11));
  const legendRowHeights: number[] = [];
  legendFits.forEach((f, k) => {
    const r = Math.floor(k / legendColumns);
    legendRowHeights[r] = Math.max(legendRowHeights[r] ?? 0, f.height + 4);
  });
  const title = options.title ? fitText(options.title, width - 24, 15, { bold: true }) : undefined;
  const m = { left: 68, right: 20, top: title ? Math.ceil(8 + title.height + 10) : 20, bottom: 46 + legendRowHeights.reduce((a, b) => a + b, 0) };
  const w = width - m.left - m.right;
  const h = height - m.top - m.bottom;
  const tx = (v: number) => (options.logX ? Math.log10(v) : v);
  const ty = (v: number) => (options.logY ? Math.log10(v) : v);
  const ok = (x: number, y: number) => Number.isFinite(tx(x)) && Number.isFinite(ty(y));
  let x0 = Infinity;
  let x1 = -Infinity;
  let y0 = Infinity;
  let y1 = -Infinity;
  for (const s of series) {
    for (let k = 0; k < s.x.length; k++) {
      if (!ok(s.x[k], s.y[k])) continue;
      x0 = Math.min(x0, tx(s.x[k]));
      x1 = Math.max(x1, tx(s.x[k]));
      y0 = Math.min(y0, ty(s.y[k]));
      y1 = Math.max(y1, ty(s.y[k]));
    }
  }
  for (const r of options.references ?? []) if (Number.isFinite(ty(r.y))) (y0 = Math.min(y0, ty(r.y))), (y1 = Math.max(y1, ty(r.y)));
  if (!Number.isFinite(x0)) (x0 = 0), (x1 = 1), (y0 = 0), (y1 = 1);
  if (options.yDomain) [y0, y1] = [ty(options.yDomain[0]), ty(options.yDomain[1])];
  if (x1 === x0) x1 = x0 + 1;
  if (y1 === y0) (y0 -= 0.5), (y1 += 0.5);
  const padY = options.logY ? 0 : 0.04 * (y1 - y0);
  y0 -= padY;
  y1 += padY;
  const sx = (v: number) => round1(m.left + ((tx(v) - x0) / (x1 - x0)) * w);
  const sy = (v: number) => round1(m.top + h - ((Math.min(y1, Math.max(y0, ty(v))) - y0) / (y1 - y0)) * h);
  const parts: string[] = [];
  // Linear axes at round ticks (1, 2, 5 x 10^k); log axes at powers of ten.
  const powers = (a: number, b: number) => Array.from({ length: Math.max(0, Math.floor(b) - Math.ceil(a) + 1) }, (_, k) => 10 ** (Math.ceil(a) + k)).map((value) => ({ value, label: fmtPower(value) }));
  const xTicks = options.logX ? powers(x0, x1) : linearTicks(x0, x1, Math.max(2, Math.round(w / 90)));
  const yTicks = options.logY ? powers(y0, y1) : linearTicks(y0, y1, Math.max(2, Math.round(h / 50)));
  for (const t of yTicks) {
    parts.push(`<line x1="${m.left}" x2="${m.left + w}" y1="${sy(t.value)}" y2="${sy(t.value)}" stroke="#eeeeee"/>`);
    parts.push(`<text x="${m.left - 6}" y="${sy(t.value) + 4}" text-anchor="end" font-size="11" font-family="${FONT}">${t.label}</text>`);
  }
  for (const t of xTicks) {
    parts.push(`<line x1="${sx(t.value)}" x2="${sx(t.value)}" y1="${m.top}" y2="${m.top + h}" stroke="#f3f3f3"/>`);
    parts.push(`<text x="${sx(t.value)}" y="${m.top + h + 16}" text-anchor="middle" font-size="11" font-family="${FONT}">${t.label}</text>`);
  }
  const legend: { label: string; colour: string; dashed: boolean }[] = [];
  (options.references ?? []).forEach((r, k) => {
    const colour = r.colour ?? "#555555";
    parts.push(`<line x1="${m.left}" x2="${m.left + w}" y1="${sy(r.y)}" y2="${sy(r.y)}" stroke="${colour}" stroke-dasharray="5,4"/>`);
    legend.push({ label: r.label, colour, dashed: true });
    void k;
  });
  series.forEach((s, idx) => {
    const colour = s.colour ?? SERIES_COLOURS[idx % SERIES_COLOURS.length];
    const pts: string[] = [];
    for (let k = 0; k < s.x.length; k++) if (ok(s.x[k], s.y[k])) pts.push(`${sx(s.x[k])},${sy(s.y[k])}`);
    if (pts.length > 1) parts.push(`<path d="M${pts.join(" L")}" fill="none" stroke="${colour}" stroke-width="1.6"${s.dashed ? ' stroke-dasharray="6,3"' : ""}/>`);
    if (s.points || pts.length === 1) for (const p of pts) parts.push(`<circle cx="${p.split(",")[0]}" cy="${p.split(",")[1]}" r="2.5" fill="${colour}"/>`);
    legend.push({ label: s.label, colour, dashed: s.dashed === true });
  });
  legend.forEach((l, idx) => {
    const row = Math.floor(idx / legendColumns);
    const rowTop = m.top + h + 40 + legendRowHeights.slice(0, row).reduce((a, b) => a + b, 0);
    const lx = m.left + (idx % legendColumns) * (w / legendColumns);
    const ly = round1(rowTop + 5);
    parts.push(`<line x1="${lx}" x2="${lx + 18}" y1="${ly}" y2="${ly}" stroke="${l.colour}" stroke-width="2"${l.dashed ? ' stroke-dasharray="5,3"' : ""}/>`);
    parts.push(textBlockSvg(legendFits[idx], lx + 24, rowTop, { anchor: "start" }).svg);
  });
  const cy = round1(m.top + h / 2);
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}">`,
    `<rect width="${width}" height="${height}" fill="#ffffff"/>`,
    title ? textBlockSvg(title, width / 2, 8).svg : "",
    `<rect x="${m.left}" y="${m.top}" width="${w}" height="${h}" fill="none" stroke="#999999"/>`,
    ...parts,
    options.xLabel ? textAboveSvg(fitText(options.xLabel, w, 12, { maxLines: 1 }), m.left + w / 2, m.top + h + 35) : "",
    options.yLabel ? textAboveSvg(fitText(options.yLabel, h, 12, { maxLines: 1 }), 16, cy + 4, { extra: `transform="rotate(-90 16 ${cy})"` }) : "",
    `</svg>`,
    "",
  ].join("\n");
}
