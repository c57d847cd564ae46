import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { applyLinearOperator, bestLinearOperator } from "../../src/mechanism/index.js";
import { createHmm, makeProcess } from "../../src/process/index.js";

/** Population-optimal R² from test/mechanism/fixtures/operator_truth.py (numpy, every history enumerated). */
const truth: Record<string, { perPosition: number[]; pooled: number; length: number }> = JSON.parse(readFileSync(new URL("./fixtures/operator-truth.json", import.meta.url), "utf8"));

describe("bestLinearOperator", () => {
  it("per-position: held-out R² matches numpy's population optimum on mess3 and rrxor", () => {
    for (const name of ["mess3", "rrxor"] as const) {
      const t = truth[name];
      const op = bestLinearOperator(makeProcess(name), t.length, { embedding: "per-position", nSequences: 4000, seed: 3 });
      // Sampling error of a 4000-sequence held-out R² is ~0.005; the fit's excess error (its weights from 4000 samples) is smaller.
      expect(Math.abs(op.r2 - t.pooled), name).toBeLessThan(0.012);
      op.r2PerPosition.forEach((r, k) => expect(Math.abs((r as number) - t.perPosition[k]), `${name} position ${k}`).toBeLessThan(0.03));
      // Position 0: the belief is a function of the first token alone, which a one-hot map represents exactly.
      expect(op.r2PerPosition[0]).toBeGreaterThan(1 - 1e-10);
    }
  });

  it("a Markov chain whose symbol is its state has beliefs linear in the last token: both embeddings are exact", () => {
    const P = [
      [0.7, 0.2, 0.1],
      [0.3, 0.3, 0.4],
      [0.25, 0.25, 0.5],
    ];
    // T[x][i][j] = P(i -> j) when j = x: the symbol reveals the new state.
    const T = [0, 1, 2].map((x) => [0, 1, 2].map((i) => [0, 1, 2].map((j) => (j === x ? P[i][j] : 0))));
    const hmm = createHmm(T, { name: "visible-chain" });
    for (const embedding of ["per-position", "shared"] as const) {
      const op = bestLinearOperator(hmm, 5, { embedding, nSequences: 300, seed: 1 });
      expect(op.r2, embedding).toBeGreaterThan(1 - 1e-9);
      expect(op.beliefKL, embedding).toBeLessThan(1e-9);
    }
  });

  it("the shared embedding is a restriction of the per-position one; with one head it is a little worse on z1r", () => {
    const hmm = makeProcess("z1r");
    const per = bestLinearOperator(hmm, 8, { embedding: "per-position", nSequences: 1500, seed: 2 });
    const shared = bestLinearOperator(hmm, 8, { embedding: "shared", nSequences: 1500, seed: 2 });
    expect(shared.r2).toBeLessThan(per.r2);
    expect(shared.beliefKL).toBeGreaterThan(per.beliefKL);
    // More heads close the gap.
    const shared3 = bestLinearOperator(hmm, 8, { embedding: "shared", rank: 3, nSequences: 1500, seed: 2 });
    expect(shared3.r2).toBeGreaterThan(shared.r2);
  });

  it("the same seed gives the same operator; the weights reproduce the estimate they were scored on", () => {
    const hmm = makeProcess("mess3");
    const a = bestLinearOperator(hmm, 4, { embedding: "shared", nSequences: 200, seed: 5 });
    const b = bestLinearOperator(hmm, 4, { embedding: "shared", nSequences: 200, seed: 5 });
    expect(Array.from(a.weights)).toEqual(Array.from(b.weights));
    // Tokens [1, pos]: the estimate at t is the sum of weights[t, s, x_s] (entries with s > t are 0).
    const tokens = Int32Array.from([2, 0, 1, 1]);
    const est = applyLinearOperator(a, tokens, 4);
    const T = 4;
    const S = 3;
    const V = 3;
    for (let t = 0; t < T; t++) {
      for (let i = 0; i < S; i++) {
        let v = 0;
        for (let s = 0; s <= t; s++) v += a.weights[((t * T + s) * V + tokens[s]) * S + i];
        expect(est[t * S + i]).toBeCloseTo(v, 12);
      }
    }
  });

  it("positions 'last' fits only the last query position", () => {
    const op = bestLinearOperator(makeProcess("mess3"), 5, { embedding: "per-position", positions: "last", nSequences: 300 });
    expect(op.r2PerPosition.slice(0, 4)).toEqual([null, null, null, null]);
    expect(op.r2PerPosition[4]).toBeGreaterThan(0.9);
  });

  it("names bad options", () => {
    const hmm = makeProcess("mess3");
    expect(() => bestLinearOperator(hmm, 5, { embedding: "tied" as never })).toThrow(/argument 'options.embedding' received "tied"; expected one of "shared", "per-position"/);
    expect(() => bestLinearOperator(hmm, 0, { embedding: "shared" })).toThrow(/argument 'nCtx'/);
    expect(() => bestLinearOperator(hmm, 5, { embedding: "shared", rank: 0 })).toThrow(/argument 'options.rank'/);
  });
});
