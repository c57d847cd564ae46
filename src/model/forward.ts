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
import type { HookName } from "./hooks.js";

export type Params = Record<string, np.Array>;

/** Called at every hook point the model passes; returns the (possibly edited) activation. */
export type HookFn = (name: HookName, activation: np.Array) => np.Array;

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
 * Returns [batch, pos, d_vocab].
 */
export function forward(c: TransformerConfig, params: Params, tokens: np.Array, hook?: HookFn): np.Array {
  const [, nPos] = tokens.shape;
  const at = (name: HookName, x: np.Array): np.Array => (hook ? hook(name, x) : x);
  const p = (name: string): np.Array => params[name];

  const embed = at("hook_embed", np.take(p("embed.W_E"), tokens, 0)); // [batch, pos, d_model]
  let posEmbed = p("pos_embed.W_pos").slice([0, nPos]); // [pos, d_model]
  if (hook) posEmbed = hook("hook_pos_embed", np.broadcastTo(posEmbed, embed.shape)); // [batch, pos, d_model]
  let resid = embed.add(posEmbed); // [batch, pos, d_model]

  for (let l = 0; l < c.nLayers; l++) {
    const b = `blocks.${l}`;
    resid = at(`${b}.hook_resid_pre` as HookName, resid);

    // Attention
    const attnIn = c.layerNorm ? layerNorm(resid.ref, p(`${b}.ln1.w`), p(`${b}.ln1.b`), `${b}.ln1`, hook) : resid.ref; // [batch, pos, d_model]
    const q = at(`${b}.attn.hook_q` as HookName, np.einsum("bpd,hde->bphe", attnIn.ref, p(`${b}.attn.W_Q`)).add(p(`${b}.attn.b_Q`))); // [batch, pos, head_index, d_head]
    const k = at(`${b}.attn.hook_k` as HookName, np.einsum("bpd,hde->bphe", attnIn.ref, p(`${b}.attn.W_K`)).add(p(`${b}.attn.b_K`))); // [batch, pos, head_index, d_head]
    const v = at(`${b}.attn.hook_v` as HookName, np.einsum("bpd,hde->bphe", attnIn, p(`${b}.attn.W_V`)).add(p(`${b}.attn.b_V`))); // [batch, pos, head_index, d_head]
    let scores = np.einsum("bqhe,bkhe->bhqk", q, k).mul(1 / Math.sqrt(c.dHead)); // [batch, head_index, query_pos, key_pos]
    scores = at(`${b}.attn.hook_attn_scores` as HookName, np.where(causalMask(nPos), scores, MASKED_SCORE));
    const pattern = at(`${b}.attn.hook_pattern` as HookName, nn.softmax(scores, -1)); // [batch, head_index, query_pos, key_pos]
    const z = at(`${b}.attn.hook_z` as HookName, np.einsum("bhqk,bkhe->bqhe", pattern, v)); // [batch, pos, head_index, d_head]
    const attnOut = at(`${b}.hook_attn_out` as HookName, np.einsum("bqhe,hed->bqd", z, p(`${b}.attn.W_O`)).add(p(`${b}.attn.b_O`))); // [batch, pos, d_model]

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

/**
 * Mean next-token cross-entropy (nats). targets: [batch, pos] int32 (the
 * token at pos + 1); weights: [batch, pos] float, 1 where a target exists.
 * Consumes all arguments.
 */
export function crossEntropy(logits: np.Array, targets: np.Array, weights: np.Array, dVocab: number): np.Array {
  const logProbs = nn.logSoftmax(logits, -1); // [batch, pos, d_vocab]
  const picked = logProbs.mul(nn.oneHot(targets, dVocab)).sum(-1); // [batch, pos]
  const total = weights.ref.sum();
  return picked.mul(weights).sum().div(total).neg(); // []
}
