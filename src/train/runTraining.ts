/**
 * A durable training run of any registered architecture on any data, the part
 * every kind of run shares (trainOnProcess on a process, trainLanguageModel on
 * a tokenized corpus): a new run or a resumed one checked against its saved
 * settings, the model (initial or from the latest checkpoint), the fast engine
 * when one supports the model, the loop (trainer.ts), metrics appended before
 * the checkpoint that covers them, resumable checkpoints plus log-spaced
 * weight snapshots, evaluations at chosen steps (recorded in that step's
 * metrics line), and the final model. Without a store nothing is written.
 *
 * The data side is the caller's: it builds a new run's settings, says how its
 * data differs from a saved run's, and makes the training task for a model.
 */
import { ArgumentError } from "../util/errors.js";
import { warn } from "../util/warn.js";
import type { EngineDevice } from "../engine/jax.js";
import { createModel, getArchitecture, modelFromStateDict } from "../model/registry.js";
import { modelToFiles } from "../model/files.js";
import type { SequenceModel } from "../model/sequenceModel.js";
import { chooseFastEngine, type EngineChoice } from "./fastEngines.js";
import { logSpacedSteps, makeTrainingConfig, settingDifferences, type RunFile, type TrainingConfig, type TrainingOverrides } from "./runConfig.js";
import type { CheckpointPolicy, RunStore } from "./runStore.js";
import { train, type StepMetrics, type TrainerEvents, type TrainingSnapshot, type TrainTask } from "./trainer.js";

/** What the caller asked for, as given: checked against a saved run when resuming. */
export interface RunRequest {
  readonly arch?: string;
  readonly model?: Readonly<Record<string, unknown>>;
  readonly preset?: string;
  readonly training?: TrainingOverrides;
}

/** Held-out measures at chosen steps, from the weights after that step. */
export interface RunEvaluation {
  /** Evaluate after these steps (1-based counts of updates done); the last step is always evaluated. */
  readonly steps: (done: number) => boolean;
  /** The measures, e.g. { loss, perplexity }; recorded as that step's `validation`. */
  run(snapshot: TrainingSnapshot): Promise<Readonly<Record<string, number>>>;
}

export interface RunTrainingSpec {
  /** The public function, for errors. */
  readonly fn: string;
  readonly request: RunRequest;
  readonly store?: RunStore;
  /** Continue the run in `store`; only training.steps may change (grow). */
  readonly resume?: boolean;
  readonly device?: EngineDevice;
  readonly engine?: EngineChoice;
  readonly events?: Pick<TrainerEvents, "onStart" | "onStep" | "shouldStop">;
  /** The settings of a new run (called only when there is no saved run). */
  newRun(): RunFile;
  /** Names of the data settings ("process", "data.corpus", ...) in which the request differs from a saved run. */
  dataDifferences?(saved: RunFile): string[];
  /** The task training `model` on the run's data, and the loss relativeLoss is measured against. */
  prepare(model: SequenceModel, run: RunFile): { task: TrainTask; referenceLoss?: number } | Promise<{ task: TrainTask; referenceLoss?: number }>;
  /** Fields for the final model's config.json besides the architecture's (e.g. the process). */
  modelExtra?(run: RunFile): Record<string, unknown>;
  readonly evaluation?: RunEvaluation;
}

/** What a caller gives to start or continue a run: the model, the training, the store and the engine. */
export interface TrainRunOptions {
  /** Registered architecture. Default "transformer" (or the run's, when resuming). */
  readonly arch?: string;
  /** Config fields over the preset. */
  readonly model?: Readonly<Record<string, unknown>>;
  /** A preset of the architecture. */
  readonly preset?: string;
  readonly training?: TrainingOverrides;
  /** Where the run lives; without one nothing is written. */
  readonly store?: RunStore;
  /**
   * Continue the run in `store` from its latest checkpoint. Its settings come from the store;
   * settings given here must equal them (only `training.steps` may grow), or the call is refused
   * naming them.
   */
  readonly resume?: boolean;
  /** jax-js backend for the model. */
  readonly device?: EngineDevice;
  /** "auto" (default): a fused engine when one supports the model, else jax-js; "jax"; "fast". */
  readonly engine?: EngineChoice;
  readonly events?: Pick<TrainerEvents, "onStart" | "onStep" | "shouldStop">;
}

