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
import { fitText, textAboveSvg, textBlockSvg } from "./text.js";

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
  const count = panels.length + 1;
  const nRows = Math.ceil(count / columns);
  const width = columns * size + (columns + 1) * gap;
  // Every text measured against its room: the title across the grid, each panel's title and subtitle across the panel.
  const title = textBlockSvg(fitText(options.title ?? "Belief states probed along the ladder", width - 24, 16, { bold: true }), width / 2, 8);
  const top = Math.ceil(title.bottom + 6);
  const view = beliefView(truth);
  const truthSubtitle = view.projection.kind === "simplex" ? "exact beliefs on the simplex" : "exact beliefs, top two principal axes";
  const heads = [{ title: "truth", subtitle: truthSubtitle }, ...panels.map((p) => ({ title: p.title, subtitle: p.subtitle ?? "" }))].map((p) => ({
    title: fitText(p.title, size, 13, { bold: true }),
    subtitle: p.subtitle ? fitText(p.subtitle, size, 10.5) : undefined,
  }));
  const head = Math.ceil(Math.max(...heads.map((h) => h.title.height + (h.subtitle ? h.subtitle.height + 3 : 0))) + 8);
  const height = top + nRows * (head + size + gap);
  // One view for every panel (above): the triangle (or the truth's bounding box), padded; outliers clipped.
  const projection = view.projection;
  const colours = beliefColours(truth);
  const pTruth = projection.project(truth);

  const panel = (k: number, points: Float64Array): string => {
    const left = gap + (k % columns) * (size + gap);
    const y = top + Math.floor(k / columns) * (head + size + gap) + head;
    const toPx = (px: number, py: number): [number, number] => toPanelPx(view, px, py, left, y, size);
    const parts = [
      `<g>`,
      textAboveSvg(heads[k].title, left + size / 2, y - 5 - (heads[k].subtitle ? heads[k].subtitle!.height + 3 : 0)),
      heads[k].subtitle ? textAboveSvg(heads[k].subtitle!, left + size / 2, y - 5, { fill: "#444444" }) : "",
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
    title.svg,
    panel(0, pTruth),
    ...panels.map((p, k) => panel(k + 1, projection.project(p.predicted))),
    `</svg>`,
    "",
  ].join("\n");
}
