/**
 * A SequenceModel constructed to represent a known HMM exactly: its logits
 * are the exact next-token log-probabilities (Bayes filter from the
 * stationary distribution) and its one hook's activations are a fixed random
 * affine image of the exact beliefs (plus, optionally, a position-dependent
 * offset, as a transformer's positional embedding adds). The recovery of
 * such a model must return the HMM (up to permutation where the presentation
 * is identifiable). Generalized HMMs and processes with an initial
 * distribution (mixtures) work the same way through their linear
 * presentation: the state is the row vector initial T[x_0..x_t] scaled so
 * that its product with the normalizer is 1.
 */
import { ActivationCache, type SequenceModel } from "../../src/model/index.js";
import type { Hmm } from "../../src/process/index.js";
import { presentationOfHmm } from "../../src/recover/linearPresentation.js";
import { Rng } from "../../src/util/rng.js";

export const BELIEF_HOOK = "blocks.0.hook_resid_post";

export function exactModel(hmm: Hmm, options: { nCtx?: number; dModel?: number; seed?: number; positional?: boolean } = {}): SequenceModel & { forwardCalls: number } {
  const S = hmm.nStates;
  const V = hmm.nSymbols;
  const nCtx = options.nCtx ?? 10;
  const d = options.dModel ?? 16;
  const rng = new Rng(options.seed ?? 1, "exact-model");
  const A = Float64Array.from({ length: S * d }, () => rng.normal()); // [S, d]
  const c = Float64Array.from({ length: d }, () => rng.normal());
  // Positional offsets in a random 4-dimensional subspace (a transformer's position embedding).
  const P = Float64Array.from({ length: 4 * d }, () => rng.normal());
  const pos = new Float64Array(nCtx * d);
  if (options.positional) {
    for (let t = 0; t < nCtx; t++) {
      const w = Float64Array.from({ length: 4 }, () => rng.normal());
      for (let k = 0; k < d; k++) for (let a = 0; a < 4; a++) pos[t * d + k] += w[a] * P[a * d + k];
    }
  }
  const presentation = presentationOfHmm(hmm);
  const pi = presentation.start;
  const r = presentation.end;
  const T = hmm.transitions;
  const run = (tokens: Int32Array, nPos: number) => {
    const count = tokens.length / nPos;
    const logits = new Float32Array(count * nPos * V);
    const acts = new Float32Array(count * nPos * d);
    const b = new Float64Array(S);
    const nb = new Float64Array(S);
    for (let n = 0; n < count; n++) {
      b.set(pi);
      for (let t = 0; t < nPos; t++) {
        const x = tokens[n * nPos + t];
        let z = 0;
        nb.fill(0);
        for (let i = 0; i < S; i++) for (let j = 0; j < S; j++) nb[j] += b[i] * T[(x * S + i) * S + j];
        for (let j = 0; j < S; j++) z += nb[j] * r[j];
        // An impossible token (padding) leaves the belief where it was.
        if (z > 1e-300) for (let j = 0; j < S; j++) b[j] = nb[j] / z;
        for (let y = 0; y < V; y++) {
          let p = 0;
          for (let i = 0; i < S; i++) for (let j = 0; j < S; j++) p += b[i] * T[(y * S + i) * S + j] * r[j];
          logits[(n * nPos + t) * V + y] = Math.log(Math.max(p, 1e-30));
        }
        for (let k = 0; k < d; k++) {
          let a = c[k] + pos[t * d + k];
          for (let i = 0; i < S; i++) a += b[i] * A[i * d + k];
          acts[(n * nPos + t) * d + k] = a;
        }
      }
    }
    return { logits, acts, count };
  };
  const model = {
    forwardCalls: 0,
    architecture: "exact-hmm",
    config: { nCtx, dVocab: V },
    nCtx,
    dVocab: V,
    parameterCount: 0,
    summary: `exact ${hmm.name} model`,
    hookNames: () => ["hook_embed", BELIEF_HOOK],
    hookShape: () => "[batch, pos, d_model]",
    layerSites: () => [{ label: "belief", hooks: [BELIEF_HOOK] }],
    async forward(tokens: Int32Array, nPos: number) {
      model.forwardCalls++;
      const r = run(tokens, nPos);
      return { shape: [r.count, nPos, V], data: r.logits };
    },
    async runWithCache(tokens: Int32Array, nPos: number, opts: { names?: readonly string[] } = {}) {
      const r = run(tokens, nPos);
      const names = opts.names ?? [BELIEF_HOOK];
      const map = new Map(names.map((name) => [name, { shape: [r.count, nPos, d], data: r.acts }]));
      return { logits: { shape: [r.count, nPos, V], data: r.logits }, cache: new ActivationCache(map) };
    },
    async stateDict() {
      return {};
    },
    loadStateDict() {},
    dispose() {},
  };
  return model;
}
