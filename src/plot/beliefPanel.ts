/**
 * One square panel of points in belief coordinates, projected to the plane (the simplex triangle
 * for 3 states, principal axes otherwise) and coloured by the true belief: the building block of
 * the mechanism figures and animation frames. Drawing only.
 */
import { beliefProjection, SIMPLEX_VERTICES, type PlaneProjection } from "../geometry/simplex.js";
import type { Rows } from "../util/rows.js";
import { round1 } from "./svg.js";
import { ASCENT, DESCENT, fitText, LINE_HEIGHT, textAboveSvg, type FittedText } from "./text.js";

/** A projection with the square view every panel of one figure shares. */
export interface BeliefView {
  readonly projection: PlaneProjection;
  readonly cx: number;
  readonly cy: number;
  /** Side of the square viewed, in projected units. */
  readonly span: number;
}

/**
 * The view for `reference` beliefs: the whole triangle (3 states) or their bounding box, with 8%
 * padding, widened to hold the points of `include` (e.g. vector paths that leave the simplex).
 */
export function beliefView(reference: Rows, include?: Rows): BeliefView {
  const projection = beliefProjection(reference);
  let [x0, x1, y0, y1] = [Infinity, -Infinity, Infinity, -Infinity];
  const extend = (x: number, y: number) => {
    x0 = Math.min(x0, x);
    x1 = Math.max(x1, x);
    y0 = Math.min(y0, y);
    y1 = Math.max(y1, y);
  };
  if (projection.kind === "simplex") for (const [x, y] of SIMPLEX_VERTICES) extend(x, y);
  else {
    const p = projection.project(reference);
    for (let r = 0; r < reference.rows; r++) extend(p[2 * r], p[2 * r + 1]);
  }
  if (include && include.rows > 0) {
    const p = projection.project(include);
    for (let r = 0; r < include.rows; r++) if (Number.isFinite(p[2 * r]) && Number.isFinite(p[2 * r + 1])) extend(p[2 * r], p[2 * r + 1]);
  }
  if (!Number.isFinite(x0)) [x0, x1, y0, y1] = [0, 1, 0, 1];
  return { projection, cx: (x0 + x1) / 2, cy: (y0 + y1) / 2, span: Math.max(x1 - x0, y1 - y0) * 1.08 || 1 };
}

/** Pixel position of a projected point in a panel at (left, top) of side `size`. */
export function toPanelPx(view: BeliefView, x: number, y: number, left: number, top: number, size: number): [number, number] {
  return [round1(left + size / 2 + ((x - view.cx) / view.span) * size), round1(top + size / 2 - ((y - view.cy) / view.span) * size)];
}

export interface BeliefPanelOptions {
  readonly title?: string;
  /** Small text under the title (a score). */
  readonly subtitle?: string;
  /** Dot radius in px. Default 1.2. */
  readonly radius?: number;
  /** Unique within the figure (the clip path's id). */
  readonly id: string;
  /** Draw only these rows (ascending). Default all. */
  readonly rows?: ArrayLike<number>;
  /** Extra SVG drawn inside the panel's clip, above the points. */
  readonly overlay?: string;
  /** The title and subtitle already fitted (figures that align several panels pass the one they measured). */
  readonly head?: PanelHead;
}

/** A panel's title (13 px) and subtitle (11 px) fitted to its width: what is drawn above it. */
export interface PanelHead {
  readonly title?: FittedText;
  readonly subtitle?: FittedText;
  /** Room they take above the panel, px (0 without either). */
  readonly height: number;
}

const HEAD_GAP = 5;

/**
 * Fit a panel's title (`titleSize` px) and subtitle (11 px) to `width` px: each wraps (the subtitle onto at
 * most `subtitleLines` lines), then shrinks.
 */
export function panelHead(width: number, title?: string, subtitle?: string, titleSize = 13, subtitleLines = 2): PanelHead {
  const t = title ? fitText(title, width, titleSize) : undefined;
  const s = subtitle ? fitText(subtitle, width, 11, { maxLines: subtitleLines }) : undefined;
  const height = (t ? t.height + HEAD_GAP : 0) + (s ? s.height + 3 : 0) + (t || s ? 2 : 0);
  return { title: t, subtitle: s, height };
}

/** The most room a head with this title and a subtitle of at most `subtitleLines` lines can take (fixed-size frames). */
export function panelHeadRoom(width: number, title: string, subtitleLines: number, titleSize = 13): number {
  const t = fitText(title, width, titleSize);
  return t.height + HEAD_GAP + ((subtitleLines - 1) * LINE_HEIGHT + ASCENT + DESCENT) * 11 + 3 + 2;
}

/** The head's SVG above a panel at (left, top) of width `width`. */
export function panelHeadSvg(head: PanelHead, left: number, top: number, width: number): string {
  const x = left + width / 2;
  const parts: string[] = [];
  let bottom = top - HEAD_GAP;
  if (head.subtitle) {
    parts.push(textAboveSvg(head.subtitle, x, bottom, { fill: "#555555" }));
    bottom -= head.subtitle.height + 3;
  }
  if (head.title) parts.push(textAboveSvg(head.title, x, bottom));
  return parts.join("\n");
}

/** The panel's SVG: frame, triangle, points of `points` [rows, S] with `colours` [rows, 3]; its title and subtitle above it. */
export function beliefPanelSvg(view: BeliefView, points: Rows, colours: Uint8Array, left: number, top: number, size: number, options: BeliefPanelOptions): string {
  const projected = view.projection.project(points);
  const r = options.radius ?? 1.2;
  const parts: string[] = [`<g><rect x="${left}" y="${top}" width="${size}" height="${size}" fill="#ffffff" stroke="#cccccc"/>`];
  parts.push(panelHeadSvg(options.head ?? panelHead(size, options.title, options.subtitle), left, top, size));
  if (view.projection.kind === "simplex") {
    const tri = SIMPLEX_VERTICES.map(([x, y]) => toPanelPx(view, x, y, left, top, size).join(",")).join(" ");
    parts.push(`<polygon points="${tri}" fill="none" stroke="#888888" stroke-width="1"/>`);
  }
  parts.push(`<clipPath id="${options.id}"><rect x="${left}" y="${top}" width="${size}" height="${size}"/></clipPath><g clip-path="url(#${options.id})">`);
  const draw = (k: number) => {
    const [px, py] = toPanelPx(view, projected[2 * k], projected[2 * k + 1], left, top, size);
    parts.push(`<circle cx="${px}" cy="${py}" r="${r}" fill="rgb(${colours[3 * k]},${colours[3 * k + 1]},${colours[3 * k + 2]})"/>`);
  };
  if (options.rows) for (let i = 0; i < options.rows.length; i++) draw(options.rows[i]);
  else for (let k = 0; k < points.rows; k++) draw(k);
  if (options.overlay) parts.push(options.overlay);
  parts.push(`</g></g>`);
  return parts.join("\n");
}
