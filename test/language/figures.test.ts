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
import { zipfFigure } from "../../src/pipeline/lmFigures.js";

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
});
