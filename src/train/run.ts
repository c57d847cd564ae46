/**
 * Train a transformer on a process, with a run folder that makes the work
 * durable: run.json (what was asked), metrics.jsonl (one line per step),
 * checkpoints/ (resumable after a kill) and model/ (the final weights,
 * loadable by loadTrainedModel and, by name, by TransformerLens).
 */
import { appendFile, mkdir, readFile, stat } from "node:fs/promises";
import { join } from "node:path";
import { writeFileAtomically, writeJsonAtomically } from "../util/atomicWrite.js";
import { ArgumentError, checkInteger, checkKnownKeys } from "../util/errors.js";
import { checkSeed } from "../util/rng.js";
import { HookedTransformer } from "../model/transformer.js";
import { makeConfig, toHookedTransformerConfig, type PresetName, type TransformerConfig } from "../model/config.js";
import type { Hmm } from "../process/hmm.js";
import { processFromJson, processToJson, type ProcessJson } from "../process/json.js";
import { myopicEntropy } from "../process/entropy.js";
import { nextTokenLoss } from "./objective.js";
import { makeOptimizerConfig, type OptimizerConfig } from "./optimizer.js";
import { loadLatestCheckpoint, loadStateDict, MODEL_FILE, saveCheckpoint, saveStateDict } from "./checkpoint.js";
import { processBatch } from "./processData.js";
import { train, type StepMetrics, type TrainerEvents, type TrainingSnapshot } from "./trainer.js";

export interface TrainingConfig {
  /** Optimizer updates. Default 2000. */
  readonly steps: number;
  /** Sequences per batch. Default 64 (torch_ref.py). */
  readonly batchSize: number;
  /** Seeds model initialisation and every batch. Default 0. */
  readonly seed: number;
  readonly optimizer: OptimizerConfig;
  /** Checkpoint every this many steps when a run folder is given. Default 250. */
  readonly checkpointEvery: number;
}

export const DEFAULT_TRAINING: Omit<TrainingConfig, "optimizer"> = Object.freeze({ steps: 2000, batchSize: 64, seed: 0, checkpointEvery: 250 });

export function makeTrainingConfig(overrides: Partial<Omit<TrainingConfig, "optimizer"> & { optimizer: Partial<OptimizerConfig> }> = {}): TrainingConfig {
  const fn = "makeTrainingConfig";
  checkKnownKeys(fn, "training", overrides, [...Object.keys(DEFAULT_TRAINING), "optimizer"]);
  const c = { ...DEFAULT_TRAINING, ...overrides, optimizer: makeOptimizerConfig(overrides.optimizer ?? {}) };
  checkInteger(fn, "training.steps", c.steps, 0);
  checkInteger(fn, "training.batchSize", c.batchSize, 1);
  checkSeed(fn, c.seed);
  checkInteger(fn, "training.checkpointEvery", c.checkpointEvery, 0);
  return Object.freeze(c);
}

export interface RunFile {
  readonly format: "beliefscope/run";
  readonly version: 1;
  readonly process: ProcessJson;
  readonly model: TransformerConfig;
  readonly training: TrainingConfig;
}

export interface TrainOnProcessOptions {
  readonly model?: Partial<TransformerConfig>;
  readonly preset?: PresetName;
  readonly training?: Partial<Omit<TrainingConfig, "optimizer"> & { optimizer: Partial<OptimizerConfig> }>;
  /** Run folder; without one nothing is written. */
  readonly outDir?: string;
  /** Continue the run in outDir from its latest checkpoint. */
  readonly resume?: boolean;
  readonly events?: Pick<TrainerEvents, "onStart" | "onStep">;
}

export interface TrainOnProcessResult {
  readonly model: HookedTransformer;
  readonly process: Hmm;
  readonly training: TrainingConfig;
  /** Optimal expected loss of predicting token t, for t = 0..nCtx (myopic entropy, nats). */
  readonly optimalLossPerPosition: Float64Array;
  /** Its mean over the predicted tokens 1..nCtx: the loss a perfect model reaches. */
  readonly optimalLoss: number;
  /** Metrics of the steps run in this call. */
  readonly metrics: StepMetrics[];
  readonly resumedFromStep: number;
}

