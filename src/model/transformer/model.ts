/**
 * HookedTransformer: the transformer architecture as a SequenceModel, under
 * the name TransformerLens users know. `HookedTransformer.create(config, seed)`
 * and `HookedTransformer.fromStateDict(config, stateDict)` are shorthands for
 * `createModel("transformer", ...)` and `modelFromStateDict("transformer", ...)`.
 */
import type { EngineDevice } from "../../engine/jax.js";
import { JaxModel, type SequenceModel } from "../sequenceModel.js";
import type { StateDict } from "../types.js";
import { transformer } from "./architecture.js";
import type { TransformerConfig } from "./config.js";

export type HookedTransformer = SequenceModel<TransformerConfig>;

export const HookedTransformer = {
  /** A freshly initialised transformer; the same seed gives the same weights. */
  create(config: Partial<TransformerConfig> = {}, seed = 0, options: { device?: EngineDevice } = {}): Promise<HookedTransformer> {
    return JaxModel.create(transformer, transformer.makeConfig(config), seed, options);
  },
  /** A transformer from host tensors (a checkpoint); checks names and shapes. */
  fromStateDict(config: Partial<TransformerConfig>, stateDict: StateDict, options: { device?: EngineDevice } = {}): Promise<HookedTransformer> {
    return JaxModel.fromStateDict(transformer, transformer.makeConfig(config), stateDict, options);
  },
};