export interface RunTrainingResult {
  readonly model: SequenceModel;
  readonly run: RunFile;
  readonly training: TrainingConfig;
  /** Metrics of every step of the run so far (earlier calls' from the store when resuming). */
  readonly metrics: StepMetrics[];
  readonly stepsThisCall: number;
  readonly seconds: number;
  readonly resumedFromStep: number;
  /** "jax-js" or a fast engine's name. */
  readonly engine: string;
  readonly stopped: boolean;
  readonly referenceLoss: number | undefined;
  /** When resuming: checkpoints skipped (and why) and what was odd about the run folder; empty otherwise. */
  readonly resumeNotes: readonly string[];
}

/** The settings of a new run: the architecture's config over its preset, the training config with its schedule horizon fixed. */
export function newRunSettings(request: RunRequest, defaults: Readonly<Record<string, unknown>>): Pick<RunFile, "architecture" | "model" | "training"> {
  const arch = getArchitecture(request.arch ?? "transformer", "newRunSettings");
  const model = arch.makeConfig({ ...defaults, ...request.model }, request.preset);
  const training = makeTrainingConfig(request.training);
  return {
    architecture: arch.name,
    model: model as unknown as Record<string, unknown>,
    training: training.scheduleSteps === 0 ? makeTrainingConfig({ ...request.training, scheduleSteps: training.steps }) : training,
  };
}

/** The saved run, checked against the request (only training.steps may grow), with its steps extended. */
export function resumedRunFile(saved: RunFile, request: RunRequest, dataDifferences: readonly string[], location: string, fn: string): RunFile {
  const arch = getArchitecture(saved.architecture, fn);
  const differing: string[] = [...dataDifferences];
  if (request.arch !== undefined && request.arch !== saved.architecture) differing.push("arch");
  if (request.model || request.preset) {
    const asked = arch.makeConfig({ ...saved.model, ...request.model }, request.preset);
    differing.push(...settingDifferences(saved.model, asked).map((p) => `model.${p}`));
  }
  const t = request.training ?? {};
  const savedTraining = saved.training as unknown as Record<string, unknown>;
  for (const [key, value] of Object.entries(t)) {
    if (key === "steps") continue;
    if (key === "optimizer") {
      for (const [k, v] of Object.entries(value as Record<string, unknown>)) {
        if ((saved.training.optimizer as unknown as Record<string, unknown>)[k] !== v) differing.push(`training.optimizer.${k}`);
      }
    } else if (savedTraining[key] !== value) differing.push(`training.${key}`);
  }
  if (t.steps !== undefined && t.steps < saved.training.steps) differing.push("training.steps (may only grow)");
  const unique = [...new Set(differing)];
  if (unique.length > 0) {
    throw new ArgumentError({
      fn,
      argument: "resume",
      received: `settings that differ from the run in ${location}: ${unique.join(", ")}`,
      expected: "the settings the run was started with (only steps may grow)",
      hint: "Resume with no settings but --steps, or start a new run in another folder.",
    });
  }
  // Runs from version 1 had no recorded schedule horizon: it was their step count.
  const scheduleSteps = saved.training.scheduleSteps || saved.training.steps;
  return { ...saved, training: makeTrainingConfig({ ...saved.training, steps: Math.max(saved.training.steps, t.steps ?? 0), scheduleSteps }) };
}

/** Where a resumed run continues: the newest resumable checkpoint whose files and metrics validate. */
export interface ResumePoint {
  readonly snapshot: TrainingSnapshot | null;
  /** What was skipped and why, and what was odd about the folder (each also warned). */
  readonly notes: string[];
}

/**
 * The newest checkpoint that validates: its files load (state.json, both safetensors files), and
 * metrics.jsonl has its step's line. Each one skipped is named with the reason. With none and
 * existing checkpoints, refuse: retraining from step 0 would throw away work that exists.
 */
