/**
 * The fast engine: fused wasm SIMD kernels for the transformer's training step
 * (forward, backward, optimizer), tested against the jax-js reference path
 * (test/engine/). Models or optimizers it does not implement are reported by
 * fastTrainerSupport and stay on jax-js. Browser-safe.
 */
export { fastModelSupport, type Support } from "../../model/transformer/fast/support.js";
export { fastTrainerSupport } from "./support.js";
export { createFastTrainer, type FastTrainer, type FastTrainerOptions, type LossAndGrad } from "./trainer.js";
export { compileKernels, supportedFlavours, type KernelFlavour } from "../../engine/fast/kernels.js";
export { createFastForward, type FastForward, type FastForwardOptions, type FastForwardResult } from "../../model/transformer/fast/inference.js";
