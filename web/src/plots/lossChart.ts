/**
 * The live loss curve on a canvas: every step's training loss (light), its
 * moving average (dark), the held-out loss at each probe (dots), and the
 * optimal loss (dashed): the floor a perfect model reaches. Redrawn at most
 * once per animation frame however fast steps arrive.
 *
 * A held-out dot is drawn at optimal x (1 + excess), the excess measured
 * against the optimal loss on the same held-out sequences: the sampling noise
 * of those sequences (about 1% for 1000 of mess3) cancels, and the dot's
 * distance from the dashed line is the model's own.
 */
import { formatTick, tickStep, ticks } from "../../../src/plot/ticks.js";

export interface LossSeries {
  readonly steps: readonly number[];
  readonly losses: readonly number[];
  /** `relative`: loss / (optimal loss on the same sequences) - 1. */
  readonly heldOut: readonly { readonly step: number; readonly loss: number; readonly relative?: number }[];
  readonly optimal: number | null;
  readonly totalSteps: number;
}

/** About `count` + 1 round tick values covering [lo, hi]: the figures' ticks (d3-array's algorithm, src/plot/ticks.ts). */
export function niceTicks(lo: number, hi: number, count = 5): number[] {
  if (!(hi > lo)) return [lo];
  return ticks(lo, hi, count);
}

/** Trailing moving average over `window` points. */
export function movingAverage(values: readonly number[], window: number): number[] {
  const out: number[] = [];
  let sum = 0;
  for (let i = 0; i < values.length; i++) {
    sum += values[i];
    if (i >= window) sum -= values[i - window];
    out.push(sum / Math.min(i + 1, window));
  }
  return out;
}

export class LossChart {
  readonly canvas: HTMLCanvasElement;
  private data: LossSeries = { steps: [], losses: [], heldOut: [], optimal: null, totalSteps: 0 };
  private frame = 0;

  constructor(
    private cssWidth = 480,
    private cssHeight = 260,
  ) {
    this.canvas = document.createElement("canvas");
    this.canvas.className = "chart";
    this.canvas.style.width = `${cssWidth}px`;
    this.canvas.style.height = `${cssHeight}px`;
    this.canvas.setAttribute("role", "img");
    this.canvas.setAttribute("aria-label", "Loss curve: no training yet");
    this.paint();
  }

  /** Resize (CSS pixels) and repaint. */
  setSize(width: number, height: number): void {
    width = Math.round(width);
    height = Math.round(height);
    if ((width === this.cssWidth && height === this.cssHeight) || width <= 0) return;
    this.cssWidth = width;
    this.cssHeight = height;
    this.canvas.style.width = `${width}px`;
    this.canvas.style.height = `${height}px`;
    this.paint();
  }

  update(data: LossSeries): void {
    this.data = data;
    if (this.frame) return;
    this.frame = requestAnimationFrame(() => {
      this.frame = 0;
      this.paint();
    });
  }

