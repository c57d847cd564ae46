/**
 * What the fast engine implements. Everything else (new config options, other
 * values) falls back to jax-js: only known keys with known values are accepted,
 * so an option added to TransformerConfig later is rejected here until the fast
 * engine learns it.
 */
import type { TransformerConfig } from "../config.js";
import { supportedFlavours } from "../../../engine/fast/kernels.js";

export type Support = { ok: true } | { ok: false; reason: string };

export const isCount = (min: number) => (v: unknown) => typeof v === "number" && Number.isInteger(v) && v >= min && v <= 1 << 20;
export const isBool = (v: unknown) => typeof v === "boolean";
export const oneOf = (...values: string[]) => (v: unknown) => typeof v === "string" && values.includes(v);
export const isFinite = (v: unknown) => typeof v === "number" && Number.isFinite(v) && v >= 0;

const CONFIG_FIELDS: FieldChecks = {
  nLayers: { check: isCount(0), expected: "an integer >= 0" },
  dModel: { check: isCount(1), expected: "an integer >= 1" },
  nHeads: { check: isCount(1), expected: "an integer >= 1" },
  dHead: { check: isCount(1), expected: "an integer >= 1" },
  dMlp: { check: isCount(1), expected: "an integer >= 1" },
  nCtx: { check: isCount(1), expected: "an integer >= 1" },
  dVocab: { check: isCount(1), expected: "an integer >= 1" },
  activation: { check: oneOf("gelu", "gelu-tanh", "relu", "silu"), expected: "gelu, gelu-tanh, relu or silu" },
  layerNorm: { check: isBool, expected: "true or false" },
  attnOnly: { check: isBool, expected: "true or false" },
  // Initialisation happens before training; the engine takes whatever parameters it is given.
  init: { check: oneOf("pytorch", "gpt2"), expected: "pytorch or gpt2" },
};

export type FieldChecks = Record<string, { check: (v: unknown) => boolean; expected: string }>;

/** Accept only known keys with accepted values, and require every key. */
export function checkFields(what: string, value: object, fields: FieldChecks): Support {
  for (const [key, v] of Object.entries(value)) {
    const f = fields[key];
    if (!f) return { ok: false, reason: `${what}.${key} is not implemented by the fast engine` };
    if (!f.check(v)) return { ok: false, reason: `${what}.${key} = ${JSON.stringify(v)} is not implemented by the fast engine (it takes ${f.expected})` };
  }
  for (const key of Object.keys(fields)) {
    if (!(key in value)) return { ok: false, reason: `${what}.${key} is missing (pass a config from makeConfig / makeOptimizerConfig)` };
  }
  return { ok: true };
}

/** Whether the fast engine implements this model (forward and backward); otherwise why not. */
export function fastModelSupport(config: TransformerConfig): Support {
  const c = checkFields("config", config, CONFIG_FIELDS);
  if (!c.ok) return c;
  if (supportedFlavours().length === 0) return { ok: false, reason: "this runtime has no WebAssembly SIMD" };
  return { ok: true };
}
