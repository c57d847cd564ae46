import { describe, expect, it } from "vitest";
import { makeProcess } from "../../src/process/catalogue/index.js";
import { mixture, product } from "../../src/process/composite.js";
import { myopicEntropy, entropyRate } from "../../src/process/entropy.js";
import { mixedStatePresentation } from "../../src/process/msp.js";
import { sampleSequences } from "../../src/process/sample.js";
import { filterBeliefs } from "../../src/process/beliefs.js";
import { stationaryDistribution } from "../../src/process/stationary.js";
import { formatProcessSpec, parseCatalogueSpec, parseProcessSpec, processFromSpec } from "../../src/process/spec.js";
import { processFromJson, processToJson } from "../../src/process/json.js";
import { expectAllClose } from "../helpers.js";
import { processTruth } from "./processTruth.js";

describe("mixture", () => {
  const mix = processFromSpec("mixture:mess3(x=0.1),rrxor;weights=0.3,0.7");
  const truth = processTruth.composite.mixture;

  it("is the weighted block-diagonal of its components, symbols shared by index (numpy)", () => {
    expect(mix.nStates).toBe(8);
    expect(mix.nSymbols).toBe(3);
    expectAllClose(mix.transitions, truth.transitions.flat(2), 1e-15);
    expectAllClose(mix.initial!, truth.initial, 1e-12);
    expect(mix.symbolLabels).toEqual(["A/0", "B/1", "C"]);
    expect(mix.stateLabels.slice(2, 5)).toEqual(["mess3:2", "rrxor:A", "rrxor:B0"]);
    expect(mix.params).toEqual({ weight0: 0.3, weight1: 0.7 });
  });

  it("beliefs start from the weighted initial distribution: optimal losses match numpy's brute force", () => {
    const r = myopicEntropy(mix, truth.myopic.length);
    expect(r.exact).toBe(true);
    expectAllClose(r.values, truth.myopic, 1e-12);
  });

  it("has no unique stationary distribution; its stationary mean is the initial one", () => {
    expectAllClose(stationaryDistribution(mix), truth.initial, 1e-12);
  });

  it("samples stay in one component: a sequence with a 2 (mess3's C) came from mess3 and the hidden states say so", () => {
    const s = sampleSequences(mix, { count: 400, length: 30, seed: 3 });
    let fromMess3 = 0;
    for (let n = 0; n < 400; n++) {
      const states = Array.from(s.states.subarray(n * 31, (n + 1) * 31));
      const inMess3 = states[0] < 3;
      expect(states.every((q) => q < 3 === inMess3)).toBe(true);
      if (inMess3) fromMess3++;
      const tokens = Array.from(s.tokens.subarray(n * 30, (n + 1) * 30));
      if (tokens.includes(2)) expect(inMess3).toBe(true);
    }
    // Binomial(400, 0.3): sd 9.2.
    expect(Math.abs(fromMess3 - 120)).toBeLessThan(40);
  });

  it("round-trips through JSON with its initial distribution", () => {
    const back = processFromJson(JSON.parse(JSON.stringify(processToJson(mix))));
    expect(Array.from(back.initial!)).toEqual(Array.from(mix.initial!));
    expect(myopicEntropy(back, 5).values).toEqual(myopicEntropy(mix, 5).values);
  });

  it("defaults to uniform weights", () => {
    const m = processFromSpec("mixture:mess3,rrxor");
    expect(m.params).toEqual({ weight0: 0.5, weight1: 0.5 });
    expect(m.initial!.slice(0, 3).reduce((a, b) => a + b, 0)).toBeCloseTo(0.5, 14);
  });

  it("rejects bad components and weights", () => {
    expect(() => mixture([makeProcess("mess3")])).toThrow("mixture: argument 'components' received an array of length 1; expected at least 2 processes.");
    expect(() => mixture([makeProcess("mess3"), makeProcess("rrxor")], { weights: [1] })).toThrow("mixture: argument 'weights' received an array of length 1; expected 2 weights, one per component.");
    expect(() => mixture([makeProcess("mess3"), makeProcess("rrxor")], { weights: [1, 0] })).toThrow("mixture: argument 'weights[1]' received 0; expected a positive number (weights are normalised to sum 1).");
  });
});

