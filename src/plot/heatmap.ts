/**
 * Heatmaps of matrices as SVG: one matrix with a colour bar, or a grid of
 * small multiples (e.g. one attention pattern per layer and head). A
 * diverging scale (blue - white - red, symmetric about 0) for signed values,
 * a sequential one (white - dark blue) for non-negative values. Matrices
 * larger than `maxCells` a side are averaged down to that size for display,
 * so files stay small; cells can carry their value as text (small matrices).
 */
import { FONT, round1 } from "./svg.js";
import { fitText, textAboveSvg, textBlockSvg } from "./text.js";
import { linearTicks } from "./ticks.js";

export type ColourScale = "diverging" | "sequential";

export interface HeatmapPanel {
  readonly title?: string;
  readonly rows: number;
  readonly cols: number;
  /** Row-major values; NaN cells are drawn grey. */
  readonly values: ArrayLike<number>;
}

export interface HeatmapOptions {
  readonly title?: string;
  readonly scale?: ColourScale;
  /** Colour range; default symmetric max |v| (diverging) or [0, max] (sequential), shared by all panels. */
  readonly domain?: readonly [number, number];
  /** Side of each panel in pixels. Default 360 for one panel, 150 in a grid. */
  readonly panelSize?: number;
  /** Panels per row of the grid. Default: ceil(sqrt(panels)), at most 8. */
  readonly columns?: number;
  /** Larger matrices are block-averaged to at most this many cells a side. Default 128. */
  readonly maxCells?: number;
  /** Print each cell's value (when the matrix has at most 16 cells a side). */
  readonly cellText?: boolean;
  readonly xLabel?: string;
  readonly yLabel?: string;
  /** Label of the colour bar. */
  readonly valueLabel?: string;
  /** Sequential scale only: colour = ((v - lo) / (hi - lo))^gamma; 0.5 shows faint structure (diffuse attention). Default 1. */
  readonly gamma?: number;
}

/** Colours are quantised to this many steps a side so that runs of equal cells merge into one rectangle (smaller files, no visible banding). */
const LEVELS = 48;

/** RGB of value t in [0, 1] (sequential) or [-1, 1] (diverging). */
function colourOf(scale: ColourScale, t: number): string {
  if (!Number.isFinite(t)) return "#eeeeee";
  t = Math.round(t * LEVELS) / LEVELS;
  const c = (r: number, g: number, b: number) => `rgb(${Math.round(r)},${Math.round(g)},${Math.round(b)})`;
  if (scale === "sequential") {
    const u = Math.min(1, Math.max(0, t));
    return c(255 - u * (255 - 8), 255 - u * (255 - 48), 255 - u * (255 - 107));
  }
  const u = Math.min(1, Math.max(-1, t));
  return u >= 0 ? c(255 - u * (255 - 178), 255 - u * (255 - 24), 255 - u * (255 - 43)) : c(255 + u * (255 - 33), 255 + u * (255 - 102), 255 + u * (255 - 172));
}

/** Block-average a matrix down to at most `max` cells a side. */
export function downsample(panel: HeatmapPanel, max: number): HeatmapPanel {
  if (panel.rows <= max && panel.cols <= max) return panel;
  const R = Math.min(max, panel.rows);
  const C = Math.min(max, panel.cols);
  const out = new Float64Array(R * C);
  for (let I = 0; I < R; I++) {
    const r0 = Math.floor((I * panel.rows) / R);
    const r1 = Math.floor(((I + 1) * panel.rows) / R);
    for (let J = 0; J < C; J++) {
      const c0 = Math.floor((J * panel.cols) / C);
      const c1 = Math.floor(((J + 1) * panel.cols) / C);
      let s = 0;
      let n = 0;
      for (let r = r0; r < r1; r++) {
        for (let c = c0; c < c1; c++) {
          const v = panel.values[r * panel.cols + c];
          if (Number.isFinite(v)) (s += v), n++;
        }
      }
      out[I * C + J] = n > 0 ? s / n : NaN;
    }
  }
  return { ...panel, rows: R, cols: C, values: out };
}

