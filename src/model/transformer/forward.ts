/**
 * The transformer's forward pass as a pure function of (params, tokens) on
 * jax-js arrays: differentiable, jit-able, with TransformerLens hook points.
 *
 * Ownership (jax-js): `forward` consumes `params` and `tokens`. A hook gets
 * an owned array and must return an owned array (return `x` unchanged, or
 * keep `x.ref` and return `x`).
 */
import { nn, numpy as np } from "@jax-js/jax";
import type { TransformerConfig } from "./config.js";
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

/** Boolean causal mask [query_pos, key_pos]: key <= query. */
function causalMask(nPos: number): np.Array {
  return np.tril(np.ones([nPos, nPos])).astype(np.bool);
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

  const embed = at("hook_embed", np.take(p("embed.W_E"), tokens, 0)); // [batch, pos, d_model]
  let posEmbed = p("pos_embed.W_pos").slice([0, nPos]); // [pos, d_model]
  if (hook) posEmbed = hook("hook_pos_embed", np.broadcastTo(posEmbed, embed.shape)); // [batch, pos, d_model]
  let resid = embed.add(posEmbed); // [batch, pos, d_model]

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
    const attnIn = c.layerNorm ? layerNorm(resid.ref, p(`${b}.ln1.w`), p(`${b}.ln1.b`), `${b}.ln1`, hook) : resid.ref; // [batch, pos, d_model]
    const q = at(`${b}.attn.hook_q` as HookName, project(attnIn.ref, p(`${b}.attn.W_Q`), p(`${b}.attn.b_Q`))); // [batch, pos, head_index, d_head]
    const k = at(`${b}.attn.hook_k` as HookName, project(attnIn.ref, p(`${b}.attn.W_K`), p(`${b}.attn.b_K`))); // [batch, pos, head_index, d_head]
    const v = at(`${b}.attn.hook_v` as HookName, project(attnIn, p(`${b}.attn.W_V`), p(`${b}.attn.b_V`))); // [batch, pos, head_index, d_head]
    let scores = np.matmul(q.transpose([0, 2, 1, 3]), k.transpose([0, 2, 3, 1])).mul(1 / Math.sqrt(E)); // [batch, head_index, query_pos, key_pos]
    scores = at(`${b}.attn.hook_attn_scores` as HookName, np.where(causalMask(nPos), scores, MASKED_SCORE));
    const pattern = at(`${b}.attn.hook_pattern` as HookName, nn.softmax(scores, -1)); // [batch, head_index, query_pos, key_pos]
    const z = at(`${b}.attn.hook_z` as HookName, np.matmul(pattern, v.transpose([0, 2, 1, 3])).transpose([0, 2, 1, 3])); // [batch, pos, head_index, d_head]
    const attnOut = at(
      `${b}.hook_attn_out` as HookName,
      np.matmul(z.reshape([nBatch, nPos, H * E]), p(`${b}.attn.W_O`).reshape([H * E, D])).add(p(`${b}.attn.b_O`)),
    ); // [batch, pos, d_model]

    if (c.attnOnly) {
      resid = at(`${b}.hook_resid_post` as HookName, resid.add(attnOut));
      continue;
    }
    resid = at(`${b}.hook_resid_mid` as HookName, resid.add(attnOut)); // [batch, pos, d_model]

    // MLP
    const mlpIn = c.layerNorm ? layerNorm(resid.ref, p(`${b}.ln2.w`), p(`${b}.ln2.b`), `${b}.ln2`, hook) : resid.ref; // [batch, pos, d_model]
    const pre = at(`${b}.mlp.hook_pre` as HookName, np.matmul(mlpIn, p(`${b}.mlp.W_in`)).add(p(`${b}.mlp.b_in`))); // [batch, pos, d_mlp]
    const post = at(`${b}.mlp.hook_post` as HookName, activate(c, pre)); // [batch, pos, d_mlp]
    const mlpOut = at(`${b}.hook_mlp_out` as HookName, np.matmul(post, p(`${b}.mlp.W_out`)).add(p(`${b}.mlp.b_out`))); // [batch, pos, d_model]
    resid = at(`${b}.hook_resid_post` as HookName, resid.add(mlpOut)); // [batch, pos, d_model]
  }

  const final = c.layerNorm ? layerNorm(resid, p("ln_final.w"), p("ln_final.b"), "ln_final", hook) : resid; // [batch, pos, d_model]
  return np.matmul(final, p("unembed.W_U")).add(p("unembed.b_U")); // [batch, pos, d_vocab]
}
