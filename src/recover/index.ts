/** Recovery of hidden Markov models from trained sequence models, its evaluation against a known process, and baselines from tokens alone. */
export * from "./recoverHmm.js";
export * from "./stateCount.js";
export * from "./closedForm.js";
export * from "./simplex.js";
export * from "./refine.js";
export * from "./modelData.js";
export * from "./hungarian.js";
export * from "./linearPresentation.js";
export * from "./report.js";
export * from "./evaluation/evaluate.js";
export * from "./evaluation/modelWords.js";
export * from "./baselines/baumWelch.js";
export * from "./baselines/spectral.js";
export * from "./presentations.js";
export * from "./recoveryFiles.js";
