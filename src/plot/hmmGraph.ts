/**
 * An HMM drawn as a graph: states on a circle (labelled with their
 * stationary probability when given), one curved arrow i -> j per pair with
 * some T[x][i][j] above a threshold, labelled "x:p" for each symbol. Two
 * graphs side by side (true and recovered, states matched) share the layout.
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

function panel(g: HmmGraphInput, left: number, top: number, size: number, threshold: number): string {
  const S = g.nStates;
  const V = g.nSymbols;
  const T = g.transitions;
  const cx = left + size / 2;
  const cy = top + size / 2 + 16;
  const R = S === 1 ? 0 : size * 0.27;
  const nodeR = Math.max(14, Math.min(26, size / (3 * Math.max(S, 3))));
  const pos = Array.from({ length: S }, (_, i) => {
    const a = -Math.PI / 2 + (2 * Math.PI * i) / S;
    return [cx + R * Math.cos(a), cy + R * Math.sin(a)] as const;
  });
  const parts: string[] = [];
  if (g.title) parts.push(`<text x="${round1(cx)}" y="${top + 14}" text-anchor="middle" font-size="14" font-family="${FONT}">${escapeXml(g.title)}</text>`);
  const sym = (x: number) => g.symbolLabels?.[x] ?? String(x);
  for (let i = 0; i < S; i++) {
    for (let j = 0; j < S; j++) {
      const labels: string[] = [];
      let total = 0;
      for (let x = 0; x < V; x++) {
        const p = T[(x * S + i) * S + j];
        if (p >= threshold) labels.push(`${sym(x)}:${fmt(p)}`);
        total += p;
      }
      if (labels.length === 0) continue;
      const width = round1(0.8 + 2.5 * Math.min(1, total));
      const text = escapeXml(labels.join(" "));
      if (i === j) {
        // Self-loop: a circle outside the node, away from the centre.
        const [x, y] = pos[i];
        const dx = S === 1 ? 0 : x - cx;
        const dy = S === 1 ? -1 : y - cy;
        const d = Math.hypot(dx, dy) || 1;
        const lx = x + (dx / d) * nodeR * 1.6;
        const ly = y + (dy / d) * nodeR * 1.6;
        parts.push(`<circle cx="${round1(lx)}" cy="${round1(ly)}" r="${round1(nodeR * 0.8)}" fill="none" stroke="#555555" stroke-width="${width}"/>`);
        // Label beyond the loop, anchored away from the node so it never runs over it.
        const ux = dx / d;
        const uy = dy / d;
        const side = Math.abs(uy) < 0.45;
        const anchor = side ? (ux > 0 ? "start" : "end") : "middle";
        const lxT = x + ux * nodeR * (side ? 2.5 : 1.6);
        const lyT = y + uy * nodeR * 2.6 + (side ? 4 : uy < 0 ? -2 : 14);
        parts.push(`<text x="${round1(lxT)}" y="${round1(lyT)}" text-anchor="${anchor}" font-size="10" font-family="${FONT}">${text}</text>`);
        continue;
      }
      const [x1, y1] = pos[i];
      const [x2, y2] = pos[j];
      const mx = (x1 + x2) / 2;
      const my = (y1 + y2) / 2;
      const len = Math.hypot(x2 - x1, y2 - y1) || 1;
      // Bend to the right of the direction of travel, so i -> j and j -> i are apart.
      const nx = (y2 - y1) / len;
      const ny = -(x2 - x1) / len;
      const bend = 0.18 * len;
      const qx = mx + nx * bend;
      const qy = my + ny * bend;
      // Stop at the node's rim: shorten along the curve's end tangent.
      const ex = x2 - qx;
      const ey = y2 - qy;
      const el = Math.hypot(ex, ey) || 1;
      const tx = x2 - (ex / el) * (nodeR + 3);
      const ty = y2 - (ey / el) * (nodeR + 3);
      const sxx = x1 + ((qx - x1) / (Math.hypot(qx - x1, qy - y1) || 1)) * nodeR;
      const syy = y1 + ((qy - y1) / (Math.hypot(qx - x1, qy - y1) || 1)) * nodeR;
      parts.push(`<path d="M${round1(sxx)},${round1(syy)} Q${round1(qx)},${round1(qy)} ${round1(tx)},${round1(ty)}" fill="none" stroke="#555555" stroke-width="${width}" marker-end="url(#arrow)"/>`);
      const lx = 0.25 * x1 + 0.5 * qx + 0.25 * x2;
      const ly = 0.25 * y1 + 0.5 * qy + 0.25 * y2;
      parts.push(`<text x="${round1(lx + nx * 8)}" y="${round1(ly + ny * 8 + 4)}" text-anchor="middle" font-size="10" font-family="${FONT}" fill="#222222">${text}</text>`);
    }
  }
  for (let i = 0; i < S; i++) {
    const [x, y] = pos[i];
    parts.push(`<circle cx="${round1(x)}" cy="${round1(y)}" r="${round1(nodeR)}" fill="#dbe9f6" stroke="#1f77b4" stroke-width="1.5"/>`);
    parts.push(`<text x="${round1(x)}" y="${round1(y + (g.stationary ? -1 : 4))}" text-anchor="middle" font-size="12" font-family="${FONT}">${escapeXml(g.stateLabels?.[i] ?? String(i))}</text>`);
    if (g.stationary) parts.push(`<text x="${round1(x)}" y="${round1(y + 11)}" text-anchor="middle" font-size="9" fill="#1f77b4" font-family="${FONT}">π ${g.stationary[i].toFixed(2)}</text>`);
  }
  return parts.join("\n");
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
    `<defs><marker id="arrow" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="7" markerHeight="7" orient="auto-start-reverse"><path d="M0,0 L10,5 L0,10 z" fill="#555555"/></marker></defs>`,
    `<rect width="${width}" height="${height}" fill="#ffffff"/>`,
    options.title ? `<text x="${width / 2}" y="22" text-anchor="middle" font-size="15" font-weight="bold" font-family="${FONT}">${escapeXml(options.title)}</text>` : "",
    ...graphs.map((g, k) => panel(g, k * size, top, size, threshold)),
    `<text x="${width / 2}" y="${height - 6}" text-anchor="middle" font-size="10" fill="#777777" font-family="${FONT}">arrows i → j labelled symbol:T[x][i][j] (entries ≥ ${threshold}); width ∝ P(i → j)</text>`,
    `</svg>`,
    "",
  ].join("\n");
}
