import { describe, expect, it } from "vitest";
import { mechanismFrameSvg } from "../../src/plot/animationFrame.js";
import { trainingFrameSvg } from "../../src/plot/trainingFrame.js";
import { graphOf } from "./longLabelFigures.js";
import { makeProcess } from "../../src/process/index.js";

const size = (svg: string) => /^<svg [^>]*width="(\d+)" height="(\d+)"/.exec(svg)!.slice(1, 3).map(Number);
const hmm = makeProcess("mess3");
const beliefs = { rows: 2, cols: 3, data: Float64Array.from([0.2, 0.3, 0.5, 0.6, 0.3, 0.1]) };

describe("frames of one animation have one size (a GIF's frames must), whatever their texts", () => {
  it("mechanism frames keep room for the sweep's longest title and widest score line", () => {
    const reserve = { title: "mess3(x=0.05, α=0.85) → mess3(x=0.15, α=0.6): 100% of the way", subtitle: "R² -0.000, loss +1000.00% vs optimal, 999 heads" };
    const frame = (title: string, approxSubtitle: string) =>
      size(mechanismFrameSvg({ graph: graphOf(hmm), trueBeliefs: beliefs, approx: beliefs, title, approxSubtitle, progress: 0.5, progressLabels: ["a", "b"] }, { width: 600, reserve }));
    const a = frame("mess3(x=0.05, α=0.85) → mess3(x=0.15, α=0.6): 0% of the way", "R² 0.973, loss +0.69% vs optimal, 3 heads");
    expect(frame(reserve.title, "R² 0.981, loss +12.69% vs optimal, 12 heads")).toEqual(a);
    expect(frame("short", "R²")).toEqual(a);
    // Without a reserve a frame takes only the room its own texts need.
    const free = size(mechanismFrameSvg({ graph: graphOf(hmm), trueBeliefs: beliefs, approx: beliefs, title: "short", approxSubtitle: "R²" }, { width: 600 }));
    expect(free[1]).toBeLessThan(a[1]);
  });

  it("training-movie frames too", () => {
    const reserve = { title: "mess3: step 2000, loss 00.0000 (+1000.00% vs optimal), probe R² -0.000", subtitle: "concat: R² -0.000, belief KL 0.00e-00" };
    const frame = (title: string, probeSubtitle: string) =>
      size(trainingFrameSvg({ trueBeliefs: beliefs, probed: beliefs, title, probeSubtitle, curve: [{ step: 1, loss: 1 }], checkpoints: [], step: 1, optimalLoss: 0.8, lossRange: [0.8, 1], maxStep: 2000 }, { width: 600, reserve }));
    expect(frame("mess3: step 1, loss 1.0986 (+36.90% vs optimal), probe R² 0.012", "concat: R² 0.012, belief KL 1.23e-1")).toEqual(frame("mess3", "x"));
  });
});