export function heatmapSvg(panels: readonly HeatmapPanel[], options: HeatmapOptions = {}): string {
  const scale = options.scale ?? "diverging";
  const shown = panels.map((p) => downsample(p, options.maxCells ?? 128));
  let lo = Infinity;
  let hi = -Infinity;
  for (const p of shown) for (let k = 0; k < p.values.length; k++) if (Number.isFinite(p.values[k])) (lo = Math.min(lo, p.values[k])), (hi = Math.max(hi, p.values[k]));
  if (!Number.isFinite(lo)) (lo = 0), (hi = 1);
  const absMax = Math.max(Math.abs(lo), Math.abs(hi)) || 1;
  const [d0, d1] = options.domain ?? (scale === "diverging" ? [-absMax, absMax] : [Math.min(0, lo), hi > Math.min(0, lo) ? hi : Math.min(0, lo) + 1]);
  const gamma = options.gamma ?? 1;
  const norm = (v: number) => (scale === "diverging" ? (2 * (v - d0)) / (d1 - d0) - 1 : Math.max(0, (v - d0) / (d1 - d0)) ** gamma);

  const single = shown.length === 1;
  // Cell values with 3 decimals when they are all small.
  const digits = absMax < 0.1 ? 3 : 2;
  const size = options.panelSize ?? (single ? 360 : 150);
  const columns = Math.max(1, Math.min(options.columns ?? Math.min(8, Math.ceil(Math.sqrt(shown.length))), shown.length));
  const rowsOfPanels = Math.ceil(shown.length / columns);
  const gap = single ? 0 : 18;
  const m = { left: options.yLabel ? 44 : 24, right: 90, top: 0, bottom: options.xLabel ? 44 : 24 };
  // Wide enough for a short title; a longer one wraps, then shrinks, to the width.
  const natural = m.left + columns * size + (columns - 1) * gap + m.right;
  const width = Math.max(natural, 320);
  m.left += Math.floor((width - natural) / 2);
  const title = options.title ? fitText(options.title, width - 24, 15, { bold: true }) : undefined;
  m.top = title ? Math.ceil(8 + title.height + 12) : 16;
  const heads = shown.map((p) => (p.title ? fitText(p.title, size + gap - 4, 11) : undefined));
  const titleRoom = heads.some((f) => f) ? Math.ceil(Math.max(...heads.map((f) => f?.height ?? 0)) + 6) : 0;
  const height = m.top + rowsOfPanels * (size + titleRoom) + (rowsOfPanels - 1) * gap + m.bottom;
  const parts: string[] = [];
  shown.forEach((p, idx) => {
    const x0 = m.left + (idx % columns) * (size + gap);
    const y0 = m.top + Math.floor(idx / columns) * (size + titleRoom + gap) + titleRoom;
    const head = heads[idx];
    if (head) parts.push(textAboveSvg(head, x0 + size / 2, y0 - 4));
    const cw = size / p.cols;
    const ch = size / p.rows;
    const text = options.cellText === true && p.rows <= 16 && p.cols <= 16;
    for (let r = 0; r < p.rows; r++) {
      // Runs of cells of one colour become one rectangle; cells overlap by a fraction of a pixel so no seams show.
      for (let c = 0; c < p.cols; ) {
        const colour = colourOf(scale, norm(p.values[r * p.cols + c]));
        let end = c + 1;
        while (!text && end < p.cols && colourOf(scale, norm(p.values[r * p.cols + end])) === colour) end++;
        parts.push(`<rect x="${round1(x0 + c * cw)}" y="${round1(y0 + r * ch)}" width="${round1((end - c) * cw + 0.4)}" height="${round1(ch + 0.4)}" fill="${colour}"/>`);
        c = end;
      }
      for (let c = 0; text && c < p.cols; c++) {
        const v = p.values[r * p.cols + c];
        if (Number.isFinite(v)) {
          const dark = Math.abs(norm(v)) > 0.6;
          parts.push(`<text x="${round1(x0 + (c + 0.5) * cw)}" y="${round1(y0 + (r + 0.5) * ch + 4)}" text-anchor="middle" font-size="${Math.min(12, Math.max(7, cw / 4))}" fill="${dark ? "#ffffff" : "#222222"}" font-family="${FONT}">${v.toFixed(digits)}</text>`);
        }
      }
    }
    parts.push(`<rect x="${x0}" y="${y0}" width="${size}" height="${size}" fill="none" stroke="#999999"/>`);
  });
  // Colour bar.
  const bx = width - m.right + 24;
  const by = m.top + titleRoom;
  const valueLabel = options.valueLabel ? fitText(options.valueLabel, m.right - 30, 10, { maxLines: 3 }) : undefined;
  const bh = Math.max(20, Math.min(220, height - by - m.bottom - (valueLabel ? valueLabel.height + 10 : 0)));
  const steps = 40;
  for (let k = 0; k < steps; k++) {
    const v = d1 - ((k + 0.5) / steps) * (d1 - d0);
    parts.push(`<rect x="${bx}" y="${round1(by + (k * bh) / steps)}" width="14" height="${round1(bh / steps + 0.4)}" fill="${colourOf(scale, norm(v))}"/>`);
  }
  parts.push(`<rect x="${bx}" y="${by}" width="14" height="${round1(bh)}" fill="none" stroke="#999999"/>`);
  // The bar's ticks at round values (its ends are the domain, which need not be round).
  const barY = (v: number) => round1(by + ((d1 - v) / (d1 - d0 || 1)) * bh);
  for (const t of linearTicks(d0, d1, Math.max(2, Math.round(bh / 40)))) {
    parts.push(`<line x1="${bx + 14}" x2="${bx + 17}" y1="${barY(t.value)}" y2="${barY(t.value)}" stroke="#999999"/>`);
    parts.push(`<text x="${bx + 19}" y="${round1(barY(t.value) + 3.5)}" font-size="10" font-family="${FONT}">${t.label}</text>`);
  }
  if (valueLabel) parts.push(textBlockSvg(valueLabel, bx + 7, round1(by + bh + 8)).svg);
  const gridWidth = columns * size + (columns - 1) * gap;
  const gridHeight = height - m.top - m.bottom;
  if (options.xLabel) parts.push(textAboveSvg(fitText(options.xLabel, gridWidth, 12, { maxLines: 1 }), m.left + gridWidth / 2, height - 10));
  if (options.yLabel) {
    const cy = round1(m.top + gridHeight / 2);
    parts.push(textAboveSvg(fitText(options.yLabel, gridHeight, 12, { maxLines: 1 }), 16, cy + 4, { extra: `transform="rotate(-90 16 ${cy})"` }));
  }
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}">`,
    `<rect width="${width}" height="${height}" fill="#ffffff"/>`,
    title ? textBlockSvg(title, width / 2, 8).svg : "",
    ...parts,
    `</svg>`,
    "",
  ].join("\n");
}
