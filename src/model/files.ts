/**
 * A model as files, in memory: `model.safetensors` (parameters by
 * TransformerLens-style name, float32) and `config.json` (architecture, its
 * config, and extras such as TransformerLens's HookedTransformerConfig and the
 * process the model was trained on). Writing them to disk is node/'s job; the
 * browser offers the same bytes as downloads.
 *
 * config.json:
 *   { "format": "beliefscope/model", "version": 2, "architecture": "transformer",
 *     "model": { ...config }, "step": 2000, "hookedTransformerConfig": {...}, "process": {...} }
 * Version 1 files (no "architecture") are transformers.
 */
import { ArgumentError, describe } from "../util/errors.js";
import { decodeSafetensors, encodeSafetensors } from "../util/safetensors.js";
import type { EngineDevice } from "../engine/jax.js";
import { getArchitecture, modelFromStateDict } from "./registry.js";
import type { SequenceModel } from "./sequenceModel.js";
import type { StateDict } from "./types.js";

export const MODEL_FORMAT = "beliefscope/model";
export const MODEL_FORMAT_VERSION = 2;
export const MODEL_WEIGHTS_FILE = "model.safetensors";
export const MODEL_CONFIG_FILE = "config.json";

export interface ModelConfigFile {
  readonly format: typeof MODEL_FORMAT;
  readonly version: number;
  readonly architecture: string;
  readonly model: Record<string, unknown>;
  readonly step?: number;
  /** Anything else the writer adds (process, hookedTransformerConfig, ...). */
  readonly [extra: string]: unknown;
}

/** Named float32 tensors as safetensors bytes. */
export function stateDictToSafetensors(stateDict: StateDict, metadata: Record<string, string> = {}): Uint8Array<ArrayBuffer> {
  return encodeSafetensors(Object.fromEntries(Object.entries(stateDict).map(([k, t]) => [k, { dtype: "F32" as const, shape: t.shape, data: t.data }])), metadata);
}

/** Safetensors bytes as a float32 state dict; `source` names the file in errors. */
export function stateDictFromSafetensors(bytes: Uint8Array, source: string): StateDict {
  const out: StateDict = {};
  for (const [k, t] of Object.entries(decodeSafetensors(bytes, source).tensors)) {
    if (!(t.data instanceof Float32Array)) {
      throw new ArgumentError({ fn: "stateDictFromSafetensors", argument: `${source}["${k}"]`, received: `dtype ${t.dtype}`, expected: "F32" });
    }
    out[k] = { shape: t.shape, data: t.data };
  }
  return out;
}

/** The config.json object for a model (with `extra` fields such as the process). */
export function modelConfigFile(model: SequenceModel, extra: Record<string, unknown> = {}): ModelConfigFile {
  const arch = getArchitecture(model.architecture);
  return {
    format: MODEL_FORMAT,
    version: MODEL_FORMAT_VERSION,
    architecture: model.architecture,
    model: model.config as unknown as Record<string, unknown>,
    ...(arch.exportConfig ? arch.exportConfig(model.config) : {}),
    ...extra,
  };
}

/** Both files of a model, as bytes/text. */
export async function modelToFiles(model: SequenceModel, extra: Record<string, unknown> = {}): Promise<{ config: string; weights: Uint8Array<ArrayBuffer> }> {
  const metadata: Record<string, string> = { format: "pt" };
  if (typeof extra.step === "number") metadata.step = String(extra.step);
  return {
    config: JSON.stringify(modelConfigFile(model, extra), null, 2) + "\n",
    weights: stateDictToSafetensors(await model.stateDict(), metadata),
  };
}

/** Check a parsed config.json; `source` names the file in errors. */
export function parseModelConfigFile(value: unknown, source: string): ModelConfigFile {
  const fn = "loadModel";
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    throw new ArgumentError({ fn, argument: source, received: describe(value), expected: `a model config object ({ "format": "${MODEL_FORMAT}", "architecture", "model": {...} })` });
  }
  const v = value as Record<string, unknown>;
  if (v.format !== MODEL_FORMAT) {
    throw new ArgumentError({ fn, argument: `${source} "format"`, received: describe(v.format), expected: JSON.stringify(MODEL_FORMAT) });
  }
  if (typeof v.model !== "object" || v.model === null) {
    throw new ArgumentError({ fn, argument: `${source} "model"`, received: describe(v.model), expected: "the model's config object" });
  }
  const architecture = v.architecture ?? (v.version === 1 ? "transformer" : undefined);
  if (typeof architecture !== "string") {
    throw new ArgumentError({ fn, argument: `${source} "architecture"`, received: describe(v.architecture), expected: "an architecture name such as \"transformer\"" });
  }
  getArchitecture(architecture, fn);
  return { ...(v as object), architecture } as ModelConfigFile;
}

/** A model from its two files. */
export async function modelFromFiles(configText: string, weights: Uint8Array, source: { config: string; weights: string }, options: { device?: EngineDevice } = {}): Promise<{ model: SequenceModel; file: ModelConfigFile }> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(configText);
  } catch (err) {
    throw new ArgumentError({ fn: "loadModel", argument: source.config, received: `text that is not valid JSON (${(err as Error).message})`, expected: "a model config.json" });
  }
  const file = parseModelConfigFile(parsed, source.config);
  const model = await modelFromStateDict(file.architecture, file.model, stateDictFromSafetensors(weights, source.weights), options);
  return { model, file };
}
