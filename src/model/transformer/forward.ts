/**
 * The transformer's forward pass as a pure function of (params, tokens) on
 * jax-js arrays: differentiable, jit-able, with TransformerLens hook points.
 *
 * Ownership (jax-js): `forward` consumes `params` and `tokens`. A hook gets
 * an owned array and must return an owned array (return `x` unchanged, or
 * keep `x.ref` and return `x`).
 */
import { nn, numpy as np } from "@jax-js/jax";
import { transformerOptions, type TransformerConfig } from "./config.js";
import type { HookFn, Params } from "../architecture.js";
import type { HookName } from "./hooks.js";

export type { Params, HookFn } from "../architecture.js";

/** TransformerLens's LayerNorm epsilon. */
const LN_EPS = 1e-5;
/** Masked attention scores (TransformerLens uses -inf; a finite value keeps gradients NaN-free). */
const MASKED_SCORE = -1e30;

function activate(c: TransformerConfig, x: np.Array): np.Array {
  switch (c.activation) {
    case "gelu":
      return nn.gelu(x, { approximate: false });
    case "gelu-tanh":
      return nn.gelu(x, { approximate: true });
    case "relu":
      return nn.relu(x);
    case "silu":
      return nn.silu(x);
  }
}

/**
 * LayerNorm as TransformerLens: scale = sqrt(var + eps) (hook_scale),
 * normalized = (x - mean) / scale * w + b (hook_normalized).
 */
function layerNorm(x: np.Array, w: np.Array, b: np.Array, prefix: string, hook: HookFn | undefined): np.Array {
  const centred = x.ref.sub(x.mean(-1, { keepdims: true })); // [batch, pos, d_model]
  let scale = np.sqrt(np.square(centred.ref).mean(-1, { keepdims: true }).add(LN_EPS)); // [batch, pos, 1]
  if (hook) scale = hook(`${prefix}.hook_scale` as HookName, scale);
  const normalized = centred.div(scale).mul(w).add(b); // [batch, pos, d_model]
  return hook ? hook(`${prefix}.hook_normalized` as HookName, normalized) : normalized;
}

/**
 * Rows of `table` at `ids` (np.take on axis 0), passed through an exact no-op, -(-x), that makes
 * jax-js materialise them. Why: jax-js 0.1.25's jit cannot hand a view (a reshape of a matmul's
 * output) to the scatter that is take's gradient, and that is the gradient arriving here when the
 * embedding feeds a single matmul (no skip connection, no LayerNorm): training then fails to
 * compile with "jit: routine primitive scatter input is not imm".
 */
export function gatherRows(table: np.Array, ids: np.Array): np.Array {
  return np.take(table, ids, 0).neg().neg();
}

/** Boolean causal mask [query_pos, key_pos]: key <= query. */
function causalMask(nPos: number): np.Array {
  return np.tril(np.ones([nPos, nPos])).astype(np.bool);
}

/**
 * The mask of a layer [query_pos, key_pos]: causal, and with a local window w > 0 only keys with
 * query - key < w (Hugging Face GPT-Neo: bias XOR tril(bias, -window_size)).
 */
function attentionMask(nPos: number, window: number): np.Array {
  if (window <= 0 || window >= nPos) return causalMask(nPos);
  return np.tril(np.ones([nPos, nPos])).sub(np.tril(np.ones([nPos, nPos]), -window)).astype(np.bool);
}

/**
 * Logits for every position. tokens: [batch, pos] int32, pos <= nCtx.
 * Returns [batch, pos, d_vocab]. Written with matmul, transpose and reshape
 * (no einsum), which jax-js runs on its tiled matmul kernels.
 */
