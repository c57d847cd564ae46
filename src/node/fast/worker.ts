/**
 * A worker rank of createParallelFastTrainer: owns one network, trains on its
 * slice of each batch and reduces gradients through the shared buffer
 * (src/engine/fast/shared.ts). Blocks in Atomics.wait between steps.
 */
import { parentPort, workerData } from "node:worker_threads";
import type { TransformerConfig } from "../../model/transformer/config.js";
import type { OptimizerConfig } from "../../train/optimizer.js";
import type { KernelFlavour } from "../../engine/fast/kernels.js";
import { FastNetwork } from "../../model/transformer/fast/network.js";
import { awaitAllPublished, awaitStep, Command, computeAndPublish, markFailed, reduceAndUpdate, sharedViews, type SharedLayout } from "../../train/fast/shared.js";
import { optimizerStateNames } from "../../train/fast/update.js";

export interface WorkerInit {
  readonly module: WebAssembly.Module;
  readonly flavour: KernelFlavour;
  readonly buffer: SharedArrayBuffer;
  readonly layout: SharedLayout;
  readonly rank: number;
  readonly config: TransformerConfig;
  readonly optimizer: OptimizerConfig;
  readonly maxSeqs: number;
  /** Flat parameters and optimizer state (the network layout). */
  readonly params: Float32Array;
  readonly state: Record<string, Float32Array>;
}

async function main(init: WorkerInit): Promise<void> {
  const { layout, rank, optimizer } = init;
  const net = await FastNetwork.create(
    { module: init.module, flavour: init.flavour },
    { config: init.config, maxSeqs: init.maxSeqs, nPos: layout.nPos, stateNames: optimizerStateNames(optimizer), reduceScratch: true },
  );
  net.paramsView().set(init.params);
  for (const [name, data] of Object.entries(init.state)) net.stateView(name).set(data);
  const v = sharedViews(init.buffer, layout);
  parentPort!.postMessage({ ready: true, memoryBytes: net.memoryBytes });
  for (let gen = 1; ; gen++) {
    const command = awaitStep(v, gen);
    if (command === Command.exit) return;
    try {
      computeAndPublish(v, net, rank, gen);
      awaitAllPublished(v, gen);
      reduceAndUpdate(v, net, rank, gen, command, optimizer, net.scratch);
    } catch (err) {
      markFailed(v, rank);
      throw err;
    }
  }
}

await main(workerData as WorkerInit);
