/**
 * One frame of the mechanism animation: the HMM as a graph (edge width by probability), the
 * optimal belief fractal (exact beliefs of sampled histories: points of the mixed-state
 * presentation), and the constructed linear-attention model's approximation of the same
 * histories, side by side and coloured by the true belief, with the parameter and scores.
 */
import { beliefColours } from "../geometry/colour.js";
import type { Rows } from "../util/rows.js";
import { ArgumentError } from "../util/errors.js";
import { beliefPanelSvg, beliefView, panelHead, panelHeadRoom, panelHeadSvg } from "./beliefPanel.js";
import { hmmGraphSvg, type HmmGraphInput } from "./hmmGraph.js";
import { round1 } from "./svg.js";
import { fitText, linesHeight, textBlockSvg } from "./text.js";

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
  /**
   * The widest title and subtitle any frame of the animation will carry: room is kept for them, so
   * that every frame has the same size (a GIF's frames must) whatever its own texts.
   */
  readonly reserve?: FrameReserve;
}

/** Texts a frame keeps room for (the animation's widest). */
export interface FrameReserve {
  readonly title?: string;
  readonly subtitle?: string;
}

/** A three-panel frame's grid and title: with a reserve (an animation), every frame of it gets one size. */
export interface FrameLayout {
  readonly margin: number;
  /** Each panel's width. */
  readonly size: number;
  /** Lines the panels' subtitles may take. */
  readonly subtitleLines: number;
  readonly title: { readonly svg: string; readonly bottom: number };
  /** Where the panel heads may start. */
  readonly titleBottom: number;
}

/**
 * The title, measured across the frame, and the panel grid. With a reserve the title and subtitle take
 * at most as many lines as the reserve's, and their room is the most those lines can take.
 */
export function frameLayout(frameTitle: string, widthOption: number | undefined, reserve: FrameReserve | undefined): FrameLayout {
  const width = Math.max(300, widthOption ?? 900);
  const margin = Math.round(width / 60);
  const size = Math.floor((width - 4 * margin) / 3);
  const titleLines = reserve?.title ? fitText(reserve.title, width - 2 * margin, 16, { bold: true }).lines.length : 2;
  const subtitleLines = reserve?.subtitle ? fitText(reserve.subtitle, size, 11).lines.length : 2;
  const title = textBlockSvg(fitText(frameTitle, width - 2 * margin, 16, { bold: true, maxLines: titleLines }), width / 2, 6);
  return { margin, size, subtitleLines, title, titleBottom: reserve ? 6 + linesHeight(titleLines, 16) : title.bottom };
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
  // Every text is measured against its room: the title across the frame, each panel's head across its panel.
  const reserve = options.reserve;
  const { margin, size, subtitleLines, title, titleBottom } = frameLayout(frame.title, options.width, reserve);
  const heads = [panelHead(size, "Hidden Markov model"), panelHead(size, "Optimal beliefs (mixed states)"), panelHead(size, "Constructed linear attention", frame.approxSubtitle, 13, subtitleLines)];
  const reserved = reserve ? panelHeadRoom(size, "Constructed linear attention", subtitleLines) : 0;
  const top = Math.ceil(titleBottom + 4 + Math.max(reserved, ...heads.map((h) => h.height)));
  // A graph under 180 px is a thumbnail: no edge labels (they would not fit without overlapping).
  const graphLabels = size >= 180;
  const legend = fitText(graphLabels ? "labels symbol:T[x][i][j]; edge width ∝ P(i → j)" : "edge width ∝ P(i → j)", size, 10);
  const barTop = top + size + Math.max(margin, legend.height + 8);
  const labels = frame.progressLabels ?? ["", ""];
  const barHalf = (width - margin - (2 * margin + size)) / 2 - 6;
  const ends = labels.map((l) => fitText(l, barHalf, 11));
  const barHeight = frame.progress === undefined ? 0 : 14 + Math.max(...ends.map((e) => e.height)) + 6;
  const height = barTop + barHeight;
  const view = beliefView(trueBeliefs);
  const colours = beliefColours(trueBeliefs);
  // The graph without its title and footer; its drawing is centred 8 + 22 px below its own top, in size - 22.
  const graph = placeSvg(hmmGraphSvg([{ ...frame.graph, title: undefined }], { size, threshold: 0.005, background: false, footer: false, labels: graphLabels }), margin, top - 19);
  const parts = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}">`,
    `<rect width="${width}" height="${height}" fill="#ffffff"/>`,
    title.svg,
    graph,
    panelHeadSvg(heads[0], margin, top, size),
    textBlockSvg(legend, margin + size / 2, top + size + 4, { fill: "#777777" }).svg,
    beliefPanelSvg(view, trueBeliefs, colours, 2 * margin + size, top, size, { head: heads[1], id: "frame-optimal" }),
    beliefPanelSvg(view, approx, colours, 3 * margin + 2 * size, top, size, { head: heads[2], id: "frame-linear" }),
  ];
  if (frame.progress !== undefined) {
    const y = barTop + 6;
    const x0 = 2 * margin + size;
    const x1 = width - margin;
    const px = round1(x0 + Math.min(1, Math.max(0, frame.progress)) * (x1 - x0));
    parts.push(`<line x1="${x0}" x2="${x1}" y1="${y}" y2="${y}" stroke="#cccccc" stroke-width="4" stroke-linecap="round"/>`);
    parts.push(`<line x1="${x0}" x2="${px}" y1="${y}" y2="${y}" stroke="#1f77b4" stroke-width="4" stroke-linecap="round"/>`);
    parts.push(`<circle cx="${px}" cy="${y}" r="6" fill="#1f77b4"/>`);
    parts.push(textBlockSvg(ends[0], x0, y + 8, { anchor: "start" }).svg);
    parts.push(textBlockSvg(ends[1], x1, y + 8, { anchor: "end" }).svg);
  }
  parts.push(`</svg>`, "");
  return parts.join("\n");
}