export function forward(c: TransformerConfig, params: Params, tokens: np.Array, hook?: HookFn): np.Array {
  const [nBatch, nPos] = tokens.shape;
  const at = (name: HookName, x: np.Array): np.Array => (hook ? hook(name, x) : x);
  const p = (name: string): np.Array => params[name];
  const { nHeads: H, dHead: E, dModel: D } = c;
  const o = transformerOptions(c);

  let resid: np.Array; // [batch, pos, d_model]
  if (o.tokenEmbedding === "per-position") {
    // Row (pos * d_vocab + token) of W_E_pos viewed as [n_ctx * d_vocab, d_model].
    const rows = tokens.add(np.arange(nPos, undefined, undefined, { dtype: np.int32 }).mul(c.dVocab)); // [batch, pos]
    resid = at("hook_embed", gatherRows(p("embed.W_E_pos").reshape([c.nCtx * c.dVocab, D]), rows)); // [batch, pos, d_model]
  } else {
    const embed = at("hook_embed", np.take(p("embed.W_E"), tokens, 0)); // [batch, pos, d_model]
    let posEmbed = p("pos_embed.W_pos").slice([0, nPos]); // [pos, d_model]
    if (hook) posEmbed = hook("hook_pos_embed", np.broadcastTo(posEmbed, embed.shape)); // [batch, pos, d_model]
    resid = embed.add(posEmbed); // [batch, pos, d_model]
  }

  // Per-head projections as one matmul: W [head_index, d_model, d_head] -> [d_model, head_index * d_head].
  const project = (x: np.Array, w: np.Array, bias: np.Array): np.Array =>
    np
      .matmul(x, w.transpose([1, 0, 2]).reshape([D, H * E]))
      .add(bias.reshape([H * E]))
      .reshape([nBatch, nPos, H, E]); // [batch, pos, head_index, d_head]

  for (let l = 0; l < c.nLayers; l++) {
    const b = `blocks.${l}`;
    resid = at(`${b}.hook_resid_pre` as HookName, resid);

    // Attention
    // Without skip connections a sublayer's output replaces the stream, so the sublayer consumes it.
    const stream = (x: np.Array): np.Array => (o.skip ? x.ref : x);
    const attnIn = c.layerNorm ? layerNorm(stream(resid), p(`${b}.ln1.w`), p(`${b}.ln1.b`), `${b}.ln1`, hook) : stream(resid); // [batch, pos, d_model]
    let pattern: np.Array; // [batch, head_index, query_pos, key_pos]
    if (o.attention === "fixed") {
      // A learned pattern shared across inputs; entries above the diagonal are ignored.
      const fixed = np.where(causalMask(nPos), p(`${b}.attn.pattern`).slice([], [0, nPos], [0, nPos]), 0); // [head_index, query_pos, key_pos]
      pattern = at(`${b}.attn.hook_pattern` as HookName, np.broadcastTo(fixed, [nBatch, H, nPos, nPos]));
    } else {
      const q = at(`${b}.attn.hook_q` as HookName, project(attnIn.ref, p(`${b}.attn.W_Q`), p(`${b}.attn.b_Q`))); // [batch, pos, head_index, d_head]
      const k = at(`${b}.attn.hook_k` as HookName, project(attnIn.ref, p(`${b}.attn.W_K`), p(`${b}.attn.b_K`))); // [batch, pos, head_index, d_head]
      const scale = o.attentionScale ?? 1 / Math.sqrt(E);
      const scores = np.matmul(q.transpose([0, 2, 1, 3]), k.transpose([0, 2, 3, 1])).mul(scale); // [batch, head_index, query_pos, key_pos]
      const mask = attentionMask(nPos, o.attentionWindows?.[l] ?? 0); // [query_pos, key_pos]
      if (o.attention === "softmax") {
        const masked = at(`${b}.attn.hook_attn_scores` as HookName, np.where(mask, scores, MASKED_SCORE));
        pattern = at(`${b}.attn.hook_pattern` as HookName, nn.softmax(masked, -1));
      } else {
        // Linear attention: the masked scores are the pattern (masked entries 0, not -inf).
        const masked = at(`${b}.attn.hook_attn_scores` as HookName, np.where(mask, scores, 0));
        const window = o.attentionWindows?.[l] ?? 0;
        const keysAttended = np.array(Float32Array.from({ length: nPos }, (_, q) => (window > 0 ? Math.min(q + 1, window) : q + 1))).reshape([nPos, 1]); // [query_pos, 1]
        pattern = at(`${b}.attn.hook_pattern` as HookName, o.linearNormalize ? masked.div(keysAttended) : masked);
      }
    }
    const v = at(`${b}.attn.hook_v` as HookName, project(attnIn, p(`${b}.attn.W_V`), p(`${b}.attn.b_V`))); // [batch, pos, head_index, d_head]
    const z = at(`${b}.attn.hook_z` as HookName, np.matmul(pattern, v.transpose([0, 2, 1, 3])).transpose([0, 2, 1, 3])); // [batch, pos, head_index, d_head]
    const attnOut = at(
      `${b}.hook_attn_out` as HookName,
      np.matmul(z.reshape([nBatch, nPos, H * E]), p(`${b}.attn.W_O`).reshape([H * E, D])).add(p(`${b}.attn.b_O`)),
    ); // [batch, pos, d_model]
    const afterAttn = o.skip ? resid.add(attnOut) : attnOut; // [batch, pos, d_model]

    if (c.attnOnly) {
      resid = at(`${b}.hook_resid_post` as HookName, afterAttn);
      continue;
    }
    resid = at(`${b}.hook_resid_mid` as HookName, afterAttn); // [batch, pos, d_model]

    // MLP
    const mlpIn = c.layerNorm ? layerNorm(stream(resid), p(`${b}.ln2.w`), p(`${b}.ln2.b`), `${b}.ln2`, hook) : stream(resid); // [batch, pos, d_model]
    const pre = at(`${b}.mlp.hook_pre` as HookName, np.matmul(mlpIn, p(`${b}.mlp.W_in`)).add(p(`${b}.mlp.b_in`))); // [batch, pos, d_mlp]
    const post = at(`${b}.mlp.hook_post` as HookName, activate(c, pre)); // [batch, pos, d_mlp]
    const mlpOut = at(`${b}.hook_mlp_out` as HookName, np.matmul(post, p(`${b}.mlp.W_out`)).add(p(`${b}.mlp.b_out`))); // [batch, pos, d_model]
    resid = at(`${b}.hook_resid_post` as HookName, o.skip ? resid.add(mlpOut) : mlpOut); // [batch, pos, d_model]
  }

  const final = c.layerNorm ? layerNorm(resid, p("ln_final.w"), p("ln_final.b"), "ln_final", hook) : resid; // [batch, pos, d_model]
  return np.matmul(final, p("unembed.W_U")).add(p("unembed.b_U")); // [batch, pos, d_vocab]
}
