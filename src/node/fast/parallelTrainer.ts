/**
 * The fast trainer on several threads (Node worker_threads): the batch is split
 * into near-equal slices of sequences, one per thread (this thread is rank 0),
 * and gradients are summed through a SharedArrayBuffer (src/engine/fast/shared.ts)
 * with one barrier per step. Each thread holds its own copy of the parameters and
 * optimizer state and applies the same update, so the copies stay identical.
 * Equals the single-threaded trainer up to float summation order.
 */
import { availableParallelism } from "node:os";
import type { Worker } from "node:worker_threads";
import { ArgumentError, checkInteger } from "../../util/errors.js";
import { compileKernels, engineName } from "../../engine/fast/kernels.js";
import { unpackStateDict } from "../../model/transformer/fast/layout.js";
import {
  awaitAllPublishedAsync, Command, computeAndPublish, markFailed, nextGeneration, reduceAndUpdate, sharedBytes, sharedViews,
  startStep, writeScalars, type CommandCode, type SharedLayout,
} from "../../train/fast/shared.js";
import {
  checkTokens, checkTrainerOptions, createFastTrainer, createTrainingNetwork, optimizerStateOf,
  type FastTrainer, type FastTrainerOptions, type LossAndGrad,
} from "../../train/fast/trainer.js";
import { checkScalars, optimizerStateNames } from "../../train/fast/update.js";
import type { WorkerInit } from "./worker.js";
import { enableRelaxedSimd } from "./relaxedSimd.js";
import { startWorker } from "./spawn.js";

/** Threads by default: one per core, at most one per sequence. */
export function defaultThreads(batchSize: number): number {
  return Math.max(1, Math.min(availableParallelism(), batchSize, 64));
}


/**
 * A fast trainer on `threads` threads (default: one per core, here 2). With one
 * thread it is createFastTrainer's. Enables relaxed SIMD in V8 when it can.
 * Memory: each thread holds the parameters, gradients and optimizer state plus
 * the activations of its slice; the shared buffer holds 2 gradients per thread.
 */
export async function createParallelFastTrainer(o: FastTrainerOptions): Promise<FastTrainer> {
  const fn = "createParallelFastTrainer";
  checkTrainerOptions(fn, o);
  const threads = checkInteger(fn, "threads", o.threads ?? defaultThreads(o.batchSize), 1, 64);
  if (threads > o.batchSize) {
    throw new ArgumentError({ fn, argument: "threads", received: String(threads), expected: `at most batchSize = ${o.batchSize} (one sequence per thread at least)` });
  }
  if (!o.flavour) enableRelaxedSimd();
  if (threads === 1) return createFastTrainer({ ...o, threads: 1 });
  const compiled = await compileKernels(o.flavour);
  const { config, optimizer, batchSize, nPos } = o;
  const maxSeqs = Math.ceil(batchSize / threads);
  const rank0 = await createTrainingNetwork(fn, compiled, o, maxSeqs, true);
  const layout: SharedLayout = { ranks: threads, batch: batchSize, nPos, paramFloats: rank0.layout.size };
  const buffer = new SharedArrayBuffer(sharedBytes(layout));
  const v = sharedViews(buffer, layout);

  let failure: Error | null = null;
  let disposing = false;
  const workers: Worker[] = [];
  const ready: Promise<number>[] = [];
  for (let rank = 1; rank < threads; rank++) {
    const init: WorkerInit = {
      module: compiled.module,
      flavour: compiled.flavour,
      buffer,
      layout,
      rank,
      config,
      optimizer,
      maxSeqs,
      params: rank0.paramsView().slice(),
      state: Object.fromEntries(optimizerStateNames(optimizer).map((s) => [s, rank0.stateView(s).slice()])),
    };
    const w = startWorker("worker", init);
    workers.push(w);
    ready.push(
      new Promise<number>((resolve, reject) => {
        w.once("message", (m: { ready?: boolean; memoryBytes?: number }) => (m.ready ? resolve(m.memoryBytes ?? 0) : reject(new Error(`${fn}: worker ${rank} did not start`))));
        w.once("error", reject);
      }),
    );
    w.on("error", (err) => {
      failure ??= new Error(`${fn}: worker ${rank} failed: ${err.message}`);
      markFailed(v, rank);
    });
    w.on("exit", (code) => {
      if (!disposing) {
        failure ??= new Error(`${fn}: worker ${rank} exited (code ${code})`);
        markFailed(v, rank);
      }
    });
  }
  let workerBytes: number[];
  try {
    workerBytes = await Promise.all(ready);
  } catch (err) {
    disposing = true;
    for (const w of workers) void w.terminate();
    throw err;
  }
  for (const w of workers) w.unref();

  let busy = false;
  const run = async (tokens: Int32Array, command: CommandCode, scalars: Record<string, number> | null, what: string): Promise<number> => {
    if (disposing) throw new Error(`${what}: the trainer was disposed`);
    if (failure) throw failure;
    if (busy) throw new Error(`${what}: the previous step has not finished; await each step before the next`);
    checkTokens(what, tokens, batchSize, nPos, config.dVocab);
    if (scalars) checkScalars(what, optimizer, scalars);
    busy = true;
    // A pending Atomics.waitAsync does not keep Node's event loop alive; the workers do, during a step.
    for (const w of workers) w.ref();
    try {
      v.tokens.set(tokens);
      const gen = nextGeneration(v);
      if (scalars) writeScalars(v, gen, scalars);
      startStep(v, command);
      try {
        computeAndPublish(v, rank0, 0, gen);
      } catch (err) {
        // Release the workers waiting at the barrier; the trainer is unusable from here.
        failure ??= err as Error;
        markFailed(v, 0);
        throw err;
      }
      await awaitAllPublishedAsync(v, gen, () => failure);
      return reduceAndUpdate(v, rank0, 0, gen, command, optimizer, rank0.scratch);
    } finally {
      busy = false;
      for (const w of workers) w.unref();
    }
  };

  return {
    engine: engineName(compiled.flavour),
    threads,
    memoryBytes: rank0.memoryBytes + workerBytes.reduce((a, b) => a + b, 0) + buffer.byteLength,
    step: (tokens, scalars) => run(tokens, Command.step, scalars, "FastTrainer.step"),
    async lossAndGrad(tokens): Promise<LossAndGrad> {
      const loss = await run(tokens, Command.lossAndGrad, null, "FastTrainer.lossAndGrad");
      return { loss, grads: unpackStateDict(config, rank0.layout, rank0.gradsView()) };
    },
    stateDict: () => unpackStateDict(config, rank0.layout, rank0.paramsView()),
    optimizerState: () => optimizerStateOf(rank0, optimizer),
    dispose() {
      if (disposing) return;
      disposing = true;
      startStep(v, Command.exit);
      for (const w of workers) void w.terminate();
    },
  };
}
