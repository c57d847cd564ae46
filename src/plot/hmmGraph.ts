/**
 * An HMM drawn as a graph: states on a circle (labelled with their
 * stationary probability when given), one curved arrow i -> j per pair with
 * some T[x][i][j] above a threshold, labelled "x:p" for each symbol along the
 * arrow (with a white halo), placed greedily where it overlaps no node, loop
 * or other label (most probable edge first). Two graphs side by side (true
 * and recovered, states matched) share the layout.
 */
import { escapeXml, FONT, round1 } from "./svg.js";
import { fitText, textAboveSvg, textBlockSvg, textWidth as measure } from "./text.js";

export interface HmmGraphInput {
  readonly nStates: number;
  readonly nSymbols: number;
  /** [V, S, S] flat */
  readonly transitions: ArrayLike<number>;
  readonly symbolLabels?: readonly string[];
  readonly stateLabels?: readonly string[];
  /** [S] shown under each state. */
  readonly stationary?: ArrayLike<number>;
  readonly title?: string;
}

export interface HmmGraphOptions {
  /** Edges with every T[x][i][j] below this are not drawn. Default 0.01. */
  readonly threshold?: number;
  /** Panel side in px. Default 420. */
  readonly size?: number;
  readonly title?: string;
  /** Paint a white background (false when the graph is placed inside another figure). Default true. */
  readonly background?: boolean;
  /** Draw the line explaining the labels under the graphs. Default true. */
  readonly footer?: boolean;
  /** Label edges with their probabilities and states with their stationary probability. Default true (a small thumbnail turns them off). */
  readonly labels?: boolean;
}

const fmt = (p: number): string => (p >= 0.995 ? "1" : p.toFixed(2).replace(/^0/, ""));

/** Text with a white halo, so that a line passing under it never hides it. */
function label(x: number, y: number, text: string, attrs: string, fontSize: number): string {
  return `<text x="${round1(x)}" y="${round1(y)}" ${attrs} font-size="${fontSize}" font-family="${FONT}" fill="#222222" stroke="#ffffff" stroke-width="3" stroke-linejoin="round" paint-order="stroke">${text}</text>`;
}

/** A label's footprint: a rectangle of w x h centred at (x, y), rotated by angle (radians). */
interface Oriented {
  readonly x: number;
  readonly y: number;
  readonly w: number;
  readonly h: number;
  readonly angle: number;
}
interface Circle {
  readonly x: number;
  readonly y: number;
  readonly r: number;
}
type Obstacle = { readonly box: Oriented } | { readonly circle: Circle };

/** Width of a label (DejaVu Sans advance widths). */
const textWidth = (text: string, fontSize: number): number => measure(text, fontSize);

const corners = (b: Oriented): [number, number][] => {
  const c = Math.cos(b.angle);
  const s = Math.sin(b.angle);
  return [[-1, -1], [1, -1], [1, 1], [-1, 1]].map(([u, v]) => [b.x + (u * b.w * c) / 2 - (v * b.h * s) / 2, b.y + (u * b.w * s) / 2 + (v * b.h * c) / 2]);
};

/** How deep two rotated rectangles overlap (the least penetration over the separating axes; 0 when apart). */
function boxOverlap(a: Oriented, b: Oriented): number {
  const ca = corners(a);
  const cb = corners(b);
  let depth = Infinity;
  for (const angle of [a.angle, a.angle + Math.PI / 2, b.angle, b.angle + Math.PI / 2]) {
    const ux = Math.cos(angle);
    const uy = Math.sin(angle);
    const pa = ca.map(([x, y]) => x * ux + y * uy);
    const pb = cb.map(([x, y]) => x * ux + y * uy);
    const d = Math.min(Math.max(...pa), Math.max(...pb)) - Math.max(Math.min(...pa), Math.min(...pb));
    if (d <= 0) return 0;
    depth = Math.min(depth, d);
  }
  return depth;
}

/** How deep a circle reaches into a rotated rectangle (0 when apart). */
function circleOverlap(b: Oriented, c: Circle): number {
  const dx = c.x - b.x;
  const dy = c.y - b.y;
  const cos = Math.cos(-b.angle);
  const sin = Math.sin(-b.angle);
  const u = dx * cos - dy * sin;
  const v = dx * sin + dy * cos;
  const nu = Math.max(-b.w / 2, Math.min(b.w / 2, u));
  const nv = Math.max(-b.h / 2, Math.min(b.h / 2, v));
  return Math.max(0, c.r - Math.hypot(u - nu, v - nv));
}

