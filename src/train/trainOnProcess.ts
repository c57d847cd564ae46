/**
 * Train any registered architecture on a process, with a RunStore that makes
 * the work durable: the run's settings (run.json), one metrics line per step,
 * checkpoints (resumable after a kill, plus log-spaced weight snapshots for
 * replaying training), and the final model. Without a store nothing is kept.
 */
import { ArgumentError, describe } from "../util/errors.js";
import type { EngineDevice } from "../engine/jax.js";
import { createModel, getArchitecture, modelFromStateDict } from "../model/registry.js";
import { modelToFiles } from "../model/files.js";
import type { SequenceModel } from "../model/sequenceModel.js";
import type { Hmm } from "../process/hmm.js";
import { processFromJson, processToJson } from "../process/json.js";
import { myopicEntropy } from "../process/entropy.js";
import { chooseFastEngine, type EngineChoice } from "./fastEngines.js";
import { nextTokenTask } from "./objective.js";
import { processTokens } from "./processData.js";
import { logSpacedSteps, makeTrainingConfig, RUN_FORMAT, RUN_FORMAT_VERSION, settingDifferences, type RunFile, type TrainingConfig, type TrainingOverrides } from "./runConfig.js";
import type { CheckpointPolicy, RunStore } from "./runStore.js";
import { train, type StepMetrics, type TrainerEvents, type TrainingSnapshot } from "./trainer.js";

