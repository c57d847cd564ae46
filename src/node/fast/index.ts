/** Node-only parts of the fast engine: several threads, relaxed SIMD, the ceiling measurement. */
export { createParallelFastTrainer, defaultThreads } from "./parallelTrainer.js";
export { enableRelaxedSimd } from "./relaxedSimd.js";
export { measureCeiling, type Ceiling } from "./ceiling.js";
