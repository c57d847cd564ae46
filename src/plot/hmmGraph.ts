/**
 * An HMM drawn as a graph: states on a circle (labelled with their
 * stationary probability when given), one curved arrow i -> j per pair with
 * some T[x][i][j] above a threshold, labelled "x:p" for each symbol along the
 * arrow (with a white halo), placed greedily where it overlaps no node, loop
 * or other label (most probable edge first). Two graphs side by side (true
 * and recovered, states matched) share the layout.
 */
import { escapeXml, FONT, round1 } from "./svg.js";

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
}

const fmt = (p: number): string => (p >= 0.995 ? "1" : p.toFixed(2).replace(/^0/, ""));

/** Text with a white halo, so that a line passing under it never hides it. */
function label(x: number, y: number, text: string, attrs: string): string {
  return `<text x="${round1(x)}" y="${round1(y)}" ${attrs} font-size="10" font-family="${FONT}" fill="#222222" stroke="#ffffff" stroke-width="3" stroke-linejoin="round" paint-order="stroke">${text}</text>`;
}

/** An axis-aligned box [x0, y0, x1, y1]. */
type Box = readonly [number, number, number, number];

const overlap = (a: Box, b: Box): number => Math.max(0, Math.min(a[2], b[2]) - Math.max(a[0], b[0])) * Math.max(0, Math.min(a[3], b[3]) - Math.max(a[1], b[1]));

/** Width of a label at font size 10 (DejaVu Sans: digits 6.4 px, ':' and '.' 3.2 px, letters about 6.5 px). */
const textWidth = (text: string): number => Array.from(text).reduce((w, c) => w + (c === ":" || c === "." ? 3.2 : c === " " ? 3.2 : 6.4), 0);

/** The box around text of width w and height h centred at (x, y), rotated by angle (radians). */
function rotatedBox(x: number, y: number, w: number, h: number, angle: number): Box {
  const c = Math.abs(Math.cos(angle));
  const s = Math.abs(Math.sin(angle));
  const W = (w * c + h * s) / 2;
  const H = (w * s + h * c) / 2;
  return [x - W, y - H, x + W, y + H];
}

interface Arc {
  readonly d: string;
  readonly width: number;
  readonly text: string;
  readonly total: number;
  /** Point and unit normal (towards the chord) at parameter t of the quadratic curve. */
  readonly at: (t: number) => { x: number; y: number; nx: number; ny: number; angle: number };
}

