/**
 * Line charts as SVG: several series on shared axes, each axis linear or
 * logarithmic (base 10, ticks at powers of ten), horizontal reference lines,
 * and a legend. Used for rank-frequency (log-log), explained-variance curves
 * and loss curves.
 */
import { escapeXml, FONT, round1 } from "./svg.js";

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

function niceTicks(lo: number, hi: number, count = 5): number[] {
  if (!(hi > lo)) return [lo];
  const step0 = (hi - lo) / count;
  const mag = 10 ** Math.floor(Math.log10(step0));
  const step = [1, 2, 2.5, 5, 10].map((f) => f * mag).find((s) => s >= step0) ?? 10 * mag;
  const out: number[] = [];
  for (let v = Math.ceil(lo / step) * step; v <= hi + 1e-12 * step; v += step) out.push(Math.round(v / step) * step);
  return out;
}

function fmt(v: number): string {
  if (v === 0) return "0";
  const a = Math.abs(v);
  if (a >= 1e4 || a < 1e-3) return v.toExponential(0);
  return String(Number(v.toPrecision(4)));
}

export function lineChartSvg(series: readonly LineSeries[], options: LineChartOptions = {}): string {
  const width = options.width ?? 640;
  const height = options.height ?? 400;
  const entries = [...series.map((s) => s.label), ...(options.references ?? []).map((r) => r.label)];
  // Two legend columns, one when a label would not fit half the width.
  const legendColumns = entries.some((l) => l.length * 6.2 + 30 > (width - 88) / 2) ? 1 : 2;
  const legendRows = Math.ceil(entries.length / legendColumns);
  const m = { left: 68, right: 20, top: 40, bottom: 50 + 16 * legendRows };
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
  const xTicks = options.logX ? Array.from({ length: Math.floor(x1) - Math.ceil(x0) + 1 }, (_, k) => 10 ** (Math.ceil(x0) + k)) : niceTicks(x0, x1);
  const yTicks = options.logY ? Array.from({ length: Math.floor(y1) - Math.ceil(y0) + 1 }, (_, k) => 10 ** (Math.ceil(y0) + k)) : niceTicks(y0, y1);
  for (const v of yTicks) {
    parts.push(`<line x1="${m.left}" x2="${m.left + w}" y1="${sy(v)}" y2="${sy(v)}" stroke="#eeeeee"/>`);
    parts.push(`<text x="${m.left - 6}" y="${sy(v) + 4}" text-anchor="end" font-size="11" font-family="${FONT}">${fmt(v)}</text>`);
  }
  for (const v of xTicks) {
    parts.push(`<line x1="${sx(v)}" x2="${sx(v)}" y1="${m.top}" y2="${m.top + h}" stroke="#f3f3f3"/>`);
    parts.push(`<text x="${sx(v)}" y="${m.top + h + 16}" text-anchor="middle" font-size="11" font-family="${FONT}">${fmt(v)}</text>`);
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
    const ly = m.top + h + 40 + 16 * Math.floor(idx / legendColumns);
    const lx = m.left + (idx % legendColumns) * (w / 2);
    parts.push(`<line x1="${lx}" x2="${lx + 18}" y1="${ly}" y2="${ly}" stroke="${l.colour}" stroke-width="2"${l.dashed ? ' stroke-dasharray="5,3"' : ""}/>`);
    parts.push(`<text x="${lx + 24}" y="${ly + 4}" font-size="11" font-family="${FONT}">${escapeXml(l.label)}</text>`);
  });
  const cy = round1(m.top + h / 2);
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}">`,
    `<rect width="${width}" height="${height}" fill="#ffffff"/>`,
    options.title ? `<text x="${width / 2}" y="24" text-anchor="middle" font-size="15" font-weight="bold" font-family="${FONT}">${escapeXml(options.title)}</text>` : "",
    `<rect x="${m.left}" y="${m.top}" width="${w}" height="${h}" fill="none" stroke="#999999"/>`,
    ...parts,
    options.xLabel ? `<text x="${m.left + w / 2}" y="${m.top + h + 32}" text-anchor="middle" font-size="12" font-family="${FONT}">${escapeXml(options.xLabel)}</text>` : "",
    options.yLabel ? `<text x="16" y="${cy}" text-anchor="middle" font-size="12" font-family="${FONT}" transform="rotate(-90 16 ${cy})">${escapeXml(options.yLabel)}</text>` : "",
    `</svg>`,
    "",
  ].join("\n");
}
