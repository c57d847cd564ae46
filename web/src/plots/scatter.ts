/**
 * Beliefs on the simplex (or their top principal plane) as a canvas of
 * coloured points: tens of thousands of points paint in a few milliseconds by
 * writing pixels, where SVG would build a node per point. Panels that are
 * compared share one view, fitted on the true beliefs.
 */
import type { PointSet } from "../protocol.js";

export interface View {
  readonly cx: number;
  readonly cy: number;
  /** Data units across the square. */
  readonly span: number;
  readonly triangle: boolean;
}

const VERTICES: readonly (readonly [number, number])[] = [
  [0, 0],
  [1, 0],
  [0.5, Math.sqrt(3) / 2],
];

/** The view of a point set: the triangle for beliefs over 3 states, else the points' 1st-99th percentile box, padded. */
export function viewOf(points: PointSet): View {
  if (points.kind === "simplex") return { cx: 0.5, cy: Math.sqrt(3) / 4, span: 1.1, triangle: true };
  const xs: number[] = [];
  const ys: number[] = [];
  const stride = Math.max(1, Math.floor(points.rows / 5000));
  for (let r = 0; r < points.rows; r += stride) {
    xs.push(points.xy[2 * r]);
    ys.push(points.xy[2 * r + 1]);
  }
  xs.sort((a, b) => a - b);
  ys.sort((a, b) => a - b);
  const q = (a: number[], p: number) => a[Math.min(a.length - 1, Math.floor(p * (a.length - 1)))] ?? 0;
  const [x0, x1, y0, y1] = [q(xs, 0.01), q(xs, 0.99), q(ys, 0.01), q(ys, 0.99)];
  return { cx: (x0 + x1) / 2, cy: (y0 + y1) / 2, span: Math.max(x1 - x0, y1 - y0) * 1.25 || 1, triangle: false };
}

export class ScatterPlot {
  readonly canvas: HTMLCanvasElement;
  private points: PointSet | null = null;
  private view: View | null = null;

  /** Text shown in the empty plot. */
  placeholder = "";

  constructor(
    private readonly label: string,
    private cssSize = 260,
  ) {
    this.canvas = document.createElement("canvas");
    this.canvas.className = "scatter";
    this.canvas.setAttribute("role", "img");
    this.canvas.style.width = `${cssSize}px`;
    this.canvas.style.height = `${cssSize}px`;
    this.canvas.setAttribute("aria-label", `${label}: nothing yet`);
    this.paint();
  }

  /** Resize (CSS pixels) and repaint. */
  setSize(cssSize: number): void {
    cssSize = Math.round(cssSize);
    if (cssSize === this.cssSize || cssSize <= 0) return;
    this.cssSize = cssSize;
    this.canvas.style.width = `${cssSize}px`;
    this.canvas.style.height = `${cssSize}px`;
    this.paint();
  }

  /** Draw `points` in `view` (default: the points' own view). */
  draw(points: PointSet | null, view?: View, description?: string): void {
    this.points = points;
    this.view = points ? (view ?? viewOf(points)) : null;
    this.canvas.setAttribute("aria-label", `${this.label}: ${description ?? (points ? `${points.rows} points` : "nothing yet")}`);
    this.paint();
  }

  private paint(): void {
    const dpr = Math.min(2, globalThis.devicePixelRatio || 1);
    const n = Math.round(this.cssSize * dpr);
    if (this.canvas.width !== n || this.canvas.height !== n) {
      this.canvas.width = n;
      this.canvas.height = n;
    }
    const ctx = this.canvas.getContext("2d")!;
    const image = ctx.createImageData(n, n);
    const px = image.data;
    px.fill(255);
    const p = this.points;
    const v = this.view;
    // Few points (a finite mixed-state presentation, a small sample) are drawn as discs that can be
    // seen; thousands as square dots written straight into the pixels.
    const discs = p !== null && p.rows <= 3000;
    if (p && v && !discs) {
      const scale = n / v.span;
      const dot = dpr >= 1.5 ? 3 : 2; // square dots of dot x dot pixels
      const half = dot >> 1;
      for (let r = 0; r < p.rows; r++) {
        const x = Math.round(n / 2 + (p.xy[2 * r] - v.cx) * scale) - half;
        const y = Math.round(n / 2 - (p.xy[2 * r + 1] - v.cy) * scale) - half;
        if (!(x >= 0 && y >= 0 && x + dot <= n && y + dot <= n)) continue;
        const red = p.rgb[3 * r];
        const green = p.rgb[3 * r + 1];
        const blue = p.rgb[3 * r + 2];
        for (let dy = 0; dy < dot; dy++) {
          let o = ((y + dy) * n + x) * 4;
          for (let dx = 0; dx < dot; dx++, o += 4) {
            px[o] = red;
            px[o + 1] = green;
            px[o + 2] = blue;
          }
        }
      }
    }
    ctx.putImageData(image, 0, 0);
    if (p && v && discs) {
      const scale = n / v.span;
      const radius = dpr * (p.rows <= 100 ? 4 : p.rows <= 1000 ? 2.2 : 1.5);
      for (let r = 0; r < p.rows; r++) {
        ctx.fillStyle = `rgb(${p.rgb[3 * r]},${p.rgb[3 * r + 1]},${p.rgb[3 * r + 2]})`;
        ctx.beginPath();
        ctx.arc(n / 2 + (p.xy[2 * r] - v.cx) * scale, n / 2 - (p.xy[2 * r + 1] - v.cy) * scale, radius, 0, 2 * Math.PI);
        ctx.fill();
      }
    }
    if (!p && this.placeholder) {
      ctx.fillStyle = "#7a828e";
      ctx.font = `${12 * dpr}px system-ui, sans-serif`;
      ctx.textAlign = "center";
      ctx.textBaseline = "middle";
      // Wrap to the width.
      const words = this.placeholder.split(" ");
      const lines: string[] = [];
      let line = "";
      for (const w of words) {
        const next = line ? `${line} ${w}` : w;
        if (ctx.measureText(next).width > n * 0.8 && line) {
          lines.push(line);
          line = w;
        } else line = next;
      }
      if (line) lines.push(line);
      lines.forEach((l, i) => ctx.fillText(l, n / 2, n / 2 + (i - (lines.length - 1) / 2) * 16 * dpr));
    }
    if (v?.triangle) {
      const scale = n / v.span;
      ctx.strokeStyle = "#999";
      ctx.lineWidth = dpr;
      ctx.beginPath();
      VERTICES.forEach(([x, y], i) => {
        const X = n / 2 + (x - v.cx) * scale;
        const Y = n / 2 - (y - v.cy) * scale;
        if (i === 0) ctx.moveTo(X, Y);
        else ctx.lineTo(X, Y);
      });
      ctx.closePath();
      ctx.stroke();
    }
    ctx.strokeStyle = "#d0d0d0";
    ctx.lineWidth = 1;
    ctx.strokeRect(0.5, 0.5, n - 1, n - 1);
  }
}