function panel(g: HmmGraphInput, left: number, top: number, size: number, threshold: number): string {
  const S = g.nStates;
  const V = g.nSymbols;
  const T = g.transitions;
  const cx = left + size / 2;
  const R = S === 1 ? 0 : size * 0.3;
  const nodeR = Math.max(14, Math.min(26, size / (3 * Math.max(S, 3))));
  const angles = Array.from({ length: S }, (_, i) => -Math.PI / 2 + (2 * Math.PI * i) / S);
  // Centre the drawing (nodes, their self-loops and loop labels) in the panel below its title.
  const reach = nodeR * 2.4 + 14;
  const yLow = Math.min(...angles.map((a) => R * Math.sin(a))) - reach;
  const yHigh = Math.max(...angles.map((a) => R * Math.sin(a))) + reach;
  const cy = top + 22 + (size - 22) / 2 - (yLow + yHigh) / 2;
  const pos = angles.map((a) => [cx + R * Math.cos(a), cy + R * Math.sin(a)] as const);
  const edges: string[] = [];
  const labels: string[] = [];
  // Obstacles for labels: the nodes and the title, then every label placed.
  const taken: Box[] = pos.map(([x, y]) => [x - nodeR, y - nodeR, x + nodeR, y + nodeR] as const);
  if (g.title) {
    labels.push(`<text x="${round1(cx)}" y="${top + 14}" text-anchor="middle" font-size="14" font-family="${FONT}">${escapeXml(g.title)}</text>`);
    taken.push([cx - 4.5 * g.title.length, top, cx + 4.5 * g.title.length, top + 18]);
  }
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
        const w = textWidth(text);
        const lx = Math.min(left + size - 4 - w / 2, Math.max(left + 4 + w / 2, lcx));
        const above = dy / d < -0.3;
        const ly = above ? lcy - lr - width / 2 - 4 : lcy + lr + width / 2 + 11;
        labels.push(label(lx, ly, escapeXml(text), `text-anchor="middle"`));
        taken.push([lcx - lr - 2, lcy - lr - 2, lcx + lr + 2, lcy + lr + 2], [lx - w / 2, ly - 9, lx + w / 2, ly + 2]);
        continue;
      }
      const [x1, y1] = pos[i];
      const [x2, y2] = pos[j];
      const len = Math.hypot(x2 - x1, y2 - y1) || 1;
      // Bend to the right of the direction of travel, so i -> j and j -> i are apart (a lens).
      const nx = (y2 - y1) / len;
      const ny = -(x2 - x1) / len;
      const bend = 0.2 * len;
      const qx = (x1 + x2) / 2 + nx * bend;
      const qy = (y1 + y2) / 2 + ny * bend;
      // Start and stop at the nodes' rims (along the curve's end tangents), the arrowhead clear of the rim.
      const sl = Math.hypot(qx - x1, qy - y1) || 1;
      const el = Math.hypot(x2 - qx, y2 - qy) || 1;
      const sx = x1 + ((qx - x1) / sl) * nodeR;
      const sy = y1 + ((qy - y1) / sl) * nodeR;
      const tx = x2 - ((x2 - qx) / el) * (nodeR + 2);
      const ty = y2 - ((y2 - qy) / el) * (nodeR + 2);
      arcs.push({
        d: `M${round1(sx)},${round1(sy)} Q${round1(qx)},${round1(qy)} ${round1(tx)},${round1(ty)}`,
        width,
        text,
        total,
        at: (t) => {
          const u = 1 - t;
          // The curve as drawn (rim to rim).
          const x = u * u * sx + 2 * u * t * qx + t * t * tx;
          const y = u * u * sy + 2 * u * t * qy + t * t * ty;
          const gx = 2 * u * (qx - sx) + 2 * t * (tx - qx);
          const gy = 2 * u * (qy - sy) + 2 * t * (ty - qy);
          const gl = Math.hypot(gx, gy) || 1;
          // The normal towards the chord is minus the bend direction (the right of travel).
          return { x, y, nx: -gy / gl, ny: gx / gl, angle: Math.atan2(gy, gx) };
        },
      });
    }
  }
  for (const a of arcs) edges.push(`<path d="${a.d}" fill="none" stroke="#555555" stroke-width="${a.width}" marker-end="url(#arrow)"/>`);
  // Labels along their arcs, placed greedily (most probable edge first): just inside the arc (the chord's
  // side, between the two arcs of a pair) at its middle if that is free, else the first free spot along
  // the arc on either side, else the spot with the least overlap.
  const h = 11;
  const candidates: [number, number][] = [];
  for (const t of [0.5, 0.4, 0.6, 0.3, 0.7, 0.22, 0.78]) for (const side of [1, -1]) candidates.push([t, side]);
  for (const a of [...arcs].sort((p, q) => q.total - p.total)) {
    const w = textWidth(a.text) + 4;
    let best: { x: number; y: number; angle: number; box: Box; cost: number } | null = null;
    for (const [t, side] of candidates) {
      const p = a.at(t);
      const gap = a.width / 2 + 3.5 + h / 2;
      const x = p.x + side * p.nx * gap;
      const y = p.y + side * p.ny * gap;
      let angle = p.angle;
      if (angle > Math.PI / 2) angle -= Math.PI;
      if (angle < -Math.PI / 2) angle += Math.PI;
      const box = rotatedBox(x, y, w, h, angle);
      // Rotated text's box overstates its footprint at steep angles: shrink it a little before testing.
      const inner: Box = [box[0] + 2, box[1] + 2, box[2] - 2, box[3] - 2];
      const outside = Math.max(0, left - inner[0]) + Math.max(0, inner[2] - left - size);
      const cost = taken.reduce((c, b) => c + overlap(inner, b), 0) + 100 * outside + (t !== 0.5 ? 0.5 : 0);
      if (!best || cost < best.cost) best = { x, y, angle, box, cost };
      if (cost < 1) break;
    }
    const b = best!;
    taken.push(b.box);
    const raw = (b.angle * 180) / Math.PI;
    const deg = Math.abs(raw) < 1 ? 0 : round1(raw); // near-horizontal labels stay horizontal
    labels.push(label(b.x, b.y + 3.5, escapeXml(a.text), `text-anchor="middle"${deg !== 0 ? ` transform="rotate(${deg} ${round1(b.x)} ${round1(b.y)})"` : ""}`));
  }
  const nodes: string[] = [];
  for (let i = 0; i < S; i++) {
    const [x, y] = pos[i];
    nodes.push(`<circle cx="${round1(x)}" cy="${round1(y)}" r="${round1(nodeR)}" fill="#dbe9f6" stroke="#1f77b4" stroke-width="1.5"/>`);
    nodes.push(`<text x="${round1(x)}" y="${round1(y + (g.stationary ? -1 : 4))}" text-anchor="middle" font-size="12" font-family="${FONT}">${escapeXml(g.stateLabels?.[i] ?? String(i))}</text>`);
    if (g.stationary) nodes.push(`<text x="${round1(x)}" y="${round1(y + 11)}" text-anchor="middle" font-size="9" fill="#1f77b4" font-family="${FONT}">π ${g.stationary[i].toFixed(2)}</text>`);
  }
  // Edges first, then nodes, then every label on top.
  return [...edges, ...nodes, ...labels].join("\n");
}

/** One or more HMMs side by side. */
export function hmmGraphSvg(graphs: readonly HmmGraphInput[], options: HmmGraphOptions = {}): string {
  const size = options.size ?? 420;
  const threshold = options.threshold ?? 0.01;
  const top = options.title ? 36 : 8;
  const width = size * graphs.length;
  const height = size + top + 20;
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}">`,
    `<defs><marker id="arrow" viewBox="0 0 10 10" refX="9" refY="5" markerUnits="userSpaceOnUse" markerWidth="10" markerHeight="10" orient="auto-start-reverse"><path d="M0,0 L10,5 L0,10 z" fill="#555555"/></marker></defs>`,
    `<rect width="${width}" height="${height}" fill="#ffffff"/>`,
    options.title ? `<text x="${width / 2}" y="22" text-anchor="middle" font-size="15" font-weight="bold" font-family="${FONT}">${escapeXml(options.title)}</text>` : "",
    ...graphs.map((g, k) => panel(g, k * size, top, size, threshold)),
    `<text x="${width / 2}" y="${height - 6}" text-anchor="middle" font-size="10" fill="#777777" font-family="${FONT}">arrows i → j labelled symbol:T[x][i][j] (entries ≥ ${threshold}); width ∝ P(i → j)</text>`,
    `</svg>`,
    "",
  ].join("\n");
}
