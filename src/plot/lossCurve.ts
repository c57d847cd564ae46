/**
 * Training loss against step (means of sampled training batches), held-out losses as labelled
 * points (evaluations at checkpoints, or the final evaluation), and the optimal loss as a
 * reference line; axes at round ticks, a legend that says which number is which.
 */

import { FONT, round1 } from "./svg.js";
import { fitText, textBlockSvg, textLinesSvg, textWidth } from "./text.js";
import { linearTicks } from "./ticks.js";

export interface LossCurveOptions {
  readonly title?: string;
  /** Steps averaged per plotted point (batch losses are noisy). Default: steps / 50, at least 1. */
  readonly smoothing?: number;
  /** Held-out losses (on sequences never trained on), drawn as labelled points. */
  readonly heldOut?: readonly LossPoint[];
  /** Legend of the held-out points. Default "held-out loss". */
  readonly heldOutLabel?: string;
  /** Legend of the curve. Default "training loss (sampled batches)". */
  readonly trainingLabel?: string;
}

/** One point of a loss curve: the step (1-based) and the loss there. */
export interface LossPoint {
  readonly step: number;
  readonly loss: number;
}

const TRAIN = "#1f77b4";
const HELD_OUT = "#ff7f0e";
const OPTIMAL = "#d62728";

export function lossCurveSvg(metrics: readonly LossPoint[], optimalLoss: number, options: LossCurveOptions = {}): string {
  const width = 640;
  const window = options.smoothing ?? Math.max(1, Math.round(metrics.length / 50));
  const heldOut = (options.heldOut ?? []).filter((p) => Number.isFinite(p.loss) && Number.isFinite(p.step));
  const trainingLabel = `${options.trainingLabel ?? "training loss (sampled batches)"}${window > 1 ? `, mean of every ${window} steps` : ""}`;
  const legend = [
    { label: trainingLabel, kind: "line" as const, colour: TRAIN },
    ...(heldOut.length > 0 ? [{ label: options.heldOutLabel ?? "held-out loss", kind: "point" as const, colour: HELD_OUT }] : []),
    { label: `optimal ${optimalLoss.toFixed(4)} nats`, kind: "dashed" as const, colour: OPTIMAL },
  ];
  const m = { left: 64, right: 20, top: 0, bottom: 0 };
  const w = width - m.left - m.right;
  const title = textBlockSvg(fitText(options.title ?? "Training loss", width - 24, 15, { bold: true }), width / 2, 8);
  m.top = Math.ceil(title.bottom + 10);
  // Legend entries side by side while they fit, one per row otherwise; each fitted to its room.
  const columns = legend.reduce((a, l) => a + textWidth(l.label, 11) + 40, 0) <= w ? legend.length : 1;
  const entryWidth = w / columns - 30;
  const fitted = legend.map((l) => fitText(l.label, entryWidth, 11));
  const rowHeights: number[] = [];
  fitted.forEach((f, k) => {
    const r = Math.floor(k / columns);
    rowHeights[r] = Math.max(rowHeights[r] ?? 0, f.height + 5);
  });
  const h = 270;
  const legendTop = m.top + h + 42;
  const height = Math.ceil(legendTop + rowHeights.reduce((a, b) => a + b, 0) + 6);

  const points: [number, number][] = [];
  for (let i = 0; i < metrics.length; i += window) {
    const chunk = metrics.slice(i, i + window);
    points.push([chunk[chunk.length - 1].step, chunk.reduce((a, b) => a + b.loss, 0) / chunk.length]);
  }
  const maxStep = Math.max(1, ...points.map((p) => p[0]), ...heldOut.map((p) => p.step));
  const losses = [...points.map((p) => p[1]), ...heldOut.map((p) => p.loss)];
  const lo = Math.min(optimalLoss, ...losses);
  const hi = Math.max(optimalLoss * 1.02, ...losses);
  const yMin = lo - 0.05 * (hi - lo);
  const yMax = hi + 0.05 * (hi - lo);
  const sx = (s: number) => round1(m.left + (s / maxStep) * w);
  const sy = (v: number) => round1(m.top + h - ((Math.min(v, yMax) - yMin) / (yMax - yMin)) * h);
  const axis: string[] = [];
  for (const t of linearTicks(yMin, yMax, 5)) {
    axis.push(`<line x1="${m.left}" x2="${m.left + w}" y1="${sy(t.value)}" y2="${sy(t.value)}" stroke="#eeeeee"/>`);
    axis.push(`<text x="${m.left - 6}" y="${sy(t.value) + 4}" text-anchor="end" font-size="11" font-family="${FONT}">${t.label}</text>`);
  }
  for (const t of linearTicks(0, maxStep, 5)) axis.push(`<text x="${sx(t.value)}" y="${m.top + h + 16}" text-anchor="middle" font-size="11" font-family="${FONT}">${t.label}</text>`);
  const path = points.map(([s, v], i) => `${i === 0 ? "M" : "L"}${sx(s)},${sy(v)}`).join(" ");
  const marks = heldOut.map((p) => `<circle cx="${sx(p.step)}" cy="${sy(p.loss)}" r="4" fill="${HELD_OUT}" stroke="#ffffff" stroke-width="1"/>`);
  // The last held-out point carries its value.
  const last = heldOut.at(-1);
  if (last) {
    const text = fitText(last.loss.toFixed(4), 80, 11);
    const x = sx(last.step) - 8;
    const y = sy(last.loss) - 8;
    marks.push(textLinesSvg(text, x, y, { anchor: "end", fill: HELD_OUT, extra: 'stroke="#ffffff" stroke-width="3" paint-order="stroke"' }));
  }
  const legendSvg: string[] = [];
  let rowTop = legendTop;
  fitted.forEach((f, k) => {
    const col = k % columns;
    if (col === 0 && k > 0) rowTop += rowHeights[Math.floor(k / columns) - 1];
    const lx = m.left + col * (w / columns);
    const cy = rowTop + (11 * 0.76) / 2 + 1;
    const l = legend[k];
    if (l.kind === "point") legendSvg.push(`<circle cx="${lx + 9}" cy="${round1(cy)}" r="4" fill="${l.colour}"/>`);
    else legendSvg.push(`<line x1="${lx}" x2="${lx + 18}" y1="${round1(cy)}" y2="${round1(cy)}" stroke="${l.colour}" stroke-width="2"${l.kind === "dashed" ? ' stroke-dasharray="5,3"' : ""}/>`);
    legendSvg.push(textBlockSvg(f, lx + 24, rowTop, { anchor: "start" }).svg);
  });
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}">`,
    `<rect width="${width}" height="${height}" fill="#ffffff"/>`,
    title.svg,
    ...axis,
    `<rect x="${m.left}" y="${m.top}" width="${w}" height="${h}" fill="none" stroke="#999999"/>`,
    `<line x1="${m.left}" x2="${m.left + w}" y1="${sy(optimalLoss)}" y2="${sy(optimalLoss)}" stroke="${OPTIMAL}" stroke-dasharray="5,4"/>`,
    `<path d="${path}" fill="none" stroke="${TRAIN}" stroke-width="1.5"/>`,
    ...marks,
    `<text x="${m.left + w / 2}" y="${m.top + h + 32}" text-anchor="middle" font-size="12" font-family="${FONT}">step</text>`,
    `<text x="16" y="${m.top + h / 2}" text-anchor="middle" font-size="12" font-family="${FONT}" transform="rotate(-90 16 ${m.top + h / 2})">cross-entropy (nats)</text>`,
    ...legendSvg,
    `</svg>`,
    "",
  ].join("\n");
}
