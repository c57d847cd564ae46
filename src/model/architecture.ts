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
import type { ActivationSite, ModelConfigBase, ParameterSpec, StateDict } from "./types.js";

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
  /**
   * A host forward pass for this config and these weights, or null when it has none for this
   * config (the jax-js forward is used then). Optional: architectures without one always run on jax-js.
   */
  createHostForward?(config: C, params: StateDict): Promise<HostForward | null>;
  /** Extra fields for the model's config.json (e.g. TransformerLens's HookedTransformerConfig). */
  exportConfig?(config: C): Record<string, unknown>;
}

/**
 * A forward pass over host memory (e.g. fused wasm kernels) that an architecture may offer
 * beside its jax-js forward, for evaluation and probing. It must equal `forward` within float32
 * rounding on the hooks it lists (tested against it), and it owns its memory.
 */
export interface HostForward {
  /** e.g. "fast-wasm-relaxed-simd". */
  readonly engine: string;
  /** Hooks run() can capture, each [batch, pos, d_model]. */
  readonly hookNames: readonly string[];
  /** Logits [batch, pos, d_vocab] and the named activations for tokens [batch, nPos]. */
  run(tokens: Int32Array, batch: number, nPos: number, names?: readonly string[]): { readonly logits: Float32Array; readonly activations: Record<string, Float32Array> };
  dispose(): void;
}

/** An architecture with its config type erased, as the registry holds them. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type AnyArchitecture = Architecture<any>;
