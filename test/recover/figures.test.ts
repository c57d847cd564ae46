import { describe, expect, it } from "vitest";
import { makeProcess, stationaryDistribution } from "../../src/process/index.js";
import { hmmGraphSvg } from "../../src/plot/hmmGraph.js";
import { spectrumSvg } from "../../src/plot/spectrum.js";

describe("recovery figures", () => {
  it("spectrum: one path per series, the cut drawn after the chosen index", () => {
    const svg = spectrumSvg(
      [
        { label: "predictions", values: [0.3, 0.25, 0.004, 0.003, 0.002] },
        { label: "activations", values: [30, 20, 10, 5, 1] },
      ],
      { cutAfter: 2, cutLabel: "states = 3", floor: { value: 0.005 / 0.3, label: "floor 0.005" } },
    );
    expect(svg).toContain("floor 0.005");
    expect(svg.match(/<path /g)).toHaveLength(2);
    expect(svg.match(/<circle /g)).toHaveLength(10);
    expect(svg).toContain("states = 3");
    expect(svg).toMatchSnapshot();
  });

  it("HMM graph: z1r's four edges with their labels, true and matched side by side", () => {
    const z1r = makeProcess("z1r");
    const g = { nStates: 3, nSymbols: 2, transitions: z1r.transitions, stationary: stationaryDistribution(z1r), title: "z1r" };
    const svg = hmmGraphSvg([g, { ...g, title: "again" }], { title: "pair" });
    // Edges 0 -0-> 1, 1 -1-> 2, 2 -> 0 (two symbols on one arrow), twice.
    expect(svg.match(/marker-end/g)).toHaveLength(6);
    expect(svg).toContain("0:.50 1:.50");
    expect(svg).toContain("π 0.33");
    expect(svg).toMatchSnapshot();
  });
});
