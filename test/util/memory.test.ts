import { describe, expect, it } from "vitest";
import { checkMemory, formatBytes, GiB, largestThatFits, MemoryLimitError, MiB, parseMemorySize, stringLimit, type SizeModel } from "../../src/util/memory.js";
import { ArgumentError } from "../../src/util/errors.js";

describe("--max-memory sizes", () => {
  it("reads binary and decimal units and bare bytes", () => {
    expect(parseMemorySize("4GiB")).toBe(4 * 2 ** 30);
    expect(parseMemorySize("2048MB")).toBe(2.048e9);
    expect(parseMemorySize("1.5 G")).toBe(1.5e9);
    expect(parseMemorySize("512mib")).toBe(512 * 2 ** 20);
    expect(parseMemorySize("1073741824")).toBe(2 ** 30);
    expect(parseMemorySize("2e9")).toBe(2e9);
    expect(parseMemorySize("1TiB")).toBe(2 ** 40);
  });

  it("refuses what is not a size of at least 1 MiB, naming the option", () => {
    for (const bad of ["lots", "0", "-1GB", "1000", "4 GiBs", ""]) {
      expect(() => parseMemorySize(bad)).toThrow(ArgumentError);
    }
    expect(() => parseMemorySize("lots")).toThrow(`beliefscope: argument '--max-memory' received "lots"; expected a memory size of at least 1 MiB, e.g. "4GiB", "2048MB", "512MiB" (a bare number is bytes).`);
    expect(() => parseMemorySize("x", "$BELIEFSCOPE_MAX_MEMORY")).toThrow(`argument '$BELIEFSCOPE_MAX_MEMORY' received "x"`);
  });

  it("prints bytes in binary units with one decimal below 100", () => {
    expect(formatBytes(512)).toBe("512 B");
    expect(formatBytes(1536)).toBe("1.5 KiB");
    expect(formatBytes(6.1 * GiB)).toBe("6.1 GiB");
    expect(formatBytes(150 * GiB)).toBe("150 GiB");
    expect(formatBytes(99.96 * MiB)).toBe("100.0 MiB");
  });
});

describe("the largest value that fits", () => {
  it("agrees with a linear scan", () => {
    for (const cut of [0, 1, 2, 7, 100, 999, 1000]) {
      const ok = (v: number) => v <= cut;
      expect(largestThatFits(ok, 1, 1000)).toBe(Math.min(cut, 1000) >= 1 ? Math.min(cut, 1000) : 0);
    }
  });
});

describe("checkMemory", () => {
  const model = (value: number): SizeModel => ({ flag: "--sequences", value, bytes: (n) => MiB + 1000 * n, formula: (n) => `${n} sequences x 1000 bytes` });
  const budget = { bytes: 2 * MiB, source: "given" };

  it("returns the estimate when it fits", () => {
    expect(checkMemory("beliefscope probe", model(1000), budget)).toBe(MiB + 1e6);
  });

  it("refuses with the estimate, the formula, the budget and the largest value that fits", () => {
    // 2 MiB - 1 MiB = 1048576 bytes, 1048 sequences of 1000 bytes.
    const refuse = () => checkMemory("beliefscope probe", model(1e6), budget);
    expect(refuse).toThrow(MemoryLimitError);
    expect(refuse).toThrow(
      "beliefscope probe: --sequences 1000000 needs about 955 MiB of memory (1000000 sequences x 1000 bytes); --max-memory is 2.0 MiB (given); the largest --sequences that fits is 1048. Raise --max-memory or lower --sequences.",
    );
    // An ArgumentError: the CLI prints it as a usage error, never "an unexpected error".
    expect(refuse).toThrow(ArgumentError);
  });

  it("says when not even the smallest value fits", () => {
    expect(() => checkMemory("beliefscope probe", { ...model(10), min: 2 }, { bytes: MiB, source: "given" })).toThrow("; even --sequences 2 does not fit. Raise --max-memory or lower --sequences.");
  });

  it("names a limit besides the budget: what binds, and the largest value within it", () => {
    const m: SizeModel = { flag: "--max-beliefs", value: 1e9, bytes: (n) => n, formula: () => "n bytes", limits: [stringLimit((n) => 400 * n)] };
    expect(() => checkMemory("beliefscope process msp", m, { bytes: 10 * GiB, source: "given" })).toThrow(
      "beliefscope process msp: --max-beliefs 1000000000 needs about 954 MiB of memory (n bytes); that is within --max-memory 10.0 GiB, but it needs 400000000000 characters in one JSON text (V8's string limit), more than 536870888; the largest --max-beliefs that fits is 1342177. Lower --max-beliefs.",
    );
    // The budget binds first, but the largest value is set by the limit: say so.
    expect(() => checkMemory("beliefscope process msp", { ...m, value: 2e10 }, { bytes: 10 * GiB, source: "given" })).toThrow(
      "--max-memory is 10.0 GiB (given); the largest --max-beliefs that fits is 1342177 (beyond it, more than 536870888 characters in one JSON text (V8's string limit)).",
    );
  });
});
