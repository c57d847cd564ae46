/**
 * Loss per context position on a canvas: the optimal loss h(n) (the entropy
 * of the next symbol given the n - 1 before it, falling to the entropy rate),
 * the entropy-rate bracket as a band (a line when it is exact), and, after
 * training, the model's held-out loss at each position.
 */
import { niceTicks } from "./lossChart.js";
import { formatTick, tickStep } from "../../../src/plot/ticks.js";

export interface PositionSeries {
  /** [n] optimal loss at positions 1..n (nats). */
  readonly optimal: ArrayLike<number>;
  /** [n] the model's loss at positions 1..n, when there is one. */
  readonly model?: ArrayLike<number> | null;
  /** Legend of `optimal`; default "optimal loss h(n)". */
  readonly optimalLabel?: string;
  readonly entropyRate?: { readonly lower: number; readonly upper: number } | null;
}

const OPTIMAL = "#c0392b";
const MODEL = "#1f4e8c";
const BAND = "rgba(120, 130, 145, 0.22)";

export class PositionChart {
  readonly canvas: HTMLCanvasElement;
  private data: PositionSeries | null = null;

  constructor(
    private readonly label: string,
    private cssWidth = 280,
    private cssHeight = 150,
  ) {
    this.canvas = document.createElement("canvas");
    this.canvas.className = "chart";
    this.canvas.setAttribute("role", "img");
    this.resize(cssWidth, cssHeight);
  }

  setSize(width: number, height = this.cssHeight): void {
    width = Math.round(width);
    if (width <= 0 || (width === this.cssWidth && height === this.cssHeight)) return;
    this.resize(width, height);
  }

  private resize(width: number, height: number): void {
    this.cssWidth = width;
    this.cssHeight = height;
    this.canvas.style.width = `${width}px`;
    this.canvas.style.height = `${height}px`;
    this.paint();
  }

  draw(data: PositionSeries | null): void {
    this.data = data;
    this.paint();
  }

