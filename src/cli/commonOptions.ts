/** Options several commands share: the backend, the training engine, the architecture and its config. */
import { readFile } from "node:fs/promises";
import { Option, type Command } from "commander";
import { ENGINE_DEVICES, type EngineDevice } from "../engine/jax.js";
import { architectureNames } from "../model/registry.js";
import type { EngineChoice } from "../train/fastEngines.js";
import { ArgumentError } from "../util/errors.js";
import { parseSettings } from "./options.js";

export function addDeviceOption(cmd: Command): Command {
  return cmd.addOption(new Option("--device <device>", "jax-js backend (webgpu in Node needs the optional `webgpu` package)").choices([...ENGINE_DEVICES]).default("wasm"));
}

export function addEngineOption(cmd: Command): Command {
  return cmd.addOption(new Option("--engine <engine>", "training engine: auto (fused kernels when the model has them), jax, or fast").choices(["auto", "jax", "fast"]).default("auto"));
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
