import { describe, expect, it } from "vitest";
import { endLabel, interpolationSweep } from "../../src/mechanism/sweep.js";
import { makeProcess } from "../../src/process/index.js";

describe("labels of an interpolation between two processes", () => {
  it("name the parameters that differ when both ends are the same process (not 'mess3 → mess3')", () => {
    const a = makeProcess("mess3");
    const b = makeProcess("mess3", { x: 0.15, alpha: 0.6 });
    const sweep = interpolationSweep(a, b, 3);
    expect(sweep.label).toBe("mess3(x=0.05, α=0.85) → mess3(x=0.15, α=0.6)");
    expect(sweep.ends).toEqual(["mess3(x=0.05, α=0.85)", "mess3(x=0.15, α=0.6)"]);
    expect(sweep.title(1)).toBe("mess3(x=0.05, α=0.85) → mess3(x=0.15, α=0.6): 50% of the way");
  });

  it("show only the parameters that differ, and none when nothing does", () => {
    const a = makeProcess("mess3", { x: 0.1 });
    const b = makeProcess("mess3", { x: 0.1, alpha: 0.6 });
    expect(endLabel(a, b)).toBe("mess3(α=0.85)");
    expect(endLabel(b, a)).toBe("mess3(α=0.6)");
    expect(endLabel(a, a)).toBe("mess3");
  });
});
