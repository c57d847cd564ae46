/**
 * The ladder's figure grid: the true belief states in the first panel, then one panel per rung
 * with its probe's image of the same held-out rows, every panel projected the same way (the
 * simplex for 3 states, the truth's principal axes otherwise) and coloured by the TRUE belief, so
 * a rung that represents the beliefs reproduces the first panel. Drawing only.
 */
import { beliefColours } from "../geometry/colour.js";
import { SIMPLEX_VERTICES } from "../geometry/simplex.js";
import { beliefView, toPanelPx } from "./beliefPanel.js";
import { ArgumentError, checkInteger } from "../util/errors.js";
import type { Rows } from "../util/rows.js";
import { escapeXml, FONT } from "./svg.js";

export interface LadderPanel {
  /** Rung name, drawn above the panel. */
  readonly title: string;
  /** One short line under the title, e.g. "R² 0.995, beyond controls". */
  readonly subtitle?: string;
  /** [rows, S] the probe's predictions at the truth's rows. */
  readonly predicted: Rows;
}

export interface LadderGridOptions {
  readonly title?: string;
  /** Panels per row. Default 5. */
  readonly columns?: number;
  /** Panel side in px. Default 220. */
  readonly panelSize?: number;
}

export function ladderGridSvg(truth: Rows, panels: readonly LadderPanel[], options: LadderGridOptions = {}): string {
  const fn = "ladderGridSvg";
  panels.forEach((p, k) => {
    if (p.predicted.rows !== truth.rows || p.predicted.cols !== truth.cols) {
      throw new ArgumentError({ fn, argument: `panels[${k}].predicted`, received: `${p.predicted.rows} x ${p.predicted.cols}`, expected: `${truth.rows} x ${truth.cols}, as truth` });
    }
  });
  const columns = checkInteger(fn, "columns", options.columns ?? 5, 1, 64);
  const size = checkInteger(fn, "panelSize", options.panelSize ?? 220, 40, 2000);
  const gap = 14;
  const head = 40; // title and subtitle above each panel
  const top = 44;
  const count = panels.length + 1;
  const nRows = Math.ceil(count / columns);
  const width = columns * size + (columns + 1) * gap;
  const height = top + nRows * (head + size + gap);

  const title = options.title ?? "Belief states probed along the ladder";
  // A long title shrinks to fit the width (bold sans: about 0.6 em per character).
  const titleSize = Math.round(10 * Math.min(16, (width - 24) / (0.6 * title.length))) / 10;
  // One view for every panel: the triangle (or the truth's bounding box), padded; outliers clipped.
  const view = beliefView(truth);
  const projection = view.projection;
  const colours = beliefColours(truth);
  const pTruth = projection.project(truth);

  const panel = (k: number, points: Float64Array, title: string, subtitle: string): string => {
    const left = gap + (k % columns) * (size + gap);
    const y = top + Math.floor(k / columns) * (head + size + gap) + head;
    const toPx = (px: number, py: number): [number, number] => toPanelPx(view, px, py, left, y, size);
    const parts = [
      `<g>`,
      `<text x="${left + size / 2}" y="${y - 22}" text-anchor="middle" font-size="13" font-weight="bold" font-family="${FONT}">${escapeXml(title)}</text>`,
      `<text x="${left + size / 2}" y="${y - 7}" text-anchor="middle" font-size="10.5" fill="#444444" font-family="${FONT}">${escapeXml(subtitle)}</text>`,
      `<rect x="${left}" y="${y}" width="${size}" height="${size}" fill="#ffffff" stroke="#cccccc"/>`,
    ];
    if (projection.kind === "simplex") parts.push(`<polygon points="${SIMPLEX_VERTICES.map(([a, b]) => toPx(a, b).join(",")).join(" ")}" fill="none" stroke="#999999" stroke-width="1"/>`);
    parts.push(`<clipPath id="ladder-clip-${k}"><rect x="${left}" y="${y}" width="${size}" height="${size}"/></clipPath><g clip-path="url(#ladder-clip-${k})">`);
    for (let r = 0; r < truth.rows; r++) {
      const [px, py] = toPx(points[2 * r], points[2 * r + 1]);
      parts.push(`<circle cx="${px}" cy="${py}" r="1" fill="rgb(${colours[3 * r]},${colours[3 * r + 1]},${colours[3 * r + 2]})"/>`);
    }
    parts.push(`</g></g>`);
    return parts.join("\n");
  };

  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}">`,
    `<rect width="${width}" height="${height}" fill="#ffffff"/>`,
    `<text x="${width / 2}" y="26" text-anchor="middle" font-size="${titleSize}" font-weight="bold" font-family="${FONT}">${escapeXml(title)}</text>`,
    panel(0, pTruth, "truth", projection.kind === "simplex" ? "exact beliefs on the simplex" : "exact beliefs, top two principal axes"),
    ...panels.map((p, k) => panel(k + 1, projection.project(p.predicted), p.title, p.subtitle ?? "")),
    `</svg>`,
    "",
  ].join("\n");
}
