/**
 * Scatter plots as SVG, one panel per data set (e.g. the residual stream of
 * each layer projected on its first two principal components), points
 * coloured by a class with a shared legend. At most `maxPoints` points are
 * drawn per panel (an even subsample), so files stay small.
 */
import { round1 } from "./svg.js";
import { fitText, textAboveSvg, textBlockSvg } from "./text.js";
import { SERIES_COLOURS } from "./lineChart.js";

export interface ScatterPanel {
  readonly title: string;
  /** [n] coordinates. */
  readonly x: ArrayLike<number>;
  readonly y: ArrayLike<number>;
  /** [n] class index of each point (into ScatterOptions.classes). */
  readonly classes: ArrayLike<number>;
  readonly xLabel?: string;
  readonly yLabel?: string;
}

export interface ScatterOptions {
  readonly title?: string;
  readonly classes: readonly string[];
  readonly colours?: readonly string[];
  readonly panelSize?: number;
  readonly columns?: number;
  /** Default 3000. */
  readonly maxPoints?: number;
}

export function scatterGridSvg(panels: readonly ScatterPanel[], options: ScatterOptions): string {
  const size = options.panelSize ?? 240;
  const columns = Math.max(1, Math.min(options.columns ?? Math.min(4, panels.length), panels.length));
  const rows = Math.ceil(panels.length / columns);
  const gap = 40;
  const legendRows = Math.ceil(options.classes.length / 4);
  const width = 30 + columns * size + (columns - 1) * gap + 20;
  // Every text measured against its room: the title across the figure, panel titles across a panel, legend entries across a quarter.
  const title = options.title ? fitText(options.title, width - 24, 15, { bold: true }) : undefined;
  const heads = panels.map((p) => fitText(p.title, size + gap - 8, 12));
  const headRoom = Math.ceil(Math.max(14, ...heads.map((f) => f.height)) + 6);
  const legendFits = options.classes.map((name) => fitText(name, (width - 50) / 4 - 18, 11));
  const legendRowHeight = Math.max(16, ...legendFits.map((f) => f.height + 4));
  const m = { left: 30, right: 20, top: title ? Math.ceil(8 + title.height + 8) : 12, bottom: 30 + legendRowHeight * legendRows };
  const height = m.top + rows * (size + headRoom + 20) + (rows - 1) * gap + m.bottom;
  const colours = options.colours ?? SERIES_COLOURS;
  const max = options.maxPoints ?? 3000;
  const parts: string[] = [];
  const used = new Set<number>();
  panels.forEach((p, idx) => {
    const x0 = m.left + (idx % columns) * (size + gap);
    const y0 = m.top + headRoom + Math.floor(idx / columns) * (size + headRoom + 20 + gap);
    parts.push(textAboveSvg(heads[idx], x0 + size / 2, y0 - 5));
    parts.push(`<rect x="${x0}" y="${y0}" width="${size}" height="${size}" fill="none" stroke="#999999"/>`);
    const n = p.x.length;
    let xl = Infinity;
    let xh = -Infinity;
    let yl = Infinity;
    let yh = -Infinity;
    for (let k = 0; k < n; k++) {
      xl = Math.min(xl, p.x[k]);
      xh = Math.max(xh, p.x[k]);
      yl = Math.min(yl, p.y[k]);
      yh = Math.max(yh, p.y[k]);
    }
    const px = (v: number) => round1(x0 + 6 + ((v - xl) / (xh - xl || 1)) * (size - 12));
    const py = (v: number) => round1(y0 + size - 6 - ((v - yl) / (yh - yl || 1)) * (size - 12));
    const stride = Math.max(1, Math.ceil(n / max));
    for (let k = 0; k < n; k += stride) {
      const c = p.classes[k];
      used.add(c);
      parts.push(`<circle cx="${px(p.x[k])}" cy="${py(p.y[k])}" r="1.8" fill="${colours[c % colours.length]}" fill-opacity="0.7"/>`);
    }
    if (p.xLabel) parts.push(textBlockSvg(fitText(p.xLabel, size, 10, { maxLines: 1 }), x0 + size / 2, y0 + size + 4).svg);
    if (p.yLabel) {
      const cy = round1(y0 + size / 2);
      parts.push(textAboveSvg(fitText(p.yLabel, size, 10, { maxLines: 1 }), x0 - 5, cy, { extra: `transform="rotate(-90 ${x0 - 5} ${cy})"` }));
    }
  });
  options.classes.forEach((_, c) => {
    const lx = m.left + (c % 4) * ((width - m.left - m.right) / 4);
    const ly = height - m.bottom + 14 + legendRowHeight * Math.floor(c / 4);
    parts.push(`<circle cx="${round1(lx + 5)}" cy="${ly + 4}" r="4" fill="${colours[c % colours.length]}"${used.has(c) ? "" : ' fill-opacity="0.25"'}/>`);
    parts.push(textBlockSvg(legendFits[c], lx + 14, ly, { anchor: "start" }).svg);
  });
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}">`,
    `<rect width="${width}" height="${height}" fill="#ffffff"/>`,
    title ? textBlockSvg(title, width / 2, 8).svg : "",
    ...parts,
    `</svg>`,
    "",
  ].join("\n");
}
