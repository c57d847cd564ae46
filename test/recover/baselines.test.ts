import { describe, expect, it } from "vitest";
import { makeProcess, sampleSequences, type Hmm } from "../../src/process/index.js";
import { baumWelch, baumWelchStep } from "../../src/recover/baselines/baumWelch.js";
import { spectralFromFrequencies, spectralLearn } from "../../src/recover/baselines/spectral.js";
import { presentationOfHmm, totalVariationByLength, wordProbabilities } from "../../src/recover/linearPresentation.js";
import { matchStates } from "../../src/recover/evaluation/evaluate.js";
import { expectAllClose } from "../helpers.js";
import { fixtureHmm, flat, truth } from "./fixtures.js";

describe("Baum-Welch for edge-emitting HMMs", () => {
  it("one EM step equals numpy's unscaled forward-backward (recover_truth.py)", () => {
    for (const c of truth.em) {
      const T = flat(c.T0);
      const pi = Float64Array.from(c.pi0);
      const length = c.sequences[0].length;
      const ll = baumWelchStep(T, pi, c.nStates, c.nSymbols, Int32Array.from(c.sequences.flat()), length);
      expect(ll).toBeCloseTo(c.logLikelihood, 10);
      expectAllClose(T, flat(c.T1), 1e-12);
      expectAllClose(pi, c.pi1, 1e-12);
    }
  });

  it("increases the likelihood at every step", () => {
    const hmm = fixtureHmm("random-3-2");
    const { tokens } = sampleSequences(hmm, { count: 200, length: 11, seed: 1 });
    const T = flat(truth.em[1].T0);
    const pi = Float64Array.of(1 / 3, 1 / 3, 1 / 3);
    let previous = -Infinity;
    for (let it = 0; it < 30; it++) {
      const ll = baumWelchStep(T, pi, 3, 2, tokens, 11);
      expect(ll).toBeGreaterThanOrEqual(previous - 1e-9);
      previous = ll;
    }
  });

  it("recovers zero-one-random from 40,000 tokens: states up to permutation, words", () => {
    const z1r = makeProcess("z1r");
    const { tokens } = sampleSequences(z1r, { count: 4000, length: 10, seed: 3 });
    const fit = baumWelch(tokens, 10, { nStates: 3, nSymbols: 2, restarts: 4, seed: 1 });
    const held = sampleSequences(z1r, { count: 200, length: 10, seed: 9 });
    const match = matchStates(z1r, fit.hmm, held.tokens, 10)!;
    // The random bit is estimated from ~13,000 draws: standard error 0.004.
    expect(match.transitionError.maxAbs).toBeLessThan(0.02);
    expect(Math.max(...totalVariationByLength(presentationOfHmm(z1r), presentationOfHmm(fit.hmm), 6))).toBeLessThan(0.02);
    expect(fit.restartLogLikelihoods.length).toBe(4);
  });

  it("rejects tokens outside the alphabet", () => {
    expect(() => baumWelch(Int32Array.of(0, 1, 2), 3, { nStates: 2, nSymbols: 2 })).toThrow(/tokens\[2\]/);
  });
});

/** Exact substring probabilities f(w) of a stationary process, for words up to maxLength. */
function exactFrequencies(hmm: Hmm, maxLength: number): Float64Array[] {
  const p = presentationOfHmm(hmm);
  return Array.from({ length: maxLength + 1 }, (_, L) => wordProbabilities(p, L));
}

describe("spectral method (Hsu, Kakade & Zhang; Hankel form)", () => {
  it("is exact with exact word frequencies when the rank is right", () => {
    for (const [name, rank] of [["mess3", 3], ["z1r", 3], ["random-4-3", 4]] as const) {
      const hmm = fixtureHmm(name);
      const sp = spectralFromFrequencies(exactFrequencies(hmm, 7), { rank, nSymbols: hmm.nSymbols });
      const tv = totalVariationByLength(presentationOfHmm(hmm), sp.presentation, 6);
      expect(Math.max(...tv)).toBeLessThan(1e-9);
    }
    // rrxor: 5 states, rank 5, needs words up to length 3 in the basis.
    const rrxor = makeProcess("rrxor");
    const sp = spectralFromFrequencies(exactFrequencies(rrxor, 7), { rank: 5, nSymbols: 2, basisLength: 3 });
    expect(Math.max(...totalVariationByLength(presentationOfHmm(rrxor), sp.presentation, 6))).toBeLessThan(1e-9);
  });

  it("shows the rank in the Hankel spectrum and converges with data", () => {
    const hmm = fixtureHmm("mess3");
    const sp = spectralFromFrequencies(exactFrequencies(hmm, 7), { rank: 3, nSymbols: 3 });
    expect(sp.singularValues[2] / sp.singularValues[0]).toBeGreaterThan(1e-4);
    expect(sp.singularValues[3] / sp.singularValues[0]).toBeLessThan(1e-12);
    const tvAt = (count: number) => {
      const { tokens } = sampleSequences(hmm, { count, length: 11, seed: 4 });
      return totalVariationByLength(presentationOfHmm(hmm), spectralLearn(tokens, 11, { rank: 3, nSymbols: 3 }).presentation, 4)[3];
    };
    const small = tvAt(200);
    const large = tvAt(20000);
    expect(large).toBeLessThan(small);
    expect(large).toBeLessThan(0.03);
  });
});