const overlapWith = (b: Oriented, o: Obstacle): number => ("box" in o ? boxOverlap(b, o.box) : circleOverlap(b, o.circle));

interface Arc {
  readonly d: string;
  readonly width: number;
  readonly text: string;
  readonly total: number;
  /** Point and unit normal (towards the chord) at parameter t of the quadratic curve. */
  readonly at: (t: number) => { x: number; y: number; nx: number; ny: number; angle: number };
}

/** Distance from (px, py) to the nearest of `points`. */
const nearest = (points: readonly (readonly [number, number])[], px: number, py: number): number => Math.min(...points.map(([x, y]) => Math.hypot(x - px, y - py)));

/** The arc i -> j: a quadratic curve from rim to rim, bent to the right of travel (so i -> j and j -> i form a lens), bent further when it would pass under another node. */
function arcBetween(pos: readonly (readonly [number, number])[], i: number, j: number, nodeR: number): Omit<Arc, "width" | "text" | "total"> {
  const [x1, y1] = pos[i];
  const [x2, y2] = pos[j];
  const len = Math.hypot(x2 - x1, y2 - y1) || 1;
  const nx = (y2 - y1) / len;
  const ny = -(x2 - x1) / len;
  const others = pos.filter((_, k) => k !== i && k !== j);
  const make = (bendFraction: number) => {
    const bend = bendFraction * len;
    const qx = (x1 + x2) / 2 + nx * bend;
    const qy = (y1 + y2) / 2 + ny * bend;
    // Start and stop at the nodes' rims along the curve's end tangents; the arrowhead's tip stops 3 px short of the rim.
    const sl = Math.hypot(qx - x1, qy - y1) || 1;
    const el = Math.hypot(x2 - qx, y2 - qy) || 1;
    const sx = x1 + ((qx - x1) / sl) * nodeR;
    const sy = y1 + ((qy - y1) / sl) * nodeR;
    const tx = x2 - ((x2 - qx) / el) * (nodeR + 3);
    const ty = y2 - ((y2 - qy) / el) * (nodeR + 3);
    const at = (t: number) => {
      const u = 1 - t;
      const x = u * u * sx + 2 * u * t * qx + t * t * tx;
      const y = u * u * sy + 2 * u * t * qy + t * t * ty;
      const gx = 2 * u * (qx - sx) + 2 * t * (tx - qx);
      const gy = 2 * u * (qy - sy) + 2 * t * (ty - qy);
      const gl = Math.hypot(gx, gy) || 1;
      // The normal towards the chord is minus the bend direction (the right of travel).
      return { x, y, nx: -gy / gl, ny: gx / gl, angle: Math.atan2(gy, gx) };
    };
    let clearance = Infinity;
    for (let k = 0; k <= 40 && others.length > 0; k++) {
      const p = at(k / 40);
      clearance = Math.min(clearance, nearest(others, p.x, p.y));
    }
    return { d: `M${round1(sx)},${round1(sy)} Q${round1(qx)},${round1(qy)} ${round1(tx)},${round1(ty)}`, at, clearance };
  };
  const options = [0.2, 0.32, 0.45, 0.6].map(make);
  return options.find((o) => o.clearance > nodeR + 8) ?? options.reduce((p, q) => (q.clearance > p.clearance ? q : p));
}

/** Label candidates along an arc: its middle first, then outwards, on the chord's side then the other, then further off. */
const CANDIDATES: readonly (readonly [number, number, number])[] = [1, 2.2, 3.4].flatMap((off) => [0.5, 0.4, 0.6, 0.3, 0.7, 0.22, 0.78, 0.15, 0.85].flatMap((t) => [[t, 1, off], [t, -1, off]] as [number, number, number][]));

