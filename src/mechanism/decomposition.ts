/**
 * The residual decomposition of a 1-layer attention-only transformer. With no MLP and no second
 * layer, the last position's residual is linear in the attention pattern (Elhage et al. 2021,
 * "A Mathematical Framework for Transformer Circuits", the OV circuit):
 *   resid_post[t] = embed[t] + pos_embed[t] + b_O + sum_h sum_{s<=t} A_h[t, s] ((W_E[x_s] + W_pos[s]) W_V^h + b_V^h) W_O^h
 * (the first two terms are absent without skip connections; with LayerNorm the value input is
 * ln1.hook_normalized[s] instead of the embedding sum). For a pattern that barely depends on the
 * input, the belief at t is then a sum of token vectors scaled by position weights: the fractal
 * as a sum of shrinking copies. The reconstruction from the pattern and the weights is checked
 * against the model's own hook_resid_post.
 */
import type { SequenceModel } from "../model/index.js";
import { transformerOptions, type TransformerConfig } from "../model/index.js";
import type { StateDict } from "../model/types.js";
import { ArgumentError, checkInteger, describe } from "../util/errors.js";
import type { OvCircuits, ResidualDecomposition } from "./types.js";

export interface DecomposeOptions {
  /** Inputs per forward call. Default 512. */
  readonly batchSize?: number;
}

/** Check that `model` is a 1-layer attention-only transformer and return its config. */
export function singleLayerAttentionConfig(model: SequenceModel, fn: string): TransformerConfig {
  if (model.architecture !== "transformer") {
    throw new ArgumentError({ fn, argument: "model", received: `a ${describe(model.architecture)} model (${model.summary})`, expected: "a 1-layer attention-only transformer (the mechanism analyses decompose its single attention layer)" });
  }
  const c = model.config as unknown as TransformerConfig;
  if (c.nLayers !== 1 || !c.attnOnly) {
    throw new ArgumentError({
      fn,
      argument: "model",
      received: `a ${c.nLayers}-layer transformer${c.attnOnly ? "" : " with MLPs"}`,
      expected: "a 1-layer attention-only transformer (with MLPs or more layers the residual is not a sum of attention-weighted OV images)",
      hint: "Train one with --preset linear-attn-1l (or attn-only-1l, fixed-attn-1l).",
    });
  }
  return c;
}

/** The OV circuit images of a 1-layer transformer's state dict, float64. */
export function ovCircuits(c: TransformerConfig, sd: StateDict): OvCircuits {
  const { nHeads: H, dHead: E, dModel: D, dVocab: V, nCtx: T } = c;
  const o = transformerOptions(c);
  const WV = sd["blocks.0.attn.W_V"].data; // [head_index, d_model, d_head]
  const bV = sd["blocks.0.attn.b_V"].data; // [head_index, d_head]
  const WO = sd["blocks.0.attn.W_O"].data; // [head_index, d_head, d_model]
  // (u W_V^h + b) W_O^h for a row u [d_model] (u null: the bias alone).
  const ov = (h: number, u: ArrayLike<number> | null, offset: number, withBias: boolean, out: Float64Array, at: number): void => {
    const z = new Float64Array(E);
    for (let e = 0; e < E; e++) {
      let acc = withBias ? bV[h * E + e] : 0;
      if (u) for (let d = 0; d < D; d++) acc += u[offset + d] * WV[(h * D + d) * E + e];
      z[e] = acc;
    }
    for (let d = 0; d < D; d++) {
      let acc = 0;
      for (let e = 0; e < E; e++) acc += z[e] * WO[(h * E + e) * D + d];
      out[at + d] = acc;
    }
  };
  const perPosition = o.tokenEmbedding === "per-position";
  const P = perPosition ? T : 1;
  const WE = (perPosition ? sd["embed.W_E_pos"] : sd["embed.W_E"]).data; // [(n_ctx,) d_vocab, d_model]
  const token = new Float64Array(H * P * V * D); // [head_index, embed_pos, d_vocab, d_model]
  const bias = new Float64Array(H * D); // [head_index, d_model]
  let position: Float64Array | null = null;
  for (let h = 0; h < H; h++) {
    for (let p = 0; p < P; p++) for (let x = 0; x < V; x++) ov(h, WE, (p * V + x) * D, false, token, ((h * P + p) * V + x) * D);
    ov(h, null, 0, true, bias, h * D);
  }
  if (!perPosition) {
    const Wpos = sd["pos_embed.W_pos"].data; // [n_ctx, d_model]
    position = new Float64Array(H * T * D); // [head_index, pos, d_model]
    for (let h = 0; h < H; h++) for (let s = 0; s < T; s++) ov(h, Wpos, s * D, false, position, (h * T + s) * D);
  }
  return { token, embedPositions: P, position, bias, outputBias: Float64Array.from(sd["blocks.0.attn.b_O"].data) };
}

