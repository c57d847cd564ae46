/**
 * One frame of the mechanism animation: the HMM as a graph (edge width by probability), the
 * optimal belief fractal (exact beliefs of sampled histories: points of the mixed-state
 * presentation), and the constructed linear-attention model's approximation of the same
 * histories, side by side and coloured by the true belief, with the parameter and scores.
 */
import { beliefColours } from "../geometry/colour.js";
import type { Rows } from "../util/rows.js";
import { ArgumentError } from "../util/errors.js";
import { beliefPanelSvg, beliefView } from "./beliefPanel.js";
import { hmmGraphSvg, type HmmGraphInput } from "./hmmGraph.js";
import { escapeXml, FONT, round1 } from "./svg.js";

export interface MechanismFrameInput {
  readonly graph: HmmGraphInput;
  /** [rows, S] exact beliefs. */
  readonly trueBeliefs: Rows;
  /** [rows, S] the constructed model's estimates of the same histories. */
  readonly approx: Rows;
  readonly title: string;
  /** Under the right panel, e.g. "R² 0.973, loss +0.69% vs optimal". */
  readonly approxSubtitle?: string;
  /** Position in the animation, 0..1 (a bar along the bottom). */
  readonly progress?: number;
  /** Left end and right end labels of the progress bar (e.g. "x = 0.05", "x = 0.2"). */
  readonly progressLabels?: readonly [string, string];
}

export interface MechanismFrameOptions {
  /** Frame width in px. Default 900. */
  readonly width?: number;
}

/**
 * Nest a complete <svg> document at (x, y), optionally cutting `cropBottom` px off its bottom (a
 * nested <svg> clips to its viewport: the graph's own legend is replaced by a shorter one).
 */
export function placeSvg(svg: string, x: number, y: number, cropBottom = 0): string {
  let out = svg.replace(/^<svg /, `<svg x="${x}" y="${y}" `);
  if (cropBottom > 0) {
    out = out.replace(/^(<svg [^>]*?)height="(\d+(?:\.\d+)?)" viewBox="0 0 (\d+(?:\.\d+)?) (\d+(?:\.\d+)?)"/, (_m, head: string, h: string, vw: string, vh: string) => `${head}height="${Number(h) - cropBottom}" viewBox="0 0 ${vw} ${Number(vh) - cropBottom}"`);
  }
  return out;
}

export function mechanismFrameSvg(frame: MechanismFrameInput, options: MechanismFrameOptions = {}): string {
  const { trueBeliefs, approx } = frame;
  if (trueBeliefs.rows !== approx.rows || trueBeliefs.cols !== approx.cols) {
    throw new ArgumentError({ fn: "mechanismFrameSvg", argument: "approx", received: `${approx.rows} x ${approx.cols}`, expected: `${trueBeliefs.rows} x ${trueBeliefs.cols}, as trueBeliefs` });
  }
  const width = Math.max(300, options.width ?? 900);
  const margin = Math.round(width / 60);
  const size = Math.floor((width - 4 * margin) / 3);
  const top = 62;
  const barHeight = frame.progress === undefined ? 0 : 34;
  const height = top + size + margin + barHeight;
  const view = beliefView(trueBeliefs);
  const colours = beliefColours(trueBeliefs);
  const graph = placeSvg(hmmGraphSvg([{ ...frame.graph, title: undefined }], { size, threshold: 0.005 }), margin, top - 22, 20);
  const parts = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}">`,
    `<rect width="${width}" height="${height}" fill="#ffffff"/>`,
    `<text x="${width / 2}" y="22" text-anchor="middle" font-size="16" font-weight="bold" font-family="${FONT}">${escapeXml(frame.title)}</text>`,
    `<text x="${round1(margin + size / 2)}" y="${top - 7}" text-anchor="middle" font-size="13" font-family="${FONT}">Hidden Markov model</text>`,
    graph,
    `<text x="${round1(margin + size / 2)}" y="${top + size + 4}" text-anchor="middle" font-size="10" fill="#777777" font-family="${FONT}">labels symbol:T[x][i][j]; edge width ∝ P(i → j)</text>`,
    beliefPanelSvg(view, trueBeliefs, colours, 2 * margin + size, top, size, { title: "Optimal beliefs (mixed states)", id: "frame-optimal" }),
    beliefPanelSvg(view, approx, colours, 3 * margin + 2 * size, top, size, { title: "Constructed linear attention", subtitle: frame.approxSubtitle, id: "frame-linear" }),
  ];
  if (frame.progress !== undefined) {
    const y = top + size + margin + 10;
    const x0 = 2 * margin + size;
    const x1 = width - margin;
    const px = round1(x0 + Math.min(1, Math.max(0, frame.progress)) * (x1 - x0));
    parts.push(`<line x1="${x0}" x2="${x1}" y1="${y}" y2="${y}" stroke="#cccccc" stroke-width="4" stroke-linecap="round"/>`);
    parts.push(`<line x1="${x0}" x2="${px}" y1="${y}" y2="${y}" stroke="#1f77b4" stroke-width="4" stroke-linecap="round"/>`);
    parts.push(`<circle cx="${px}" cy="${y}" r="6" fill="#1f77b4"/>`);
    const [a, b] = frame.progressLabels ?? ["", ""];
    parts.push(`<text x="${x0}" y="${y + 20}" text-anchor="start" font-size="11" font-family="${FONT}">${escapeXml(a)}</text>`);
    parts.push(`<text x="${x1}" y="${y + 20}" text-anchor="end" font-size="11" font-family="${FONT}">${escapeXml(b)}</text>`);
  }
  parts.push(`</svg>`, "");
  return parts.join("\n");
}
