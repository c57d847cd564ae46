/**
 * The language figures as snapshots (Observable Plot's test/plots): small
 * fixed inputs, so a change in any figure shows in review. Also what every
 * figure must hold: its title, axis labels, legend entries, and escaped text.
 */
import { describe, expect, it } from "vitest";
import { barChartSvg } from "../../src/plot/barChart.js";
import { downsample, heatmapSvg } from "../../src/plot/heatmap.js";
import { lineChartSvg } from "../../src/plot/lineChart.js";
import { scatterGridSvg } from "../../src/plot/scatterGrid.js";
import { rankFrequency } from "../../src/language/analysis/zipf.js";
import { grammarFactorFigure, pca3dFigure, zipfFigure } from "../../src/pipeline/lmFigures.js";
import type { ProbeReport } from "../../src/probe/beliefProbe.js";

describe("language figures", () => {
  it("heatmap: diverging with cell values, grids of panels, block-averaged large matrices", () => {
    const svg = heatmapSvg([{ rows: 2, cols: 2, values: [1, -0.5, 0.25, NaN] }], { title: "A <small> & signed", cellText: true, valueLabel: "v" });
    expect(svg).toContain("A &lt;small&gt; &amp; signed");
    expect(svg).toContain(">-0.50<");
    expect(svg).toMatchSnapshot();
    const grid = heatmapSvg(
      [0, 1, 2].map((k) => ({ title: `P${k}`, rows: 3, cols: 3, values: Array.from({ length: 9 }, (_, i) => (i * (k + 1)) % 5) })),
      { scale: "sequential", gamma: 0.5, xLabel: "key", yLabel: "query" },
    );
    expect(grid).toMatchSnapshot();
    const big = downsample({ rows: 4, cols: 4, values: Array.from({ length: 16 }, (_, i) => i) }, 2);
    expect(Array.from(big.values)).toEqual([2.5, 4.5, 10.5, 12.5]);
  });

  it("line chart (log-log Zipf), bar chart with groups, scatter grid", () => {
    const a = rankFrequency(Array.from({ length: 200 }, (_, k) => Math.floor(Math.sqrt(k))), 20, 1);
    const b = rankFrequency(Array.from({ length: 200 }, (_, k) => Math.floor(k ** 0.7) % 40), 40, 1);
    const zipf = zipfFigure([a, b]);
    expect(zipf).toContain("vocab 20: Zipf exponent");
    expect(zipf).toMatchSnapshot();
    expect(lineChartSvg([{ label: "x", x: [1, 2, 3], y: [3, 1, 2], points: true }], { references: [{ y: 1.5, label: "ref" }], xLabel: "step" })).toMatchSnapshot();
    const bars = barChartSvg([{ label: "layer 0", values: [0.9, 0.1, -0.05] }, { label: "concat", values: [0.95, 0.2, NaN] }], { series: ["probe", "2-gram", "shuffled"], valueLabel: "R²" });
    expect(bars).toContain(">probe<");
    expect(bars).toMatchSnapshot();
    const scatter = scatterGridSvg([{ title: "layer 0", x: [0, 1, 2], y: [2, 0, 1], classes: [0, 1, 1] }], { classes: ["special", "word start"] });
    expect(scatter).toMatchSnapshot();
  });

  it("the residual stream's 3D view as pairwise planes, and probes factor by factor beside their controls", () => {
    const pcs = [[0, 1, 2, 3], [1, 0, 3, 2], [2, 2, 0, 1]];
    const panels = [[0, 1], [0, 2], [1, 2]].map(([a, b]) => ({ title: `layer 0: PC${a + 1} x PC${b + 1}`, x: pcs[a], y: pcs[b], classes: [0, 1, 1, 2], xLabel: `PC${a + 1}`, yLabel: `PC${b + 1}` }));
    const pca3d = pca3dFigure(panels, ["special", "word start", "punctuation"], "token class");
    expect(pca3d).toContain(">layer 0: PC2 x PC3<");
    expect(pca3d).toMatchSnapshot();
    // Reports with only what the figure reads: per site the label, R², verdict and controls.
    const report = (r2: number, beyond: boolean, controls: Record<string, number>) =>
      ({ nStates: 160, kgram: { "1-gram": {}, "4-gram": {} }, sites: [{ label: "concat", r2, verdict: { beyondControls: beyond }, controls: Object.fromEntries(Object.entries(controls).map(([k, v]) => [k, { r2: v }])) }] }) as unknown as ProbeReport;
    const figure = grammarFactorFigure(
      [
        { factor: "slot", values: Array.from({ length: 20 }, (_, k) => `s${k}`), report: report(0.76, false, { shuffled: -0.02, untrained: 0.47, "1-gram": 0.5, "4-gram": 0.89 }) },
        { factor: "character", values: ["Lily", "Mia", "Ben", "Tom"], report: report(0.52, true, { shuffled: -0.03, untrained: 0.4, "1-gram": 0.05, "4-gram": 0.26 }) },
      ],
      report(0.35, false, { shuffled: -0.02, untrained: 0.2, "1-gram": 0.19, "4-gram": 0.38 }),
      "concat",
    );
    expect(figure).toContain(">character (4 values) *<");
    expect(figure).toContain(">full state (160 states)<");
    expect(figure).toMatchSnapshot();
  });
});
