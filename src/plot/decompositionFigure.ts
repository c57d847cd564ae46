/**
 * The residual decomposition drawn as vectors being scaled and added (Elhage et al. 2021's OV
 * circuit, read through a probe in belief coordinates). Left: for a few inputs, the path from the
 * direct-path origin through the attention-weighted OV image of each earlier token, most recent
 * first, over the cloud of all estimates. Right: the estimate from only the k most recent tokens
 * (older ones at their mean): the fractal as a sum of shrinking copies, coarse to fine. Bottom:
 * the mean length of each step against its distance from the query. Drawing only.
 */
import { beliefColours } from "../geometry/colour.js";
import type { Rows } from "../util/rows.js";
import { ArgumentError } from "../util/errors.js";
import { beliefPanelSvg, beliefView, toPanelPx } from "./beliefPanel.js";
import { escapeXml, FONT, round1 } from "./svg.js";

export interface DecompositionExample {
  /** [n_states] where the sum starts (direct path, biases, probe intercept). */
  readonly origin: ArrayLike<number>;
  /** [key_pos, n_states] the step added for each key position s (s = 0 oldest). */
  readonly steps: ArrayLike<number>;
}

export interface DecompositionFigureInput {
  /** [rows, n_states] exact beliefs (colours and the view). */
  readonly trueBeliefs: Rows;
  /** [rows, n_states] the estimates (origin + every step) of the same inputs. */
  readonly estimates: Rows;
  readonly examples: readonly DecompositionExample[];
  /** Estimates from only the k most recent tokens, for a few k. */
  readonly partials: readonly { readonly k: number; readonly points: Rows }[];
  /** [key_pos] mean length of each step. */
  readonly stepLength: ArrayLike<number>;
  readonly title: string;
  readonly subtitle?: string;
}

const EXAMPLE_COLOURS = ["#111111", "#d62728", "#1f77b4", "#2ca02c", "#9467bd"];

