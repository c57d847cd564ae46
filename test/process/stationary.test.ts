import { describe, expect, it } from "vitest";
import { createHmm } from "../../src/process/hmm.js";
import { makeProcess } from "../../src/process/catalogue/index.js";
import { isStationary, stationaryDistribution, stationaryMean } from "../../src/process/stationary.js";
import { chainClasses } from "../../src/process/classes.js";
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

  it("rejects a chain with two closed classes, naming them, and says what to do", () => {
    const twoIslands = createHmm(
      [
        [
          [1, 0, 0],
          [0, 0, 0],
          [0.5, 0, 0],
        ],
        [
          [0, 0, 0],
          [0, 1, 0],
          [0, 0.5, 0],
        ],
      ],
      { stateLabels: ["left", "right", "start"] },
    );
    expect(() => stationaryDistribution(twoIslands)).toThrow(
      `stationaryDistribution: argument 'hmm (custom)' received a hidden chain with 2 closed communicating classes, {left} and {right}; expected an irreducible chain with a unique stationary distribution. Give the process an explicit initial distribution instead (Hmm.initial, or "initial" in its JSON file).`,
    );
    expect(chainClasses(twoIslands)).toEqual({ closed: [[0], [1]], transient: [2] });
  });

  it("with an initial distribution, the stationary mean weights each class by its absorption probability", () => {
    // From the transient "start" the chain falls left or right with 1/2 each; from (0.2, 0.2, 0.6): 0.5 each.
    const T = [
      [
        [0.5, 0.5, 0, 0],
        [0.5, 0.5, 0, 0],
        [0, 0, 0, 0],
        [0.3, 0, 0, 0],
      ],
      [
        [0, 0, 0, 0],
        [0, 0, 0, 0],
        [0, 0, 1, 0],
        [0, 0, 0.3, 0.4],
      ],
    ];
    const hmm = createHmm(T, { initial: [0, 0, 0, 1] });
    // From state 3: stays with 0.4, else to the class {0, 1} with 0.3 and {2} with 0.3: absorbed 1/2 each;
    // class {0, 1} is uniform.
    expectAllClose(stationaryDistribution(hmm), [0.25, 0.25, 0.5, 0], 1e-12);
    expectAllClose(stationaryMean(hmm, [0.1, 0.1, 0.4, 0.4]), [0.2, 0.2, 0.6, 0], 1e-12);
    expect(isStationary(hmm, [0.25, 0.25, 0.5, 0])).toBe(true);
    expect(isStationary(hmm, [0, 0, 0, 1])).toBe(false);
  });
});