  private paint(): void {
    const { steps, losses, heldOut, optimal, totalSteps } = this.data;
    const dpr = Math.min(2, globalThis.devicePixelRatio || 1);
    const W = this.cssWidth;
    const H = this.cssHeight;
    if (this.canvas.width !== Math.round(W * dpr) || this.canvas.height !== Math.round(H * dpr)) {
      this.canvas.width = Math.round(W * dpr);
      this.canvas.height = Math.round(H * dpr);
    }
    const ctx = this.canvas.getContext("2d")!;
    ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
    ctx.fillStyle = "#fff";
    ctx.fillRect(0, 0, W, H);
    // The legend's rows (above the plot): one, or two when the chart is narrow.
    ctx.font = "12px system-ui, sans-serif";
    const items: [string, string, "line" | "dash" | "dot"][] = [
      ["training loss (moving average)", "#1f4e8c", "line"],
      ["held-out", "#e67e22", "dot"],
      [optimal !== null ? `optimal ${optimal.toFixed(4)}` : "optimal", "#c0392b", "dash"],
    ];
    const legend: { x: number; row: number }[] = [];
    {
      let x = 60;
      let row = 0;
      for (const [text] of items) {
        const w = 26 + ctx.measureText(text).width + 14;
        if (x > 60 && x + w > W - 20) {
          x = 60;
          row++;
        }
        legend.push({ x, row });
        x += w;
      }
    }
    const m = { left: 60, right: 20, top: 22 + 15 * (legend.at(-1)?.row ?? 0) + 8, bottom: 36 };
    const pw = W - m.left - m.right;
    const ph = H - m.top - m.bottom;
    const xMax = Math.max(totalSteps, steps.at(-1) ?? 1, 1);
    // y range: every loss after the first few steps (the first are ~log V and would squash the rest), and the optimum.
    const skip = Math.min(steps.length - 1, Math.max(0, Math.floor(steps.length * 0.02)));
    let lo = optimal ?? Infinity;
    let hi = -Infinity;
    for (let i = skip; i < losses.length; i++) {
      lo = Math.min(lo, losses[i]);
      hi = Math.max(hi, losses[i]);
    }
    const heldOutY = (p: LossSeries["heldOut"][number]) => (optimal !== null && p.relative !== undefined && Number.isFinite(p.relative) ? optimal * (1 + p.relative) : p.loss);
    for (const p of heldOut) {
      lo = Math.min(lo, heldOutY(p));
      hi = Math.max(hi, heldOutY(p));
    }
    if (losses.length === 0 && optimal !== null) [lo, hi] = [optimal * 0.95, optimal * 1.3];
    if (!Number.isFinite(lo) || !Number.isFinite(hi)) [lo, hi] = [0, 1];
    if (hi - lo < 1e-3) [lo, hi] = [lo - 0.05, hi + 0.05];
    const pad = (hi - lo) * 0.06;
    lo -= pad;
    hi += pad;
    const X = (s: number) => m.left + (s / xMax) * pw;
    const Y = (v: number) => m.top + (1 - (v - lo) / (hi - lo)) * ph;

    ctx.font = "12px system-ui, sans-serif";
    ctx.fillStyle = "#333";
    ctx.strokeStyle = "#e4e4e4";
    ctx.lineWidth = 1;
    ctx.textAlign = "right";
    ctx.textBaseline = "middle";
    const step = tickStep(lo, hi, 5);
    for (const t of niceTicks(lo, hi)) {
      ctx.beginPath();
      ctx.moveTo(m.left, Math.round(Y(t)) + 0.5);
      ctx.lineTo(W - m.right, Math.round(Y(t)) + 0.5);
      ctx.stroke();
      ctx.fillText(formatTick(t, step), m.left - 6, Y(t));
    }
    ctx.textAlign = "center";
    ctx.textBaseline = "top";
    for (const t of niceTicks(0, xMax)) ctx.fillText(String(t), X(t), H - m.bottom + 6);
    ctx.fillText("step", m.left + pw / 2, H - 16);
    ctx.save();
    ctx.translate(12, m.top + ph / 2);
    ctx.rotate(-Math.PI / 2);
    ctx.fillText("loss (nats)", 0, -4);
    ctx.restore();
    ctx.strokeStyle = "#888";
    ctx.strokeRect(m.left + 0.5, m.top + 0.5, pw, ph);

    ctx.save();
    ctx.beginPath();
    ctx.rect(m.left, m.top, pw, ph);
    ctx.clip();
    const line = (ys: readonly number[], colour: string, width: number) => {
      if (ys.length === 0) return;
      ctx.strokeStyle = colour;
      ctx.lineWidth = width;
      ctx.beginPath();
      // At most ~2 points per pixel column.
      const stride = Math.max(1, Math.floor(ys.length / (2 * pw)));
      for (let i = 0; i < ys.length; i += stride) {
        if (i === 0) ctx.moveTo(X(steps[i]), Y(ys[i]));
        else ctx.lineTo(X(steps[i]), Y(ys[i]));
      }
      ctx.lineTo(X(steps[ys.length - 1]), Y(ys[ys.length - 1]));
      ctx.stroke();
    };
    line(losses, "#b9cde5", 1);
    const smooth = movingAverage(losses, Math.max(5, Math.round(xMax / 50)));
    line(smooth, "#1f4e8c", 2);
    if (optimal !== null) {
      ctx.setLineDash([6, 4]);
      ctx.strokeStyle = "#c0392b";
      ctx.lineWidth = 1.5;
      ctx.beginPath();
      ctx.moveTo(m.left, Y(optimal));
      ctx.lineTo(W - m.right, Y(optimal));
      ctx.stroke();
      ctx.setLineDash([]);
    }
    if (losses.length === 0) {
      ctx.fillStyle = "#7a828e";
      ctx.textAlign = "center";
      ctx.textBaseline = "middle";
      ctx.fillText(optimal === null ? "No valid process yet" : "The loss appears here as the model trains", m.left + pw / 2, m.top + ph / 2);
    }
    ctx.fillStyle = "#e67e22";
    for (const p of heldOut) {
      ctx.beginPath();
      ctx.arc(X(p.step), Y(heldOutY(p)), 3.5, 0, 2 * Math.PI);
      ctx.fill();
    }
    ctx.restore();

    ctx.textAlign = "left";
    ctx.textBaseline = "middle";
    items.forEach(([text, colour, kind], i) => {
      const x = legend[i].x;
      const y = 12 + 15 * legend[i].row;
      ctx.strokeStyle = colour;
      ctx.fillStyle = colour;
      ctx.lineWidth = 2;
      if (kind === "dot") {
        ctx.beginPath();
        ctx.arc(x + 10, y, 3.5, 0, 2 * Math.PI);
        ctx.fill();
      } else {
        ctx.setLineDash(kind === "dash" ? [6, 4] : []);
        ctx.beginPath();
        ctx.moveTo(x, y);
        ctx.lineTo(x + 20, y);
        ctx.stroke();
        ctx.setLineDash([]);
      }
      ctx.fillStyle = "#222";
      ctx.fillText(text, x + 26, y);
    });

    const last = losses.length ? losses[losses.length - 1] : null;
    this.canvas.setAttribute(
      "aria-label",
      last === null
        ? "Loss curve: no training yet"
        : `Loss curve: step ${steps.at(-1)} of ${totalSteps}, training loss ${smooth.at(-1)!.toFixed(4)} (moving average)${optimal !== null ? `, optimal ${optimal.toFixed(4)}` : ""}${heldOut.length ? `, held-out ${heldOut.at(-1)!.loss.toFixed(4)} at step ${heldOut.at(-1)!.step}` : ""}`,
    );
  }
}
