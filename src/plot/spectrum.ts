/**
 * Singular-value spectra on a log scale, one series per matrix, with the
 * chosen cut marked: the figure behind the recovery's state count.
 */
import { FONT, round1 } from "./svg.js";
import { fitText, textAboveSvg, textBlockSvg, textLinesSvg } from "./text.js";

export interface SpectrumSeries {
  readonly label: string;
  /** Values, largest first (each series is scaled by its own largest). */
  readonly values: ArrayLike<number>;
  readonly colour?: string;
}

export interface SpectrumOptions {
  readonly title?: string;
  /** Draw a vertical line after this index (1-based): the last direction kept. */
  readonly cutAfter?: number;
  readonly cutLabel?: string;
  /** Values shown per series. Default 16. */
  readonly maxValues?: number;
  /** A dotted horizontal line at this value relative to the first series' largest (the rule's floor), labelled. */
  readonly floor?: { readonly value: number; readonly label: string };
}

const PALETTE = ["#1f77b4", "#d62728", "#2ca02c", "#9467bd"];

export function spectrumSvg(series: readonly SpectrumSeries[], options: SpectrumOptions = {}): string {
  const width = 640;
  const m = { left: 64, right: 20, top: 40, bottom: 90 };
  const w = width - m.left - m.right;
  const title = textBlockSvg(fitText(options.title ?? "Singular values (relative to the largest)", width - 24, 15, { bold: true }), width / 2, 8);
  m.top = Math.ceil(title.bottom + 10);
  const h = 270;
  // The legend: two columns, each label fitted to its column.
  const legendFits = series.map((s) => fitText(s.label, w / 2 - 30, 11));
  const rowHeight = Math.max(16, ...legendFits.map((f) => f.height + 4));
  const height = Math.ceil(m.top + h + 52 + Math.ceil(series.length / 2) * rowHeight);
  const n = Math.max(2, Math.min(options.maxValues ?? 16, Math.max(...series.map((s) => s.values.length))));
  // log10 of values relative to each series' largest; floor at 1e-6.
  const rel = series.map((s) => {
    const top = s.values[0] > 0 ? s.values[0] : 1;
    return Array.from({ length: Math.min(n, s.values.length) }, (_, k) => Math.log10(Math.max(1e-6, s.values[k] / top)));
  });
  const lo = Math.min(-3, Math.floor(Math.min(...rel.flat())));
  const sx = (k: number) => round1(m.left + ((k + 0.5) / n) * w);
  const sy = (v: number) => round1(m.top + (-v / -lo) * h);
  const parts: string[] = [];
  for (let e = 0; e >= lo; e--) {
    parts.push(`<line x1="${m.left}" x2="${m.left + w}" y1="${sy(e)}" y2="${sy(e)}" stroke="#eeeeee"/>`);
    parts.push(`<text x="${m.left - 6}" y="${sy(e) + 4}" text-anchor="end" font-size="11" font-family="${FONT}">1e${e}</text>`);
  }
  for (let k = 0; k < n; k++) parts.push(`<text x="${sx(k)}" y="${m.top + h + 16}" text-anchor="middle" font-size="11" font-family="${FONT}">${k + 1}</text>`);
  if (options.cutAfter !== undefined && options.cutAfter > 0 && options.cutAfter < n) {
    const x = round1((sx(options.cutAfter - 1) + sx(options.cutAfter)) / 2);
    parts.push(`<line x1="${x}" x2="${x}" y1="${m.top}" y2="${m.top + h}" stroke="#444444" stroke-dasharray="5,4"/>`);
    if (options.cutLabel) {
      // Right of the cut when it fits there, else left of it.
      const right = m.left + w - x - 10;
      const left = x - m.left - 10;
      const f = fitText(options.cutLabel, Math.max(right, left), 11);
      parts.push(textBlockSvg(f, right >= left ? x + 6 : x - 6, m.top + 4, { anchor: right >= left ? "start" : "end" }).svg);
    }
  }
  if (options.floor && options.floor.value > 0) {
    const v = Math.log10(options.floor.value);
    if (v >= lo && v <= 0) {
      const y = sy(v);
      parts.push(`<line x1="${m.left}" x2="${m.left + w}" y1="${y}" y2="${y}" stroke="${series[0]?.colour ?? PALETTE[0]}" stroke-dasharray="2,3" stroke-width="1"/>`);
      parts.push(textAboveSvg(fitText(options.floor.label, w - 8, 10, { maxLines: 1 }), m.left + w - 4, round1(y - 2), { anchor: "end", fill: series[0]?.colour ?? PALETTE[0] }));
    }
  }
  // The first series (the one the rule reads) is drawn thick, the others thin over it (they often coincide).
  const drawn: string[] = [];
  series.forEach((s, idx) => {
    const colour = s.colour ?? PALETTE[idx % PALETTE.length];
    const pts = rel[idx].map((v, k) => [sx(k), sy(v)] as const);
    const curve = [`<path d="${pts.map(([x, y], k) => `${k ? "L" : "M"}${x},${y}`).join(" ")}" fill="none" stroke="${colour}" stroke-width="${idx === 0 ? 2.5 : 1.5}"/>`];
    for (const [x, y] of pts) curve.push(`<circle cx="${x}" cy="${y}" r="${idx === 0 ? 3.5 : 3}" fill="${colour}"/>`);
    drawn.push(...curve);
    const rowTop = m.top + h + 46 + rowHeight * Math.floor(idx / 2);
    const lx = m.left + (idx % 2) * (w / 2);
    parts.push(`<line x1="${lx}" x2="${lx + 18}" y1="${rowTop + 5}" y2="${rowTop + 5}" stroke="${colour}" stroke-width="2"/>`);
    parts.push(textBlockSvg(legendFits[idx], lx + 24, rowTop, { anchor: "start" }).svg);
  });
  parts.push(...drawn);
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}">`,
    `<rect width="${width}" height="${height}" fill="#ffffff"/>`,
    title.svg,
    `<rect x="${m.left}" y="${m.top}" width="${w}" height="${h}" fill="none" stroke="#999999"/>`,
    ...parts,
    textLinesSvg(fitText("index (each series relative to its largest value)", w, 12), m.left + w / 2, m.top + h + 32),
    `</svg>`,
    "",
  ].join("\n");
}
