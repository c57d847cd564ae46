import { describe, expect, it } from "vitest";
import { createHmm } from "../../src/process/hmm.js";
import { makeProcess } from "../../src/process/catalogue/index.js";
import { stationaryDistribution } from "../../src/process/stationary.js";
import { expectAllClose, numpyTruth } from "../helpers.js";

describe("stationaryDistribution", () => {
  it("matches closed forms", () => {
    // mess3 is symmetric: uniform. Golden mean / even: pi = (1/(1+p), p/(1+p)) = (2/3, 1/3) at p = 1/2.
    expectAllClose(stationaryDistribution(makeProcess("mess3")), [1 / 3, 1 / 3, 1 / 3], 1e-12);
    expectAllClose(stationaryDistribution(makeProcess("golden-mean")), [2 / 3, 1 / 3], 1e-12);
    expectAllClose(stationaryDistribution(makeProcess("even", { p: 0.25 })), [1 / 1.25, 0.25 / 1.25], 1e-12);
    expectAllClose(stationaryDistribution(makeProcess("z1r")), [1 / 3, 1 / 3, 1 / 3], 1e-12);
  });

  it("matches numpy's eigenvector for rrxor and a random 4-state HMM", () => {
    for (const name of ["rrxor", "rrxor(p1=0.3,p2=0.8)", "random4"]) {
      const truth = numpyTruth[name];
      expectAllClose(stationaryDistribution(createHmm(truth.transitions)), truth.stationary, 1e-12);
    }
  });

  it("rejects a chain with two closed classes and says what to do", () => {
    const twoIslands = createHmm([
      [
        [1, 0],
        [0, 0],
      ],
      [
        [0, 0],
        [0, 1],
      ],
    ]);
    expect(() => stationaryDistribution(twoIslands)).toThrow(
      "stationaryDistribution: argument 'hmm (custom)' received a hidden chain with 2 closed communicating classes; expected an irreducible chain with a unique stationary distribution. Give the process an explicit initial distribution instead (option 'initial').",
    );
  });
});
