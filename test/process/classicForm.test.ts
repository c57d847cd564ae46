import { describe, expect, it } from "vitest";
import { fromTransitionEmission } from "../../src/process/classicForm.js";

describe("fromTransitionEmission", () => {
  const A = [
    [0.9, 0.1],
    [0.2, 0.8],
  ];
  const B = [
    [0.7, 0.3],
    [0.4, 0.6],
  ];

  it("source convention: T[x][i][j] = B[i][x] A[i][j]", () => {
    const hmm = fromTransitionEmission(A, B);
    expect(hmm.transitions[(1 * 2 + 0) * 2 + 1]).toBeCloseTo(0.3 * 0.1, 15);
    expect(hmm.transitions[(0 * 2 + 1) * 2 + 0]).toBeCloseTo(0.4 * 0.2, 15);
  });

  it("destination convention: T[x][i][j] = A[i][j] B[j][x]", () => {
    const hmm = fromTransitionEmission(A, B, { emitFrom: "destination" });
    expect(hmm.transitions[(1 * 2 + 0) * 2 + 1]).toBeCloseTo(0.1 * 0.6, 15);
    expect(hmm.transitions[(0 * 2 + 1) * 2 + 0]).toBeCloseTo(0.2 * 0.7, 15);
  });

  it("rejects shapes and rows with clear messages", () => {
    expect(() => fromTransitionEmission([[1, 0]], B)).toThrow("fromTransitionEmission: argument 'transition' received a 1 x 2 matrix; expected a square matrix.");
    expect(() => fromTransitionEmission(A, [[1, 0]])).toThrow("argument 'emission' received 1 rows; expected 2 rows (one per hidden state).");
    expect(() => fromTransitionEmission(A, [[0.5, 0.5], [0.5]])).toThrow("argument 'emission[1]' received a row of length 1; expected a row of length 2.");
    expect(() => fromTransitionEmission([[0.5, 0.4], [0.5, 0.5]], B)).toThrow("argument 'transition[0]' received a row summing to 0.9; expected a row summing to 1 within 0.000001.");
    expect(() => fromTransitionEmission(A, [[0.5, NaN], [0.5, 0.5]])).toThrow("argument 'emission[0][1]' received NaN; expected a finite probability >= 0.");
    expect(() => fromTransitionEmission(A, B, { emitFrom: "both" as never })).toThrow(/emitFrom' received "both"/);
    expect(() => fromTransitionEmission([], B)).toThrow(/'transition' received an array of length 0; expected a non-empty matrix/);
  });
});
