/**
 * Transformer configuration: one typed, readonly object, checked when built,
 * with TransformerLens's meanings (HookedTransformerConfig) in camelCase.
 */
import { ArgumentError, checkChoice, checkInteger, checkKnownKeys, describe } from "../../util/errors.js";
import { didYouMean } from "../../util/didYouMean.js";

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
  // Options beyond TransformerLens's HookedTransformer (see TransformerOptions). Absent means the
  // default, which is today's transformer: makeConfig leaves options at their defaults out, so a
  // default config has exactly the fields above (engines that know only those accept it unchanged).
  readonly attention?: AttentionKind;
  readonly linearNormalize?: boolean;
  readonly skip?: boolean;
  readonly tokenEmbedding?: TokenEmbedding;
  readonly attentionScale?: number | null;
  readonly attentionWindows?: readonly number[] | null;
}

/**
 * How attention weighs the keys (blocks.{l}.attn.hook_pattern [batch, head_index, query_pos, key_pos]):
 * - "softmax": softmax over the causally masked scores q.k / sqrt(d_head) (TransformerLens).
 * - "linear": no softmax: the pattern is the causally masked scores q.k / sqrt(d_head) themselves
 *   (masked entries 0), divided by the number of keys attended (query_pos + 1) when linearNormalize
 *   (linear attention without a feature map: Katharopoulos et al. 2020, "Transformers are RNNs").
 * - "fixed": no queries or keys: the pattern is a learned parameter blocks.{l}.attn.pattern
 *   [head_index, query_pos, key_pos] shared across inputs, used as it is (entries above the
 *   diagonal ignored; rows need not sum to 1). Initialised to 1 / n_ctx everywhere.
 */
export const ATTENTION_KINDS = ["softmax", "linear", "fixed"] as const;
export type AttentionKind = (typeof ATTENTION_KINDS)[number];

/**
 * "shared": one token embedding embed.W_E [d_vocab, d_model] plus the learned position embedding
 * pos_embed.W_pos [n_ctx, d_model] (TransformerLens "standard").
 * "per-position": a separate token embedding for every position, embed.W_E_pos
 * [n_ctx, d_vocab, d_model], and no position embedding (it would add nothing: W_E_pos[p] absorbs it).
 */
export const TOKEN_EMBEDDINGS = ["shared", "per-position"] as const;
export type TokenEmbedding = (typeof TOKEN_EMBEDDINGS)[number];

/** The options beyond HookedTransformer's, every one resolved to a value. */
export interface TransformerOptions {
  /** Default "softmax". */
  readonly attention: AttentionKind;
  /** Linear attention only: divide query row q of the pattern by q + 1, the number of keys it attends to. Default false. */
  readonly linearNormalize: boolean;
  /** Residual (skip) connections: resid_mid = resid_pre + attn_out; false: resid_mid = attn_out (and likewise for the MLP). Default true. */
  readonly skip: boolean;
  /** Default "shared". */
  readonly tokenEmbedding: TokenEmbedding;
  /**
   * The factor multiplying q.k in the attention scores; null (default) is 1 / sqrt(d_head)
   * (TransformerLens, GPT-2). GPT-Neo uses 1: no scaling.
   */
  readonly attentionScale: number | null;
  /**
   * Local attention per layer (GPT-Neo's alternating global / local layers): entry l > 0 lets a
   * query at position q attend only to keys k with q - k < entry l (Hugging Face's GPT-Neo mask);
   * 0 is global (causal) attention. null (default): every layer global.
   */
  readonly attentionWindows: readonly number[] | null;
}

/** The default options: today's (TransformerLens's) transformer. */
export const DEFAULT_OPTIONS: TransformerOptions = Object.freeze({
  attention: "softmax",
  linearNormalize: false,
  skip: true,
  tokenEmbedding: "shared",
  attentionScale: null,
  attentionWindows: null,
});

