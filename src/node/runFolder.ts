/**
 * A run folder on disk, the RunStore the command line uses:
 *   run.json            the run's settings (src/train/runConfig.ts)
 *   metrics.jsonl       one line per step (StepMetrics)
 *   checkpoints/        resumable checkpoints and log-spaced weight snapshots (./checkpoint.ts)
 *   model/              the final model: model.safetensors + config.json (src/model/files.ts)
 *   .lock               while a process writes the run: { pid, hostname, started, command } (./lock.ts)
 * Every file is written atomically; metrics.jsonl is appended to, and a resume cuts only the lines
 * after the step it resumes from (docs/files.md).
 */
import { appendFile, readFile, rm, truncate } from "node:fs/promises";
import { join } from "node:path";
import { MODEL_CONFIG_FILE, MODEL_WEIGHTS_FILE, modelFromFiles, parseModelConfigFile, type ModelConfigFile } from "../model/files.js";
import { createModel, modelFromStateDict } from "../model/registry.js";
import type { SequenceModel } from "../model/sequenceModel.js";
import type { EngineDevice } from "../engine/jax.js";
import type { Hmm } from "../process/hmm.js";
import { processFromJson } from "../process/json.js";
import { parseRunFile, type RunFile } from "../train/runConfig.js";
import type { CheckpointPolicy, ModelExport, RunStore } from "../train/runStore.js";
import type { StepMetrics, TrainingSnapshot } from "../train/trainer.js";
import { ArgumentError } from "../util/errors.js";
import { writeFileAtomically, writeJsonAtomically } from "./atomicWrite.js";
import { checkpointStepsIn, loadCheckpointWeights, loadLatestCheckpoint, resumableCheckpointsIn, saveCheckpoint } from "./checkpoint.js";
import { LOCK_FILE, lockFolder } from "./lock.js";
import { pathExists, readBytes, readJsonFile, readText } from "./readFiles.js";

export class FileRunStore implements RunStore {
  readonly location: string;
  constructor(readonly dir: string) {
    this.location = JSON.stringify(dir);
  }
  get runPath() {
    return join(this.dir, "run.json");
  }
  get metricsPath() {
    return join(this.dir, "metrics.jsonl");
  }
  get checkpointDir() {
    return join(this.dir, "checkpoints");
  }
  get modelDir() {
    return join(this.dir, "model");
  }

  async readRun(): Promise<RunFile | null> {
    const value = await readJsonFile<unknown>(this.runPath, "readRun", "the run's settings (run.json)", { missingOk: true });
    return value === null ? null : parseRunFile(value, this.runPath);
  }
  async writeRun(run: RunFile): Promise<void> {
    await writeJsonAtomically(this.runPath, run);
  }
  async readMetrics(upTo = Infinity): Promise<StepMetrics[]> {
    let text = "";
    try {
      text = await readText(this.metricsPath, "readMetrics", "metrics.jsonl");
    } catch {
      return [];
    }
    const out: StepMetrics[] = [];
    for (const line of text.split("\n")) {
      try {
        const m = JSON.parse(line) as StepMetrics;
        if (m.step <= upTo) out.push(m);
      } catch {
        // a half-written last line from a kill
      }
    }
    return out;
  }
  async writeMetrics(metrics: readonly StepMetrics[]): Promise<void> {
    await writeFileAtomically(this.metricsPath, metrics.map((m) => JSON.stringify(m) + "\n").join(""));
  }
  async appendMetrics(metrics: readonly StepMetrics[]): Promise<void> {
    if (metrics.length) await appendFile(this.metricsPath, metrics.map((m) => JSON.stringify(m) + "\n").join(""));
  }
  async saveCheckpoint(snapshot: TrainingSnapshot, policy: CheckpointPolicy, weightsOnly = false): Promise<void> {
    await saveCheckpoint(this.checkpointDir, snapshot, policy, weightsOnly);
  }
  loadLatestCheckpoint(): Promise<TrainingSnapshot | null> {
    return loadLatestCheckpoint(this.checkpointDir);
  }
  resumableCheckpoints() {
    return resumableCheckpointsIn(this.checkpointDir);
  }
  async keepMetricsUpTo(step: number): Promise<void> {
    let bytes: Buffer;
    try {
      bytes = await readFile(this.metricsPath);
    } catch {
      return;
    }
    // Cut at the first complete line of a later step, or at a last line without its newline.
    let start = 0;
    let cut = bytes.length;
    while (start < bytes.length) {
      const nl = bytes.indexOf(0x0a, start);
      if (nl < 0) {
        cut = start;
        break;
      }
      let later = false;
      try {
        later = (JSON.parse(bytes.toString("utf8", start, nl)) as StepMetrics).step > step;
      } catch {
        // a damaged line among earlier ones is kept as it is
      }
      if (later) {
        cut = start;
        break;
      }
      start = nl + 1;
    }
    if (cut < bytes.length) await truncate(this.metricsPath, cut);
  }
  lock(fn: string) {
    return lockFolder(this.dir, fn);
  }
  /** Remove the run's files (for --force): run.json, metrics.jsonl, checkpoints/, model/. Other files stay. */
  async removeRun(): Promise<void> {
    for (const p of [this.runPath, this.metricsPath, this.checkpointDir, this.modelDir]) await rm(p, { recursive: true, force: true });
  }
  /** Entries a run folder holds besides output (ignored by the overwrite check). */
  static isBookkeeping(entry: string): boolean {
    return entry === LOCK_FILE;
  }
  checkpointSteps(): Promise<number[]> {
    return checkpointStepsIn(this.checkpointDir);
  }
  loadCheckpointWeights(step: number) {
    return loadCheckpointWeights(this.checkpointDir, step);
  }
  async saveModel(model: ModelExport): Promise<void> {
    await writeFileAtomically(join(this.modelDir, MODEL_WEIGHTS_FILE), model.weights);
    await writeFileAtomically(join(this.modelDir, MODEL_CONFIG_FILE), model.config);
  }
  async loadModel(): Promise<ModelExport | null> {
    if (!(await pathExists(join(this.modelDir, MODEL_CONFIG_FILE)))) return null;
    return {
      config: await readText(join(this.modelDir, MODEL_CONFIG_FILE), "loadModel", "the model's config.json"),
      weights: await readBytes(join(this.modelDir, MODEL_WEIGHTS_FILE), "loadModel", "the model's weights (model.safetensors)"),
    };
  }
}