export async function findResumePoint(store: RunStore, fn: string): Promise<ResumePoint> {
  const { candidates, notes } = await store.resumableCheckpoints();
  const logged = new Set((await store.readMetrics()).map((m) => m.step));
  const skipped: string[] = [];
  for (const c of candidates) {
    if (!logged.has(c.step)) {
      skipped.push(`${c.name} (metrics.jsonl has no line for step ${c.step})`);
      continue;
    }
    try {
      const snapshot = await c.load();
      return { snapshot, notes: [...notes, ...skipped.map((s) => `skipped checkpoint ${s}; resuming from ${c.name}`)] };
    } catch (err) {
      skipped.push(`${c.name} (${(err as Error).message})`);
    }
  }
  const weights = (await store.checkpointSteps()).filter((s) => s > 0);
  if (skipped.length > 0 || weights.length > 0) {
    throw new ArgumentError({
      fn,
      argument: "resume",
      received: `a run in ${store.location} with no resumable checkpoint that validates${skipped.length ? `: skipped ${skipped.join("; ")}` : ` (checkpoints at steps ${weights.join(", ")} hold weights only)`}`,
      expected: "a checkpoint with its weights, optimizer state and metrics",
      hint: "Retraining from step 0 would replace the work recorded there: restore the damaged files, or start a new run in another folder.",
    });
  }
  return { snapshot: null, notes };
}

/** The run's settings and where it starts: new, or resumed from the newest valid checkpoint (history before it kept). */
async function openRun(spec: RunTrainingSpec): Promise<{ run: RunFile; resumeFrom?: TrainingSnapshot; earlierMetrics: StepMetrics[]; notes: string[] }> {
  const { fn, store } = spec;
  const saved = store ? await store.readRun() : null;
  if (saved && !spec.resume) {
    throw new ArgumentError({
      fn,
      argument: "store",
      received: `${store!.location}, which already holds a run`,
      expected: "a new or empty run folder",
      hint: "Pass resume: true (--resume) to continue that run, or choose another folder.",
    });
  }
  if (spec.resume && !saved) {
    throw new ArgumentError({ fn, argument: "store", received: store ? `${store.location} with no run in it` : "no store", expected: "a run folder to resume", hint: "Drop --resume to start a new run there." });
  }
  if (!saved) {
    const run = spec.newRun();
    if (store) {
      await store.writeRun(run);
      await store.writeMetrics([]);
    }
    return { run, earlierMetrics: [], notes: [] };
  }
  const run = resumedRunFile(saved, spec.request, spec.dataDifferences?.(saved) ?? [], store!.location, fn);
  const point = await findResumePoint(store!, fn);
  for (const note of point.notes) warn(note);
  const resumeFrom = point.snapshot ?? undefined;
  const step = resumeFrom?.step ?? 0;
  await store!.writeRun(run);
  // Lines after the checkpoint describe steps about to be recomputed (a kill's lost work); earlier lines stay byte for byte.
  await store!.keepMetricsUpTo(step);
  return { run, resumeFrom, earlierMetrics: await store!.readMetrics(step), notes: point.notes };
}

/** A failed write of the run (a full disk, a removed folder) as a sentence naming the last complete checkpoint. */
function storeWriteError(err: unknown, store: RunStore, fn: string, what: string, lastCheckpoint: number): unknown {
  const code = (err as NodeJS.ErrnoException)?.code;
  if (typeof code !== "string" || !/^E[A-Z]+$/.test(code)) return err;
  const why = code === "ENOSPC" || code === "EDQUOT" ? "no space left on the device" : `${code} (${(err as Error).message})`;
  return new ArgumentError({
    fn,
    argument: store.location,
    received: `a write that failed while saving ${what}: ${why}`,
    expected: "room to write the run's files",
    hint: lastCheckpoint > 0
      ? `The run folder keeps its last complete checkpoint (step ${lastCheckpoint}); free space, then continue it with --resume (\`beliefscope train --resume -o ${store.location}\`).`
      : `No resumable checkpoint was completed yet; free space, then --resume starts the run again from step 0 (\`beliefscope train --resume -o ${store.location}\`).`,
  });
}

export async function runTraining(spec: RunTrainingSpec): Promise<RunTrainingResult> {
  const held = spec.store?.lock ? await spec.store.lock(spec.fn) : undefined;
  try {
    return await runLocked(spec);
  } finally {
    await held?.release();
  }
}

