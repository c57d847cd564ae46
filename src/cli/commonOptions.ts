/** Options several commands share: the backend, the training engine, the architecture and its config. */
import { readFile } from "node:fs/promises";
import { totalmem } from "node:os";
import { Option, type Command } from "commander";
import { ENGINE_DEVICES, type EngineDevice } from "../engine/jax.js";
import { ACTIVATIONS, type TransformerConfig } from "../model/transformer/config.js";
import { architectureNames } from "../model/registry.js";
import type { EngineChoice } from "../train/fastEngines.js";
import { ArgumentError } from "../util/errors.js";
import { defaultMemoryBudget, formatBytes, parseMemorySize, type MemoryBudget } from "../util/memory.js";
import { intOption, parseSettings } from "./options.js";

export function addDeviceOption(cmd: Command): Command {
  return cmd.addOption(new Option("--device <device>", "jax-js backend (webgpu in Node needs the optional `webgpu` package)").choices([...ENGINE_DEVICES]).default("wasm"));
}

export function addEngineOption(cmd: Command): Command {
  return cmd.addOption(new Option("--engine <engine>", "training engine: auto (fused kernels when the model has them), jax, or fast").choices(["auto", "jax", "fast"]).default("auto"));
}

/**
 * --max-memory SIZE: the memory budget a command checks its sizes against before allocating
 * (docs/memory.md). Default half of this machine's memory; BELIEFSCOPE_MAX_MEMORY sets it too.
 */
export function addMaxMemoryOption(cmd: Command): Command {
  return cmd.option("--max-memory <size>", `memory budget, e.g. 4GiB or 2048MB: sizes whose estimated peak exceeds it are refused before any work (default half of this machine's ${formatBytes(totalmem())}, or $BELIEFSCOPE_MAX_MEMORY)`);
}

/** The budget from --max-memory, else $BELIEFSCOPE_MAX_MEMORY, else half of the machine's memory. */
export function memoryBudget(o: { maxMemory?: string }): MemoryBudget {
  if (o.maxMemory !== undefined) return { bytes: parseMemorySize(o.maxMemory), source: "given" };
  const env = process.env.BELIEFSCOPE_MAX_MEMORY;
  if (env) return { bytes: parseMemorySize(env, "$BELIEFSCOPE_MAX_MEMORY"), source: "from $BELIEFSCOPE_MAX_MEMORY" };
  return defaultMemoryBudget(totalmem());
}

/** --arch, --preset, --config FILE and --set key=value,... : the model's config, over the preset. */
export function addModelOptions(cmd: Command): Command {
  return cmd
    .option("--arch <name>", `architecture: ${architectureNames().join(", ")}`)
    .option("--preset <name>", "a preset of the architecture (e.g. shai-4l, attn-only-1l, small for the transformer)")
    .option("--config <file>", "model config JSON (fields of the architecture's config), over the preset")
    .option("--set <key=value,...>", "model config fields, e.g. nLayers=2,dModel=32 (over --config)", parseSettings);
}

export interface ModelFlags {
  arch?: string;
  preset?: string;
  config?: string;
  set?: Record<string, unknown>;
  device: EngineDevice;
  engine?: EngineChoice;
}

/** The config overrides from --config and --set (and any extra fields, e.g. the transformer's shorthands). */
export async function modelOverrides(o: ModelFlags, extra: Record<string, unknown> = {}): Promise<Record<string, unknown> | undefined> {
  let fromFile: Record<string, unknown> = {};
  if (o.config) {
    try {
      fromFile = JSON.parse(await readFile(o.config, "utf8"));
    } catch (err) {
      throw new ArgumentError({ fn: "beliefscope", argument: "--config", received: JSON.stringify(o.config), expected: "a readable JSON file of config fields", hint: (err as Error).message });
    }
  }
  const all = { ...fromFile, ...o.set, ...extra };
  return Object.keys(all).length ? all : undefined;
}

/** The transformer's shorthand flags (over --config and --set). */
export interface TransformerShorthandFlags {
  layers?: number;
  dModel?: number;
  heads?: number;
  dHead?: number;
  dMlp?: number;
  nCtx?: number;
  activation?: TransformerConfig["activation"];
  layerNorm?: boolean;
  attnOnly?: boolean;
}

/**
 * --layers, --d-model, --heads, --d-head, --d-mlp, --n-ctx, --activation (and, with `structure`,
 * --no-layer-norm and --attn-only); `defaults` names the defaults shown in the help.
 */
export function addTransformerShorthands(cmd: Command, options: { defaults?: Partial<Record<"nLayers" | "dModel" | "nHeads" | "dHead" | "dMlp" | "nCtx", number>>; nCtxHint?: string; structure?: boolean } = {}): Command {
  const d = options.defaults ?? {};
  const shown = (v: number | undefined) => (v === undefined ? "" : ` (default ${v})`);
  cmd
    .option("--layers <n>", `transformer n_layers${shown(d.nLayers)}`, intOption(0, 256))
    .option("--d-model <n>", `transformer d_model${shown(d.dModel)}`, intOption(1))
    .option("--heads <n>", `transformer n_heads${shown(d.nHeads)}`, intOption(1))
    .option("--d-head <n>", `transformer d_head${shown(d.dHead)}`, intOption(1))
    .option("--d-mlp <n>", `transformer d_mlp${shown(d.dMlp)}`, intOption(1))
    .option("--n-ctx <n>", `context length${options.nCtxHint ?? ""}${shown(d.nCtx)}`, intOption(2))
    .addOption(new Option("--activation <fn>", "transformer MLP activation").choices([...ACTIVATIONS]));
  if (options.structure) cmd.option("--no-layer-norm", "transformer without LayerNorm").option("--attn-only", "transformer with attention-only blocks");
  return cmd;
}

/** The transformer config fields the shorthand flags set (only those given). */
export function transformerShorthand(o: TransformerShorthandFlags): Record<string, unknown> {
  return {
    ...(o.layers !== undefined && { nLayers: o.layers }),
    ...(o.dModel !== undefined && { dModel: o.dModel }),
    ...(o.heads !== undefined && { nHeads: o.heads }),
    ...(o.dHead !== undefined && { dHead: o.dHead }),
    ...(o.dMlp !== undefined && { dMlp: o.dMlp }),
    ...(o.nCtx !== undefined && { nCtx: o.nCtx }),
    ...(o.activation !== undefined && { activation: o.activation }),
    ...(o.layerNorm === false && { layerNorm: false }),
    ...(o.attnOnly && { attnOnly: true }),
  };
}
