import { describe, expect, it } from "vitest";
import { makeProcess } from "../../src/process/index.js";
import { keepStates } from "../../src/recover/recoverHmm.js";

describe("keepStates (a state removed for the count check's second start)", () => {
  it("keeps the chosen states' edges, in order, with each row renormalised over what is left", () => {
    const hmm = makeProcess("mess3");
    const S = hmm.nStates;
    const V = hmm.nSymbols;
    const T = hmm.transitions;
    const kept = keepStates(T, S, V, [2, 0]);
    for (const [a, i] of [2, 0].entries()) {
      let left = 0;
      for (let x = 0; x < V; x++) for (const j of [2, 0]) left += T[(x * S + i) * S + j];
      for (let x = 0; x < V; x++) for (const [b, j] of [2, 0].entries()) expect(kept[(x * 2 + a) * 2 + b]).toBeCloseTo(T[(x * S + i) * S + j] / left, 12);
    }
    expect(Array.from(keepStates(T, S, V, [0, 1, 2]))).toEqual(Array.from(T).map((v, k) => expect.closeTo(v, 12)));
  });

  it("a row left with no mass becomes uniform, not NaN", () => {
    // Two states, 1 symbol: state 0 always goes to state 1; keeping state 0 alone leaves its row empty.
    const T = Float64Array.from([0, 1, 0.5, 0.5]);
    expect(Array.from(keepStates(T, 2, 1, [0]))).toEqual([1]);
  });
});
