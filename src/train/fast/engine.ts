/**
 * The fused transformer trainer as a FastEngine for the training loop: one
 * thread, browser-safe (beliefscope/node registers a multi-threaded one over
 * it). Registered for "transformer" by fastEngines.ts, so trainOnProcess uses
 * it whenever fastTrainerSupport accepts the config and optimizer.
 */
import type { TransformerConfig } from "../../model/transformer/config.js";
import type { FastEngine } from "../fastEngines.js";
import { engineName, supportedFlavours } from "../../engine/fast/kernels.js";
import { fastTrainerSupport } from "./support.js";
import { createFastTrainer } from "./trainer.js";

export const singleThreadFastEngine: FastEngine = {
  get name() {
    return engineName(supportedFlavours()[0] ?? "simd");
  },
  supports: (config, optimizer) => fastTrainerSupport(config as unknown as TransformerConfig, optimizer),
  create: (r) => createFastTrainer({ config: r.config as unknown as TransformerConfig, optimizer: r.optimizer, batchSize: r.batchSize, nPos: r.nPos, params: r.params, optimizerState: r.optimizerState }),
};