  private paint(): void {
    const dpr = Math.min(2, globalThis.devicePixelRatio || 1);
    const W = this.cssWidth;
    const H = this.cssHeight;
    this.canvas.width = Math.round(W * dpr);
    this.canvas.height = Math.round(H * dpr);
    const ctx = this.canvas.getContext("2d")!;
    ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
    ctx.fillStyle = "#fff";
    ctx.fillRect(0, 0, W, H);
    const d = this.data;
    if (!d || d.optimal.length === 0) {
      this.canvas.setAttribute("aria-label", `${this.label}: nothing yet`);
      return;
    }
    const n = d.optimal.length;
    const values: number[] = [...Array.from(d.optimal), ...(d.model ? Array.from(d.model) : [])];
    if (d.entropyRate) values.push(d.entropyRate.lower, d.entropyRate.upper);
    let lo = Math.min(...values.filter(Number.isFinite));
    let hi = Math.max(...values.filter(Number.isFinite));
    if (!(hi - lo > 1e-6)) [lo, hi] = [lo - 0.05, hi + 0.05];
    const pad = (hi - lo) * 0.08;
    lo -= pad;
    hi += pad;
    // Legend above the plot, wrapped to the width.
    ctx.font = "11.5px system-ui, sans-serif";
    const entries: [string, string, "dash" | "line" | "band"][] = [
      [d.optimalLabel ?? "optimal loss h(n)", OPTIMAL, "dash"],
      [d.entropyRate && d.entropyRate.upper - d.entropyRate.lower > 1e-9 ? "entropy-rate bracket" : "entropy rate", BAND, "band"],
    ];
    if (d.model) entries.push(["model, held-out", MODEL, "line"]);
    const placed: { x: number; row: number }[] = [];
    {
      let x = 46;
      let row = 0;
      for (const [text] of entries) {
        const w = 24 + ctx.measureText(text).width + 12;
        if (x > 46 && x + w > W - 10) {
          x = 46;
          row++;
        }
        placed.push({ x, row });
        x += w;
      }
    }
    const m = { left: 46, right: 10, top: 8 + 14 * ((placed.at(-1)?.row ?? 0) + 1), bottom: 30 };
    const pw = W - m.left - m.right;
    const ph = H - m.top - m.bottom;
    const X = (pos: number) => m.left + (n === 1 ? pw / 2 : ((pos - 1) / (n - 1)) * pw);
    const Y = (v: number) => m.top + (1 - (v - lo) / (hi - lo)) * ph;

    ctx.font = "11px system-ui, sans-serif";
    ctx.lineWidth = 1;
    ctx.strokeStyle = "#e8e8e8";
    ctx.fillStyle = "#333";
    ctx.textAlign = "right";
    ctx.textBaseline = "middle";
    for (const t of niceTicks(lo, hi, 4)) {
      const y = Math.round(Y(t)) + 0.5;
      ctx.beginPath();
      ctx.moveTo(m.left, y);
      ctx.lineTo(W - m.right, y);
      ctx.stroke();
      ctx.fillText(formatTick(t, tickStep(lo, hi, 4)), m.left - 5, Y(t));
    }
    ctx.textAlign = "center";
    ctx.textBaseline = "top";
    const every = Math.max(1, Math.ceil(n / Math.max(2, Math.floor(pw / 28))));
    for (let pos = 1; pos <= n; pos++) if ((pos - 1) % every === 0 || pos === n) ctx.fillText(String(pos), X(pos), H - m.bottom + 4);
    ctx.fillText("position in the context", m.left + pw / 2, H - 14);
    ctx.strokeStyle = "#999";
    ctx.strokeRect(m.left + 0.5, m.top + 0.5, pw, ph);

    if (d.entropyRate) {
      const { lower, upper } = d.entropyRate;
      const y0 = Y(upper);
      const y1 = Y(lower);
      ctx.fillStyle = BAND;
      ctx.fillRect(m.left, y0 - 1, pw, Math.max(2, y1 - y0 + 2));
    }
    const series = (ys: ArrayLike<number>, colour: string, dash: number[], dots: boolean) => {
      ctx.strokeStyle = colour;
      ctx.fillStyle = colour;
      ctx.lineWidth = 1.5;
      ctx.setLineDash(dash);
      ctx.beginPath();
      for (let i = 0; i < ys.length; i++) (i ? ctx.lineTo : ctx.moveTo).call(ctx, X(i + 1), Y(ys[i]));
      ctx.stroke();
      ctx.setLineDash([]);
      if (dots)
        for (let i = 0; i < ys.length; i++) {
          ctx.beginPath();
          ctx.arc(X(i + 1), Y(ys[i]), 2.6, 0, 2 * Math.PI);
          ctx.fill();
        }
    };
    series(d.optimal, OPTIMAL, [5, 3], true);
    if (d.model) series(d.model, MODEL, [], true);

    ctx.textAlign = "left";
    ctx.textBaseline = "middle";
    ctx.font = "11.5px system-ui, sans-serif";
    entries.forEach(([text, colour, kind], i) => {
      const { x } = placed[i];
      const y = 9 + 14 * placed[i].row;
      if (kind === "band") {
        ctx.fillStyle = colour;
        ctx.fillRect(x, y - 4, 18, 8);
      } else {
        ctx.strokeStyle = colour;
        ctx.lineWidth = 1.5;
        ctx.setLineDash(kind === "dash" ? [5, 3] : []);
        ctx.beginPath();
        ctx.moveTo(x, y);
        ctx.lineTo(x + 18, y);
        ctx.stroke();
        ctx.setLineDash([]);
      }
      ctx.fillStyle = "#222";
      ctx.fillText(text, x + 24, y);
    });
    const fmt = (v: number) => v.toFixed(4);
    this.canvas.setAttribute(
      "aria-label",
      `${this.label}: optimal loss per position ${Array.from(d.optimal, fmt).join(", ")}${d.model ? `; model ${Array.from(d.model, fmt).join(", ")}` : ""}${d.entropyRate ? `; entropy rate in [${fmt(d.entropyRate.lower)}, ${fmt(d.entropyRate.upper)}]` : ""}`,
    );
  }
}
