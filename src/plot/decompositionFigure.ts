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
import { beliefPanelSvg, beliefView, panelHead, toPanelPx } from "./beliefPanel.js";
import { FONT, round1 } from "./svg.js";
import { fitText, textAboveSvg, textBlockSvg } from "./text.js";

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
  const cols = 3;
  const gridRows = Math.ceil(input.partials.length / cols);
  const width = margin + big + margin + cols * (small + margin);
  // Every text measured against its room (wrapped, then shrunk).
  const title = textBlockSvg(fitText(input.title, width - 2 * margin, 16, { bold: true }), width / 2, 8);
  const subtitle = input.subtitle ? textBlockSvg(fitText(input.subtitle, width - 2 * margin, 12), width / 2, title.bottom + 4, { fill: "#555555" }) : undefined;
  const mainHead = panelHead(big, "Residual = origin + Σ_s A[t,s] · OV(token s), most recent first");
  const partialTitle = (k: number) => (k >= input.stepLength.length ? `all ${k} tokens` : `last ${k} token${k === 1 ? "" : "s"}`);
  const smallHeads = input.partials.map(({ k }) => panelHead(small, partialTitle(k)));
  const smallHead = Math.max(16, ...smallHeads.map((h) => h.height));
  const top = Math.ceil((subtitle ?? title).bottom + 6 + Math.max(mainHead.height, smallHead));
  const chartTitle = fitText("Mean length of the step A[t,s] · OV(token s) in belief coordinates, by distance t − s", width - 2 * margin, 13);
  const chartTop = Math.ceil(top + Math.max(big, gridRows * (small + smallHead + 10)) + 16 + chartTitle.height);
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
    title.svg,
    subtitle?.svg ?? "",
    beliefPanelSvg(mainView, estimates, faded, margin, top, big, { head: mainHead, id: "decomp-main", overlay: overlay.join("\n") }),
  ];
  input.partials.forEach(({ k, points }, j) => {
    const left = margin + big + margin + (j % cols) * (small + margin);
    const y = top + Math.floor(j / cols) * (small + smallHead + 10);
    parts.push(beliefPanelSvg(view, points, colours, left, y, small, { head: smallHeads[j], id: `decomp-k${k}`, radius: 1 }));
  });

  // Step length by distance from the query (0 = the token at the query itself).
  const nPos = input.stepLength.length;
  const chartLeft = margin + 50;
  const chartWidth = width - chartLeft - margin;
  const maxLen = Math.max(1e-12, ...Array.from(input.stepLength));
  const barW = chartWidth / Math.max(nPos, 1);
  parts.push(textAboveSvg(chartTitle, width / 2, chartTop - 8));
  parts.push(`<line x1="${chartLeft}" x2="${chartLeft + chartWidth}" y1="${chartTop + chartHeight}" y2="${chartTop + chartHeight}" stroke="#999999"/>`);
  for (let d = 0; d < nPos; d++) {
    const len = input.stepLength[nPos - 1 - d];
    const h = round1((len / maxLen) * chartHeight);
    const x = round1(chartLeft + d * barW + barW * 0.15);
    parts.push(`<rect x="${x}" y="${round1(chartTop + chartHeight - h)}" width="${round1(barW * 0.7)}" height="${h}" fill="#1f77b4"/>`);
    parts.push(`<text x="${round1(x + barW * 0.35)}" y="${chartTop + chartHeight + 14}" text-anchor="middle" font-size="10" font-family="${FONT}">${d}</text>`);
    parts.push(`<text x="${round1(x + barW * 0.35)}" y="${round1(chartTop + chartHeight - h - 3)}" text-anchor="middle" font-size="9" fill="#555555" font-family="${FONT}">${len.toPrecision(2)}</text>`);
  }
  parts.push(textBlockSvg(fitText("distance t − s (tokens back from the query)", chartWidth, 11), chartLeft + chartWidth / 2, chartTop + chartHeight + 20).svg);
  parts.push(`</svg>`, "");
  return parts.join("\n");
}
