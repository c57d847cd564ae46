/**
 * beliefscope, the core: belief-state geometry in sequence models trained on
 * hidden Markov processes. Browser-safe (no Node built-ins); files, PNG,
 * run folders and the command line are in `beliefscope/node`.
 *   process/   HMMs and generalized HMMs, catalogue, exact beliefs, MSP, entropy (Float64Array)
 *   engine/    jax-js backends (wasm, WebGPU), host<->device copies, fused kernels
 *   model/     SequenceModel, the architecture registry, TransformerLens hook names
 *   train/     optimizers, the training loop, runs on processes (RunStore), evaluation
 *   probe/     linear probes to beliefs with controls and verdicts (Float64Array)
 *   recover/   hidden Markov models recovered from a trained model alone, scored against a known process
 *   geometry/ plot/  projections to the simplex, figures (SVG)
 *   pipeline/  whole experiments (the demo, the ladder)
 */
export * from "./process/index.js";
export { defaultEngineDevice, engineDevice, ensureEngine, initEngine, ENGINE_DEVICES, type EngineDevice } from "./engine/jax.js";
export * from "./model/index.js";
export * from "./train/index.js";
export * from "./probe/index.js";
export * from "./recover/index.js";
export * from "./mechanism/index.js";
export * from "./geometry/simplex.js";
export * from "./geometry/colour.js";
export * from "./plot/beliefFigure.js";
export * from "./plot/lossCurve.js";
export * from "./plot/spectrum.js";
export * from "./plot/hmmGraph.js";
export * from "./util/safetensors.js";
export { runDemo, DEMO_DEFAULTS, type DemoOptions, type DemoResult } from "./pipeline/demo.js";
export * from "./language/index.js";
export { analyzeLanguageModel, LM_ANALYSIS_BOUNDS, type LmAnalysisOptions, type LmAnalysisResult, type LmAnalysisBounds, type GrammarStateDecoding, type GrammarFactorProbe } from "./pipeline/lmAnalysis.js";
export { runLadder, ladderJson, LADDER_DEFAULTS, type LadderOptions, type LadderResult, type LadderRow, type LadderWorkspace } from "./pipeline/ladder.js";
export { LADDER_RUNGS, selectRungs, type LadderRung } from "./pipeline/ladderRungs.js";
export { memoryLadderWorkspace } from "./pipeline/ladderWorkspace.js";
export { ArgumentError } from "./util/errors.js";
export type { Rows } from "./util/rows.js";
export { Rng, deriveSeed } from "./util/rng.js";
export { warn, warningCount, resetWarnings } from "./util/warn.js";
export { VERSION } from "./version.js";
