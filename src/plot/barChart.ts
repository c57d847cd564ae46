/**
 * Horizontal bar charts as SVG: one bar per item (e.g. heads ranked by how
 * fixed their attention pattern is, or losses side by side), or groups of
 * bars (a probe's R^2 beside each control's). Values print at the bar ends.
 */
import { FONT, round1 } from "./svg.js";
import { fitText, textAboveSvg, textBlockSvg, textLinesSvg, textWidth } from "./text.js";
import { linearTicks } from "./ticks.js";
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
  const labelWidth = Math.min(240, 12 + Math.max(textWidth("abcd", 11), ...groups.map((g) => textWidth(g.label, 11))));
  const width = options.width ?? 680;
  const title = options.title ? fitText(options.title, width - 24, 14, { bold: true }) : undefined;
  const titleBottom = title ? 8 + title.height : 8;
  const seriesFits = nSeries > 1 && options.series ? options.series.map((name) => fitText(name, (width - labelWidth - 70) / 3 - 20, 11)) : [];
  const legendRows = Math.ceil(seriesFits.length / 3);
  const legendRowHeight = Math.max(12, ...seriesFits.map((f) => f.height + 4));
  const m = { left: labelWidth, right: 70, top: Math.ceil(titleBottom + 10 + legendRows * legendRowHeight), bottom: 40 };
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
    // Labels longer than the label column shrink (one line: the bars are close together).
    const f = fitText(g.label, labelWidth - 10, 11, { maxLines: 1 });
    parts.push(textLinesSvg(f, m.left - 6, round1(y0 + (nSeries * bar) / 2 + 0.36 * f.size), { anchor: "end" }));
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
    options.series.forEach((_, s) => {
      const lx = m.left + (s % 3) * (w / 3);
      const ly = titleBottom + 8 + legendRowHeight * Math.floor(s / 3);
      parts.push(`<rect x="${round1(lx)}" y="${round1(ly)}" width="12" height="10" fill="${colours[s % colours.length]}"/>`);
      parts.push(textBlockSvg(seriesFits[s], lx + 16, ly, { anchor: "start" }).svg);
    });
  }
  const axisY = height - m.bottom + 6;
  for (const t of linearTicks(lo, hi, 5)) {
    parts.push(`<line x1="${sx(t.value)}" x2="${sx(t.value)}" y1="${axisY}" y2="${axisY + 3}" stroke="#999999"/>`);
    parts.push(`<text x="${sx(t.value)}" y="${axisY + 13}" text-anchor="middle" font-size="10" font-family="${FONT}">${t.label}</text>`);
  }
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}">`,
    `<rect width="${width}" height="${height}" fill="#ffffff"/>`,
    title ? textBlockSvg(title, width / 2, 8).svg : "",
    ...parts,
    `<line x1="${m.left}" x2="${m.left + w}" y1="${axisY}" y2="${axisY}" stroke="#999999"/>`,
    options.valueLabel ? textAboveSvg(fitText(options.valueLabel, w, 12, { maxLines: 1 }), m.left + w / 2, height - 3) : "",
    `</svg>`,
    "",
  ].join("\n");
}
