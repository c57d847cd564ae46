import { describe, expect, it } from "vitest";
import { mechanismFrameSvg } from "../../src/plot/animationFrame.js";
import { decompositionFigureSvg } from "../../src/plot/decompositionFigure.js";
import { patternFigureSvg } from "../../src/plot/patternFigure.js";
import { trainingFrameSvg } from "../../src/plot/trainingFrame.js";
import { makeProcess, sampleSequences, filterBeliefs } from "../../src/process/index.js";
import { applyLinearOperator, bestLinearOperator } from "../../src/mechanism/index.js";

// Seeded inputs, small enough to read: the snapshots pin the drawing, the assertions its meaning.
const hmm = makeProcess("mess3");
const tokens = sampleSequences(hmm, { count: 6, length: 4, seed: 1 }).tokens;
const beliefs = filterBeliefs(hmm, tokens, 4).beliefs;
const op = bestLinearOperator(hmm, 4, { embedding: "per-position", nSequences: 100, seed: 1 });
const approx = applyLinearOperator(op, tokens, 4);
const rows = { rows: 24, cols: 3 };

describe("mechanism figures", () => {
  it("animation frame: graph, optimal beliefs, constructed approximation, progress", async () => {
    const svg = mechanismFrameSvg(
      { graph: hmm, trueBeliefs: { ...rows, data: beliefs }, approx: { ...rows, data: approx }, title: "mess3: x = 0.050", approxSubtitle: "R² 0.97", progress: 0.25, progressLabels: ["x = 0.05", "x = 0.2"] },
      { width: 600 },
    );
    expect(svg.match(/<circle [^>]*r="1.2"/g)).toHaveLength(48); // 24 points per panel
    expect(svg).toContain(">Hidden Markov model<");
    // The nested HMM graph is src/plot/hmmGraph.ts's drawing, pinned by its own tests: left out here.
    const nested = /<svg x="[^"]*" y="[^"]*"[\s\S]*?<\/svg>/;
    expect(svg).toMatch(nested);
    await expect(svg.replace(nested, "<!-- the HMM graph (hmmGraphSvg) -->")).toMatchFileSnapshot("__snapshots__/animation-frame.svg");
  });

  it("decomposition: example paths with one step per key position, partial sums, step lengths", async () => {
    const steps = Float64Array.from({ length: 4 * 3 }, (_, k) => 0.05 * Math.cos(k) * 2 ** -(3 - Math.floor(k / 3)));
    const svg = decompositionFigureSvg({
      trueBeliefs: { rows: 4, cols: 3, data: beliefs.subarray(0, 12) },
      estimates: { rows: 4, cols: 3, data: approx.subarray(0, 12) },
      examples: [{ origin: [0.3, 0.3, 0.4], steps }],
      partials: [1, 4].map((k) => ({ k, points: { rows: 4, cols: 3, data: approx.subarray(0, 12) } })),
      stepLength: [0.01, 0.02, 0.05, 0.1],
      title: "decomposition",
    });
    expect(svg.match(/marker-end="url\(#step-0\)"/g)).toHaveLength(4);
    expect(svg).toContain(">last 1 token<");
    expect(svg).toContain(">all 4 tokens<");
    await expect(svg).toMatchFileSnapshot("__snapshots__/decomposition.svg");
  });

  it("patterns: mean and spread per head with the fixed fraction", async () => {
    const mean = Float64Array.from([1, 0, 0.5, 0.5]);
    const std = Float64Array.from([0, 0, 0.1, 0.2]);
    const svg = patternFigureSvg([{ label: "head 0", mean, std, fixedFraction: 0.875 }], 2);
    expect(svg).toContain("head 0: fixed matrix explains 87.50% of variance");
    await expect(svg).toMatchFileSnapshot("__snapshots__/patterns.svg");
  });

  it("training frame: truth, probe, loss curve with the checkpoint marked", async () => {
    const svg = trainingFrameSvg(
      {
        trueBeliefs: { ...rows, data: beliefs },
        probed: { ...rows, data: approx },
        title: "step 100",
        curve: [1, 10, 100, 1000].map((step, k) => ({ step, loss: 1.1 - 0.08 * k })),
        checkpoints: [{ step: 10, loss: 0.95 }, { step: 100, loss: 0.85 }],
        step: 100,
        optimalLoss: 0.8,
        lossRange: [0.78, 1.1],
        maxStep: 1000,
      },
      { width: 600 },
    );
    expect(svg.match(/<circle [^>]*r="2.5"/g)).toHaveLength(2);
    await expect(svg).toMatchFileSnapshot("__snapshots__/training-frame.svg");
  });
});
