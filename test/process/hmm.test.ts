import { describe, expect, it } from "vitest";
import { ArgumentError } from "../../src/util/errors.js";
import { createHmm, isUnifilar, stateTransitionMatrix, toNested } from "../../src/process/hmm.js";
import { makeProcess } from "../../src/process/catalogue/index.js";

const coin = [[[0.5]], [[0.5]]]; // 1 state, 2 symbols: a fair coin

function errorOf(f: () => unknown): ArgumentError {
  try {
    f();
  } catch (err) {
    expect(err).toBeInstanceOf(ArgumentError);
    return err as ArgumentError;
  }
  throw new Error("expected an ArgumentError");
}

describe("createHmm validation", () => {
  it("accepts a valid HMM and keeps T[x][i][j] at (x*S+i)*S+j", () => {
    const hmm = createHmm([
      [
        [0.1, 0.2],
        [0.0, 0.5],
      ],
      [
        [0.3, 0.4],
        [0.25, 0.25],
      ],
    ]);
    expect(hmm.nSymbols).toBe(2);
    expect(hmm.nStates).toBe(2);
    expect(hmm.transitions[(1 * 2 + 0) * 2 + 1]).toBe(0.4);
    expect(Array.from(stateTransitionMatrix(hmm))).toEqual([0.4, 0.6000000000000001, 0.25, 0.75]);
    expect(toNested(hmm)[1][1]).toEqual([0.25, 0.25]);
  });

  it("rejects a negative entry, naming where it is", () => {
    const e = errorOf(() =>
      createHmm([
        [
          [0.6, -0.1],
          [0.5, 0.5],
        ],
        [
          [0.5, 0],
          [0, 0],
        ],
      ]),
    );
    expect(e.argument).toBe("transitions[0][0][1]");
    expect(e.message).toBe("createHmm: argument 'transitions[0][0][1]' received -0.1; expected a probability >= 0.");
  });

  it("rejects NaN and non-numbers", () => {
    expect(errorOf(() => createHmm([[[NaN]]])).message).toBe(
      "createHmm: argument 'transitions[0][0][0]' received NaN; expected a finite probability in [0, 1].",
    );
    expect(errorOf(() => createHmm([[["0.5"]], [[0.5]]])).message).toContain(`received "0.5"`);
    expect(errorOf(() => createHmm([[[Infinity]]])).message).toContain("received Infinity");
  });

  it("rejects entries above 1", () => {
    expect(errorOf(() => createHmm([[[1.5]], [[-0.5]]])).message).toContain("received 1.5; expected a probability <= 1");
  });

  it("rejects rows of sum_x T[x] that do not sum to 1, reporting the sum", () => {
    const e = errorOf(() =>
      createHmm([
        [
          [0.5, 0.4],
          [0.5, 0.5],
        ],
      ]),
    );
    expect(e.argument).toBe("transitions (row 0)");
    expect(e.message).toContain("= 0.9");
    expect(e.message).toContain("expected 1 within tolerance 0.000001");
  });

  it("accepts rounding within the tolerance and rejects it past a tighter tolerance", () => {
    const third = [[[0.333333, 0.333333, 0.333334]]];
    const T = [[[0.3333333]], [[0.3333333]], [[0.3333333]]];
    expect(createHmm(T).nSymbols).toBe(3);
    expect(() => createHmm(T, { tolerance: 1e-9 })).toThrow(/within tolerance 1e-9/);
    expect(() => createHmm(third)).toThrow(/transitions\[0\]\[0\]/); // 1x3 is not square
  });

  it("rejects ragged shapes: a short row, a missing row, a non-square matrix", () => {
    expect(
      errorOf(() =>
        createHmm([
          [
            [0.5, 0.5],
            [1.0],
          ],
        ]),
      ).message,
    ).toBe(
      "createHmm: argument 'transitions[0][1]' received a row of length 1; expected a row of length 2 (every T[x] is square, nStates x nStates).",
    );
    expect(
      errorOf(() =>
        createHmm([
          [
            [0.5, 0],
            [0.5, 0],
          ],
          [[0.5, 0]],
        ]),
      ).message,
    ).toBe("createHmm: argument 'transitions[1]' received 1 rows; expected 2 rows, like transitions[0] (every T[x] is nStates x nStates).");
    expect(errorOf(() => createHmm([[[0.5, 0.5]]])).argument).toBe("transitions[0][0]");
  });

  it("rejects zero symbols and zero states", () => {
    expect(errorOf(() => createHmm([])).message).toBe(
      "createHmm: argument 'transitions' received zero symbols (an empty array); expected at least 1 symbol matrix T[x].",
    );
    expect(errorOf(() => createHmm([[]])).message).toBe(
      "createHmm: argument 'transitions[0]' received zero states (an empty matrix); expected at least 1 hidden state.",
    );
  });

  it("rejects a non-array", () => {
    expect(errorOf(() => createHmm({ a: 1 })).message).toContain("received an object with keys [a]");
    expect(errorOf(() => createHmm(undefined)).message).toContain("received undefined");
  });

  it("checks label counts", () => {
    expect(() => createHmm(coin, { symbolLabels: ["H"] })).toThrow(/symbolLabels' received an array of length 1; expected 2 strings/);
    expect(createHmm(coin, { symbolLabels: ["H", "T"] }).symbolLabels).toEqual(["H", "T"]);
  });
});

describe("isUnifilar", () => {
  it("matches the known presentations", () => {
    expect(isUnifilar(makeProcess("mess3"))).toBe(false);
    expect(isUnifilar(makeProcess("sns"))).toBe(false);
    for (const name of ["rrxor", "z1r", "golden-mean", "even"]) expect(isUnifilar(makeProcess(name))).toBe(true);
  });
});
