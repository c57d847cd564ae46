/**
 * The anchor figure: true belief states (left) beside the probe's
 * predictions from the residual stream (right), both projected to the plane
 * the same way and coloured by the TRUE belief, so a good probe reproduces
 * the left panel's geometry and colours. Drawing only; the projection and
 * colours come from src/geometry.
 */
import { beliefColours } from "../geometry/colour.js";
import { SIMPLEX_VERTICES } from "../geometry/simplex.js";
import { beliefView, toPanelPx } from "./beliefPanel.js";
import type { Rows } from "../util/rows.js";
import { ArgumentError } from "../util/errors.js";
import { escapeXml, FONT } from "./svg.js";
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
  const top = 56;
  const width = 2 * size + 3 * margin;
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

  const panel = (points: Float64Array, left: number, title: string, clipId: string): string => {
    const parts: string[] = [];
    parts.push(`<g><rect x="${left}" y="${top}" width="${size}" height="${size}" fill="#ffffff" stroke="#cccccc"/>`);
    parts.push(`<text x="${left + size / 2}" y="${top - 8}" text-anchor="middle" font-size="14" font-family="${FONT}">${escapeXml(title)}</text>`);
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
    `<text x="${width / 2}" y="22" text-anchor="middle" font-size="16" font-weight="bold" font-family="${FONT}">${escapeXml(options.title ?? "Belief state geometry")}</text>`,
    panel(pTrue, margin, options.leftTitle ?? "Ground-truth beliefs", "clip-left"),
    panel(pPred, 2 * margin + size, options.rightTitle ?? "Linear probe of the residual stream", "clip-right"),
    `</svg>`,
    "",
  ].join("\n");
}
