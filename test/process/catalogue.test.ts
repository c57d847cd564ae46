import { describe, expect, it } from "vitest";
import { catalogue, makeProcess, processNames, resolveProcessName } from "../../src/process/catalogue/index.js";
import { stateTransitionMatrix } from "../../src/process/hmm.js";
import { fromTransitionEmission } from "../../src/process/classicForm.js";
import { expectAllClose, numpyTruth } from "../helpers.js";

describe("catalogue", () => {
  it("has the processes the toolkit promises", () => {
    expect([...processNames].sort()).toEqual(["even", "golden-mean", "mess3", "random-hmm", "rrxor", "sns", "z1r"]);
  });

  it("builds every process with defaults into stochastic matrices", () => {
    for (const name of processNames) {
      const hmm = makeProcess(name);
      const M = stateTransitionMatrix(hmm);
      for (let i = 0; i < hmm.nStates; i++) {
        let row = 0;
        for (let j = 0; j < hmm.nStates; j++) row += M[i * hmm.nStates + j];
        expect(row).toBeCloseTo(1, 12);
      }
    }
  });

  it("mess3 and rrxor match the numpy definitions entry by entry", () => {
    expectAllClose(makeProcess("mess3").transitions, numpyTruth.mess3.transitions.flat(2), 1e-15);
    expectAllClose(makeProcess("mess3", { x: 0.15, alpha: 0.6 }).transitions, numpyTruth["mess3(x=0.15,alpha=0.6)"].transitions.flat(2), 1e-15);
    expectAllClose(makeProcess("rrxor", { p1: 0.3, p2: 0.8 }).transitions, numpyTruth["rrxor(p1=0.3,p2=0.8)"].transitions.flat(2), 1e-15);
    expectAllClose(makeProcess("sns").transitions, numpyTruth.sns.transitions.flat(2), 1e-15);
  });

  it("mess3 equals its classic form with emission from the destination state", () => {
    const x = 0.05;
    const alpha = 0.85;
    const beta = (1 - alpha) / 2;
    const A = [0, 1, 2].map((i) => [0, 1, 2].map((j) => (i === j ? 1 - 2 * x : x)));
    const B = [0, 1, 2].map((j) => [0, 1, 2].map((s) => (s === j ? alpha : beta)));
    expectAllClose(fromTransitionEmission(A, B, { emitFrom: "destination" }).transitions, makeProcess("mess3").transitions, 1e-15);
  });

  it("resolves aliases and rejects unknown names with the list of choices", () => {
    expect(resolveProcessName("zero-one-random")).toBe("z1r");
    expect(resolveProcessName("simple-nonunifilar-source")).toBe("sns");
    expect(() => makeProcess("mess4")).toThrow(
      /makeProcess: argument 'name' received "mess4"; expected a catalogue process: mess3, z1r, rrxor, golden-mean, even, sns, random-hmm/,
    );
  });

  it("rejects unknown and out-of-range parameters", () => {
    expect(() => makeProcess("mess3", { y: 1 })).toThrow("makeProcess: argument 'params.y' received an unknown parameter; expected a parameter of mess3: x, alpha.");
    expect(() => makeProcess("mess3", { x: 0.6 })).toThrow(/'params.x' received 0.6; expected a number in \[0, 0.5\]/);
    expect(() => makeProcess("random-hmm", { states: 2.5 })).toThrow(/'params.states' received 2.5; expected an integer in \[1, 256\]/);
  });

  it("documents every parameter with a default inside its range", () => {
    for (const name of processNames) {
      for (const [p, spec] of Object.entries(catalogue[name].params as Record<string, { default: number; min: number; max: number; doc: string }>)) {
        expect(spec.default, `${name}.${p}`).toBeGreaterThanOrEqual(spec.min);
        expect(spec.default, `${name}.${p}`).toBeLessThanOrEqual(spec.max);
        expect(spec.doc.length).toBeGreaterThan(5);
      }
    }
  });
});

describe("random HMM", () => {
  it("is a pure function of its seed", () => {
    const a = makeProcess("random-hmm", { states: 4, symbols: 2, seed: 7 });
    const b = makeProcess("random-hmm", { states: 4, symbols: 2, seed: 7 });
    const c = makeProcess("random-hmm", { states: 4, symbols: 2, seed: 8 });
    expect(Array.from(a.transitions)).toEqual(Array.from(b.transitions));
    expect(Array.from(a.transitions)).not.toEqual(Array.from(c.transitions));
  });

  it("has Dirichlet row statistics: mean 1/(VS), variance (1/K)(1-1/K)/(K*c+1)", () => {
    // Symmetric Dirichlet over K = V*S outcomes with concentration c: each entry has
    // mean 1/K and variance (1/K)(1 - 1/K)/(K c + 1).
    const S = 16;
    const V = 4;
    const c = 0.5;
    const K = V * S;
    const hmm = makeProcess("random-hmm", { states: S, symbols: V, concentration: c, seed: 3 });
    const vals = Array.from(hmm.transitions);
    const mean = vals.reduce((a, b) => a + b, 0) / vals.length;
    const variance = vals.reduce((a, b) => a + (b - mean) ** 2, 0) / vals.length;
    expect(mean).toBeCloseTo(1 / K, 12); // rows sum to 1 exactly
    const expected = ((1 / K) * (1 - 1 / K)) / (K * c + 1);
    expect(Math.abs(variance - expected) / expected).toBeLessThan(0.15);
  });
});
