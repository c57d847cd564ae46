/**
 * The training loop. It knows no model (minGPT's Trainer): it gets a pure
 * loss over a parameter tree, a data source that is a pure function of the
 * step number, and typed event callbacks. One jitted function does the
 * forward pass, the backward pass and the optimizer update.
 */
import { jit, tree, valueAndGrad, numpy as np } from "@jax-js/jax";
import { ArgumentError, checkInteger } from "../util/errors.js";
import { toDevice, toHost } from "../engine/hostTensor.js";
import type { Params } from "../model/forward.js";
import type { HostTensor, StateDict } from "../model/params.js";
import { learningRateAt, makeOptimizer, type OptimizerConfig, type OptState } from "./optimizer.js";

/** A device batch: named arrays passed to the loss. */
export type DeviceBatch = Record<string, np.Array>;

export interface TrainTask {
  /** Mean loss of `params` on `batch` (consumes both). */
  loss(params: Params, batch: DeviceBatch): np.Array;
  /** The batch for 0-based step `step`: a pure function of the step, so a resumed run sees the same data. */
  batch(step: number): { arrays: DeviceBatch; tokens: number };
}

/** What the trainer needs from a model: its parameters in and out. */
export interface ParamHolder {
  paramsRef(): Params;
  setParams(params: Params): void;
  stateDict(): StateDict;
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
}

export interface TrainerEvents {
  onStart?(info: { readonly startStep: number; readonly totalSteps: number }): void;
  onStep?(metrics: StepMetrics): void;
  /** Called at checkpoint steps with host copies; awaited before training goes on. */
  onCheckpoint?(snapshot: TrainingSnapshot): Promise<void> | void;
}

/** Everything needed to resume: parameters, optimizer state, step. */
export interface TrainingSnapshot {
  readonly step: number;
  readonly params: StateDict;
  /** Optimizer state as "<state>/<param>" -> tensor, e.g. "m/embed.W_E". */
  readonly optimizerState: Record<string, HostTensor>;
}

export interface TrainerOptions {
  readonly totalSteps: number;
  readonly optimizer: OptimizerConfig;
  /** Resume from this snapshot (its step is the number of updates already done). */
  readonly resumeFrom?: TrainingSnapshot;
  /** Call onCheckpoint every this many steps (and at the end); 0 = only at the end. */
  readonly checkpointEvery?: number;
  /** Optimal loss, for StepMetrics.relativeLoss. */
  readonly referenceLoss?: number;
}

export interface TrainResult {
  readonly steps: number;
  readonly lastLoss: number;
  readonly seconds: number;
}

function stateToHost(state: OptState): Record<string, HostTensor> {
  const out: Record<string, HostTensor> = {};
  for (const [s, params] of Object.entries(state)) {
    for (const [name, arr] of Object.entries(params)) out[`${s}/${name}`] = toHost(arr);
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

export async function train(model: ParamHolder, task: TrainTask, options: TrainerOptions, events: TrainerEvents = {}): Promise<TrainResult> {
  const fn = "train";
  const totalSteps = checkInteger(fn, "totalSteps", options.totalSteps, 0);
  const every = checkInteger(fn, "checkpointEvery", options.checkpointEvery ?? 0, 0);
  const optimizer = makeOptimizer(options.optimizer);
  const startStep = options.resumeFrom?.step ?? 0;
  if (startStep > totalSteps) {
    throw new ArgumentError({ fn, argument: "resumeFrom.step", received: String(startStep), expected: `at most totalSteps = ${totalSteps}` });
  }
  let params = model.paramsRef();
  const paramNames = Object.keys(params);
  let state = options.resumeFrom ? stateFromHost(options.resumeFrom.optimizerState, optimizer.stateNames, paramNames) : optimizer.init(params);

  const lossGrad = valueAndGrad(task.loss);
  const step = jit((p: Params, s: OptState, batch: DeviceBatch, scalars: Record<string, np.Array>) => {
    const [loss, grads] = lossGrad(tree.ref(p), batch);
    const [nextParams, nextState] = optimizer.update(grads, s, p, scalars);
    return { loss, params: nextParams, state: nextState };
  });

  const snapshot = (k: number): TrainingSnapshot => {
    model.setParams(tree.ref(params) as Params);
    return { step: k, params: model.stateDict(), optimizerState: stateToHost(state) };
  };

  events.onStart?.({ startStep, totalSteps });
  const t0 = performance.now();
  let lastLoss = NaN;
  try {
    for (let k = startStep; k < totalSteps; k++) {
      const ts = performance.now();
      const lr = learningRateAt(optimizer.config, k, totalSteps);
      const host = optimizer.scalars(k + 1, lr);
      const scalars = Object.fromEntries(Object.entries(host).map(([name, v]) => [name, np.array(v, { dtype: np.float32 })]));
      const { arrays, tokens } = task.batch(k);
      const out = step(params, state, arrays, scalars);
      params = out.params;
      state = out.state;
      lastLoss = out.loss.item(); // forces the step to finish
      if (!Number.isFinite(lastLoss)) {
        throw new Error(`train: the loss became ${lastLoss} at step ${k + 1}; lower the learning rate or enable gradClip.`);
      }
      const seconds = (performance.now() - ts) / 1000;
      events.onStep?.({
        step: k + 1,
        loss: lastLoss,
        relativeLoss: options.referenceLoss ? lastLoss / options.referenceLoss - 1 : null,
        learningRate: lr,
        seconds,
        tokensPerSecond: tokens / seconds,
      });
      const done = k + 1;
      if (events.onCheckpoint && ((every > 0 && done % every === 0) || done === totalSteps)) {
        await events.onCheckpoint(snapshot(done));
      }
    }
  } finally {
    step.dispose();
    model.setParams(params);
    tree.dispose(state);
  }
  return { steps: totalSteps - startStep, lastLoss, seconds: (performance.now() - t0) / 1000 };
}