async function exists(path: string): Promise<boolean> {
  try {
    await stat(path);
    return true;
  } catch {
    return false;
  }
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

export async function trainOnProcess(hmm: Hmm, options: TrainOnProcessOptions = {}): Promise<TrainOnProcessResult> {
  const fn = "trainOnProcess";
  let modelConfig = makeConfig({ dVocab: hmm.nSymbols, ...options.model }, options.preset);
  if (modelConfig.dVocab !== hmm.nSymbols) {
    throw new ArgumentError({ fn, argument: "model.dVocab", received: String(modelConfig.dVocab), expected: `${hmm.nSymbols}, the number of symbols of ${hmm.name}` });
  }
  let training = makeTrainingConfig(options.training);
  let process = hmm;
  let resumeFrom: TrainingSnapshot | undefined;
  const outDir = options.outDir;
  const runPath = outDir ? join(outDir, "run.json") : "";
  const metricsPath = outDir ? join(outDir, "metrics.jsonl") : "";
  const checkpointDir = outDir ? join(outDir, "checkpoints") : "";

  if (outDir) {
    if (await exists(runPath)) {
      if (!options.resume) {
        throw new ArgumentError({
          fn,
          argument: "outDir",
          received: `${JSON.stringify(outDir)}, which already holds a run`,
          expected: "a new or empty folder",
          hint: "Pass resume: true (--resume) to continue that run, or choose another folder.",
        });
      }
      const saved = JSON.parse(await readFile(runPath, "utf8")) as RunFile;
      // A resumed run keeps its process, model and training settings; only the number of steps
      // may be raised to extend it. Asking for anything else is a mistake worth stopping for.
      const requested = { process: processToJson(hmm).transitions, model: modelConfig, training: { ...training, steps: saved.training.steps } };
      const differing = unique(differences({ process: saved.process.transitions, model: saved.model, training: saved.training }, requested));
      if (differing.length > 0) {
        throw new ArgumentError({
          fn,
          argument: "resume",
          received: `settings that differ from the run in ${JSON.stringify(outDir)}: ${differing.join(", ")}`,
          expected: "the settings the run was started with (only steps may grow)",
          hint: "Repeat the original command with --resume, or start a new run in another folder.",
        });
      }
      process = processFromJson(saved.process, runPath);
      modelConfig = makeConfig(saved.model);
      training = makeTrainingConfig({ ...saved.training, steps: Math.max(saved.training.steps, options.training?.steps ?? 0) });
      const latest = await loadLatestCheckpoint(checkpointDir);
      if (latest) resumeFrom = latest;
    } else if (options.resume) {
      throw new ArgumentError({ fn, argument: "outDir", received: `${JSON.stringify(outDir)} with no run.json`, expected: "a run folder to resume", hint: "Drop resume to start a new run there." });
    }
    await mkdir(outDir, { recursive: true });
    const run: RunFile = { format: "beliefscope/run", version: 1, process: processToJson(process), model: modelConfig, training };
    await writeJsonAtomically(runPath, run);
    // Keep metrics up to the checkpoint we resume from; later lines belong to lost work.
    const kept = resumeFrom ? await metricsUpTo(metricsPath, resumeFrom.step) : "";
    await writeFileAtomically(metricsPath, kept);
  }

  const model = resumeFrom ? await HookedTransformer.fromStateDict(modelConfig, resumeFrom.params) : await HookedTransformer.create(modelConfig, training.seed);
  const nPos = modelConfig.nCtx;
  const optimal = optimalTrainingLoss(process, nPos);
  const batchOptions = { batchSize: training.batchSize, nPos, seed: training.seed };
  const loss = nextTokenLoss(modelConfig);
  const metrics: StepMetrics[] = [];
  let pending = "";

  await train(
    model,
    {
      loss: (params, b) => loss(params, b.tokens, b.targets, b.weights),
      batch: (step) => processBatch(process, batchOptions, step),
    },
    {
      totalSteps: training.steps,
      optimizer: training.optimizer,
      resumeFrom,
      checkpointEvery: outDir ? training.checkpointEvery : 0,
      referenceLoss: optimal.mean,
    },
    {
      onStart: options.events?.onStart,
      onStep: (m) => {
        metrics.push(m);
        pending += JSON.stringify(m) + "\n";
        options.events?.onStep?.(m);
      },
      onCheckpoint: outDir
        ? async (snapshot) => {
            // Metrics first, then the checkpoint that covers them: a kill in between leaves extra
            // lines, which resuming drops, never a checkpoint whose metrics are missing.
            await appendFile(metricsPath, pending);
            pending = "";
            await saveCheckpoint(checkpointDir, snapshot);
          }
        : undefined,
    },
  );
  // Export the final weights every time, also when a resumed run had nothing left to do (a kill
  // may have come between the last checkpoint and the export).
  if (outDir) await exportModel(join(outDir, "model"), modelConfig, { step: training.steps, params: model.stateDict() }, process);
  return {
    model,
    process,
    training,
    optimalLossPerPosition: optimal.perPosition,
    optimalLoss: optimal.mean,
    metrics,
    resumedFromStep: resumeFrom?.step ?? 0,
  };
}

const unique = <T>(xs: T[]): T[] => [...new Set(xs)];

/** Dotted paths where two JSON-like values differ (array indices folded into their parent). */
function differences(a: unknown, b: unknown, path = ""): string[] {
  if (typeof a === "object" && a !== null && typeof b === "object" && b !== null) {
    const keys = new Set([...Object.keys(a), ...Object.keys(b)]);
    return [...keys].flatMap((k) => differences((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k], path ? `${path}.${k}` : k));
  }
  return a === b ? [] : [path.replace(/\.\d+(\.\d+)*$/, "")];
}

async function metricsUpTo(path: string, step: number): Promise<string> {
  let text = "";
  try {
    text = await readFile(path, "utf8");
  } catch {
    return "";
  }
  return text
    .split("\n")
    .filter((line) => {
      try {
        return line !== "" && (JSON.parse(line) as StepMetrics).step <= step;
      } catch {
        return false; // a half-written last line from a kill
      }
    })
    .map((l) => l + "\n")
    .join("");
}

/** The model folder: model.safetensors + config.json (our config, TransformerLens's, and the process). */
export async function exportModel(dir: string, config: TransformerConfig, snapshot: Pick<TrainingSnapshot, "params" | "step">, process: Hmm): Promise<void> {
  await saveStateDict(join(dir, MODEL_FILE), snapshot.params, { format: "pt", step: String(snapshot.step) });
  await writeJsonAtomically(join(dir, "config.json"), {
    format: "beliefscope/model",
    version: 1,
    step: snapshot.step,
    model: config,
    hookedTransformerConfig: toHookedTransformerConfig(config),
    process: processToJson(process),
  });
}

/**
 * Load a trained model from a model folder, or from a run folder (its model/).
 * `seed` is the run's training seed when run.json is found (for the untrained-model control).
 */
export async function loadTrainedModel(dir: string): Promise<{ model: HookedTransformer; process: Hmm; step: number; seed: number | undefined }> {
  const folder = (await exists(join(dir, "config.json"))) ? dir : join(dir, "model");
  let seed: number | undefined;
  for (const candidate of [join(dir, "run.json"), join(folder, "..", "run.json")]) {
    if (seed === undefined && (await exists(candidate))) seed = (JSON.parse(await readFile(candidate, "utf8")) as RunFile).training.seed;
  }
  let meta: { model: TransformerConfig; process: ProcessJson; step: number };
  try {
    meta = JSON.parse(await readFile(join(folder, "config.json"), "utf8"));
  } catch (err) {
    throw new ArgumentError({
      fn: "loadTrainedModel",
      argument: "dir",
      received: JSON.stringify(dir),
      expected: "a model folder (config.json + model.safetensors) or a finished run folder",
      hint: (err as Error).message,
    });
  }
  const model = await HookedTransformer.fromStateDict(makeConfig(meta.model), await loadStateDict(join(folder, MODEL_FILE)));
  return { model, process: processFromJson(meta.process, join(folder, "config.json")), step: meta.step, seed };
}