export function decompositionFigureSvg(input: DecompositionFigureInput): string {
  const { trueBeliefs, estimates } = input;
  if (trueBeliefs.rows !== estimates.rows || trueBeliefs.cols !== estimates.cols) {
    throw new ArgumentError({ fn: "decompositionFigureSvg", argument: "estimates", received: `${estimates.rows} x ${estimates.cols}`, expected: `${trueBeliefs.rows} x ${trueBeliefs.cols}, as trueBeliefs` });
  }
  const S = trueBeliefs.cols;
  const big = 440;
  const small = 170;
  const margin = 24;
  const top = 70;
  const cols = 3;
  const gridRows = Math.ceil(input.partials.length / cols);
  const width = margin + big + margin + cols * (small + margin);
  const chartTop = top + Math.max(big, gridRows * (small + 40)) + 40;
  const chartHeight = 150;
  const height = chartTop + chartHeight + 40;
  const view = beliefView(trueBeliefs);
  // The main panel also holds every point of the example paths (they may start outside the simplex).
  const pathPoints: number[] = [];
  for (const ex of input.examples) {
    const point = Float64Array.from(ex.origin);
    pathPoints.push(...point);
    for (let s = ex.steps.length / S - 1; s >= 0; s--) {
      for (let i = 0; i < S; i++) point[i] += ex.steps[s * S + i];
      pathPoints.push(...point);
    }
  }
  const mainView = beliefView(trueBeliefs, { rows: pathPoints.length / S, cols: S, data: Float64Array.from(pathPoints) });
  const colours = beliefColours(trueBeliefs);
  const faded = colours.map((c) => Math.round(255 - 0.35 * (255 - c)));

  // The example paths: origin, then steps from the most recent key position to the oldest.
  const overlay: string[] = [];
  input.examples.forEach((ex, e) => {
    const colour = EXAMPLE_COLOURS[e % EXAMPLE_COLOURS.length];
    const nPos = ex.steps.length / S;
    const point = Float64Array.from(ex.origin);
    const px = (b: Float64Array) => {
      const p = mainView.projection.project({ rows: 1, cols: S, data: b });
      return toPanelPx(mainView, p[0], p[1], margin, top, big);
    };
    let [x0, y0] = px(point);
    overlay.push(`<circle cx="${x0}" cy="${y0}" r="3.5" fill="none" stroke="${colour}" stroke-width="1.5"/>`);
    for (let s = nPos - 1; s >= 0; s--) {
      for (let i = 0; i < S; i++) point[i] += ex.steps[s * S + i];
      const [x1, y1] = px(point);
      const w = round1(Math.max(0.6, 2.6 * ((s + 1) / nPos)));
      overlay.push(`<line x1="${x0}" y1="${y0}" x2="${x1}" y2="${y1}" stroke="${colour}" stroke-width="${w}" marker-end="url(#step-${e})"/>`);
      [x0, y0] = [x1, y1];
    }
    overlay.push(`<circle cx="${x0}" cy="${y0}" r="4" fill="${colour}"/>`);
  });

  const parts: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}">`,
    `<defs>${input.examples.map((_, e) => `<marker id="step-${e}" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="4" markerHeight="4" orient="auto"><path d="M0,0 L10,5 L0,10 z" fill="${EXAMPLE_COLOURS[e % EXAMPLE_COLOURS.length]}"/></marker>`).join("")}</defs>`,
    `<rect width="${width}" height="${height}" fill="#ffffff"/>`,
    `<text x="${width / 2}" y="22" text-anchor="middle" font-size="16" font-weight="bold" font-family="${FONT}">${escapeXml(input.title)}</text>`,
    input.subtitle ? `<text x="${width / 2}" y="42" text-anchor="middle" font-size="12" fill="#555555" font-family="${FONT}">${escapeXml(input.subtitle)}</text>` : "",
    beliefPanelSvg(mainView, estimates, faded, margin, top, big, { title: "Residual = origin + Σ_s A[t,s] · OV(token s), most recent first", id: "decomp-main", overlay: overlay.join("\n") }),
  ];
  input.partials.forEach(({ k, points }, j) => {
    const left = margin + big + margin + (j % cols) * (small + margin);
    const y = top + Math.floor(j / cols) * (small + 40);
    parts.push(beliefPanelSvg(view, points, colours, left, y, small, { title: k >= input.stepLength.length ? `all ${k} tokens` : `last ${k} token${k === 1 ? "" : "s"}`, id: `decomp-k${k}`, radius: 1 }));
  });

  // Step length by distance from the query (0 = the token at the query itself).
  const nPos = input.stepLength.length;
  const chartLeft = margin + 50;
  const chartWidth = width - chartLeft - margin;
  const maxLen = Math.max(1e-12, ...Array.from(input.stepLength));
  const barW = chartWidth / Math.max(nPos, 1);
  parts.push(`<text x="${chartLeft + chartWidth / 2}" y="${chartTop - 12}" text-anchor="middle" font-size="13" font-family="${FONT}">Mean length of the step A[t,s] · OV(token s) in belief coordinates, by distance t − s</text>`);
  parts.push(`<line x1="${chartLeft}" x2="${chartLeft + chartWidth}" y1="${chartTop + chartHeight}" y2="${chartTop + chartHeight}" stroke="#999999"/>`);
  for (let d = 0; d < nPos; d++) {
    const len = input.stepLength[nPos - 1 - d];
    const h = round1((len / maxLen) * chartHeight);
    const x = round1(chartLeft + d * barW + barW * 0.15);
    parts.push(`<rect x="${x}" y="${round1(chartTop + chartHeight - h)}" width="${round1(barW * 0.7)}" height="${h}" fill="#1f77b4"/>`);
    parts.push(`<text x="${round1(x + barW * 0.35)}" y="${chartTop + chartHeight + 14}" text-anchor="middle" font-size="10" font-family="${FONT}">${d}</text>`);
    parts.push(`<text x="${round1(x + barW * 0.35)}" y="${round1(chartTop + chartHeight - h - 3)}" text-anchor="middle" font-size="9" fill="#555555" font-family="${FONT}">${len.toPrecision(2)}</text>`);
  }
  parts.push(`<text x="${chartLeft + chartWidth / 2}" y="${chartTop + chartHeight + 30}" text-anchor="middle" font-size="11" font-family="${FONT}">distance t − s (tokens back from the query)</text>`);
  parts.push(`</svg>`, "");
  return parts.join("\n");
}