async function runLocked(spec: RunTrainingSpec): Promise<RunTrainingResult> {
  const { fn, store } = spec;
  const { run, resumeFrom, earlierMetrics, notes } = await openRun(spec);
  const training = run.training;
  let lastCheckpoint = resumeFrom?.step ?? 0;

  const model = resumeFrom
    ? await modelFromStateDict(run.architecture, run.model, resumeFrom.params, { device: spec.device })
    : await createModel(run.architecture, { config: run.model, seed: training.seed, device: spec.device });
  const { task, referenceLoss } = await spec.prepare(model, run);

  const logSteps = logSpacedSteps(training.steps);
  const every = training.checkpointEvery;
  // The newest two checkpoints are resumable (with optimizer state); older ones keep their weights
  // when their step is log-spaced, for replaying training.
  const policy: CheckpointPolicy = { keepResumable: 2, keepWeights: (s) => logSteps.has(s) };
  if (store && !resumeFrom) {
    // The initial weights: the untrained-model control and the first frame of a training movie.
    const initial = { step: 0, params: await model.stateDict(), optimizerState: {} };
    await store.saveCheckpoint(initial, policy, true).catch((err) => Promise.reject(storeWriteError(err, store, fn, "the initial weights", 0)));
  }
  const isCheckpoint = (done: number) => (every > 0 && done % every === 0) || logSteps.has(done) || done === training.steps;
  const evaluation = spec.evaluation;
  const isEvaluation = (done: number) => evaluation !== undefined && (evaluation.steps(done) || done === training.steps);

  const fastEngine = chooseFastEngine(spec.engine ?? "auto", run.architecture, model.config, training.optimizer);
  const nPos = model.nCtx;
  const fast = fastEngine
    ? await fastEngine.create({ config: model.config, optimizer: training.optimizer, batchSize: training.batchSize, nPos, params: await model.stateDict(), optimizerState: resumeFrom?.optimizerState })
    : undefined;

  const metrics: StepMetrics[] = [];
  let pending: StepMetrics[] = [];
  let result;
  try {
    result = await train(
      model,
      task,
      {
        totalSteps: training.steps,
        scheduleSteps: training.scheduleSteps || training.steps,
        optimizer: training.optimizer,
        resumeFrom,
        checkpointSteps: store || evaluation ? (done) => (store !== undefined && isCheckpoint(done)) || isEvaluation(done) : undefined,
        referenceLoss,
        fast,
      },
      {
        onStart: spec.events?.onStart,
        shouldStop: spec.events?.shouldStop,
        onStep: (m) => {
          metrics.push(m);
          pending.push(m);
          spec.events?.onStep?.(m);
        },
        onCheckpoint: async (snapshot) => {
          if (isEvaluation(snapshot.step)) {
            const validation = await evaluation!.run(snapshot);
            // The step's line carries its evaluation (it is the last one pushed: onStep runs first).
            const k = metrics.length - 1;
            if (k >= 0 && metrics[k].step === snapshot.step) {
              metrics[k] = { ...metrics[k], validation };
              if (pending.length > 0) pending[pending.length - 1] = metrics[k];
            }
          }
          // Called for an evaluation only: no checkpoint (a pause, shouldStop, is saved whatever the step).
          if (!store || (!isCheckpoint(snapshot.step) && spec.events?.shouldStop?.() !== true)) return;
          // Metrics first, then the checkpoint that covers them: a kill in between leaves extra
          // lines, which resuming drops, never a checkpoint whose metrics are missing.
          try {
            await store.appendMetrics(pending);
            pending = [];
            // Saved whole; the policy keeps optimizer state on the newest two only.
            await store.saveCheckpoint(snapshot, policy);
          } catch (err) {
            throw storeWriteError(err, store, fn, `step ${snapshot.step}`, lastCheckpoint);
          }
          lastCheckpoint = snapshot.step;
        },
      },
    );
  } finally {
    fast?.dispose();
  }
  if (store) {
    try {
      await store.appendMetrics(pending);
      await store.saveModel(await modelToFiles(model, { step: (resumeFrom?.step ?? 0) + result.steps, ...spec.modelExtra?.(run) }));
    } catch (err) {
      throw storeWriteError(err, store, fn, "the final model", lastCheckpoint);
    }
  }
  return {
    model,
    run,
    training,
    metrics: [...earlierMetrics, ...metrics],
    stepsThisCall: result.steps,
    seconds: result.seconds,
    resumedFromStep: resumeFrom?.step ?? 0,
    engine: result.engine,
    stopped: result.stopped,
    referenceLoss,
    resumeNotes: notes,
  };
}