describe("product", () => {
  const prod = processFromSpec("product:mess3,even");
  const truth = processTruth.composite.product;

  it("is the Kronecker product, symbols labelled like A|0 (numpy)", () => {
    expect(prod.nStates).toBe(6);
    expect(prod.nSymbols).toBe(6);
    expectAllClose(prod.transitions, truth.transitions.flat(2), 1e-15);
    expectAllClose(prod.initial!, truth.initial, 1e-12);
    expect(prod.symbolLabels).toEqual(["A|0", "A|1", "B|0", "B|1", "C|0", "C|1"]);
  });

  it("optimal losses match numpy's brute force; the entropy rate contains h(mess3) + (2/3) ln 2", () => {
    expectAllClose(myopicEntropy(prod, truth.myopic.length).values, truth.myopic, 1e-12);
    const [lo, hi] = truth.rateBounds;
    // Bracketed factor by factor (rates add over independent components): as tight as mess3's own.
    const r = entropyRate(prod);
    expect(r.factors).toHaveLength(2);
    expect(r.factors![1].method).toBe("unifilar");
    expect(r.width).toBeLessThanOrEqual(1e-6);
    expect(r.lower).toBeLessThanOrEqual(hi);
    expect(r.upper).toBeGreaterThanOrEqual(lo);
    // Loaded from JSON the factors are unknown: the joint tree still brackets it, only wider.
    const joint = processFromJson(JSON.parse(JSON.stringify(processToJson(prod))));
    expect(joint.factors).toBeUndefined();
    const j = entropyRate(joint, { maxWork: 3e7 });
    expect(j.lower).toBeLessThanOrEqual(hi);
    expect(j.upper).toBeGreaterThanOrEqual(lo);
    expect(j.width).toBeLessThan(0.05);
  });

  it("handles periodic components: z1r x z1r has 3 closed classes but a defined start", () => {
    const zz = product([makeProcess("z1r"), makeProcess("z1r")]);
    expect(entropyRate(zz).value).toBeCloseTo((2 * Math.log(2)) / 3, 12); // by factors
    // Without the factors (as loaded from JSON), through the 3 closed classes of the joint chain.
    const r = entropyRate(processFromJson(processToJson(zz)));
    expect(r.classes).toHaveLength(3);
    expect(r.lower).toBeCloseTo((2 * Math.log(2)) / 3, 10);
    expect(r.upper).toBeCloseTo((2 * Math.log(2)) / 3, 10);
    // Every belief and word is still well defined from the product initial distribution.
    expect(mixedStatePresentation(zz, { depth: 6 }).closed).toBe(true);
  });

  it("filters beliefs that factor: the belief over (i, j) is the product of the components' beliefs", () => {
    const m3 = makeProcess("mess3");
    const ev = makeProcess("even");
    const s = sampleSequences(prod, { count: 1, length: 12, seed: 5 });
    const b = filterBeliefs(prod, s.tokens, 12).beliefs;
    const a = filterBeliefs(m3, s.tokens.map((x) => Math.floor(x / 2)), 12).beliefs;
    const c = filterBeliefs(ev, s.tokens.map((x) => x % 2), 12).beliefs;
    for (let t = 0; t < 12; t++) for (let i = 0; i < 3; i++) for (let j = 0; j < 2; j++) expect(b[t * 6 + i * 2 + j]).toBeCloseTo(a[t * 3 + i] * c[t * 2 + j], 12);
  });
});

