/**
 * Geometry read back from a figure's SVG: each <text> as the rectangle its glyphs cover (x, y,
 * font-size, anchor, weight and rotation, width from the DejaVu Sans advance widths), panel frames
 * (stroked rects), node circles and arrow paths, with nested <svg x y> offsets applied. The
 * overlap tests are written here from scratch (corner containment and separating axes on the
 * rectangles' corners), not taken from the plotting code.
 */
import { ASCENT, DESCENT, textWidth } from "../../src/plot/text.js";

export type Point = readonly [number, number];

export interface TextBox {
  readonly text: string;
  readonly size: number;
  /** The four corners, in drawing order. */
  readonly corners: readonly Point[];
  readonly halo: boolean;
}
export interface Frame {
  readonly x: number;
  readonly y: number;
  readonly w: number;
  readonly h: number;
}
export interface Node {
  readonly x: number;
  readonly y: number;
  readonly r: number;
}
export interface Arrow {
  /** The path's end and the point its last segment comes from (the curve's control point). */
  readonly tip: Point;
  readonly from: Point;
  /** The arrowhead's length and width (the marker's size). */
  readonly head: number;
}
export interface Geometry {
  readonly width: number;
  readonly height: number;
  readonly texts: TextBox[];
  readonly frames: Frame[];
  readonly nodes: Node[];
  readonly arrows: Arrow[];
}

