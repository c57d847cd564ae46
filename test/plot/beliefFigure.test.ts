import { describe, expect, it } from "vitest";
import { beliefFigureSvg } from "../../src/plot/beliefFigure.js";
import { lossCurveSvg } from "../../src/plot/lossCurve.js";
import { svgToPng } from "../../src/node/png.js";
import { makeProcess } from "../../src/process/catalogue/index.js";
import { sampleSequences } from "../../src/process/sample.js";
import { filterBeliefs } from "../../src/process/beliefs.js";
import { Rng } from "../../src/util/rng.js";

// Seeded data: 40 mess3 beliefs and a "probe" that adds fixed noise.
const hmm = makeProcess("mess3");
const s = sampleSequences(hmm, { count: 4, length: 10, seed: 1 });
const truth = { rows: 40, cols: 3, data: filterBeliefs(hmm, s.tokens, 10).beliefs };
const rng = new Rng(5);
const predicted = { rows: 40, cols: 3, data: truth.data.map((v) => v + 0.05 * rng.normal()) };

describe("belief figure", () => {
  const svg = beliefFigureSvg(truth, predicted, { title: "test figure" });

  it("draws every point twice (truth and probe) coloured by the true belief", () => {
    expect(svg.match(/<circle /g)).toHaveLength(80);
    // The first belief of the first sequence, as RGB, appears in both panels.
    const [r, g, b] = Array.from(truth.data.subarray(0, 3), (v) => Math.round(255 * v));
    expect(svg.split(`fill="rgb(${r},${g},${b})"`).length - 1).toBeGreaterThanOrEqual(2);
  });

  it("matches its snapshot (coordinates rounded, data seeded)", async () => {
    await expect(svg).toMatchFileSnapshot("__snapshots__/belief-figure.svg");
  });

  it("renders to a PNG", () => {
    const png = svgToPng(svg, 1);
    expect(Array.from(png.subarray(1, 4))).toEqual([0x50, 0x4e, 0x47]); // "PNG"
    expect(new DataView(png.buffer, png.byteOffset).getUint32(16)).toBe(860); // width: 2 * 400 + 3 * 20
  });

  it("rejects mismatched inputs", () => {
    expect(() => beliefFigureSvg(truth, { rows: 3, cols: 3, data: new Float64Array(9) })).toThrow(
      "beliefFigureSvg: argument 'predicted' received 3 x 3; expected 40 x 3, as trueBeliefs.",
    );
  });
});

describe("loss curve", () => {
  it("matches its snapshot", async () => {
    const metrics = Array.from({ length: 50 }, (_, k) => ({ step: k + 1, loss: 0.8 + 0.3 * Math.exp(-k / 10), relativeLoss: null, learningRate: 1e-3, seconds: 0.1, tokensPerSecond: 6400 }));
    await expect(lossCurveSvg(metrics, 0.8035, { smoothing: 1 })).toMatchFileSnapshot("__snapshots__/loss-curve.svg");
  });
});

describe("loss curve with held-out points", () => {
  const metrics = Array.from({ length: 50 }, (_, k) => ({ step: k + 1, loss: 0.8 + 0.3 * Math.exp(-k / 10) }));
  const svg = lossCurveSvg(metrics, 0.8035, { smoothing: 1, heldOut: [{ step: 50, loss: 0.81 }], heldOutLabel: "held-out loss, final model (5000 sequences)" });

  it("draws the held-out loss as a labelled point at its step, and says which curve is which", () => {
    // x: 64 px left margin + (50 / 50) * 556 px plot width.
    expect(svg).toMatch(/<circle cx="620" cy="[\d.]+" r="4" fill="#ff7f0e"/);
    expect(svg).toContain(">0.8100</text>");
    expect(svg).toContain(">training loss (sampled batches)</text>");
    expect(svg).toContain(">held-out loss, final model (5000 sequences)</text>");
    expect(svg).toContain(">optimal 0.8035 nats</text>");
  });

  it("puts the loss axis at round ticks", () => {
    const labels = [...svg.matchAll(/text-anchor="end" font-size="11" font-family="[^"]*">([\d.]+)<\/text>/g)].map((m) => m[1]);
    expect(labels).toEqual(["0.80", "0.85", "0.90", "0.95", "1.00", "1.05", "1.10"]);
  });
});

describe("figure text", () => {
  it("escapes titles with & and < so the SVG parses and renders", () => {
    const title = `mess3 <x=0.05> & "alpha" 'q'`;
    for (const svg of [beliefFigureSvg(truth, predicted, { title, leftTitle: "a<b", rightTitle: "R² & co" }), lossCurveSvg([{ step: 1, loss: 1 }, { step: 2, loss: 0.9 }], 0.8, { title })]) {
      expect(svg).toContain("mess3 &lt;x=0.05&gt; &amp; &quot;alpha&quot; &#39;q&#39;");
      expect(svg).not.toContain("<x=0.05>");
      // resvg rejects malformed XML: rendering proves the escaping is complete.
      expect(svgToPng(svg, 1).length).toBeGreaterThan(1000);
    }
  });
});