/**
 * Decompose the residual at the last position of each input, tokens [count, nPos].
 * Memory O(count * nHeads * nPos * d_model) for the contributions (bounded by the caller's count).
 */
export async function decomposeResidual(model: SequenceModel, tokens: Int32Array, nPos: number, options: DecomposeOptions = {}): Promise<ResidualDecomposition> {
  const fn = "decomposeResidual";
  const c = singleLayerAttentionConfig(model, fn);
  checkInteger(fn, "nPos", nPos, 1, c.nCtx);
  const batchSize = checkInteger(fn, "options.batchSize", options.batchSize ?? 512, 1);
  const o = transformerOptions(c);
  const { nHeads: H, dModel: D, dVocab: V } = c;
  const names = ["blocks.0.hook_resid_pre", "blocks.0.attn.hook_pattern", "blocks.0.hook_resid_post", ...(c.layerNorm ? ["blocks.0.ln1.hook_normalized"] : [])];
  const { cache } = await model.runWithCache(tokens, nPos, { names, batchSize });
  const count = tokens.length / nPos;
  const t = nPos - 1;
  const pattern = cache.get("blocks.0.attn.hook_pattern").data; // [batch, head_index, query_pos, key_pos]
  const residPre = cache.get("blocks.0.hook_resid_pre").data; // [batch, pos, d_model]
  const residPost = cache.get("blocks.0.hook_resid_post").data; // [batch, pos, d_model]
  const normalized = c.layerNorm ? cache.get("blocks.0.ln1.hook_normalized").data : null; // [batch, pos, d_model]
  const sd = await model.stateDict();
  const circuits = ovCircuits(c, sd);
  const WV = sd["blocks.0.attn.W_V"].data; // [head_index, d_model, d_head]
  const WO = sd["blocks.0.attn.W_O"].data; // [head_index, d_head, d_model]
  const E = c.dHead;

  const perPosition = o.tokenEmbedding === "per-position";
  const WE = (perPosition ? sd["embed.W_E_pos"] : sd["embed.W_E"]).data; // [(n_ctx,) d_vocab, d_model]
  const Wpos = perPosition ? null : sd["pos_embed.W_pos"].data; // [n_ctx, d_model]
  const row = new Float64Array(D);
  const embedRow = (x: number, s: number): Float64Array => {
    const off = ((perPosition ? s : 0) * V + x) * D;
    for (let d = 0; d < D; d++) row[d] = WE[off + d] + (Wpos ? Wpos[s * D + d] : 0);
    return row;
  };
  const residual = new Float64Array(count * D); // [count, d_model]
  const reconstruction = new Float64Array(count * D); // [count, d_model]
  const direct = new Float64Array(count * D); // [count, d_model]
  const contributions = new Float64Array(count * H * nPos * D); // [count, head_index, key_pos, d_model]
  const values = new Float64Array(count * H * nPos * D); // [count, head_index, key_pos, d_model] unscaled OV images
  const patternAtT = new Float64Array(count * H * nPos); // [count, head_index, key_pos]
  const z = new Float64Array(E);
  let relativeError = 0;
  let maxAbsError = 0;
  for (let b = 0; b < count; b++) {
    if (!normalized) embedRow(tokens[b * nPos + t], t);
    for (let d = 0; d < D; d++) {
      residual[b * D + d] = residPost[(b * nPos + t) * D + d];
      // The direct path: from the weights (W_E[x_t] + W_pos[t], or W_E_pos[t, x_t]) unless LayerNorm
      // is on (then the stream itself, resid_pre; only the value path goes through ln1).
      const stream = normalized ? residPre[(b * nPos + t) * D + d] : row[d];
      direct[b * D + d] = (o.skip ? stream : 0) + circuits.outputBias[d];
    }
    for (let h = 0; h < H; h++) {
      for (let s = 0; s <= t; s++) {
        const a = pattern[((b * H + h) * nPos + t) * nPos + s];
        patternAtT[(b * H + h) * nPos + s] = a;
        const at = ((b * H + h) * nPos + s) * D;
        if (normalized) {
          // The value input is the LayerNorm output at s: (u W_V + b_V) W_O computed directly.
          for (let e = 0; e < E; e++) {
            let acc = 0;
            for (let d = 0; d < D; d++) acc += normalized[(b * nPos + s) * D + d] * WV[(h * D + d) * E + e];
            z[e] = acc;
          }
          for (let d = 0; d < D; d++) {
            let acc = circuits.bias[h * D + d];
            for (let e = 0; e < E; e++) acc += z[e] * WO[(h * E + e) * D + d];
            values[at + d] = acc;
            contributions[at + d] = a * acc;
          }
        } else {
          const x = tokens[b * nPos + s];
          const p = circuits.embedPositions === 1 ? 0 : s;
          const tok = ((h * circuits.embedPositions + p) * V + x) * D;
          for (let d = 0; d < D; d++) {
            const pos = circuits.position ? circuits.position[(h * c.nCtx + s) * D + d] : 0;
            const value = circuits.token[tok + d] + pos + circuits.bias[h * D + d];
            values[at + d] = value;
            contributions[at + d] = a * value;
          }
        }
      }
    }
    let err = 0;
    let norm = 0;
    for (let d = 0; d < D; d++) {
      let sum = direct[b * D + d];
      for (let h = 0; h < H; h++) for (let s = 0; s <= t; s++) sum += contributions[((b * H + h) * nPos + s) * D + d];
      reconstruction[b * D + d] = sum;
      const diff = Math.abs(sum - residual[b * D + d]);
      maxAbsError = Math.max(maxAbsError, diff);
      err += diff * diff;
      norm += residual[b * D + d] ** 2;
    }
    relativeError = Math.max(relativeError, Math.sqrt(err) / Math.max(Math.sqrt(norm), 1e-30));
  }
  return { count, nPos, dModel: D, nHeads: H, position: t, residual, reconstruction, contributions, values, pattern: patternAtT, direct, source: normalized ? "activations" : "weights", circuits, relativeError, maxAbsError };
}

