/**
 * The training loop. It knows no architecture (minGPT's Trainer): it gets a
 * SequenceModel, a pure loss over the model's parameter tree, a data source
 * that is a pure function of the step number, and typed event callbacks.
 * One jitted function does the forward pass, the backward pass and the
 * optimizer update. An optional fast stepper (a fused engine for one
 * architecture) replaces that function behind the same loop.
 */
import { jit, tree, valueAndGrad, numpy as np, type OwnedFunction } from "@jax-js/jax";
import { ArgumentError, checkInteger } from "../util/errors.js";
import { readScalar, toDevice, toHost } from "../engine/hostTensor.js";
import type { Params } from "../model/architecture.js";
import { engineAccess, type SequenceModel } from "../model/sequenceModel.js";
import type { HostTensor, StateDict } from "../model/types.js";
import { learningRateAt, makeOptimizer, type OptimizerConfig, type OptState } from "./optimizer.js";

/** A device batch: named arrays passed to the loss. */
export type DeviceBatch = Record<string, np.Array>;

export interface TrainTask {
  /** Mean loss of `params` on `batch` (consumes both). */
  loss(params: Params, batch: DeviceBatch): np.Array;
  /** Host tokens of 0-based step `step` ([batch, nPos + 1] for next-token tasks): a pure function of the step, so a resumed run sees the same data. */
  hostBatch(step: number): Int32Array;
  /** Device arrays for `loss` from a host batch. */
  deviceBatch(tokens: Int32Array): DeviceBatch;
  /** Tokens trained per step, for tokens/s. */
  readonly tokensPerStep: number;
}

/**
 * A fused training engine for one model (e.g. the transformer's wasm SIMD
 * kernels): one optimizer update per call on the host tokens of a step.
 */
export interface FastStepper {
  /** Engine name for reports, e.g. "fast-wasm-relaxed-simd x2 threads". */
  readonly engine: string;
  /** One update on a host batch (TrainTask.hostBatch); scalars from Optimizer.scalars. Returns the loss before the update. */
  step(tokens: Int32Array, scalars: Record<string, number>): Promise<number> | number;
  stateDict(): StateDict | Promise<StateDict>;
  optimizerState(): Record<string, HostTensor> | Promise<Record<string, HostTensor>>;
  dispose(): void;
}

export interface StepMetrics {
  /** Updates completed (1-based). */
  readonly step: number;
  /** Training loss on this step's batch (nats). */
  readonly loss: number;
  /** loss / referenceLoss - 1 (e.g. 0.01 = 1% above the optimal loss), or null without a reference. */
  readonly relativeLoss: number | null;
  readonly learningRate: number;
  /** Wall time of this step (seconds). */
  readonly seconds: number;
  readonly tokensPerSecond: number;
  /** Held-out measures taken after this step, when the run evaluates here (e.g. { loss, perplexity } on validation text). */
  readonly validation?: Readonly<Record<string, number>>;
}

/** Everything needed to resume: parameters, optimizer state, step. */
export interface TrainingSnapshot {
  readonly step: number;
  readonly params: StateDict;
  /** Optimizer state as "<state>/<param>" -> tensor, e.g. "m/embed.W_E". */
  readonly optimizerState: Record<string, HostTensor>;
}

export interface TrainerEvents {
  onStart?(info: { readonly startStep: number; readonly totalSteps: number; readonly engine: string }): void;
  onStep?(metrics: StepMetrics): void;
  /** Called at the steps of `checkpointSteps` with host copies; awaited before training goes on. */
  onCheckpoint?(snapshot: TrainingSnapshot): Promise<void> | void;
  /** Return true to stop after the current step (pause or stop in a UI); the model keeps the weights so far. */
  shouldStop?(): boolean;
}

export interface TrainerOptions {
  readonly totalSteps: number;
  readonly optimizer: OptimizerConfig;
  /**
   * Steps over which the learning-rate schedule is laid out (warmup and cosine decay); later steps
   * keep the schedule's final rate. Default totalSteps. A run extended past its first horizon keeps
   * the horizon, so the steps already taken keep their learning rates.
   */
  readonly scheduleSteps?: number;
  /** Resume from this snapshot (its step is the number of updates already done). */
  readonly resumeFrom?: TrainingSnapshot;
  /** Call onCheckpoint after these steps (1-based counts of updates done); the last step is always included. */
  readonly checkpointSteps?: ReadonlySet<number> | ((done: number) => boolean);
  /** Optimal loss, for StepMetrics.relativeLoss. */
  readonly referenceLoss?: number;
  /** A fused engine to use instead of the jitted jax-js step. */
  readonly fast?: FastStepper;
}

export interface TrainResult {
  readonly steps: number;
  readonly lastLoss: number;
  readonly seconds: number;
  /** The engine that ran the steps: "jax-js <device>" or the fast engine's name. */
  readonly engine: string;
  /** True when shouldStop ended training early. */
  readonly stopped: boolean;
}

async function stateToHost(state: OptState): Promise<Record<string, HostTensor>> {
  const out: Record<string, HostTensor> = {};
  for (const [s, params] of Object.entries(state)) {
    for (const [name, arr] of Object.entries(params)) out[`${s}/${name}`] = await toHost(arr);
  }
  return out;
}

