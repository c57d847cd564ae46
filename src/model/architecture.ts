/**
 * What an architecture provides so that training, evaluation, probes,
 * recovery and the command line work for it without knowing it: a checked
 * config, parameter specs (names, shapes, initialisation), hook names with
 * their shapes, default probe sites, and a pure forward pass on jax-js arrays.
 *
 * Ownership (jax-js): `forward` consumes `params` and `tokens`. A hook gets an
 * owned array and must return an owned array (return `x` unchanged, or keep
 * `x.ref` and return `x`).
 */
import type { numpy as np } from "@jax-js/jax";
import type { ActivationSite, ModelConfigBase, ParameterSpec } from "./types.js";

/** Parameters as owned jax-js arrays, by name (engine layer only). */
export type Params = Record<string, np.Array>;

/** Called at every hook point the model passes; returns the (possibly edited) activation. */
export type HookFn = (name: string, activation: np.Array) => np.Array;

export interface Architecture<C extends ModelConfigBase = ModelConfigBase> {
  /** Registry name, e.g. "transformer", "gru". Saved in run.json and config.json. */
  readonly name: string;
  /** One line for `beliefscope arch list`. */
  readonly description: string;
  /** Named partial configs; `makeConfig` starts from `presets[defaultPreset]`. */
  readonly presets: Readonly<Record<string, Readonly<Partial<C>>>>;
  readonly defaultPreset: string;
  /** Complete and check a config; unknown keys and bad values throw ArgumentError. */
  makeConfig(overrides?: Readonly<Record<string, unknown>>, preset?: string): C;
  /** Every parameter, in a fixed order. */
  parameterSpecs(config: C): ParameterSpec[];
  /** Every hook point, in forward order. */
  hookNames(config: C): string[];
  /** Shape of a hook's activation with TransformerLens dimension names, e.g. "[batch, pos, d_model]". */
  hookShape(config: C, name: string): string;
  /** Default probe sites: the embedding, each layer, and (with several layers) all layers concatenated. */
  layerSites(config: C): ActivationSite[];
  /** Logits [batch, pos, d_vocab] for tokens [batch, pos] int32 (pos <= nCtx). Pure and differentiable. */
  forward(config: C, params: Params, tokens: np.Array, hook?: HookFn): np.Array;
  /** One line describing a config, e.g. "4-layer d_model-64 transformer". */
  summary(config: C): string;
  /** Extra fields for the model's config.json (e.g. TransformerLens's HookedTransformerConfig). */
  exportConfig?(config: C): Record<string, unknown>;
}

/** An architecture with its config type erased, as the registry holds them. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type AnyArchitecture = Architecture<any>;