/** A decomposition read in belief coordinates through a linear probe (beliefs ≈ resid W + b). */
export interface BeliefDecomposition {
  readonly count: number;
  readonly nPos: number;
  readonly nStates: number;
  /** [count, n_states] b + (direct path + b_O) W: where the sum starts. */
  readonly origin: Float64Array;
  /** [count, key_pos, n_states] sum over heads of A_h[t, s] OV_h(input s), through W: the vectors added. */
  readonly steps: Float64Array;
  /** [count, n_states] origin + sum of the steps: the probe's estimate at the last position. */
  readonly estimate: Float64Array;
  /** [key_pos] mean over inputs of the Euclidean length of step s (the shrinking copies' scale). */
  readonly stepLength: Float64Array;
}

/** Map a decomposition through a probe W [d_model, n_states], b [n_states]. */
export function decompositionInBeliefs(d: ResidualDecomposition, probeWeights: Float64Array, probeIntercept: Float64Array): BeliefDecomposition {
  const fn = "decompositionInBeliefs";
  const D = d.dModel;
  const S = probeIntercept.length;
  if (probeWeights.length !== D * S) throw new ArgumentError({ fn, argument: "probeWeights", received: `${probeWeights.length} values`, expected: `d_model * n_states = ${D} * ${S} ([d_model, n_states])` });
  const { count, nPos, nHeads: H } = d;
  const apply = (src: Float64Array, at: number, out: Float64Array, to: number, withIntercept: boolean) => {
    for (let i = 0; i < S; i++) {
      let acc = withIntercept ? probeIntercept[i] : 0;
      for (let k = 0; k < D; k++) acc += src[at + k] * probeWeights[k * S + i];
      out[to + i] += acc;
    }
  };
  const origin = new Float64Array(count * S);
  const steps = new Float64Array(count * nPos * S);
  const estimate = new Float64Array(count * S);
  const stepLength = new Float64Array(nPos);
  for (let b = 0; b < count; b++) {
    apply(d.direct, b * D, origin, b * S, true);
    for (let h = 0; h < H; h++) for (let s = 0; s < nPos; s++) apply(d.contributions, ((b * H + h) * nPos + s) * D, steps, (b * nPos + s) * S, false);
    for (let i = 0; i < S; i++) {
      let v = origin[b * S + i];
      for (let s = 0; s < nPos; s++) v += steps[(b * nPos + s) * S + i];
      estimate[b * S + i] = v;
    }
    for (let s = 0; s < nPos; s++) {
      let len = 0;
      for (let i = 0; i < S; i++) len += steps[(b * nPos + s) * S + i] ** 2;
      stepLength[s] += Math.sqrt(len) / count;
    }
  }
  return { count, nPos, nStates: S, origin, steps, estimate, stepLength };
}

/**
 * The estimate using only the k most recent tokens' steps, the older steps replaced by their mean
 * over inputs: k = 1 gives V clusters, each further k splits every cluster into V shrunken copies.
 * [count, n_states].
 */
export function partialSums(d: BeliefDecomposition, k: number): Float64Array {
  checkInteger("partialSums", "k", k, 0, d.nPos);
  const { count, nPos, nStates: S } = d;
  const meanStep = new Float64Array(nPos * S);
  for (let b = 0; b < count; b++) for (let q = 0; q < nPos * S; q++) meanStep[q] += d.steps[b * nPos * S + q] / count;
  const out = new Float64Array(count * S);
  const first = nPos - k; // positions >= first are kept per input
  for (let b = 0; b < count; b++) {
    for (let i = 0; i < S; i++) {
      let v = d.origin[b * S + i];
      for (let s = 0; s < nPos; s++) v += s >= first ? d.steps[(b * nPos + s) * S + i] : meanStep[s * S + i];
      out[b * S + i] = v;
    }
  }
  return out;
}
