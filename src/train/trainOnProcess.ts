/**
 * Train any registered architecture on a process, with a RunStore that makes
 * the work durable: the run's settings (run.json), one metrics line per step,
 * checkpoints (resumable after a kill, plus log-spaced weight snapshots for
 * replaying training), and the final model. Without a store nothing is kept.
 * The run machinery is runTraining.ts (shared with language models); this
 * file adds the process: its batches and its optimal loss.
 */
import { ArgumentError, describe } from "../util/errors.js";
import type { Hmm } from "../process/hmm.js";
import { processFromJson, processToJson } from "../process/json.js";
import { optimalLoss } from "../process/optimalLoss.js";
import { nextTokenTask } from "./objective.js";
import { processTokens } from "./processData.js";
import { RUN_FORMAT, RUN_FORMAT_VERSION, settingDifferences } from "./runConfig.js";
import { newRunSettings, runTraining, type RunTrainingResult, type TrainRunOptions } from "./runTraining.js";

/** Options of trainOnProcess: a run's (see TrainRunOptions); dVocab defaults to the process's symbols. */
export type TrainOnProcessOptions = TrainRunOptions;

/** A run's result (see RunTrainingResult), with the process and its optimal losses. */
export interface TrainOnProcessResult extends Omit<RunTrainingResult, "referenceLoss"> {
  readonly process: Hmm;
  /** Optimal expected loss of predicting token t, for t = 0..nCtx (myopic entropy, nats). */
  readonly optimalLossPerPosition: Float64Array;
  /** Its mean over the predicted tokens 1..nCtx: the loss a perfect model reaches. */
  readonly optimalLoss: number;
}

/**
 * The optimal loss of a model with nPos positions: it predicts tokens 1..nPos
 * (token t from tokens 0..t-1), so the mean of the myopic entropies h(1..nPos).
 * perPosition[t] = h(t) for t = 0..nPos.
 */
export function optimalTrainingLoss(hmm: Hmm, nPos: number): { perPosition: Float64Array; mean: number } {
  const o = optimalLoss(hmm, nPos);
  return { perPosition: o.perPosition, mean: o.mean };
}

/** Train on `hmm` (null when resuming: the run's process is used). */
export async function trainOnProcess(hmm: Hmm | null, options: TrainOnProcessOptions = {}): Promise<TrainOnProcessResult> {
  const fn = "trainOnProcess";
  const request = { arch: options.arch, model: options.model, preset: options.preset, training: options.training };
  let process: Hmm | undefined;
  let optimal: { perPosition: Float64Array; mean: number } | undefined;
  const result = await runTraining({
    fn,
    request,
    store: options.store,
    resume: options.resume,
    device: options.device,
    engine: options.engine,
    events: options.events,
    newRun: () => {
      if (!hmm) throw new ArgumentError({ fn, argument: "hmm", received: describe(hmm), expected: "a process to train on, e.g. mess3 (or --resume, resume: true, with a run folder that holds a run)" });
      const settings = newRunSettings(request, { dVocab: hmm.nSymbols });
      if (settings.model.dVocab !== hmm.nSymbols) {
        throw new ArgumentError({ fn, argument: "model.dVocab", received: String(settings.model.dVocab), expected: `${hmm.nSymbols}, the number of symbols of ${hmm.name}` });
      }
      return { format: RUN_FORMAT, version: RUN_FORMAT_VERSION, process: processToJson(hmm), ...settings };
    },
    dataDifferences: (saved) => {
      if (!saved.process) return ["process (the run in the store was not trained on a process)"];
      return hmm ? settingDifferences(saved.process.transitions, processToJson(hmm).transitions).map(() => "process") : [];
    },
    prepare: (model, run) => {
      process = processFromJson(run.process!, options.store ? `${options.store.location} run.json` : "run");
      const nPos = model.nCtx;
      optimal = optimalTrainingLoss(process, nPos);
      const batchOptions = { batchSize: run.training.batchSize, nPos, seed: run.training.seed };
      const p = process;
      return { task: nextTokenTask(model, { batchSize: run.training.batchSize, nPos, hostBatch: (step) => processTokens(p, batchOptions, step) }), referenceLoss: optimal.mean };
    },
    modelExtra: (run) => ({ process: run.process }),
  });
  return {
    model: result.model,
    process: process!,
    run: result.run,
    training: result.training,
    optimalLossPerPosition: optimal!.perPosition,
    optimalLoss: optimal!.mean,
    metrics: result.metrics,
    stepsThisCall: result.stepsThisCall,
    seconds: result.seconds,
    resumedFromStep: result.resumedFromStep,
    engine: result.engine,
    stopped: result.stopped,
    resumeNotes: result.resumeNotes,
  };
}
