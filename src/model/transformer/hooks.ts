/**
 * Hook points, named exactly as TransformerLens names them (by module path).
 * Nobody types these by hand: they are template-literal types, and
 * `hookNames(config)` lists the ones a given model has.
 */
import { transformerOptions, type TransformerConfig } from "./config.js";

export type BlockHookSuffix =
  | "hook_resid_pre"
  | "hook_resid_mid"
  | "hook_resid_post"
  | "hook_attn_out"
  | "hook_mlp_out"
  | "ln1.hook_scale"
  | "ln1.hook_normalized"
  | "ln2.hook_scale"
  | "ln2.hook_normalized"
  | "attn.hook_q"
  | "attn.hook_k"
  | "attn.hook_v"
  | "attn.hook_attn_scores"
  | "attn.hook_pattern"
  | "attn.hook_z"
  | "mlp.hook_pre"
  | "mlp.hook_post";

export type HookName = "hook_embed" | "hook_pos_embed" | `blocks.${number}.${BlockHookSuffix}` | "ln_final.hook_scale" | "ln_final.hook_normalized";

/** Shapes by hook (TransformerLens dimension names). */
export const HOOK_SHAPES: Record<string, string> = {
  hook_embed: "[batch, pos, d_model]",
  hook_pos_embed: "[batch, pos, d_model]",
  hook_resid_pre: "[batch, pos, d_model]",
  hook_resid_mid: "[batch, pos, d_model]",
  hook_resid_post: "[batch, pos, d_model]",
  hook_attn_out: "[batch, pos, d_model]",
  hook_mlp_out: "[batch, pos, d_model]",
  hook_scale: "[batch, pos, 1]",
  hook_normalized: "[batch, pos, d_model]",
  hook_q: "[batch, pos, head_index, d_head]",
  hook_k: "[batch, pos, head_index, d_head]",
  hook_v: "[batch, pos, head_index, d_head]",
  hook_attn_scores: "[batch, head_index, query_pos, key_pos]",
  hook_pattern: "[batch, head_index, query_pos, key_pos]",
  hook_z: "[batch, pos, head_index, d_head]",
  hook_pre: "[batch, pos, d_mlp]",
  hook_post: "[batch, pos, d_mlp]",
};

/** Every hook point of a model with this config, in forward order. */
export function hookNames(c: TransformerConfig): HookName[] {
  const o = transformerOptions(c);
  // A per-position token embedding has no separate position embedding.
  const names: HookName[] = o.tokenEmbedding === "per-position" ? ["hook_embed"] : ["hook_embed", "hook_pos_embed"];
  for (let l = 0; l < c.nLayers; l++) {
    const b = `blocks.${l}` as const;
    names.push(`${b}.hook_resid_pre`);
    if (c.layerNorm) names.push(`${b}.ln1.hook_scale`, `${b}.ln1.hook_normalized`);
    // A fixed pattern has no queries, keys or scores.
    if (o.attention === "fixed") names.push(`${b}.attn.hook_v`, `${b}.attn.hook_pattern`, `${b}.attn.hook_z`);
    else names.push(`${b}.attn.hook_q`, `${b}.attn.hook_k`, `${b}.attn.hook_v`, `${b}.attn.hook_attn_scores`, `${b}.attn.hook_pattern`, `${b}.attn.hook_z`);
    names.push(`${b}.hook_attn_out`);
    if (!c.attnOnly) {
      names.push(`${b}.hook_resid_mid`);
      if (c.layerNorm) names.push(`${b}.ln2.hook_scale`, `${b}.ln2.hook_normalized`);
      names.push(`${b}.mlp.hook_pre`, `${b}.mlp.hook_post`, `${b}.hook_mlp_out`);
    }
    names.push(`${b}.hook_resid_post`);
  }
  if (c.layerNorm) names.push("ln_final.hook_scale", "ln_final.hook_normalized");
  return names;
}
