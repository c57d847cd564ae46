import { Rng } from "../../util/rng.js";
import { fromFlat } from "../hmm.js";
import type { ProcessFactory } from "./types.js";

export type RandomHmmParams = { states: number; symbols: number; concentration: number; seed: number };

/**
 * A random HMM: for each state i, the joint distribution over (symbol x, next
 * state j) is drawn from a symmetric Dirichlet(concentration) over V*S
 * outcomes. Small concentration gives sparse, nearly unifilar machines; large
 * gives nearly i.i.d. uniform output. Seeded: same parameters, same HMM.
 */
export const randomHmm: ProcessFactory<RandomHmmParams> = {
  description: "seeded random HMM with Dirichlet rows over (symbol, next state)",
  source: "this toolkit",
  params: {
    states: { default: 3, min: 1, max: 256, integer: true, doc: "number of hidden states S" },
    symbols: { default: 3, min: 1, max: 256, integer: true, doc: "alphabet size V" },
    concentration: { default: 1, min: 1e-3, max: 1e6, doc: "Dirichlet concentration per (symbol, next state) outcome" },
    seed: { default: 0, min: 0, max: Number.MAX_SAFE_INTEGER, integer: true, doc: "random seed" },
  },
  build({ states, symbols, concentration, seed }) {
    const S = states;
    const V = symbols;
    const rng = new Rng(seed, "random-hmm");
    const flat = new Float64Array(V * S * S);
    const row = new Float64Array(V * S);
    for (let i = 0; i < S; i++) {
      rng.dirichlet(concentration, V * S, row);
      for (let x = 0; x < V; x++) for (let j = 0; j < S; j++) flat[(x * S + i) * S + j] = row[x * S + j];
    }
    return fromFlat(flat, V, S, { name: "random-hmm", params: { states, symbols, concentration, seed }, tolerance: 1e-9 });
  },
};
