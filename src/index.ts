/**
 * beliefscope: belief-state geometry in transformers trained on hidden Markov
 * processes. The library API, layer by layer:
 *   process/  HMMs, catalogue, sampling, exact beliefs, MSP, entropy (Float64Array)
 *   model/    HookedTransformer on jax-js, TransformerLens hook names, activation cache
 *   train/    optimizers, the training loop, checkpoints, runs on processes, evaluation
 *   probe/    linear probes to beliefs with controls (Float64Array)
 *   geometry/ plot/  projections to the simplex, figures (SVG, PNG)
 *   pipeline/ the demo experiment
 */
export * from "./process/index.js";
export { initEngine, engineDevice, type EngineDevice } from "./engine/jax.js";
export * from "./model/config.js";
export * from "./model/hooks.js";
export { parameterSpecs, initialStateDict, type StateDict, type HostTensor, type ParamSpec } from "./model/params.js";
export { ActivationCache } from "./model/cache.js";
export { HookedTransformer, defaultCacheNames, type RunWithCacheOptions, type RunResult } from "./model/transformer.js";
export { forward, crossEntropy, type Params, type HookFn } from "./model/forward.js";
export * from "./train/optimizer.js";
export * from "./train/trainer.js";
export * from "./train/safetensors.js";
export * from "./train/checkpoint.js";
export * from "./train/run.js";
export * from "./train/evaluate.js";
export { batchArrays, nextTokenLoss, lossAndGrad, type TokenBatch } from "./train/objective.js";
export * from "./probe/linearRegression.js";
export * from "./probe/scores.js";
export * from "./probe/split.js";
export * from "./probe/beliefProbe.js";
export * from "./geometry/simplex.js";
export * from "./geometry/colour.js";
export * from "./plot/beliefFigure.js";
export * from "./plot/lossCurve.js";
export * from "./plot/png.js";
export { runDemo, DEMO_DEFAULTS, type DemoOptions, type DemoResult } from "./pipeline/demo.js";
export { ArgumentError } from "./util/errors.js";
export { Rng, deriveSeed } from "./util/rng.js";
export { warn, warningCount, resetWarnings } from "./util/warn.js";
export { VERSION } from "./version.js";
