/**
 * Mechanisms: how a single layer of (linear) attention builds the belief fractal.
 *   patternFit.ts      how far each head's pattern is one fixed query-by-key matrix
 *   decomposition.ts   the last residual as a sum of attention-weighted OV images (checked to reconstruct)
 *   bestOperator.ts    the least-squares best map from one-hot token histories to exact beliefs
 *   construct.ts       a 1-layer linear-attention transformer whose weights are computed from the HMM
 *   analyze.ts         all of the above for a trained model
 * Pure and browser-safe; host arrays are Float64Array.
 */
export * from "./types.js";
export { fitFixedPattern } from "./patternFit.js";
export { fixedPatternAblation } from "./fixedPatternAblation.js";
export { decomposeResidual, decompositionInBeliefs, partialSums, ovCircuits, type BeliefDecomposition, type DecomposeOptions } from "./decomposition.js";
export { bestLinearOperator, applyLinearOperator } from "./bestOperator.js";
export { constructLinearAttention, CONSTRUCT_DEFAULTS } from "./construct.js";
export { analyzeLinearAttention } from "./analyze.js";
export { parameterSweep, interpolationSweep, interpolateProcesses, type ProcessSweep } from "./sweep.js";
export { mechanismAnimation, ANIMATION_DEFAULTS, type AnimationOptions, type AnimationFrame } from "./animation.js";
export { mechanismReport, type MechanismReport, type ReportLoss } from "./report.js";
export { trainingMovie, type MovieOptions, type MovieFrame, type MoviePlan } from "./movie.js";