/** Place each arc's label (most probable edge first) where it overlaps no node, loop or label already placed, else where it overlaps least. */
function placeArcLabels(arcs: readonly Arc[], taken: Obstacle[], left: number, top: number, size: number, bottom: number, fontSize: number): string[] {
  const labels: string[] = [];
  const h = 1.1 * fontSize;
  for (const a of [...arcs].sort((p, q) => q.total - p.total)) {
    const w = textWidth(a.text, fontSize) + 4;
    let best: { x: number; y: number; angle: number; box: Oriented; cost: number } | null = null;
    for (const [t, side, off] of CANDIDATES) {
      const p = a.at(t);
      const gap = a.width / 2 + 3 + (off * h) / 2;
      const x = p.x + side * p.nx * gap;
      const y = p.y + side * p.ny * gap;
      let angle = p.angle;
      if (angle > Math.PI / 2) angle -= Math.PI;
      if (angle < -Math.PI / 2) angle += Math.PI;
      if (Math.abs(angle) < Math.PI / 180) angle = 0; // near-horizontal labels stay horizontal
      const box: Oriented = { x, y, w, h, angle };
      const cs = corners(box);
      const outside = cs.reduce((o, [px, py]) => o + Math.max(0, left + 2 - px) + Math.max(0, px - left - size + 2) + Math.max(0, top - py) + Math.max(0, py - bottom), 0);
      const cost = taken.reduce((c, o) => c + overlapWith(box, o), 0) * 10 + 100 * outside + (t !== 0.5 ? 0.3 : 0) + (off > 1 ? 1 : 0);
      if (!best || cost < best.cost) best = { x, y, angle, box, cost };
      if (cost < 0.5) break;
    }
    const b = best!;
    taken.push({ box: b.box });
    const deg = round1((b.angle * 180) / Math.PI);
    // The baseline that centres the glyphs (ascent 0.76 em, descent 0.24 em) on the box.
    labels.push(label(b.x, b.y + 0.26 * fontSize, escapeXml(a.text), `text-anchor="middle"${deg !== 0 ? ` transform="rotate(${deg} ${round1(b.x)} ${round1(b.y)})"` : ""}`, fontSize));
  }
  return labels;
}

function panel(g: HmmGraphInput, left: number, top: number, size: number, threshold: number, withLabels: boolean): string {
  const S = g.nStates;
  const V = g.nSymbols;
  const T = g.transitions;
  const cx = left + size / 2;
  const nodeR = Math.max(9, Math.min(26, size / (3 * Math.max(S, 3)), size / 14));
  // Edge labels at 10 px, 9 px in panels under 300 px.
  const fontSize = size >= 300 ? 10 : 9;
  const angles = Array.from({ length: S }, (_, i) => -Math.PI / 2 + (2 * Math.PI * i) / S);
  const labels: string[] = [];
  // The panel's title fitted to its width (it wraps, then shrinks); the drawing goes below it.
  const head = g.title ? fitText(g.title, size - 12, 14) : undefined;
  const headBottom = head ? top + 4 + head.height : top;
  if (head) labels.push(textBlockSvg(head, cx, top + 4).svg);
  // The circle of states, small enough that the nodes, their self-loops and loop labels fit below the title.
  const room = Math.max(22, headBottom - top + 4);
  const reach = nodeR * 2.4 + (withLabels ? 14 : 2);
  const sinSpan = Math.max(...angles.map(Math.sin)) - Math.min(...angles.map(Math.sin));
  const R = S === 1 ? 0 : Math.max(nodeR * 1.6, Math.min(size * 0.3, (size - room - 2 * reach) / (sinSpan || 1)));
  const yLow = Math.min(...angles.map((a) => R * Math.sin(a))) - reach;
  const yHigh = Math.max(...angles.map((a) => R * Math.sin(a))) + reach;
  const cy = top + room + (size - room) / 2 - (yLow + yHigh) / 2;
  const pos = angles.map((a) => [cx + R * Math.cos(a), cy + R * Math.sin(a)] as const);
  const edges: string[] = [];
  // Obstacles for labels: the nodes, then every label placed.
  const taken: Obstacle[] = pos.map(([x, y]) => ({ circle: { x, y, r: nodeR + 1 } }));
  const sym = (x: number) => g.symbolLabels?.[x] ?? String(x);
  const arcs: Arc[] = [];
  for (let i = 0; i < S; i++) {
    for (let j = 0; j < S; j++) {
      const parts: string[] = [];
      let total = 0;
      for (let x = 0; x < V; x++) {
        const p = T[(x * S + i) * S + j];
        if (p >= threshold) parts.push(`${sym(x)}:${fmt(p)}`);
        total += p;
      }
      if (parts.length === 0) continue;
      const width = round1(0.8 + 2.5 * Math.min(1, total));
      const text = parts.join(" ");
      if (i === j) {
        // Self-loop: a circle outside the node, away from the centre, labelled beyond it (centred on the
        // loop, above it for the upper nodes, below it for the others, kept inside the panel).
        const [x, y] = pos[i];
        const dx = S === 1 ? 0 : x - cx;
        const dy = S === 1 ? -1 : y - cy;
        const d = Math.hypot(dx, dy) || 1;
        const lcx = x + (dx / d) * nodeR * 1.6;
        const lcy = y + (dy / d) * nodeR * 1.6;
        const lr = nodeR * 0.8;
        edges.push(`<circle cx="${round1(lcx)}" cy="${round1(lcy)}" r="${round1(lr)}" fill="none" stroke="#555555" stroke-width="${width}"/>`);
        const w = textWidth(text, fontSize);
        const lx = Math.min(left + size - 4 - w / 2, Math.max(left + 4 + w / 2, lcx));
        const above = dy / d < -0.3;
        const ly = above ? lcy - lr - width / 2 - 4 : lcy + lr + width / 2 + 11;
        if (withLabels) labels.push(label(lx, ly, escapeXml(text), `text-anchor="middle"`, fontSize));
        taken.push({ circle: { x: lcx, y: lcy, r: lr + 2 } }, { box: { x: lx, y: ly - 0.26 * fontSize, w: w + 2, h: 1.1 * fontSize, angle: 0 } });
        continue;
      }
      arcs.push({ ...arcBetween(pos, i, j, nodeR), width, text, total });
    }
  }
  for (const a of arcs) edges.push(`<path d="${a.d}" fill="none" stroke="#555555" stroke-width="${a.width}" marker-end="url(#arrow)"/>`);
  if (withLabels) labels.push(...placeArcLabels(arcs, taken, left, headBottom, size, top + size, fontSize));
  const nodes: string[] = [];
  for (let i = 0; i < S; i++) {
    const [x, y] = pos[i];
    nodes.push(`<circle cx="${round1(x)}" cy="${round1(y)}" r="${round1(nodeR)}" fill="#dbe9f6" stroke="#1f77b4" stroke-width="1.5"/>`);
    // π under the state's name only where it fits inside the node.
    const pi = g.stationary && withLabels && nodeR >= 16;
    nodes.push(`<text x="${round1(x)}" y="${round1(y + (pi ? -1 : 4))}" text-anchor="middle" font-size="${nodeR < 14 ? 10 : 12}" font-family="${FONT}">${escapeXml(g.stateLabels?.[i] ?? String(i))}</text>`);
    if (pi) nodes.push(`<text x="${round1(x)}" y="${round1(y + 11)}" text-anchor="middle" font-size="9" fill="#1f77b4" font-family="${FONT}">π ${g.stationary[i].toFixed(2)}</text>`);
  }
  // Edges first, then nodes, then every label on top.
  return [...edges, ...nodes, ...labels].join("\n");
}