function stateFromHost(host: Record<string, HostTensor>, stateNames: readonly string[], paramNames: readonly string[]): OptState {
  const state: OptState = {};
  for (const s of stateNames) {
    state[s] = {};
    for (const name of paramNames) {
      const t = host[`${s}/${name}`];
      if (!t) {
        throw new ArgumentError({ fn: "train", argument: "resumeFrom.optimizerState", received: `no "${s}/${name}"`, expected: "the state of the same optimizer and model" });
      }
      state[s][name] = toDevice(t);
    }
  }
  return state;
}

function isCheckpointStep(option: TrainerOptions["checkpointSteps"], done: number, total: number): boolean {
  if (done === total) return true;
  if (!option) return false;
  return typeof option === "function" ? option(done) : option.has(done);
}

function lossError(loss: number, step: number): Error {
  return new ArgumentError({
    fn: "train",
    argument: "optimizer.learningRate",
    received: `a loss of ${loss} at step ${step}`,
    expected: "finite losses",
    hint: "Lower the learning rate (--lr) or enable gradient clipping (--grad-clip).",
  });
}

export async function train(model: SequenceModel, task: TrainTask, options: TrainerOptions, events: TrainerEvents = {}): Promise<TrainResult> {
  const fn = "train";
  const totalSteps = checkInteger(fn, "totalSteps", options.totalSteps, 0);
  const horizon = checkInteger(fn, "scheduleSteps", options.scheduleSteps ?? totalSteps, 0);
  const optimizer = makeOptimizer(options.optimizer);
  const startStep = options.resumeFrom?.step ?? 0;
  if (startStep > totalSteps) {
    throw new ArgumentError({ fn, argument: "resumeFrom.step", received: String(startStep), expected: `at most totalSteps = ${totalSteps}` });
  }
  const access = engineAccess(model);
  const fast = options.fast;
  const engine = fast ? fast.engine : "jax-js";
  events.onStart?.({ startStep, totalSteps, engine });

  let params: Params | null = fast ? null : access.params(model);
  let state: OptState | null = null;
  type StepFn = (p: Params, s: OptState, batch: DeviceBatch, scalars: Record<string, np.Array>) => { loss: np.Array; params: Params; state: OptState };
  let step: OwnedFunction<StepFn> | null = null;
  if (!fast) {
    const paramNames = Object.keys(params!);
    state = options.resumeFrom ? stateFromHost(options.resumeFrom.optimizerState, optimizer.stateNames, paramNames) : optimizer.init(params!);
    const lossGrad = valueAndGrad(task.loss);
    step = jit(((p, s, batch, scalars) => {
      const [loss, grads] = lossGrad(tree.ref(p), batch);
      const [nextParams, nextState] = optimizer.update(grads, s, p, scalars);
      return { loss, params: nextParams, state: nextState };
    }) as StepFn) as OwnedFunction<StepFn>;
  }

  const snapshot = async (k: number): Promise<TrainingSnapshot> => {
    if (fast) return { step: k, params: await fast.stateDict(), optimizerState: await fast.optimizerState() };
    access.setParams(model, tree.ref(params!) as Params);
    return { step: k, params: await model.stateDict(), optimizerState: await stateToHost(state!) };
  };

  const t0 = performance.now();
  let lastLoss = NaN;
  let done = startStep;
  let stopped = false;
  try {
    for (let k = startStep; k < totalSteps; k++) {
      const ts = performance.now();
      const lr = learningRateAt(optimizer.config, k, horizon); // past the horizon: the schedule's final rate
      const host = optimizer.scalars(k + 1, lr);
      const tokens = task.hostBatch(k);
      if (fast) {
        lastLoss = await fast.step(tokens, host);
      } else {
        const scalars = Object.fromEntries(Object.entries(host).map(([name, v]) => [name, np.array(v, { dtype: np.float32 })]));
        const out = step!(params!, state!, task.deviceBatch(tokens), scalars);
        params = out.params;
        state = out.state;
        lastLoss = await readScalar(out.loss); // forces the step to finish
      }
      if (!Number.isFinite(lastLoss)) throw lossError(lastLoss, k + 1);
      done = k + 1;
      const seconds = (performance.now() - ts) / 1000;
      events.onStep?.({
        step: done,
        loss: lastLoss,
        relativeLoss: options.referenceLoss ? lastLoss / options.referenceLoss - 1 : null,
        learningRate: lr,
        seconds,
        tokensPerSecond: task.tokensPerStep / seconds,
      });
      const stopNow = events.shouldStop?.() === true && done < totalSteps;
      if (events.onCheckpoint && (isCheckpointStep(options.checkpointSteps, done, totalSteps) || stopNow)) {
        await events.onCheckpoint(await snapshot(done));
      }
      if (stopNow) {
        stopped = true;
        break;
      }
    }
  } finally {
    if (fast) {
      access.setParams(model, Object.fromEntries(Object.entries(await fast.stateDict()).map(([k, t]) => [k, toDevice(t)])));
    } else {
      step!.dispose();
      access.setParams(model, params!);
      tree.dispose(state!);
    }
  }
  return { steps: done - startStep, lastLoss, seconds: (performance.now() - t0) / 1000, engine, stopped };
}
