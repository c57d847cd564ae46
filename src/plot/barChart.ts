/**
 * Horizontal bar charts as SVG: one bar per item (e.g. heads ranked by how
 * fixed their attention pattern is, or losses side by side), or groups of
 * bars (a probe's R^2 beside each control's). Values print at the bar ends.
 */
import { escapeXml, FONT, round1 } from "./svg.js";
import { SERIES_COLOURS } from "./lineChart.js";

export interface BarGroup {
  readonly label: string;
  /** One value per series (NaN: no bar). */
  readonly values: readonly number[];
}

export interface BarChartOptions {
  readonly title?: string;
  /** Names of the bars within a group (a legend when there are several). */
  readonly series?: readonly string[];
  readonly valueLabel?: string;
  /** Value axis range; default [min(0, min), max]. */
  readonly domain?: readonly [number, number];
  readonly colours?: readonly string[];
  /** Digits printed after each bar. Default 3. */
  readonly digits?: number;
  readonly width?: number;
}

export function barChartSvg(groups: readonly BarGroup[], options: BarChartOptions = {}): string {
  const nSeries = Math.max(1, ...groups.map((g) => g.values.length));
  const bar = nSeries === 1 ? 16 : 11;
  const groupGap = nSeries === 1 ? 5 : 10;
  const labelWidth = Math.min(240, 12 + 6.6 * Math.max(4, ...groups.map((g) => g.label.length)));
  const width = options.width ?? 680;
  const legend = nSeries > 1 && options.series ? Math.ceil(options.series.length / 3) : 0;
  const m = { left: labelWidth, right: 70, top: 44 + 16 * legend, bottom: 40 };
  const w = width - m.left - m.right;
  const groupHeight = nSeries * bar + groupGap;
  const height = m.top + groups.length * groupHeight + m.bottom;
  const all = groups.flatMap((g) => g.values.filter(Number.isFinite));
  const [lo, hi] = options.domain ?? [Math.min(0, ...all), Math.max(1e-12, ...all)];
  const sx = (v: number) => round1(m.left + ((Math.min(hi, Math.max(lo, v)) - lo) / (hi - lo || 1)) * w);
  const colours = options.colours ?? SERIES_COLOURS;
  const digits = options.digits ?? 3;
  const parts: string[] = [];
  groups.forEach((g, i) => {
    const y0 = m.top + i * groupHeight;
    parts.push(`<text x="${m.left - 6}" y="${round1(y0 + (nSeries * bar) / 2 + 4)}" text-anchor="end" font-size="11" font-family="${FONT}">${escapeXml(g.label)}</text>`);
    g.values.forEach((v, s) => {
      if (!Number.isFinite(v)) return;
      const a = sx(Math.max(lo, Math.min(0, hi)));
      const b = sx(v);
      const y = round1(y0 + s * bar);
      parts.push(`<rect x="${Math.min(a, b)}" y="${y}" width="${round1(Math.max(0.5, Math.abs(b - a)))}" height="${bar - 2}" fill="${colours[s % colours.length]}"/>`);
      parts.push(`<text x="${round1(Math.max(a, b) + 4)}" y="${round1(y + bar - 4)}" font-size="10" font-family="${FONT}">${v.toFixed(digits)}</text>`);
    });
  });
  if (lo < 0 && hi > 0) parts.push(`<line x1="${sx(0)}" x2="${sx(0)}" y1="${m.top - 4}" y2="${height - m.bottom}" stroke="#444444"/>`);
  if (nSeries > 1 && options.series) {
    options.series.forEach((name, s) => {
      const lx = m.left + (s % 3) * (w / 3);
      const ly = 42 + 16 * Math.floor(s / 3);
      parts.push(`<rect x="${round1(lx)}" y="${ly - 9}" width="12" height="10" fill="${colours[s % colours.length]}"/>`);
      parts.push(`<text x="${round1(lx + 16)}" y="${ly}" font-size="11" font-family="${FONT}">${escapeXml(name)}</text>`);
    });
  }
  const axisY = height - m.bottom + 6;
  for (let k = 0; k <= 4; k++) {
    const v = lo + ((hi - lo) * k) / 4;
    parts.push(`<text x="${sx(v)}" y="${axisY + 12}" text-anchor="middle" font-size="10" font-family="${FONT}">${Number(v.toPrecision(3))}</text>`);
  }
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}">`,
    `<rect width="${width}" height="${height}" fill="#ffffff"/>`,
    options.title ? `<text x="${width / 2}" y="22" text-anchor="middle" font-size="14" font-weight="bold" font-family="${FONT}">${escapeXml(options.title)}</text>` : "",
    ...parts,
    `<line x1="${m.left}" x2="${m.left + w}" y1="${axisY}" y2="${axisY}" stroke="#999999"/>`,
    options.valueLabel ? `<text x="${m.left + w / 2}" y="${height - 6}" text-anchor="middle" font-size="12" font-family="${FONT}">${escapeXml(options.valueLabel)}</text>` : "",
    `</svg>`,
    "",
  ].join("\n");
}