/** One or more HMMs side by side. */
export function hmmGraphSvg(graphs: readonly HmmGraphInput[], options: HmmGraphOptions = {}): string {
  const size = options.size ?? 420;
  const threshold = options.threshold ?? 0.01;
  const withLabels = options.labels !== false;
  const width = size * graphs.length;
  // Arrowheads scale with the nodes (10 px at full size).
  const nodeR = Math.max(9, Math.min(26, size / (3 * Math.max(3, ...graphs.map((g) => g.nStates))), size / 14));
  const head = round1(Math.min(10, Math.max(4, nodeR / 2.6)));
  const title = options.title ? fitText(options.title, width - 16, 15, { bold: true }) : undefined;
  const top = title ? Math.ceil(8 + title.height + 6) : 8;
  const footer = options.footer === false ? undefined : fitText(withLabels ? `arrows i → j labelled symbol:T[x][i][j] (entries ≥ ${threshold}); width ∝ P(i → j)` : "arrows i → j; width ∝ P(i → j)", width - 12, 10);
  const height = Math.ceil(size + top + (footer ? 6 + footer.height : 0));
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}">`,
    `<defs><marker id="arrow" viewBox="0 0 10 10" refX="10" refY="5" markerUnits="userSpaceOnUse" markerWidth="${head}" markerHeight="${head}" orient="auto"><path d="M0,0 L10,5 L0,10 z" fill="#555555"/></marker></defs>`,
    options.background === false ? "" : `<rect width="${width}" height="${height}" fill="#ffffff"/>`,
    title ? textBlockSvg(title, width / 2, 8).svg : "",
    ...graphs.map((g, k) => panel(g, k * size, top, size, threshold, withLabels)),
    footer ? textAboveSvg(footer, width / 2, height - 2, { fill: "#777777" }) : "",
    `</svg>`,
    "",
  ].join("\n");
}
