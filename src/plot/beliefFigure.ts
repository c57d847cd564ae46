/**
 * The anchor figure: true belief states (left) beside the probe's
 * predictions from the residual stream (right), both projected to the plane
 * the same way and coloured by the TRUE belief, so a good probe reproduces
 * the left panel's geometry and colours. Drawing only; the projection and
 * colours come from src/geometry.
 */
import { beliefColours } from "../geometry/colour.js";
import { SIMPLEX_VERTICES } from "../geometry/simplex.js";
import { beliefView, panelHead, panelHeadSvg, toPanelPx } from "./beliefPanel.js";
import type { Rows } from "../util/rows.js";
import { ArgumentError } from "../util/errors.js";
import { fitText, textBlockSvg } from "./text.js";
import { Rng } from "../util/rng.js";

export interface BeliefFigureOptions {
  readonly title?: string;
  readonly leftTitle?: string;
  readonly rightTitle?: string;
  /** Points drawn per panel (a seeded subsample beyond this). Default 15000. */
  readonly maxPoints?: number;
  readonly seed?: number;
  /** Panel side in px. Default 400. */
  readonly panelSize?: number;
}


export function beliefFigureSvg(trueBeliefs: Rows, predicted: Rows, options: BeliefFigureOptions = {}): string {
  if (trueBeliefs.rows !== predicted.rows || trueBeliefs.cols !== predicted.cols) {
    throw new ArgumentError({
      fn: "beliefFigureSvg",
      argument: "predicted",
      received: `${predicted.rows} x ${predicted.cols}`,
      expected: `${trueBeliefs.rows} x ${trueBeliefs.cols}, as trueBeliefs`,
    });
  }
  const size = options.panelSize ?? 400;
  const margin = 20;
  const width = 2 * size + 3 * margin;
  // Titles are measured against their room: the figure's across the width, each panel's across the panel.
  const title = textBlockSvg(fitText(options.title ?? "Belief state geometry", width - 2 * margin, 16, { bold: true }), width / 2, 8);
  const heads = [panelHead(size, options.leftTitle ?? "Ground-truth beliefs", undefined, 14), panelHead(size, options.rightTitle ?? "Linear probe of the residual stream", undefined, 14)];
  const top = Math.ceil(title.bottom + 6 + Math.max(...heads.map((h) => h.height)));
  const height = size + top + margin;
  // The view: the triangle (or the true points' bounding box) with 8% padding; outliers are clipped.
  const view = beliefView(trueBeliefs);
  const projection = view.projection;
  const pTrue = projection.project(trueBeliefs);
  const pPred = projection.project(predicted);
  const colours = beliefColours(trueBeliefs);
  const toPx = (x: number, y: number, left: number): [number, number] => toPanelPx(view, x, y, left, top, size);

  const maxPoints = options.maxPoints ?? 15000;
  const order = new Rng(options.seed ?? 0, "figure").permutation(trueBeliefs.rows).subarray(0, Math.min(maxPoints, trueBeliefs.rows));
  order.sort();

  const panel = (points: Float64Array, left: number, k: number, clipId: string): string => {
    const parts: string[] = [];
    parts.push(`<g><rect x="${left}" y="${top}" width="${size}" height="${size}" fill="#ffffff" stroke="#cccccc"/>`);
    parts.push(panelHeadSvg(heads[k], left, top, size));
    if (projection.kind === "simplex") {
      const tri = SIMPLEX_VERTICES.map(([x, y]) => toPx(x, y, left).join(",")).join(" ");
      parts.push(`<polygon points="${tri}" fill="none" stroke="#888888" stroke-width="1"/>`);
    }
    parts.push(`<clipPath id="${clipId}"><rect x="${left}" y="${top}" width="${size}" height="${size}"/></clipPath><g clip-path="url(#${clipId})">`);
    for (const r of order) {
      const [px, py] = toPx(points[2 * r], points[2 * r + 1], left);
      parts.push(`<circle cx="${px}" cy="${py}" r="1.2" fill="rgb(${colours[3 * r]},${colours[3 * r + 1]},${colours[3 * r + 2]})"/>`);
    }
    parts.push(`</g></g>`);
    return parts.join("\n");
  };

  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}">`,
    `<rect width="${width}" height="${height}" fill="#ffffff"/>`,
    title.svg,
    panel(pTrue, margin, 0, "clip-left"),
    panel(pPred, 2 * margin + size, 1, "clip-right"),
    `</svg>`,
    "",
  ].join("\n");
}
