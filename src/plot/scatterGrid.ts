/**
 * Scatter plots as SVG, one panel per data set (e.g. the residual stream of
 * each layer projected on its first two principal components), points
 * coloured by a class with a shared legend. At most `maxPoints` points are
 * drawn per panel (an even subsample), so files stay small.
 */
import { escapeXml, FONT, round1 } from "./svg.js";
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
  const m = { left: 30, right: 20, top: 40, bottom: 30 + 16 * legendRows };
  const width = m.left + columns * size + (columns - 1) * gap + m.right;
  const height = m.top + rows * (size + 20) + (rows - 1) * gap + m.bottom;
  const colours = options.colours ?? SERIES_COLOURS;
  const max = options.maxPoints ?? 3000;
  const parts: string[] = [];
  const used = new Set<number>();
  panels.forEach((p, idx) => {
    const x0 = m.left + (idx % columns) * (size + gap);
    const y0 = m.top + 18 + Math.floor(idx / columns) * (size + 20 + gap);
    parts.push(`<text x="${round1(x0 + size / 2)}" y="${y0 - 6}" text-anchor="middle" font-size="12" font-family="${FONT}">${escapeXml(p.title)}</text>`);
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
    if (p.xLabel) parts.push(`<text x="${round1(x0 + size / 2)}" y="${y0 + size + 14}" text-anchor="middle" font-size="10" font-family="${FONT}">${escapeXml(p.xLabel)}</text>`);
    if (p.yLabel) {
      const cy = round1(y0 + size / 2);
      parts.push(`<text x="${x0 - 8}" y="${cy}" text-anchor="middle" font-size="10" font-family="${FONT}" transform="rotate(-90 ${x0 - 8} ${cy})">${escapeXml(p.yLabel)}</text>`);
    }
  });
  options.classes.forEach((name, c) => {
    const lx = m.left + (c % 4) * ((width - m.left - m.right) / 4);
    const ly = height - m.bottom + 22 + 16 * Math.floor(c / 4);
    parts.push(`<circle cx="${round1(lx + 5)}" cy="${ly - 4}" r="4" fill="${colours[c % colours.length]}"${used.has(c) ? "" : ' fill-opacity="0.25"'}/>`);
    parts.push(`<text x="${round1(lx + 14)}" y="${ly}" font-size="11" font-family="${FONT}">${escapeXml(name)}</text>`);
  });
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}">`,
    `<rect width="${width}" height="${height}" fill="#ffffff"/>`,
    options.title ? `<text x="${width / 2}" y="22" text-anchor="middle" font-size="15" font-weight="bold" font-family="${FONT}">${escapeXml(options.title)}</text>` : "",
    ...parts,
    `</svg>`,
    "",
  ].join("\n");
}
