import { describe, expect, it } from "vitest";
import { formatTick, linearTicks, tickStep, ticks } from "../../src/plot/ticks.js";

// Expected values are d3-array's published examples (test/ticks-test.js of https://github.com/d3/d3-array,
// and its README), written out by hand here, not computed by a copy of the algorithm.
describe("ticks (d3-array's algorithm)", () => {
  it("gives about count + 1 round values, as d3's ticks-test.js", () => {
    expect(ticks(0, 1, 10)).toEqual([0, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 1]);
    expect(ticks(0, 1, 8)).toEqual([0, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 1]);
    expect(ticks(0, 1, 7)).toEqual([0, 0.2, 0.4, 0.6, 0.8, 1]);
    expect(ticks(0, 1, 4)).toEqual([0, 0.2, 0.4, 0.6, 0.8, 1]);
    expect(ticks(0, 1, 3)).toEqual([0, 0.5, 1]);
    expect(ticks(0, 1, 1)).toEqual([0, 1]);
    expect(ticks(0, 10, 9)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
    expect(ticks(0, 10, 5)).toEqual([0, 2, 4, 6, 8, 10]);
    expect(ticks(0, 10, 2)).toEqual([0, 5, 10]);
    expect(ticks(-10, 10, 10)).toEqual([-10, -8, -6, -4, -2, 0, 2, 4, 6, 8, 10]);
    expect(ticks(-10, 10, 6)).toEqual([-10, -5, 0, 5, 10]);
    expect(ticks(-10, 10, 2)).toEqual([-10, 0, 10]);
    expect(ticks(-10, 10, 1)).toEqual([0]);
    expect(ticks(1, 9, 5)).toEqual([2, 4, 6, 8]); // the README's example
  });

  it("reverses with the domain, and handles the degenerate cases as d3 does", () => {
    expect(ticks(1, 0, 5)).toEqual([1, 0.8, 0.6, 0.4, 0.2, 0]);
    expect(ticks(10, -10, 6)).toEqual([10, 5, 0, -5, -10]);
    expect(ticks(1, 1, 10)).toEqual([1]);
    expect(ticks(0, 1, 0)).toEqual([]);
    expect(ticks(0, 1, Infinity)).toEqual([]);
    expect(ticks(NaN, 1, 5)).toEqual([]);
  });

  it("puts a narrow loss axis at round values, not 0.843/0.833/0.823", () => {
    // step (0.843 - 0.823) / 5 = 0.004 rounds to 0.005 (4 is nearer 5 than 2, geometrically).
    expect(ticks(0.823, 0.843, 5)).toEqual([0.825, 0.83, 0.835, 0.84]);
    expect(tickStep(0.823, 0.843, 5)).toBe(0.005);
    // The demo loss curve of the issue: step 0.347 / 5 = 0.069 rounds to 0.05 (6.9 is below √50 ≈ 7.07).
    expect(linearTicks(0.767, 1.114, 5).map((t) => t.label)).toEqual(["0.80", "0.85", "0.90", "0.95", "1.00", "1.05", "1.10"]);
    expect(linearTicks(0, 150, 5).map((t) => t.label)).toEqual(["0", "20", "40", "60", "80", "100", "120", "140"]);
  });

  it("formats with the digits the step needs", () => {
    expect(formatTick(0.30000000000000004, 0.1)).toBe("0.3");
    expect(formatTick(0.825, 0.005)).toBe("0.825");
    expect(formatTick(-0, 0.5)).toBe("0");
    expect(formatTick(2e-5, 1e-5)).toBe("2e-5");
    expect(formatTick(2500000, 500000)).toBe("2.5e+6");
  });
});
