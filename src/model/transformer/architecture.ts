/** The transformer as a registered architecture (src/model/registry.ts). */
import type { Architecture } from "../architecture.js";
import type { ActivationSite } from "../types.js";
import { makeConfig, PRESETS, toHookedTransformerConfig, transformerOptions, type PresetName, type TransformerConfig } from "./config.js";
import { forward } from "./forward.js";
import { HOOK_SHAPES, hookNames } from "./hooks.js";
import { parameterSpecs } from "./params.js";
import { createFastForward } from "./fast/inference.js";
import { fastModelSupport } from "./fast/support.js";

/** Probe sites: the embedding (resid_pre of block 0), each block's resid_post, and all of them concatenated. */
export function transformerLayerSites(c: TransformerConfig): ActivationSite[] {
  if (c.nLayers === 0) return [{ label: "embed", hooks: ["hook_embed"] }];
  const sites: ActivationSite[] = [{ label: "embed", hooks: ["blocks.0.hook_resid_pre"] }];
  for (let l = 0; l < c.nLayers; l++) sites.push({ label: `layer ${l}`, hooks: [`blocks.${l}.hook_resid_post`] });
  if (c.nLayers > 1) sites.push({ label: "concat", hooks: Array.from({ length: c.nLayers }, (_, l) => `blocks.${l}.hook_resid_post`) });
  return sites;
}

/** "4-layer d_model-64 transformer", with what differs from the default: "(attention-only), linear attention, no LayerNorm". */
export function transformerSummary(c: TransformerConfig): string {
  const o = transformerOptions(c);
  const differences = [
    o.attention !== "softmax" ? `${o.attention} attention${o.attention === "linear" && o.linearNormalize ? " (normalised by position)" : ""}` : "",
    c.layerNorm ? "" : "no LayerNorm",
    o.skip ? "" : "no skip connections",
    o.tokenEmbedding === "per-position" ? "position-specific embeddings" : "",
  ].filter(Boolean);
  return `${c.nLayers}-layer d_model-${c.dModel} transformer${c.attnOnly ? " (attention-only)" : ""}${differences.map((d) => `, ${d}`).join("")}`;
}

export const transformer: Architecture<TransformerConfig> = {
  name: "transformer",
  description: "decoder-only transformer (TransformerLens names): pre-LN, GELU MLPs, softmax attention",
  presets: PRESETS,
  defaultPreset: "shai-4l",
  makeConfig: (overrides = {}, preset) => makeConfig(overrides as Partial<TransformerConfig>, (preset ?? "shai-4l") as PresetName),
  parameterSpecs,
  hookNames,
  hookShape: (_c, name) => HOOK_SHAPES[name.split(".").pop()!] ?? "unknown",
  layerSites: transformerLayerSites,
  forward,
  summary: transformerSummary,
  // The fused wasm-SIMD forward (src/model/transformer/fast) for the configs it implements.
  createHostForward: async (c, params) => (fastModelSupport(c).ok ? createFastForward({ config: c, params }) : null),
  exportConfig: (c) => ({ hookedTransformerConfig: toHookedTransformerConfig(c) }),
};
