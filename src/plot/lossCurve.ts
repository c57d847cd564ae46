/** Training loss against step, with the optimal loss as a reference line. */

import { escapeXml, FONT } from "./svg.js";

export interface LossCurveOptions {
  readonly title?: string;
  /** Steps averaged per plotted point (batch losses are noisy). Default: steps / 50, at least 1. */
  readonly smoothing?: number;
}

/** One point of a loss curve: the step (1-based) and the loss there. */
export interface LossPoint {
  readonly step: number;
  readonly loss: number;
}

export function lossCurveSvg(metrics: readonly LossPoint[], optimalLoss: number, options: LossCurveOptions = {}): string {
  const width = 640;
  const height = 360;
  const m = { left: 60, right: 20, top: 40, bottom: 45 };
  const w = width - m.left - m.right;
  const h = height - m.top - m.bottom;
  const window = options.smoothing ?? Math.max(1, Math.round(metrics.length / 50));
  const points: [number, number][] = [];
  for (let i = 0; i < metrics.length; i += window) {
    const chunk = metrics.slice(i, i + window);
    points.push([chunk[chunk.length - 1].step, chunk.reduce((a, b) => a + b.loss, 0) / chunk.length]);
  }
  const maxStep = Math.max(1, ...points.map((p) => p[0]));
  const losses = points.map((p) => p[1]);
  const lo = Math.min(optimalLoss, ...losses);
  const hi = Math.max(optimalLoss * 1.02, ...losses);
  const yMin = lo - 0.05 * (hi - lo);
  const yMax = hi + 0.05 * (hi - lo);
  const sx = (s: number) => Math.round((m.left + (s / maxStep) * w) * 10) / 10;
  const sy = (v: number) => Math.round((m.top + h - ((Math.min(v, yMax) - yMin) / (yMax - yMin)) * h) * 10) / 10;
  const ticks = 5;
  const axis: string[] = [];
  for (let k = 0; k <= ticks; k++) {
    const v = yMin + ((yMax - yMin) * k) / ticks;
    axis.push(`<line x1="${m.left}" x2="${m.left + w}" y1="${sy(v)}" y2="${sy(v)}" stroke="#eeeeee"/>`);
    axis.push(`<text x="${m.left - 6}" y="${sy(v) + 4}" text-anchor="end" font-size="11" font-family="${FONT}">${v.toFixed(3)}</text>`);
    const s = Math.round((maxStep * k) / ticks);
    axis.push(`<text x="${sx(s)}" y="${m.top + h + 16}" text-anchor="middle" font-size="11" font-family="${FONT}">${s}</text>`);
  }
  const path = points.map(([s, v], i) => `${i === 0 ? "M" : "L"}${sx(s)},${sy(v)}`).join(" ");
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}">`,
    `<rect width="${width}" height="${height}" fill="#ffffff"/>`,
    `<text x="${width / 2}" y="22" text-anchor="middle" font-size="15" font-weight="bold" font-family="${FONT}">${escapeXml(options.title ?? "Training loss")}${window > 1 ? ` (mean of every ${window} steps)` : ""}</text>`,
    ...axis,
    `<rect x="${m.left}" y="${m.top}" width="${w}" height="${h}" fill="none" stroke="#999999"/>`,
    `<line x1="${m.left}" x2="${m.left + w}" y1="${sy(optimalLoss)}" y2="${sy(optimalLoss)}" stroke="#d62728" stroke-dasharray="5,4"/>`,
    `<text x="${m.left + 6}" y="${sy(optimalLoss) + 14}" text-anchor="start" font-size="11" fill="#d62728" font-family="${FONT}">optimal ${optimalLoss.toFixed(4)} nats</text>`,
    `<path d="${path}" fill="none" stroke="#1f77b4" stroke-width="1.5"/>`,
    `<text x="${m.left + w / 2}" y="${height - 8}" text-anchor="middle" font-size="12" font-family="${FONT}">step</text>`,
    `<text x="14" y="${m.top + h / 2}" text-anchor="middle" font-size="12" font-family="${FONT}" transform="rotate(-90 14 ${m.top + h / 2})">cross-entropy (nats)</text>`,
    `</svg>`,
    "",
  ].join("\n");
}
