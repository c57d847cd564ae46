/**
 * Architectures by name. The built-in table is complete at compile time
 * (a mapped type over ArchitectureName); library users can add their own
 * with `registerArchitecture`. Models are made and loaded through here, so
 * every command takes `--arch NAME`.
 */
import { ArgumentError, describe } from "../util/errors.js";
import type { EngineDevice } from "../engine/jax.js";
import type { AnyArchitecture, Architecture } from "./architecture.js";
import { JaxModel, type SequenceModel } from "./sequenceModel.js";
import { transformer } from "./transformer/architecture.js";
import { elman } from "./rnn/elman.js";
import { gru } from "./rnn/gru.js";
import { lstm } from "./rnn/lstm.js";
import { linearRnn } from "./ssm/linearRnn.js";
import { selectiveSsm } from "./ssm/selective.js";
import type { ModelConfigBase, StateDict } from "./types.js";
import { didYouMean } from "../util/didYouMean.js";

/** Built-in architectures. */
export const builtinArchitectures = {
  transformer,
  rnn: elman,
  gru,
  lstm,
  "linear-rnn": linearRnn,
  "selective-ssm": selectiveSsm,
} as const satisfies Record<string, AnyArchitecture>;

export type ArchitectureName = keyof typeof builtinArchitectures;

const registry = new Map<string, AnyArchitecture>(Object.entries(builtinArchitectures));

/** Add an architecture (a name already taken throws). */
export function registerArchitecture<C extends ModelConfigBase>(arch: Architecture<C>): void {
  if (registry.has(arch.name)) {
    throw new ArgumentError({ fn: "registerArchitecture", argument: "arch.name", received: JSON.stringify(arch.name), expected: `a name not yet registered (taken: ${architectureNames().join(", ")})` });
  }
  registry.set(arch.name, arch);
}

export function architectureNames(): string[] {
  return [...registry.keys()];
}

/** The architecture called `name`, or an error listing the choices. */
export function getArchitecture(name: string, fn = "getArchitecture"): AnyArchitecture {
  const arch = typeof name === "string" ? registry.get(name) : undefined;
  if (!arch) {
    throw new ArgumentError({ fn, argument: "arch", received: describe(name), expected: `one of the registered architectures: ${architectureNames().join(", ")}`, hint: didYouMean(name, architectureNames()) || undefined });
  }
  return arch;
}

export interface CreateModelOptions {
  /** Config fields over the preset (unknown keys throw). dVocab must be given (the process's symbols). */
  readonly config?: Readonly<Record<string, unknown>>;
  /** A named preset of the architecture; default its defaultPreset. */
  readonly preset?: string;
  /** Seeds the initial weights. Default 0. */
  readonly seed?: number;
  /** jax-js backend; default the one started, else `defaultEngineDevice()`. */
  readonly device?: EngineDevice;
}

/** A freshly initialised model of a registered architecture. */
export async function createModel(arch: string, options: CreateModelOptions = {}): Promise<SequenceModel> {
  const a = getArchitecture(arch, "createModel");
  const config = a.makeConfig(options.config ?? {}, options.preset);
  return JaxModel.create(a, config, options.seed ?? 0, { device: options.device });
}

/** A model of a registered architecture from host weights (a checkpoint). */
export async function modelFromStateDict(arch: string, config: Readonly<Record<string, unknown>>, stateDict: StateDict, options: { device?: EngineDevice } = {}): Promise<SequenceModel> {
  const a = getArchitecture(arch, "modelFromStateDict");
  return JaxModel.fromStateDict(a, a.makeConfig(config), stateDict, options);
}
