import { describe, expect, it } from "vitest";
import { ladderGridSvg } from "../../src/plot/ladderGrid.js";
import { svgToPng } from "../../src/node/png.js";
import { makeProcess } from "../../src/process/catalogue/index.js";
import { sampleSequences } from "../../src/process/sample.js";
import { filterBeliefs } from "../../src/process/beliefs.js";
import { Rng } from "../../src/util/rng.js";
import type { Rows } from "../../src/util/rows.js";

// Seeded data: 30 beliefs of a 3-state and of a 5-state process, and "probes" with fixed noise.
function beliefs(name: string): Rows {
  const hmm = makeProcess(name);
  const s = sampleSequences(hmm, { count: 3, length: 10, seed: 1 });
  return { rows: 30, cols: hmm.nStates, data: filterBeliefs(hmm, s.tokens, 10).beliefs };
}
const noisy = (t: Rows, scale: number, seed: number): Rows => {
  const rng = new Rng(seed);
  return { ...t, data: t.data.map((v) => v + scale * rng.normal()) };
};

describe("ladder figure grid", () => {
  const truth = beliefs("mess3");
  const panels = [
    { title: "4l", subtitle: "R² 0.996, beyond controls", predicted: noisy(truth, 0.01, 1) },
    { title: "fixed-attn-1l", subtitle: "R² 0.9 & <worse>", predicted: noisy(truth, 0.1, 2) },
  ];
  const svg = ladderGridSvg(truth, panels, { title: "test grid", columns: 2, panelSize: 100 });

  it("draws the truth and each rung's panel with the same points, coloured by the true belief, and wraps rows", () => {
    expect(svg.match(/<circle /g)).toHaveLength(90);
    expect(svg.match(/<polygon /g)).toHaveLength(3); // the simplex in every panel
    const [r, g, b] = Array.from(truth.data.subarray(0, 3), (v) => Math.round(255 * v));
    expect(svg.split(`fill="rgb(${r},${g},${b})"`).length - 1).toBeGreaterThanOrEqual(3);
    // 2 columns of 100 px with 14 px gaps; 3 panels make 2 rows of 48 + 100 + 14 below a 30 px title (16 px
    // bold from y = 8, 6 px gap). 48 = 13 px bold title + 3 + the truth's subtitle wrapped onto 2 lines at 10.5 px
    // ("exact beliefs on the simplex" is wider than 100 px) + 8.
    expect(svg).toContain('width="242" height="354"');
    expect(svg).toMatch(/>exact beliefs on<\/text>\n<text [^>]*>the simplex<\/text>/);
    expect(svg).toContain("R² 0.9 &amp; &lt;worse&gt;");
  });

  it("matches its snapshot (coordinates rounded, data seeded)", async () => {
    await expect(svg).toMatchFileSnapshot("__snapshots__/ladder-grid.svg");
  });

  it("projects more than 3 states onto the truth's principal axes, and renders", () => {
    const t5 = beliefs("rrxor");
    const grid = ladderGridSvg(t5, [{ title: "gru", predicted: noisy(t5, 0.02, 3) }]);
    expect(grid).not.toContain("<polygon ");
    expect(grid).toContain("exact beliefs, top two principal axes");
    expect(svgToPng(grid, 1).length).toBeGreaterThan(1000);
  });

  it("rejects predictions that do not match the truth, naming the panel", () => {
    expect(() => ladderGridSvg(truth, [...panels, { title: "x", predicted: { rows: 3, cols: 3, data: new Float64Array(9) } }])).toThrow(
      "ladderGridSvg: argument 'panels[2].predicted' received 3 x 3; expected 30 x 3, as truth.",
    );
    expect(() => ladderGridSvg(truth, panels, { columns: 0 })).toThrow("ladderGridSvg: argument 'columns' received 0");
  });
});