/** Write a model folder (model.safetensors + config.json) from a model export. */
export async function saveModelFolder(dir: string, model: ModelExport): Promise<void> {
  await writeFileAtomically(join(dir, MODEL_WEIGHTS_FILE), model.weights);
  await writeFileAtomically(join(dir, MODEL_CONFIG_FILE), model.config);
}

export interface LoadedModel {
  readonly model: SequenceModel;
  /** The process it was trained on (from config.json). */
  readonly process: Hmm;
  readonly step: number | undefined;
  /** The training seed when the run is known. */
  readonly seed: number | undefined;
  /** The run folder's store when `dir` is (or is inside) a run folder. */
  readonly store: FileRunStore | null;
  readonly run: RunFile | null;
  readonly file: ModelConfigFile;
}

/**
 * Load a trained model from a run folder (its model/) or a model folder
 * (config.json + model.safetensors). Errors name the folder and what is missing.
 */
export async function loadTrainedModel(dir: string, options: { device?: EngineDevice } = {}): Promise<LoadedModel> {
  const fn = "loadTrainedModel";
  const isModelFolder = await pathExists(join(dir, MODEL_CONFIG_FILE));
  const folder = isModelFolder ? dir : join(dir, "model");
  const runDir = isModelFolder ? join(dir, "..") : dir;
  const store = (await pathExists(join(runDir, "run.json"))) ? new FileRunStore(runDir) : null;
  const run = store ? await store.readRun() : null;
  if (!(await pathExists(join(folder, MODEL_CONFIG_FILE)))) {
    throw new ArgumentError({
      fn,
      argument: "dir",
      received: `${JSON.stringify(dir)}, which has no ${isModelFolder ? "" : "model/"}config.json`,
      expected: "a model folder (config.json + model.safetensors) or a run folder whose training finished",
      hint: run ? "The run has not finished; continue it with `beliefscope train --resume DIR`." : "Train one with `beliefscope train PROCESS -o DIR`.",
    });
  }
  const configPath = join(folder, MODEL_CONFIG_FILE);
  const weightsPath = join(folder, MODEL_WEIGHTS_FILE);
  const configText = await readText(configPath, fn, "the model's config.json");
  const weights = await readBytes(weightsPath, fn, "the model's weights (model.safetensors)");
  const { model, file } = await modelFromFiles(configText, weights, { config: configPath, weights: weightsPath }, options);
  const processJson = file.process ?? run?.process;
  if (!processJson) {
    model.dispose();
    throw new ArgumentError({ fn, argument: configPath, received: "a model config with no process", expected: "the process the model was trained on (written by beliefscope train)", hint: "Pass --process to say which process to use." });
  }
  return { model, process: processFromJson(processJson, configPath), step: file.step, seed: run?.training.seed, store, run, file };
}

/**
 * The untrained control for a loaded model: the run's initial weights
 * (checkpoint 0) when the run folder has them, else the same architecture
 * freshly initialised with the run's seed (0 when unknown).
 */
export async function loadUntrainedModel(loaded: LoadedModel, options: { device?: EngineDevice } = {}): Promise<SequenceModel> {
  const m = loaded.model;
  if (loaded.store && (await loaded.store.checkpointSteps()).includes(0)) {
    return modelFromStateDict(m.architecture, m.config as unknown as Record<string, unknown>, await loaded.store.loadCheckpointWeights(0), options);
  }
  return createModel(m.architecture, { config: m.config as unknown as Record<string, unknown>, seed: loaded.seed ?? 0, device: options.device });
}

/** parseModelConfigFile, re-exported for node users reading config.json themselves. */
export { parseModelConfigFile };
