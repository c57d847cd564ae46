/**
 * The multi-threaded fused transformer trainer as the preferred FastEngine in
 * Node: importing this module registers it for "transformer" (src/node/index.ts
 * and the command line do). Same support as the core's single-threaded engine.
 */
import { engineName, supportedFlavours } from "../../engine/fast/kernels.js";
import type { TransformerConfig } from "../../model/transformer/config.js";
import { registerFastEngine, type FastEngine } from "../../train/fastEngines.js";
import { fastTrainerSupport } from "../../train/fast/support.js";
import { createParallelFastTrainer, defaultThreads } from "./parallelTrainer.js";

export const parallelFastEngine: FastEngine = {
  get name() {
    return `${engineName(supportedFlavours()[0] ?? "simd")} (threads)`;
  },
  supports: (config, optimizer) => fastTrainerSupport(config as unknown as TransformerConfig, optimizer),
  async create(r) {
    const t = await createParallelFastTrainer({
      config: r.config as unknown as TransformerConfig, optimizer: r.optimizer, batchSize: r.batchSize, nPos: r.nPos,
      params: r.params, optimizerState: r.optimizerState, threads: defaultThreads(r.batchSize),
    });
    return { ...t, engine: `${t.engine} x${t.threads}` };
  },
};

registerFastEngine("transformer", parallelFastEngine);
