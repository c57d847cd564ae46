import { createHmm } from "../hmm.js";
import type { ProcessFactory } from "./types.js";

export type TrapParams = { regimes: number; switch: number; marker: number; bias: number };

/**
 * A trap for linear mechanisms (issue 9): hidden regimes that switch
 * rarely, each with a regime-specific marker token that, once seen, nearly
 * fixes the belief. With R regimes there are 2R symbols: shared symbols
 * s0..s{R-1} and markers M0..M{R-1}. In regime i (emission from the state
 * left, then the switch):
 *   P(M_i) = marker, P(M_k) = 0 for k != i,
 *   P(s_i) = (1 - marker) bias, P(s_k) = (1 - marker)(1 - bias)/(R - 1) for k != i,
 *   the regime stays with 1 - switch and moves to each other with switch/(R - 1).
 * After M_i the belief is (1 - switch) on regime i whatever came before: the
 * optimal update erases the past on that token, which a fixed-pattern linear
 * mechanism can only approximate by decay. The shared symbols carry weak,
 * regime-dependent evidence (bias), so between markers the belief drifts.
 * Defaults (marker 0.2, bias 0.7): markers often enough that most 10-token
 * contexts need a reset, and evidence between them strong enough that
 * evidence leaked across a marker costs loss. With the milder marker 0.05,
 * bias 0.5 the optimum is only 3% below a unigram predictor and every model's
 * excess is small (the ladder's margin fell from 8.8x to 2.2x).
 */
export const trap: ProcessFactory<TrapParams> = {
  description: "rarely switching regimes, each with a marker token that resets the belief (issue 9's trap)",
  source: "this toolkit (issue 9)",
  params: {
    regimes: { default: 3, min: 2, max: 32, integer: true, doc: "number of hidden regimes R (2R symbols)" },
    switch: { default: 0.01, min: 0, max: 1, doc: "probability per step of leaving the regime" },
    marker: { default: 0.2, min: 0, max: 1, doc: "probability per step of emitting the regime's marker" },
    bias: { default: 0.7, min: 0, max: 1, doc: "probability that a shared symbol is the regime's own s_i" },
  },
  build(params) {
    const { regimes: R, switch: s, marker: m, bias: b } = params;
    const V = 2 * R;
    const T = Array.from({ length: V }, () => Array.from({ length: R }, () => new Array<number>(R).fill(0)));
    for (let i = 0; i < R; i++) {
      for (let x = 0; x < V; x++) {
        const e = x < R ? (1 - m) * (x === i ? b : (1 - b) / (R - 1)) : x - R === i ? m : 0;
        for (let j = 0; j < R; j++) T[x][i][j] = e * (i === j ? 1 - s : s / (R - 1));
      }
    }
    return createHmm(T, {
      name: "trap",
      params: { ...params },
      symbolLabels: [...Array.from({ length: R }, (_, k) => `s${k}`), ...Array.from({ length: R }, (_, k) => `M${k}`)],
      stateLabels: Array.from({ length: R }, (_, k) => `R${k}`),
    });
  },
};
