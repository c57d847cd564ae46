/**
 * What the fast engine implements. Everything else (new config options, other
 * values) falls back to jax-js: only known keys with known values are accepted,
 * so an option added to TransformerConfig later is rejected here until the fast
 * engine learns it.
 */
import type { TransformerConfig } from "../../model/transformer/config.js";
import type { OptimizerConfig } from "../../train/optimizer.js";
import { supportedFlavours } from "./kernels.js";

export type Support = { ok: true } | { ok: false; reason: string };

const isCount = (min: number) => (v: unknown) => typeof v === "number" && Number.isInteger(v) && v >= min && v <= 1 << 20;
const isBool = (v: unknown) => typeof v === "boolean";
const oneOf = (...values: string[]) => (v: unknown) => typeof v === "string" && values.includes(v);
const isFinite = (v: unknown) => typeof v === "number" && Number.isFinite(v) && v >= 0;

const CONFIG_FIELDS: Record<string, { check: (v: unknown) => boolean; expected: string }> = {
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

const OPTIMIZER_FIELDS: Record<string, { check: (v: unknown) => boolean; expected: string }> = {
  kind: { check: oneOf("adam", "sgd"), expected: "adam or sgd" },
  learningRate: { check: isFinite, expected: "a finite number >= 0" },
  beta1: { check: isFinite, expected: "a finite number" },
  beta2: { check: isFinite, expected: "a finite number" },
  eps: { check: isFinite, expected: "a finite number" },
  momentum: { check: isFinite, expected: "a finite number" },
  weightDecay: { check: isFinite, expected: "a finite number" },
  gradClip: { check: isFinite, expected: "a finite number" },
  // Schedules live on the host: the caller passes each step's scalars.
  schedule: { check: oneOf("constant", "cosine"), expected: "constant or cosine" },
  warmupSteps: { check: isFinite, expected: "a finite number" },
};

function checkFields(what: string, value: object, fields: typeof CONFIG_FIELDS): Support {
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

/** Whether createFastTrainer can train this model with this optimizer; otherwise why not. */
export function fastTrainerSupport(config: TransformerConfig, optimizer: OptimizerConfig): Support {
  const o = checkFields("optimizer", optimizer, OPTIMIZER_FIELDS);
  if (!o.ok) return o;
  return fastModelSupport(config);
}