/** The options of a config, absent ones at their defaults. */
export function transformerOptions(c: TransformerConfig): TransformerOptions {
  return {
    attention: c.attention ?? DEFAULT_OPTIONS.attention,
    linearNormalize: c.linearNormalize ?? DEFAULT_OPTIONS.linearNormalize,
    skip: c.skip ?? DEFAULT_OPTIONS.skip,
    tokenEmbedding: c.tokenEmbedding ?? DEFAULT_OPTIONS.tokenEmbedding,
    attentionScale: c.attentionScale ?? DEFAULT_OPTIONS.attentionScale,
    attentionWindows: c.attentionWindows ?? DEFAULT_OPTIONS.attentionWindows,
  };
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

/**
 * Named presets, completed with DEFAULT_CONFIG. Besides the anchor model they are the rungs of a
 * ladder of simpler models for mechanism studies (parameter counts for d_vocab 3, n_ctx 10).
 */
export const PRESETS = {
  /** The anchor experiment: torch_ref.py's model (201,091 parameters). */
  "shai-4l": {},
  /** The anchor model with 2 blocks (101,123). */
  "2l": { nLayers: 2 },
  /** The anchor model with 1 block (51,139). */
  "1l": { nLayers: 1 },
  /** A 1-layer attention-only model without LayerNorm, for mechanism studies (17,667). */
  "attn-only-1l": { nLayers: 1, attnOnly: true, layerNorm: false },
  /** "1l" without residual connections: each sublayer's output replaces the stream (51,139). */
  "no-skip": { nLayers: 1, skip: false },
  /** "1l" without LayerNorm (50,755). */
  "no-ln": { nLayers: 1, layerNorm: false },
  /** "attn-only-1l" with linear attention, normalised by the number of keys (17,667). */
  "linear-attn-1l": { nLayers: 1, attnOnly: true, layerNorm: false, attention: "linear", linearNormalize: true },
  /** "attn-only-1l" with a learned fixed attention pattern instead of queries and keys (9,747). */
  "fixed-attn-1l": { nLayers: 1, attnOnly: true, layerNorm: false, attention: "fixed" },
  /** A 2-layer d_model-32 model that trains in seconds (tests, quick looks; 25,987). */
  small: { nLayers: 2, dModel: 32, nHeads: 2, dHead: 16, dMlp: 128 },
} as const satisfies Record<string, Partial<TransformerConfig>>;
export type PresetName = keyof typeof PRESETS;

const KEYS = [...Object.keys(DEFAULT_CONFIG), ...Object.keys(DEFAULT_OPTIONS)];

/** Complete and check a config. Unknown keys and bad values throw. */
export function makeConfig(overrides: Partial<TransformerConfig> = {}, preset: PresetName = "shai-4l"): TransformerConfig {
  const fn = "makeConfig";
  if (typeof overrides !== "object" || overrides === null) {
    throw new ArgumentError({ fn, argument: "overrides", received: describe(overrides), expected: "an object of config fields" });
  }
  if (!(preset in PRESETS)) {
    throw new ArgumentError({ fn, argument: "preset", received: describe(preset), expected: `one of ${Object.keys(PRESETS).join(", ")}`, hint: didYouMean(preset, Object.keys(PRESETS)) || undefined });
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
  const o = { ...DEFAULT_OPTIONS, ...definedOnly(c) } as TransformerOptions;
  checkChoice(fn, "config.attention", o.attention, ATTENTION_KINDS);
  checkChoice(fn, "config.tokenEmbedding", o.tokenEmbedding, TOKEN_EMBEDDINGS);
  if (typeof o.linearNormalize !== "boolean") throw new ArgumentError({ fn, argument: "config.linearNormalize", received: describe(o.linearNormalize), expected: "true or false" });
  if (typeof o.skip !== "boolean") throw new ArgumentError({ fn, argument: "config.skip", received: describe(o.skip), expected: "true or false" });
  checkAttentionShape(fn, c, o);
  checkOptionsAgree(fn, c, o);
  // All-global windows are the default: one canonical form for the same model.
  if (o.attentionWindows !== null && o.attentionWindows.every((w) => w === 0)) (o as { attentionWindows: readonly number[] | null }).attentionWindows = null;
  // Canonical form: options at their defaults are left out (see TransformerConfig).
  const out: Record<string, unknown> = {};
  for (const key of Object.keys(DEFAULT_CONFIG)) out[key] = c[key as keyof TransformerConfig];
  for (const key of Object.keys(DEFAULT_OPTIONS) as (keyof TransformerOptions)[]) if (o[key] !== DEFAULT_OPTIONS[key]) out[key] = o[key];
  return Object.freeze(out) as unknown as TransformerConfig;
}

/** attentionScale: null or a finite positive number; attentionWindows: null or one integer >= 0 per layer. */
function checkAttentionShape(fn: string, c: TransformerConfig, o: TransformerOptions): void {
  const scale = o.attentionScale;
  if (scale !== null && !(typeof scale === "number" && Number.isFinite(scale) && scale > 0)) {
    throw new ArgumentError({ fn, argument: "config.attentionScale", received: describe(scale), expected: "null (1 / sqrt(d_head)) or a finite number > 0 (1 for GPT-Neo)" });
  }
  const windows = o.attentionWindows;
  if (windows === null) return;
  if (!Array.isArray(windows) || windows.length !== c.nLayers || windows.some((w) => !(Number.isInteger(w) && w >= 0))) {
    throw new ArgumentError({
      fn,
      argument: "config.attentionWindows",
      received: describe(windows),
      expected: `null (global attention everywhere) or one integer >= 0 per layer (${c.nLayers}): 0 global, w > 0 a local window of w keys`,
    });
  }
  if (o.attention === "fixed" && windows.some((w) => w > 0)) {
    throw new ArgumentError({ fn, argument: "config.attentionWindows", received: `${describe(windows)} with config.attention "fixed"`, expected: "null (a fixed pattern is learned whole; mask it by training)" });
  }
  (o as { attentionWindows: readonly number[] | null }).attentionWindows = Object.freeze([...windows]);
}

function definedOnly(c: object): Record<string, unknown> {
  return Object.fromEntries(Object.entries(c).filter(([, v]) => v !== undefined));
}

/** Options that contradict each other: the error names both. */
function checkOptionsAgree(fn: string, c: TransformerConfig, o: TransformerOptions): void {
  if (o.linearNormalize && o.attention !== "linear") {
    throw new ArgumentError({
      fn,
      argument: "config.linearNormalize",
      received: `true with config.attention ${JSON.stringify(o.attention)}`,
      expected: 'config.attention "linear" (linearNormalize divides linear attention scores by the number of keys; other attention kinds do not use it)',
      hint: 'Set attention: "linear", or drop linearNormalize.',
    });
  }
  if (!o.skip && c.nLayers === 0) {
    throw new ArgumentError({
      fn,
      argument: "config.skip",
      received: "false with config.nLayers 0",
      expected: "config.nLayers >= 1 (a model without blocks has no connections to skip)",
      hint: "Give the model blocks, or drop skip.",
    });
  }
  if (o.attention !== "softmax" && c.nLayers === 0) {
    throw new ArgumentError({
      fn,
      argument: "config.attention",
      received: `${JSON.stringify(o.attention)} with config.nLayers 0`,
      expected: "config.nLayers >= 1 (a model without blocks has no attention)",
      hint: "Give the model blocks, or drop attention.",
    });
  }
}

/** Number of trainable parameters. */
export function parameterCount(c: TransformerConfig): number {
  const o = transformerOptions(c);
  const ln = c.layerNorm ? 2 * c.dModel : 0;
  const qk = o.attention === "fixed" ? c.nHeads * c.nCtx * c.nCtx : 2 * c.nHeads * (c.dModel * c.dHead + c.dHead);
  const attn = qk + c.nHeads * (c.dModel * c.dHead + c.dHead) + c.nHeads * c.dHead * c.dModel + c.dModel;
  const mlp = c.attnOnly ? 0 : c.dModel * c.dMlp + c.dMlp + c.dMlp * c.dModel + c.dModel;
  const block = attn + mlp + (c.attnOnly ? 1 : 2) * ln;
  const embed = o.tokenEmbedding === "per-position" ? c.nCtx * c.dVocab * c.dModel : c.dVocab * c.dModel + c.nCtx * c.dModel;
  return embed + c.nLayers * block + ln + c.dModel * c.dVocab + c.dVocab;
}

/**
 * The same config as TransformerLens's HookedTransformerConfig (snake_case),
 * so that saved weights (which use TransformerLens parameter names) load
 * into a HookedTransformer in Python. Options TransformerLens has no
 * equivalent for are listed in `beliefscopeOnly` (absent when there are none):
 * such weights do not load into a HookedTransformer.
 */
export function toHookedTransformerConfig(c: TransformerConfig): Record<string, unknown> {
  const unrepresentable = beliefscopeOnlyOptions(c);
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
    ...hookedAttentionFields(c),
    ...(unrepresentable.length > 0 ? { beliefscopeOnly: unrepresentable } : {}),
  };
}

/**
 * The options of `c` that TransformerLens's HookedTransformer cannot represent, as "field=value"
 * (empty for a default config). A config.json with any of them says so in `beliefscopeOnly`
 * rather than claim that its weights load into a HookedTransformer.
 */
export function beliefscopeOnlyOptions(c: TransformerConfig): string[] {
  const o = transformerOptions(c);
  const representable = new Set<keyof TransformerOptions>(["attentionScale"]);
  // TransformerLens has one window size for all local layers (window_size, attn_types).
  if (new Set((o.attentionWindows ?? []).filter((w) => w > 0)).size <= 1) representable.add("attentionWindows");
  return (Object.keys(DEFAULT_OPTIONS) as (keyof TransformerOptions)[])
    .filter((k) => o[k] !== DEFAULT_OPTIONS[k] && !representable.has(k))
    .map((k) => `${k}=${JSON.stringify(o[k])}`);
}

/** TransformerLens's fields for a non-default attention scale (use_attn_scale, attn_scale) and local layers (attn_types, window_size). */
function hookedAttentionFields(c: TransformerConfig): Record<string, unknown> {
  const o = transformerOptions(c);
  const out: Record<string, unknown> = {};
  if (o.attentionScale !== null) {
    // TransformerLens divides the scores by attn_scale.
    out.use_attn_scale = o.attentionScale !== 1;
    out.attn_scale = 1 / o.attentionScale;
  }
  const windows = o.attentionWindows;
  if (windows !== null) {
    out.attn_types = windows.map((w) => (w > 0 ? "local" : "global"));
    out.window_size = Math.max(...windows);
  }
  return out;
}

