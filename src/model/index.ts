/** Models: the SequenceModel interface, the architecture registry, files, and each architecture. */
export type { Architecture, AnyArchitecture } from "./architecture.js";
export { ActivationCache } from "./cache.js";
export { defaultCacheNames, type RunResult, type RunWithCacheOptions, type SequenceModel } from "./sequenceModel.js";
export { architectureNames, builtinArchitectures, createModel, getArchitecture, modelFromStateDict, registerArchitecture, type ArchitectureName, type CreateModelOptions } from "./registry.js";
export * from "./files.js";
export { initialStateDictFromSpecs } from "./init.js";
export * from "./types.js";
export * from "./transformer/config.js";
export * from "./transformer/hooks.js";
export { parameterSpecs, initialStateDict } from "./transformer/params.js";
export { transformer, transformerLayerSites } from "./transformer/architecture.js";
export { HookedTransformer } from "./transformer/model.js";