describe("process specs", () => {
  it("parses composites with component parameters and weights; keeps plain specs as before", () => {
    expect(parseProcessSpec("mixture:mess3(x=0.1),rrxor;weights=0.3,0.7")).toEqual({
      kind: "mixture",
      components: [
        { kind: "catalogue", name: "mess3", params: { x: 0.1 } },
        { kind: "catalogue", name: "rrxor", params: {} },
      ],
      weights: [0.3, 0.7],
    });
    expect(parseProcessSpec(" product: mess3 (alpha=0.7, x=0.2) , even ")).toEqual({
      kind: "product",
      components: [
        { kind: "catalogue", name: "mess3", params: { alpha: 0.7, x: 0.2 } },
        { kind: "catalogue", name: "even", params: {} },
      ],
    });
    expect(parseProcessSpec("mess3:x=0.1")).toEqual({ kind: "catalogue", name: "mess3", params: { x: 0.1 } });
    expect(parseCatalogueSpec("mess3:x=0.1,alpha=0.6")).toEqual({ name: "mess3", params: { x: 0.1, alpha: 0.6 } });
    expect(formatProcessSpec(parseProcessSpec("mixture:mess3(x=0.1),rrxor;weights=0.3,0.7"))).toBe("mixture:mess3(x=0.1),rrxor;weights=0.3,0.7");
    expect(processFromSpec("product:mess3(x=0.1),even").name).toBe("product:mess3(x=0.1),even");
  });

  it("rejects malformed composites with the problem and the syntax", () => {
    const hint = ` Composites look like "mixture:mess3(x=0.1),rrxor;weights=0.3,0.7" or "product:mess3,even" (quote them in a shell).`;
    const cases: [string, string][] = [
      ["mixture:mess3", `parseProcessSpec: argument 'spec' received "mixture:mess3" (1 component); expected a mixture of at least 2 processes.`],
      ["mixture:mess3(x=0.1,rrxor", `received "mixture:mess3(x=0.1,rrxor" (unclosed "(" in "mess3(x=0.1,rrxor"); expected balanced parentheses.`],
      ["mixture:mess3),rrxor", `(unmatched ")" at character 6 of "mess3),rrxor"); expected balanced parentheses.`],
      ["mixture:mess3,,rrxor", `(an empty component); expected comma-separated components.`],
      ["mixture:mess3(x),rrxor", `(parameter "x" of mess3 is not key=value); expected parameters like x=0.1.`],
      ["mixture:mess3(x=abc),rrxor", `(value of mess3.x "abc" is not a number); expected finite numbers.`],
      ["mixture:mess3(x=0.1,x=0.2),rrxor", `(parameter x of mess3 is given twice); expected each parameter once.`],
      ["mixture:mess3,rrxor;weights=1", `(1 weights for 2 components); expected one weight per component.`],
      ["mixture:mess3,rrxor;weights=1,-1", `(weight -1 for rrxor); expected positive weights (they are normalised to sum 1).`],
      ["mixture:mess3,rrxor;colour=red", `(unknown option "colour=red"); expected weights=w1,w2,....`],
      ["product:mess3,even;weights=1,2", `(weights on a product); expected weights only on a mixture.`],
      ["product:mess3,mixture(rrxor)", `(component "mixture(rrxor)" is itself a composite); expected catalogue processes as components (nest composites in code with mixture() and product()).`],
      ["product:mess3,even x", `(component "even x" is not name or name(key=value,...)); expected components like mess3 or mess3(x=0.1,alpha=0.8).`],
    ];
    for (const [spec, message] of cases) expect(() => processFromSpec(spec), spec).toThrow(message + hint);
    // A component's own problems come from makeProcess, naming the process.
    expect(() => processFromSpec("mixture:mess3(x=0.9),rrxor")).toThrow("makeProcess: argument 'params.x' received 0.9; expected a number in [0, 0.5]");
    expect(() => processFromSpec("product:mess4,rrxor")).toThrow(`makeProcess: argument 'name' received "mess4"`);
  });
});
