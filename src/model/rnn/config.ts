/**
 * Configuration of the recurrent architectures (Elman RNN, GRU, LSTM): one
 * typed, readonly object, checked when built, with named presets. Also the
 * preset-and-check routine the state-space models (../ssm) share.
 */
import { ArgumentError, checkInteger, checkKnownKeys, describe } from "../../util/errors.js";
import { didYouMean } from "../../util/didYouMean.js";

export interface RecurrentConfig {
  /** Stacked recurrent layers; layer l + 1 reads layer l's hidden states (torch's num_layers). */
  readonly nLayers: number;
  /** Hidden state width of every layer (torch's hidden_size). */
  readonly dHidden: number;
  /** Token embedding width: the first layer's input (torch's input_size). */
  readonly dEmbed: number;
  /** Context length (positions). The recurrence is unrolled over them, see recurrent.ts. */
  readonly nCtx: number;
  /** Vocabulary size: the process's number of symbols. */
  readonly dVocab: number;
}

/**
 * Complete a config: defaults, then the preset, then the overrides; unknown
 * keys and unknown presets throw naming the choices; `check` validates the
 * result. Shared by every recurrent and state-space architecture.
 */
export function completeConfig<C extends object>(o: {
  readonly fn: string;
  /** Registry name, for errors about options that belong to other architectures. */
  readonly architecture: string;
  readonly defaults: C;
  readonly presets: Readonly<Record<string, Readonly<Partial<C>>>>;
  readonly preset: string;
  readonly overrides: unknown;
  readonly check: (c: C) => void;
}): C {
  const { fn, overrides, preset } = o;
  if (typeof overrides !== "object" || overrides === null || Array.isArray(overrides)) {
    throw new ArgumentError({ fn, argument: "overrides", received: describe(overrides), expected: "an object of config fields" });
  }
  if (!Object.prototype.hasOwnProperty.call(o.presets, preset)) {
    throw new ArgumentError({ fn, argument: "preset", received: describe(preset), expected: `one of ${Object.keys(o.presets).join(", ")}`, hint: didYouMean(preset, Object.keys(o.presets)) || undefined });
  }
  checkForeignOptions(fn, o.architecture, overrides, Object.keys(o.defaults));
  checkKnownKeys(fn, "config", overrides, Object.keys(o.defaults));
  const c = { ...o.defaults, ...o.presets[preset], ...overrides } as C;
  o.check(c);
  return Object.freeze(c);
}

/**
 * Options of the transformer that recurrent and state-space models do not have, with why: given
 * to one of them they are a contradiction (an RNN has no attention to make linear), not a typo,
 * and the error says so.
 */
const TRANSFORMER_ONLY: Readonly<Record<string, string>> = {
  attention: "attention",
  linearNormalize: "linear attention",
  attnOnly: "attention blocks",
  skip: "transformer blocks whose skip connections could be removed",
  layerNorm: "LayerNorm",
  tokenEmbedding: "position embeddings (a position-specific token embedding replaces them in a transformer)",
  nHeads: "attention heads",
  dHead: "attention heads",
  dMlp: "MLP blocks",
  activation: "MLP blocks",
  init: "a choice of initialisation scheme (it initialises as PyTorch)",
};

function checkForeignOptions(fn: string, architecture: string, overrides: object, known: readonly string[]): void {
  for (const [key, value] of Object.entries(overrides)) {
    if (known.includes(key) || !(key in TRANSFORMER_ONLY)) continue;
    throw new ArgumentError({
      fn,
      argument: `config.${key}`,
      received: `${describe(value)} for a ${architecture}`,
      expected: `options of the ${architecture}: ${known.join(", ")}`,
      hint: `${key} is a transformer option; the ${architecture} has no ${TRANSFORMER_ONLY[key]}. Use --arch transformer for it, or drop ${key}.`,
    });
  }
}

/**
 * WIDTH_NOTE. Preset widths are multiples of 8: jax-js's wasm backend runs matmuls of such widths
 * several times faster (measured, one GRU training step at batch 64, n_ctx 10 on 2 shared cores:
 * d_hidden 88 about 16-29 steps/s, d_hidden 91 about 2 steps/s).
 */

/**
 * Longest context of a recurrence unrolled over positions (jax-js has no scan). Tested: a 2-layer
 * LSTM at 256 positions compiles in about a minute and trains at about 2 s a step (batch 64);
 * see recurrent.ts for the costs.
 */
export const MAX_UNROLLED_CTX = 256;

/** Throw unless nCtx is within MAX_UNROLLED_CTX, saying why. */
export function checkUnrolledContext(fn: string, nCtx: unknown): void {
  checkInteger(fn, "config.nCtx", nCtx, 1);
  if ((nCtx as number) > MAX_UNROLLED_CTX) {
    throw new ArgumentError({
      fn,
      argument: "config.nCtx",
      received: String(nCtx),
      expected: `an integer in [1, ${MAX_UNROLLED_CTX}]`,
      hint: "The recurrence is unrolled over positions (jax-js has no scan), so compile time and memory grow with the context; use a transformer or the linear-rnn (a convolution) for longer contexts.",
    });
  }
}

/** Check the fields every recurrent config has. */
export function checkRecurrentConfig(fn: string, c: RecurrentConfig): void {
  checkInteger(fn, "config.nLayers", c.nLayers, 1, 64);
  checkInteger(fn, "config.dHidden", c.dHidden, 1, 1 << 14);
  checkInteger(fn, "config.dEmbed", c.dEmbed, 1, 1 << 14);
  checkUnrolledContext(fn, c.nCtx);
  checkInteger(fn, "config.dVocab", c.dVocab, 1, 1 << 20);
}
