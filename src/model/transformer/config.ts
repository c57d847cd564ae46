/**
 * Transformer configuration: one typed, readonly object, checked when built,
 * with TransformerLens's meanings (HookedTransformerConfig) in camelCase.
 */
import { ArgumentError, checkChoice, checkInteger, checkKnownKeys, describe } from "../../util/errors.js";

/** "gelu" is the exact erf form (torch and TransformerLens "gelu"); "gelu-tanh" the tanh approximation (GPT-2, TransformerLens "gelu_new"). */
export const ACTIVATIONS = ["gelu", "gelu-tanh", "relu", "silu"] as const;
export type Activation = (typeof ACTIVATIONS)[number];

export const INIT_SCHEMES = ["pytorch", "gpt2"] as const;
/**
 * "pytorch": nn.Linear / nn.Embedding defaults (U(+-1/sqrt(fan_in)) weights
 * and biases, N(0, 1) token embedding, N(0, 0.02) positions), exactly as
 * ../shared/reference/torch_ref.py, so learning curves are comparable.
 * "gpt2": N(0, 0.02) weights, zero biases (GPT-2 / TransformerLens style).
 */
export type InitScheme = (typeof INIT_SCHEMES)[number];

export interface TransformerConfig {
  /** Number of transformer blocks. */
  readonly nLayers: number;
  /** Residual stream width. */
  readonly dModel: number;
  readonly nHeads: number;
  /** Per-head width; nHeads * dHead need not equal dModel. */
  readonly dHead: number;
  /** MLP hidden width (ignored when attnOnly). */
  readonly dMlp: number;
  /** Context length (positions). */
  readonly nCtx: number;
  /** Vocabulary size: the process's number of symbols. */
  readonly dVocab: number;
  readonly activation: Activation;
  /** LayerNorm before attention, MLP and unembedding (pre-LN, as GPT-2); false: no normalization. */
  readonly layerNorm: boolean;
  /** Attention-only blocks: no MLPs. */
  readonly attnOnly: boolean;
  /** Weight initialisation scheme. */
  readonly init: InitScheme;
}

/** Defaults: the anchor model of Shai et al. / torch_ref.py (4 layers, d_model 64, 4 heads, d_mlp 256). */
export const DEFAULT_CONFIG: TransformerConfig = Object.freeze({
  nLayers: 4,
  dModel: 64,
  nHeads: 4,
  dHead: 16,
  dMlp: 256,
  nCtx: 10,
  dVocab: 3,
  activation: "gelu",
  layerNorm: true,
  attnOnly: false,
  init: "pytorch",
});

/** Named presets, completed with DEFAULT_CONFIG. */
export const PRESETS = {
  /** The anchor experiment: torch_ref.py's model. */
  "shai-4l": {},
  /** A 1-layer attention-only model without LayerNorm, for mechanism studies. */
  "attn-only-1l": { nLayers: 1, attnOnly: true, layerNorm: false },
  /** A 2-layer d_model-32 model that trains in seconds (tests, quick looks). */
  small: { nLayers: 2, dModel: 32, nHeads: 2, dHead: 16, dMlp: 128 },
} as const satisfies Record<string, Partial<TransformerConfig>>;
export type PresetName = keyof typeof PRESETS;

const KEYS = Object.keys(DEFAULT_CONFIG);

/** Complete and check a config. Unknown keys and bad values throw. */
export function makeConfig(overrides: Partial<TransformerConfig> = {}, preset: PresetName = "shai-4l"): TransformerConfig {
  const fn = "makeConfig";
  if (typeof overrides !== "object" || overrides === null) {
    throw new ArgumentError({ fn, argument: "overrides", received: describe(overrides), expected: "an object of config fields" });
  }
  if (!(preset in PRESETS)) {
    throw new ArgumentError({ fn, argument: "preset", received: describe(preset), expected: `one of ${Object.keys(PRESETS).join(", ")}` });
  }
  checkKnownKeys(fn, "config", overrides, KEYS);
  const c = { ...DEFAULT_CONFIG, ...PRESETS[preset], ...overrides } as TransformerConfig;
  checkInteger(fn, "config.nLayers", c.nLayers, 0, 256);
  checkInteger(fn, "config.dModel", c.dModel, 1, 1 << 16);
  checkInteger(fn, "config.nHeads", c.nHeads, 1, 1024);
  checkInteger(fn, "config.dHead", c.dHead, 1, 1 << 16);
  checkInteger(fn, "config.dMlp", c.dMlp, 1, 1 << 18);
  checkInteger(fn, "config.nCtx", c.nCtx, 1, 1 << 16);
  checkInteger(fn, "config.dVocab", c.dVocab, 1, 1 << 20);
  checkChoice(fn, "config.activation", c.activation, ACTIVATIONS);
  checkChoice(fn, "config.init", c.init, INIT_SCHEMES);
  if (typeof c.layerNorm !== "boolean") throw new ArgumentError({ fn, argument: "config.layerNorm", received: describe(c.layerNorm), expected: "true or false" });
  if (typeof c.attnOnly !== "boolean") throw new ArgumentError({ fn, argument: "config.attnOnly", received: describe(c.attnOnly), expected: "true or false" });
  return Object.freeze(c);
}

/** Number of trainable parameters. */
export function parameterCount(c: TransformerConfig): number {
  const ln = c.layerNorm ? 2 * c.dModel : 0;
  const attn = 3 * c.nHeads * (c.dModel * c.dHead + c.dHead) + c.nHeads * c.dHead * c.dModel + c.dModel;
  const mlp = c.attnOnly ? 0 : c.dModel * c.dMlp + c.dMlp + c.dMlp * c.dModel + c.dModel;
  const block = attn + mlp + (c.attnOnly ? 1 : 2) * ln;
  return c.dVocab * c.dModel + c.nCtx * c.dModel + c.nLayers * block + ln + c.dModel * c.dVocab + c.dVocab;
}

/**
 * The same config as TransformerLens's HookedTransformerConfig (snake_case),
 * so that saved weights (which use TransformerLens parameter names) load
 * into a HookedTransformer in Python.
 */
export function toHookedTransformerConfig(c: TransformerConfig): Record<string, unknown> {
  return {
    n_layers: c.nLayers,
    d_model: c.dModel,
    n_heads: c.nHeads,
    d_head: c.dHead,
    d_mlp: c.attnOnly ? null : c.dMlp,
    n_ctx: c.nCtx,
    d_vocab: c.dVocab,
    act_fn: c.attnOnly ? null : c.activation === "gelu-tanh" ? "gelu_new" : c.activation,
    normalization_type: c.layerNorm ? "LN" : null,
    attn_only: c.attnOnly,
    positional_embedding_type: "standard",
  };
}

