/**
 * Attention patterns as heat maps: per head the mean pattern over inputs (the least-squares fixed
 * query-by-key matrix) beside the entries' standard deviation across inputs, titled with the
 * fraction of the pattern's variance the fixed matrix explains. Drawing only.
 */
import { round1 } from "./svg.js";
import { fitText, textBlockSvg } from "./text.js";

export interface PatternHead {
  readonly label: string;
  /** [query_pos, key_pos] */
  readonly mean: ArrayLike<number>;
  /** [query_pos, key_pos] */
  readonly std: ArrayLike<number>;
  readonly fixedFraction: number;
}

/** Diverging colour for v in [-1, 1]: blue (negative), white, red (positive). */
function diverging(v: number): string {
  const t = Math.max(-1, Math.min(1, v));
  const a = Math.round(255 * (1 - Math.abs(t)));
  return t >= 0 ? `rgb(255,${a},${a})` : `rgb(${a},${a},255)`;
}

export function patternFigureSvg(heads: readonly PatternHead[], nPos: number, options: { readonly title?: string; readonly cell?: number } = {}): string {
  const cell = options.cell ?? Math.max(8, Math.min(24, Math.floor(220 / Math.max(nPos, 1))));
  const side = cell * nPos;
  const margin = 30;
  const perRow = Math.min(2, Math.max(heads.length, 1));
  const blockWidth = 2 * side + 3 * margin;
  const width = Math.max(760, margin + perRow * blockWidth);
  // One colour scale for every mean panel, one for every spread panel.
  let maxMean = 1e-12;
  let maxStd = 1e-12;
  for (const h of heads) {
    for (let c = 0; c < nPos * nPos; c++) {
      maxMean = Math.max(maxMean, Math.abs(h.mean[c]));
      maxStd = Math.max(maxStd, h.std[c]);
    }
  }
  // Title, subtitle and each head's label measured against their room (wrapped, then shrunk).
  const title = textBlockSvg(fitText(options.title ?? "Attention patterns", width - 2 * margin, 15, { bold: true }), width / 2, 8);
  const subtitle = textBlockSvg(
    fitText(`rows: query position, columns: key position; colour scales shared across heads (mean ±${maxMean.toPrecision(2)}, spread 0..${maxStd.toPrecision(2)})`, width - 2 * margin, 11),
    width / 2,
    title.bottom + 4,
    { fill: "#555555" },
  );
  // A head's label may run to the next block, or to the figure's edge in the last column.
  const labelRoom = (k: number) => (k % perRow === perRow - 1 ? width - margin - (margin + (k % perRow) * blockWidth) : blockWidth - margin);
  const labels = heads.map((h, k) => fitText(`${h.label}: fixed matrix explains ${(100 * h.fixedFraction).toFixed(2)}% of variance`, labelRoom(k), 12));
  const labelHeight = Math.max(0, ...labels.map((l) => l.height)) + 6;
  const top = Math.ceil(subtitle.bottom + 12);
  const rowHeight = labelHeight + side + 38;
  const height = top + Math.ceil(heads.length / perRow) * rowHeight;
  const parts = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}">`,
    `<rect width="${width}" height="${height}" fill="#ffffff"/>`,
    title.svg,
    subtitle.svg,
  ];
  heads.forEach((h, k) => {
    const y = top + Math.floor(k / perRow) * rowHeight + labelHeight;
    const x0 = margin + (k % perRow) * blockWidth;
    parts.push(textBlockSvg(labels[k], x0, y - labelHeight, { anchor: "start" }).svg);
    const grid = (left: number, values: ArrayLike<number>, scale: number, caption: string) => {
      for (let q = 0; q < nPos; q++) {
        for (let s = 0; s < nPos; s++) {
          const v = values[q * nPos + s];
          const fill = s > q ? "#f4f4f4" : diverging(v / scale);
          parts.push(`<rect x="${round1(left + s * cell)}" y="${round1(y + q * cell)}" width="${cell}" height="${cell}" fill="${fill}"/>`);
        }
      }
      parts.push(`<rect x="${left}" y="${y}" width="${side}" height="${side}" fill="none" stroke="#999999"/>`);
      parts.push(textBlockSvg(fitText(caption, side + margin - 6, 11), left + side / 2, y + side + 4).svg);
    };
    grid(x0, h.mean, maxMean, "mean (the fixed matrix)");
    grid(x0 + side + margin, h.std, maxStd, "std across inputs");
  });
  parts.push(`</svg>`, "");
  return parts.join("\n");
}
