import { describe, expect, it } from "vitest";
import { interpolateProcesses, interpolationSweep, parameterSweep } from "../../src/mechanism/index.js";
import { makeProcess } from "../../src/process/index.js";
import { ArgumentError } from "../../src/util/errors.js";

describe("parameterSweep", () => {
  it("sweeps one parameter over its range, ends included, others fixed", () => {
    const sweep = parameterSweep("mess3:alpha=0.7,x=0.05..0.2", 4);
    expect(sweep.values.map((v) => Number(v.toFixed(12)))).toEqual([0.05, 0.1, 0.15, 0.2]);
    expect(sweep.processes.map((p) => p.params)).toEqual([0.05, 0.1, 0.15, 0.2].map((x) => ({ x: expect.closeTo(x, 12), alpha: 0.7 })));
    expect(Array.from(sweep.processes[3].transitions)).toEqual(Array.from(makeProcess("mess3", { x: 0.2, alpha: 0.7 }).transitions));
    expect(sweep.ends).toEqual(["x = 0.05", "x = 0.2"]);
    expect(sweep.title(1)).toBe("mess3 (alpha = 0.7): x = 0.100");
  });

  it("names what is wrong with a spec", () => {
    expect(() => parameterSweep("mess3", 3)).toThrow(ArgumentError);
    expect(() => parameterSweep("mess3:x=0.1", 3)).toThrow(/which has no range/);
    expect(() => parameterSweep("mess3:x=0.1..0.2,alpha=0.5..0.9", 3)).toThrow(/sweeps both x and alpha; expected exactly one parameter range/);
    expect(() => parameterSweep("mess3:x=a..0.2", 3)).toThrow(/argument 'spec'/);
    expect(() => parameterSweep("mess3:x=0.1..0.7", 3)).toThrow(/makeProcess/); // out of the catalogue's range
    expect(() => parameterSweep("mess3:q=0.1..0.2", 3)).toThrow(/params.q/);
  });
});

describe("interpolationSweep", () => {
  it("goes entry by entry from A to B, both ends exact", () => {
    const a = makeProcess("mess3", { x: 0.05, alpha: 0.85 });
    const b = makeProcess("mess3", { x: 0.15, alpha: 0.6 });
    const sweep = interpolationSweep(a, b, 3);
    expect(Array.from(sweep.processes[0].transitions)).toEqual(Array.from(a.transitions));
    sweep.processes[2].transitions.forEach((v, k) => expect(v).toBeCloseTo(b.transitions[k], 15));
    const mid = interpolateProcesses(a, b, 0.5);
    mid.transitions.forEach((v, k) => expect(v).toBeCloseTo((a.transitions[k] + b.transitions[k]) / 2, 15));
  });

  it("refuses processes over different alphabets, or with different state counts, saying which", () => {
    const mess3 = makeProcess("mess3");
    expect(() => interpolationSweep(mess3, makeProcess("rrxor"), 5)).toThrow(/received rrxor with 2 symbols, while mess3 has 3; expected two processes over the same alphabet/);
    expect(() => interpolationSweep(makeProcess("z1r"), makeProcess("rrxor"), 5)).toThrow(/received rrxor with 5 hidden states, while z1r has 3; expected two processes with the same number of hidden states/);
  });
});
