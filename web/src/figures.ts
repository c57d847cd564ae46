/**
 * The one figure the command line has no twin for: the exact belief fractal
 * (the nodes of the mixed-state presentation) alone, as SVG in the style of
 * src/plot/beliefFigure.ts (same projection, colours and fonts).
 */
import { beliefColours } from "../../src/geometry/colour.js";
import { beliefProjection, SIMPLEX_VERTICES } from "../../src/geometry/simplex.js";
import { escapeXml, FONT, round1 } from "../../src/plot/svg.js";
import type { Rows } from "../../src/util/rows.js";

export function mspFigureSvg(beliefs: Rows, title: string, size = 480): string {
  const margin = 20;
  const top = 40;
  const width = size + 2 * margin;
  const height = size + top + margin;
  const projection = beliefProjection(beliefs);
  const xy = projection.project(beliefs);
  const colours = beliefColours(beliefs);
  let [x0, x1, y0, y1] = [Infinity, -Infinity, Infinity, -Infinity];
  const extend = (x: number, y: number) => {
    x0 = Math.min(x0, x);
    x1 = Math.max(x1, x);
    y0 = Math.min(y0, y);
    y1 = Math.max(y1, y);
  };
  if (projection.kind === "simplex") for (const [x, y] of SIMPLEX_VERTICES) extend(x, y);
  else for (let r = 0; r < beliefs.rows; r++) extend(xy[2 * r], xy[2 * r + 1]);
  const span = Math.max(x1 - x0, y1 - y0) * 1.08 || 1;
  const cx = (x0 + x1) / 2;
  const cy = (y0 + y1) / 2;
  const px = (x: number, y: number): [number, number] => [round1(margin + size / 2 + ((x - cx) / span) * size), round1(top + size / 2 - ((y - cy) / span) * size)];
  const parts = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}">`,
    `<rect width="${width}" height="${height}" fill="#ffffff"/>`,
    `<text x="${width / 2}" y="24" text-anchor="middle" font-size="16" font-weight="bold" font-family="${FONT}">${escapeXml(title)}</text>`,
    `<rect x="${margin}" y="${top}" width="${size}" height="${size}" fill="#ffffff" stroke="#cccccc"/>`,
  ];
  if (projection.kind === "simplex") parts.push(`<polygon points="${SIMPLEX_VERTICES.map(([x, y]) => px(x, y).join(",")).join(" ")}" fill="none" stroke="#888888" stroke-width="1"/>`);
  for (let r = 0; r < beliefs.rows; r++) {
    const [a, b] = px(xy[2 * r], xy[2 * r + 1]);
    parts.push(`<circle cx="${a}" cy="${b}" r="1.2" fill="rgb(${colours[3 * r]},${colours[3 * r + 1]},${colours[3 * r + 2]})"/>`);
  }
  parts.push("</svg>", "");
  return parts.join("\n");
}
