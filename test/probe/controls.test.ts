import { describe, expect, it } from "vitest";
import { kgramFeatures, shuffleRows } from "../../src/probe/controls.js";

describe("kgramFeatures", () => {
  it("one-hot of each of the last k tokens (slot V = no token) and of position", () => {
    // One sequence 0, 2, 1 over 3 symbols, k = 2: columns [lag 0: 0 1 2 none | lag 1: 0 1 2 none | pos 0 1 2].
    const f = kgramFeatures(Int32Array.of(0, 2, 1), 3, 3, 2);
    expect(f.cols).toBe(11);
    const row = (r: number) => Array.from(f.data.subarray(r * 11, (r + 1) * 11));
    expect(row(0)).toEqual([1, 0, 0, 0, /**/ 0, 0, 0, 1, /**/ 1, 0, 0]);
    expect(row(1)).toEqual([0, 0, 1, 0, /**/ 1, 0, 0, 0, /**/ 0, 1, 0]);
    expect(row(2)).toEqual([0, 1, 0, 0, /**/ 0, 0, 1, 0, /**/ 0, 0, 1]);
  });

  it("restarts the history at each sequence", () => {
    const f = kgramFeatures(Int32Array.of(1, 1, 0, 2), 2, 3, 1); // sequences [1, 1] and [0, 2]
    expect(Array.from(f.data.subarray(2 * 6, 3 * 6))).toEqual([1, 0, 0, 0, 1, 0]); // token 0 at position 0
  });

  it("rejects tokens out of range and ragged input", () => {
    expect(() => kgramFeatures(Int32Array.of(0, 3), 2, 3, 1)).toThrow("kgramFeatures: argument 'tokens[1]' received 3; expected a token id in [0, 3).");
    expect(() => kgramFeatures(Int32Array.of(0, 1, 2), 2, 3, 1)).toThrow("received 3 tokens; expected a multiple of nPos = 2");
  });
});

describe("shuffleRows", () => {
  it("permutes whole rows, seeded", () => {
    const m = { rows: 5, cols: 2, data: Float64Array.from({ length: 10 }, (_, k) => 10 * Math.floor(k / 2) + (k % 2)) };
    const a = shuffleRows(m, 1);
    expect(Array.from(shuffleRows(m, 1).data)).toEqual(Array.from(a.data));
    const firsts = Array.from({ length: 5 }, (_, r) => a.data[2 * r]);
    expect([...firsts].sort((x, y) => x - y)).toEqual([0, 10, 20, 30, 40]);
    for (let r = 0; r < 5; r++) expect(a.data[2 * r + 1]).toBe(a.data[2 * r] + 1);
  });
});

describe("kgramFeatures, joint encoding", () => {
  it("one slot per context of the last k tokens (no-token slot V), then position", () => {
    // Sequence 0, 2, 1 over 3 symbols, k = 2: context code = token_t * 4 + token_{t-1} (none = 3).
    const f = kgramFeatures(Int32Array.of(0, 2, 1), 3, 3, 2, "joint");
    expect(f.cols).toBe(16 + 3);
    const hot = (r: number) => Array.from(f.data.subarray(r * 19, (r + 1) * 19)).flatMap((v, c) => (v === 1 ? [c] : []));
    expect(hot(0)).toEqual([0 * 4 + 3, 16]);
    expect(hot(1)).toEqual([2 * 4 + 0, 17]);
    expect(hot(2)).toEqual([1 * 4 + 2, 18]);
  });

  it("refuses encodings wider than 1024 columns", () => {
    expect(() => kgramFeatures(Int32Array.of(0, 1), 2, 3, 6, "joint")).toThrow("kgramFeatures: argument 'k' received 6 (a joint encoding of 4096 columns for 3 symbols); expected (nSymbols + 1)^k <= 1024.");
  });
});