export interface TrainOnProcessOptions {
  /** Registered architecture. Default "transformer" (or the run's, when resuming). */
  readonly arch?: string;
  /** Config fields over the preset; dVocab defaults to the process's symbols. */
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

export interface TrainOnProcessResult {
  readonly model: SequenceModel;
  readonly process: Hmm;
  readonly run: RunFile;
  readonly training: TrainingConfig;
  /** Optimal expected loss of predicting token t, for t = 0..nCtx (myopic entropy, nats). */
  readonly optimalLossPerPosition: Float64Array;
  /** Its mean over the predicted tokens 1..nCtx: the loss a perfect model reaches. */
  readonly optimalLoss: number;
  /** Metrics of every step of the run so far (earlier calls' from the store when resuming). */
  readonly metrics: StepMetrics[];
  /** Steps run in this call, and how long they took (seconds). */
  readonly stepsThisCall: number;
  readonly seconds: number;
  readonly resumedFromStep: number;
  /** The engine that trained: "jax-js" or a fast engine's name. */
  readonly engine: string;
  /** True when events.shouldStop ended training early. */
  readonly stopped: boolean;
}

/**
 * The optimal loss of a model with nPos positions: it predicts tokens 1..nPos
 * (token t from tokens 0..t-1), so the mean of the myopic entropies h(1..nPos).
 * perPosition[t] = h(t) for t = 0..nPos.
 */
export function optimalTrainingLoss(hmm: Hmm, nPos: number): { perPosition: Float64Array; mean: number } {
  const perPosition = myopicEntropy(hmm, nPos + 1).values;
  const predicted = perPosition.subarray(1);
  return { perPosition, mean: predicted.reduce((a, b) => a + b, 0) / predicted.length };
}

/** The settings a new run starts with. */
function newRunFile(hmm: Hmm, options: TrainOnProcessOptions): RunFile {
  const arch = getArchitecture(options.arch ?? "transformer", "trainOnProcess");
  const model = arch.makeConfig({ dVocab: hmm.nSymbols, ...options.model }, options.preset);
  if (model.dVocab !== hmm.nSymbols) {
    throw new ArgumentError({ fn: "trainOnProcess", argument: "model.dVocab", received: String(model.dVocab), expected: `${hmm.nSymbols}, the number of symbols of ${hmm.name}` });
  }
  const training = makeTrainingConfig(options.training);
  return {
    format: RUN_FORMAT,
    version: RUN_FORMAT_VERSION,
    process: processToJson(hmm),
    architecture: arch.name,
    model: model as unknown as Record<string, unknown>,
    training: training.scheduleSteps === 0 ? makeTrainingConfig({ ...options.training, scheduleSteps: training.steps }) : training,
  };
}

/** The saved run, checked against what the caller asked for (only training.steps may grow). */
function resumedRunFile(saved: RunFile, hmm: Hmm | null, options: TrainOnProcessOptions, location: string): RunFile {
  const arch = getArchitecture(saved.architecture, "trainOnProcess");
  const differing: string[] = [];
  if (options.arch !== undefined && options.arch !== saved.architecture) differing.push("arch");
  if (hmm) differing.push(...settingDifferences(saved.process.transitions, processToJson(hmm).transitions).map(() => "process"));
  if (options.model || options.preset) {
    const asked = arch.makeConfig({ ...saved.model, ...options.model }, options.preset);
    differing.push(...settingDifferences(saved.model, asked).map((p) => `model.${p}`));
  }
  const t = options.training ?? {};
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
      fn: "trainOnProcess",
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

/** Train on `hmm` (null when resuming: the run's process is used). */
export async function trainOnProcess(hmm: Hmm | null, options: TrainOnProcessOptions = {}): Promise<TrainOnProcessResult> {
  const fn = "trainOnProcess";
  const store = options.store;
  let run: RunFile;
  let resumeFrom: TrainingSnapshot | undefined;
  let earlierMetrics: StepMetrics[] = [];
  const saved = store ? await store.readRun() : null;
  if (saved && !options.resume) {
    throw new ArgumentError({
      fn,
      argument: "store",
      received: `${store!.location}, which already holds a run`,
      expected: "a new or empty run folder",
      hint: "Pass resume: true (--resume) to continue that run, or choose another folder.",
    });
  }
  if (options.resume && !saved) {
    throw new ArgumentError({ fn, argument: "store", received: store ? `${store.location} with no run in it` : "no store", expected: "a run folder to resume", hint: "Drop --resume to start a new run there." });
  }
  if (saved) {
    run = resumedRunFile(saved, hmm, options, store!.location);
    resumeFrom = (await store!.loadLatestCheckpoint()) ?? undefined;
    earlierMetrics = resumeFrom ? await store!.readMetrics(resumeFrom.step) : [];
  } else {
    if (!hmm) throw new ArgumentError({ fn, argument: "hmm", received: describe(hmm), expected: "a process to train on (or resume: true with a store holding a run)" });
    run = newRunFile(hmm, options);
  }
  const process = processFromJson(run.process, store ? `${store.location} run.json` : "run");
  const training = run.training;
  if (store) {
    await store.writeRun(run);
    await store.writeMetrics(earlierMetrics); // later lines belonged to work lost in a kill
  }

  const model = resumeFrom
    ? await modelFromStateDict(run.architecture, run.model, resumeFrom.params, { device: options.device })
    : await createModel(run.architecture, { config: run.model, seed: training.seed, device: options.device });
  const nPos = model.nCtx;
  const optimal = optimalTrainingLoss(process, nPos);
  const batchOptions = { batchSize: training.batchSize, nPos, seed: training.seed };
  const task = nextTokenTask(model, { batchSize: training.batchSize, nPos, hostBatch: (step) => processTokens(process, batchOptions, step) });

  const logSteps = logSpacedSteps(training.steps);
  const every = training.checkpointEvery;
  // The newest two checkpoints are resumable (with optimizer state); older ones keep their weights
  // when their step is log-spaced, for replaying training.
  const policy: CheckpointPolicy = { keepResumable: 2, keepWeights: (s) => logSteps.has(s) };
  if (store && !resumeFrom) {
    // The initial weights: the untrained-model control and the first frame of a training movie.
    await store.saveCheckpoint({ step: 0, params: await model.stateDict(), optimizerState: {} }, policy, true);
  }

  const fastEngine = chooseFastEngine(options.engine ?? "auto", run.architecture, model.config, training.optimizer);
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
        checkpointSteps: store ? (done) => (every > 0 && done % every === 0) || logSteps.has(done) : undefined,
        referenceLoss: optimal.mean,
        fast,
      },
      {
        onStart: options.events?.onStart,
        shouldStop: options.events?.shouldStop,
        onStep: (m) => {
          metrics.push(m);
          pending.push(m);
          options.events?.onStep?.(m);
        },
        onCheckpoint: store
          ? async (snapshot) => {
              // Metrics first, then the checkpoint that covers them: a kill in between leaves extra
              // lines, which resuming drops, never a checkpoint whose metrics are missing.
              await store.appendMetrics(pending);
              pending = [];
              // Saved whole; the policy keeps optimizer state on the newest two only.
              await store.saveCheckpoint(snapshot, policy);
            }
          : undefined,
      },
    );
  } finally {
    fast?.dispose();
  }
  if (store) {
    await store.appendMetrics(pending);
    await store.saveModel(await modelToFiles(model, { step: (resumeFrom?.step ?? 0) + result.steps, process: run.process }));
  }
  return {
    model,
    process,
    run,
    training,
    optimalLossPerPosition: optimal.perPosition,
    optimalLoss: optimal.mean,
    metrics: [...earlierMetrics, ...metrics],
    stepsThisCall: result.steps,
    seconds: result.seconds,
    resumedFromStep: resumeFrom?.step ?? 0,
    engine: result.engine,
    stopped: result.stopped,
  };
}
