import { describe, expect, it } from "vitest";
import { catalogue, makeProcess, processNames, resolveProcessName } from "../../src/process/catalogue/index.js";
import { stateTransitionMatrix } from "../../src/process/hmm.js";
import { fromTransitionEmission } from "../../src/process/classicForm.js";
import { filterBeliefs } from "../../src/process/beliefs.js";
import { myopicEntropy } from "../../src/process/entropy.js";
import { sampleSequences } from "../../src/process/sample.js";
import { stationaryDistribution } from "../../src/process/stationary.js";
import { processFromSpec } from "../../src/process/spec.js";
import { expectAllClose, numpyTruth } from "../helpers.js";
import { processTruth } from "./processTruth.js";

describe("catalogue", () => {
  it("has the processes the toolkit promises", () => {
    expect([...processNames].sort()).toEqual([
      "coin",
      "days-of-week",
      "even",
      "fanizza",
      "golden-mean",
      "leaky-rrxor",
      "matching-parens",
      "mess3",
      "mr-name",
      "no-consecutive-ones",
      "post-quantum",
      "random-hmm",
      "rrxor",
      "sns",
      "tom-quantum",
      "trap",
      "z1r",
    ]);
  });

  it("builds every stochastic process with defaults into stochastic matrices", () => {
    for (const name of processNames) {
      if (catalogue[name].kind === "ghmm") continue;
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
    expect(resolveProcessName("random-random-xor")).toBe("rrxor");
    expect(resolveProcessName("simple-nonunifilar-source")).toBe("sns");
    expect(() => makeProcess("mess4")).toThrow(
      /makeProcess: argument 'name' received "mess4"; expected a catalogue process: mess3, z1r, rrxor, golden-mean, even, sns, random-hmm, coin, days-of-week/,
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

describe("catalogue parity with Astera simplexity (numpy re-derivations)", () => {
  const cases: [string, string][] = [
    ["coin", "coin:p=0.3"],
    ["days-of-week", "days-of-week"],
    ["no-consecutive-ones", "no-consecutive-ones:p=0.4"],
    ["leaky-rrxor", "leaky-rrxor"],
    ["matching-parens", "matching-parens"],
    ["matching-parens(depth=4,p=0.3)", "matching-parens:depth=4,p=0.3"],
    ["mr-name", "mr-name"],
    ["trap", "trap"],
    ["trap(regimes=2,switch=0.1,marker=0.2,bias=0.7)", "trap:regimes=2,switch=0.1,marker=0.2,bias=0.7"],
  ];

  it("matches the definitions entry by entry, with numpy's stationary distribution and optimal losses", () => {
    for (const [key, spec] of cases) {
      const truth = processTruth.catalogue[key];
      const hmm = processFromSpec(spec);
      expectAllClose(hmm.transitions, truth.transitions.flat(2), 1e-15);
      expectAllClose(stationaryDistribution(hmm), truth.stationary, 1e-10);
      expectAllClose(myopicEntropy(hmm, truth.myopic.length).values, truth.myopic, 1e-12);
    }
  });

  it("has simplexity's documented stationary distributions", () => {
    expectAllClose(stationaryDistribution(makeProcess("mr-name")), [1 / 6, 2 / 6, 2 / 6, 1 / 6], 1e-12);
    expectAllClose(stationaryDistribution(makeProcess("matching-parens")), [1 / 6, 2 / 6, 2 / 6, 1 / 6], 1e-12);
    expectAllClose(stationaryDistribution(makeProcess("no-consecutive-ones")), [2 / 3, 1 / 3], 1e-12);
  });

  it("knows simplexity's names: even_ones is our even (same matrices), days_of_week, mr_name, ...", () => {
    expect(resolveProcessName("even_ones")).toBe("even");
    expect(resolveProcessName("days_of_week")).toBe("days-of-week");
    expect(resolveProcessName("tom_quantum")).toBe("tom-quantum");
    expect(resolveProcessName("zero_one_random")).toBe("z1r");
  });

  it("rejects mr-name with p + q > 1", () => {
    expect(() => makeProcess("mr-name", { p: 0.8, q: 0.3 })).toThrow(
      "makeProcess: argument 'params.p + params.q' received 1.1; expected at most 1 (1 - p - q is the probability of repeating the filler word).",
    );
  });
});

describe("trap (issue 9)", () => {
  const hmm = makeProcess("trap");

  it("a marker erases the past: the belief after M_i is (1 - switch) on regime i whatever came before", () => {
    const s = sampleSequences(hmm, { count: 200, length: 40, seed: 2 });
    const b = filterBeliefs(hmm, s.tokens, 40).beliefs;
    let seen = 0;
    for (let k = 0; k < 200 * 40; k++) {
      const x = s.tokens[k];
      if (x < 3) continue;
      seen++;
      const expected = [0, 1, 2].map((j) => (j === x - 3 ? 0.99 : 0.005));
      expectAllClose(b.subarray(k * 3, k * 3 + 3), expected, 1e-12);
    }
    // About 20% of 8000 tokens are markers.
    expect(seen).toBeGreaterThan(1400);
    expect(seen).toBeLessThan(1800);
  });

  it("between markers the shared symbols only nudge the belief", () => {
    // After s0 from the uniform belief: P(s0 | R0) = 0.8 * 0.7 and P(s0 | R1) = P(s0 | R2) = 0.8 * 0.15, so
    // P(R0) = 0.7 / (0.7 + 0.15 + 0.15) = 0.7 before the switch, and 0.7 * 0.99 + 0.3 * 0.005 after it.
    const b = filterBeliefs(hmm, Int32Array.of(0), 1).beliefs;
    expect(b[0]).toBeCloseTo(0.7 * 0.99 + 0.3 * 0.005, 12);
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
