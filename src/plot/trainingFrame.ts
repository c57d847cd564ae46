/**
 * One frame of the training movie: exact beliefs, the probe of the model at one checkpoint (same
 * projection and colours every frame, so the geometry is seen forming), and the loss curve with
 * the checkpoint marked on a log-step axis (checkpoints are log-spaced). Drawing only.
 */
import { beliefColours } from "../geometry/colour.js";
import type { Rows } from "../util/rows.js";
import { beliefPanelSvg, beliefView, panelHead, panelHeadRoom, panelHeadSvg, type BeliefView } from "./beliefPanel.js";
import { frameLayout, type FrameReserve } from "./animationFrame.js";
import { FONT, round1 } from "./svg.js";
import { textWidth } from "./text.js";
import { linearTicks } from "./ticks.js";

export interface TrainingFrameInput {
  readonly trueBeliefs: Rows;
  /** [rows, n_states] the probe's predictions at this checkpoint. */
  readonly probed: Rows;
  readonly title: string;
  readonly probeSubtitle?: string;
  /** The whole run's (step, training loss) points, for the curve. */
  readonly curve: readonly { readonly step: number; readonly loss: number }[];
  /** Held-out loss at each checkpoint so far (dots). */
  readonly checkpoints: readonly { readonly step: number; readonly loss: number }[];
  readonly step: number;
  readonly optimalLoss: number;
  /** Shared across frames so the axes do not jump: [lowest, highest] loss drawn and the last step. */
  readonly lossRange: readonly [number, number];
  readonly maxStep: number;
}

/** The shared view for a movie (fitted on the true beliefs once). */
export function trainingView(trueBeliefs: Rows): BeliefView {
  return beliefView(trueBeliefs);
}

/**
 * `reserve`: the widest title and probe subtitle any frame of the movie carries; room is kept for them so
 * that every frame has the same size (a GIF's frames must).
 */
export function trainingFrameSvg(frame: TrainingFrameInput, options: { readonly width?: number; readonly view?: BeliefView; readonly reserve?: FrameReserve } = {}): string {
  const width = Math.max(300, options.width ?? 900);
  const reserve = options.reserve;
  const { margin, size, subtitleLines, title, titleBottom } = frameLayout(frame.title, options.width, reserve);
  const lossWidth = width - margin - (3 * margin + 2 * size + 44);
  const heads = [panelHead(size, "Ground-truth beliefs"), panelHead(size, "Linear probe of the residual", frame.probeSubtitle, 13, subtitleLines), panelHead(lossWidth, "Loss (log step axis)")];
  const reserved = reserve ? panelHeadRoom(size, "Linear probe of the residual", subtitleLines) : 0;
  const top = Math.ceil(titleBottom + 4 + Math.max(reserved, ...heads.map((h) => h.height)));
  const height = top + size + 44;
  const view = options.view ?? beliefView(frame.trueBeliefs);
  const colours = beliefColours(frame.trueBeliefs);
  // Loss curve panel, log-scaled step axis (step + 1).
  const left = 3 * margin + 2 * size + 44;
  const w = width - margin - left;
  const h = size - 10;
  const [lo, hi] = frame.lossRange;
  const lx = (s: number) => round1(left + (Math.log(s + 1) / Math.log(frame.maxStep + 1 || 2)) * w);
  const ly = (v: number) => round1(top + h - ((Math.min(Math.max(v, lo), hi) - lo) / (hi - lo || 1)) * h);
  const path = frame.curve.map((p, i) => `${i === 0 ? "M" : "L"}${lx(p.step)},${ly(p.loss)}`).join(" ");
  const parts = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}">`,
    `<rect width="${width}" height="${height}" fill="#ffffff"/>`,
    title.svg,
    beliefPanelSvg(view, frame.trueBeliefs, colours, margin, top, size, { head: heads[0], id: "movie-true" }),
    beliefPanelSvg(view, frame.probed, colours, 2 * margin + size, top, size, { head: heads[1], id: "movie-probe" }),
    panelHeadSvg(heads[2], left, top, w),
    `<rect x="${left}" y="${top}" width="${w}" height="${h}" fill="none" stroke="#999999"/>`,
  ];
  for (const t of linearTicks(lo, hi, 4)) {
    parts.push(`<line x1="${left}" x2="${left + w}" y1="${ly(t.value)}" y2="${ly(t.value)}" stroke="#eeeeee"/>`);
    parts.push(`<text x="${left - 4}" y="${ly(t.value) + 4}" text-anchor="end" font-size="10" font-family="${FONT}">${t.label}</text>`);
  }
  for (let e = 0; 10 ** e <= frame.maxStep; e++) {
    parts.push(`<line x1="${lx(10 ** e)}" x2="${lx(10 ** e)}" y1="${top + h}" y2="${top + h + 4}" stroke="#999999"/>`);
    // A label at the right edge stays inside the frame.
    const half = textWidth(String(10 ** e), 10) / 2;
    parts.push(`<text x="${round1(Math.min(lx(10 ** e), width - 2 - half))}" y="${top + h + 15}" text-anchor="middle" font-size="10" font-family="${FONT}">${10 ** e}</text>`);
  }
  parts.push(`<line x1="${left}" x2="${left + w}" y1="${ly(frame.optimalLoss)}" y2="${ly(frame.optimalLoss)}" stroke="#d62728" stroke-dasharray="5,4"/>`);
  parts.push(`<text x="${left + w - 4}" y="${ly(frame.optimalLoss) - 4}" text-anchor="end" font-size="10" fill="#d62728" font-family="${FONT}">optimal</text>`);
  if (path) parts.push(`<path d="${path}" fill="none" stroke="#9ecae1" stroke-width="1.2"/>`);
  for (const c of frame.checkpoints) parts.push(`<circle cx="${lx(c.step)}" cy="${ly(c.loss)}" r="2.5" fill="#1f77b4"/>`);
  parts.push(`<line x1="${lx(frame.step)}" x2="${lx(frame.step)}" y1="${top}" y2="${top + h}" stroke="#333333" stroke-width="1"/>`);
  parts.push(`<text x="${round1(left + w / 2)}" y="${top + h + 30}" text-anchor="middle" font-size="11" font-family="${FONT}">step</text>`);
  parts.push(`</svg>`, "");
  return parts.join("\n");
}