const attr = (tag: string, name: string): string | undefined => new RegExp(`(?:^|\\s)${name}="([^"]*)"`).exec(tag)?.[1];
const num = (tag: string, name: string, fallback = 0): number => Number(attr(tag, name) ?? fallback);
const unescape = (s: string) => s.replace(/&lt;/g, "<").replace(/&gt;/g, ">").replace(/&quot;/g, '"').replace(/&#39;/g, "'").replace(/&amp;/g, "&");

export function parseSvg(svg: string): Geometry {
  const offsets: Point[] = [];
  const geometry: Geometry = { width: 0, height: 0, texts: [], frames: [], nodes: [], arrows: [] };
  const marker = /<marker [^>]*markerWidth="([\d.]+)"/.exec(svg);
  const head = marker ? Number(marker[1]) : 10;
  const re = /<(\/?)(svg|text|rect|circle|path)\b([^>]*?)(\/?)>(?:([^<]*)<\/text>)?/g;
  for (const m of svg.matchAll(re)) {
    const [, closing, name, tag, , content] = m;
    const [ox, oy] = offsets.at(-1) ?? [0, 0];
    if (name === "svg") {
      if (closing) offsets.pop();
      else {
        if (offsets.length === 0) {
          const vb = attr(tag, "viewBox")!.split(" ").map(Number);
          Object.assign(geometry, { width: vb[2], height: vb[3] });
        }
        offsets.push([ox + num(tag, "x"), oy + num(tag, "y")]);
      }
    } else if (name === "text" && !closing) {
      const size = num(tag, "font-size");
      const text = unescape(content ?? "");
      const w = textWidth(text, size, attr(tag, "font-weight") === "bold");
      const x = ox + num(tag, "x");
      const y = oy + num(tag, "y");
      const anchor = attr(tag, "text-anchor") ?? "start";
      const x0 = anchor === "middle" ? x - w / 2 : anchor === "end" ? x - w : x;
      let corners: Point[] = [[x0, y - ASCENT * size], [x0 + w, y - ASCENT * size], [x0 + w, y + DESCENT * size], [x0, y + DESCENT * size]];
      const rot = /rotate\(([-\d.]+)\s+([-\d.]+)\s+([-\d.]+)\)/.exec(attr(tag, "transform") ?? "");
      if (rot) {
        const a = (Number(rot[1]) * Math.PI) / 180;
        const cx = ox + Number(rot[2]);
        const cy = oy + Number(rot[3]);
        corners = corners.map(([px, py]) => [cx + (px - cx) * Math.cos(a) - (py - cy) * Math.sin(a), cy + (px - cx) * Math.sin(a) + (py - cy) * Math.cos(a)]);
      }
      if (text.trim() !== "") geometry.texts.push({ text, size, corners, halo: attr(tag, "stroke") === "#ffffff" });
    } else if (name === "rect" && !closing) {
      const stroke = attr(tag, "stroke");
      const w = num(tag, "width");
      const h = num(tag, "height");
      if (stroke && stroke !== "none" && w >= 60 && h >= 60) geometry.frames.push({ x: ox + num(tag, "x"), y: oy + num(tag, "y"), w, h });
    } else if (name === "circle" && attr(tag, "fill") === "#dbe9f6") {
      geometry.nodes.push({ x: ox + num(tag, "cx"), y: oy + num(tag, "cy"), r: num(tag, "r") });
    } else if (name === "path" && attr(tag, "marker-end")) {
      const coords = (attr(tag, "d") ?? "").match(/-?[\d.]+/g)!.map(Number);
      const n = coords.length;
      geometry.arrows.push({ tip: [ox + coords[n - 2], oy + coords[n - 1]], from: [ox + coords[n - 4], oy + coords[n - 3]], head });
    }
  }
  return geometry;
}

/** How far two convex quadrilaterals overlap along the axis that separates them best (0 or less: apart). */
export function overlapDepth(a: readonly Point[], b: readonly Point[]): number {
  let depth = Infinity;
  for (const poly of [a, b]) {
    for (let k = 0; k < poly.length; k++) {
      const [x1, y1] = poly[k];
      const [x2, y2] = poly[(k + 1) % poly.length];
      const len = Math.hypot(x2 - x1, y2 - y1) || 1;
      const [nx, ny] = [(y1 - y2) / len, (x2 - x1) / len];
      const pa = a.map(([x, y]) => x * nx + y * ny);
      const pb = b.map(([x, y]) => x * nx + y * ny);
      depth = Math.min(depth, Math.min(Math.max(...pa), Math.max(...pb)) - Math.max(Math.min(...pa), Math.min(...pb)));
    }
  }
  return depth;
}

/** Distance from a point to a convex quadrilateral (0 inside). */
export function distanceToPolygon(p: Point, poly: readonly Point[]): number {
  const inside = poly.every(([x1, y1], k) => {
    const [x2, y2] = poly[(k + 1) % poly.length];
    return (x2 - x1) * (p[1] - y1) - (y2 - y1) * (p[0] - x1) >= 0;
  }) || poly.every(([x1, y1], k) => {
    const [x2, y2] = poly[(k + 1) % poly.length];
    return (x2 - x1) * (p[1] - y1) - (y2 - y1) * (p[0] - x1) <= 0;
  });
  if (inside) return 0;
  let best = Infinity;
  poly.forEach(([x1, y1], k) => {
    const [x2, y2] = poly[(k + 1) % poly.length];
    const l2 = (x2 - x1) ** 2 + (y2 - y1) ** 2 || 1;
    const t = Math.max(0, Math.min(1, ((p[0] - x1) * (x2 - x1) + (p[1] - y1) * (y2 - y1)) / l2));
    best = Math.min(best, Math.hypot(p[0] - x1 - t * (x2 - x1), p[1] - y1 - t * (y2 - y1)));
  });
  return best;
}

/** The arrowhead drawn at an arrow's tip: a triangle as long and as wide as the marker. */
export function arrowhead(a: Arrow): Point[] {
  const [tx, ty] = a.tip;
  const len = Math.hypot(tx - a.from[0], ty - a.from[1]) || 1;
  const [ux, uy] = [(tx - a.from[0]) / len, (ty - a.from[1]) / len];
  const [l, w] = [a.head, a.head / 2];
  return [a.tip, [tx - l * ux + w * uy, ty - l * uy - w * ux], [tx - l * ux - w * uy, ty - l * uy + w * ux]];
}

/** Everything wrong with a figure's text layout, one line each (empty when it is clean). */
export function layoutProblems(g: Geometry, tolerance = 0.5): string[] {
  const problems: string[] = [];
  const label = (t: TextBox) => JSON.stringify(t.text.length > 50 ? `${t.text.slice(0, 47)}...` : t.text);
  for (const t of g.texts) {
    const xs = t.corners.map((c) => c[0]);
    const ys = t.corners.map((c) => c[1]);
    if (Math.min(...xs) < -tolerance || Math.max(...xs) > g.width + tolerance || Math.min(...ys) < -tolerance || Math.max(...ys) > g.height + tolerance) {
      problems.push(`${label(t)} leaves the figure (x ${Math.min(...xs).toFixed(1)}..${Math.max(...xs).toFixed(1)} of ${g.width}, y ${Math.min(...ys).toFixed(1)}..${Math.max(...ys).toFixed(1)} of ${g.height})`);
    }
    for (const f of g.frames) {
      const inside = t.corners.filter(([x, y]) => x > f.x + tolerance && x < f.x + f.w - tolerance && y > f.y + tolerance && y < f.y + f.h - tolerance).length;
      const frame: Point[] = [[f.x, f.y], [f.x + f.w, f.y], [f.x + f.w, f.y + f.h], [f.x, f.y + f.h]];
      if (inside < 4 && overlapDepth(t.corners, frame) > 1) problems.push(`${label(t)} crosses the edge of the panel at (${f.x}, ${f.y}) ${f.w} x ${f.h}`);
    }
  }
  for (let i = 0; i < g.texts.length; i++) {
    for (let j = i + 1; j < g.texts.length; j++) {
      const d = overlapDepth(g.texts[i].corners, g.texts[j].corners);
      if (d > 1) problems.push(`${label(g.texts[i])} and ${label(g.texts[j])} overlap by ${d.toFixed(1)} px`);
    }
  }
  return problems;
}

/** Arrowheads under nodes, and edge labels (the haloed texts) over nodes. */
export function graphProblems(g: Geometry): string[] {
  const problems: string[] = [];
  g.arrows.forEach((a, k) => {
    const head = arrowhead(a);
    for (const n of g.nodes) {
      const d = Math.min(...head.map(([x, y]) => Math.hypot(x - n.x, y - n.y) - n.r));
      if (d < 0.5) problems.push(`arrowhead ${k} (tip ${a.tip.map((v) => v.toFixed(1)).join(", ")}) is under the node at (${n.x}, ${n.y}) by ${(-d).toFixed(1)} px`);
    }
  });
  for (const t of g.texts.filter((t) => t.halo)) {
    for (const n of g.nodes) {
      const d = distanceToPolygon([n.x, n.y], t.corners) - n.r;
      if (d < 0) problems.push(`edge label ${JSON.stringify(t.text)} overlaps the node at (${n.x}, ${n.y}) by ${(-d).toFixed(1)} px`);
    }
  }
  return problems;
}
