/**
 * Where a run lives. Training talks to a RunStore, never to files: the
 * command line uses a run folder on disk (beliefscope/node's `FileRunStore`),
 * the browser and tests a `MemoryRunStore`. Every write is all-or-nothing
 * for the reader: a kill at any moment leaves the last complete checkpoint.
 */
import type { StateDict } from "../model/types.js";
import type { RunFile } from "./runConfig.js";
import type { StepMetrics, TrainingSnapshot } from "./trainer.js";

export interface ModelExport {
  /** config.json text (src/model/files.ts). */
  readonly config: string;
  /** model.safetensors bytes. */
  readonly weights: Uint8Array;
}

export interface ResumableCheckpoint {
  readonly step: number;
  /** For messages: the checkpoint folder's name. */
  readonly name: string;
  load(): Promise<TrainingSnapshot>;
}

export interface CheckpointPolicy {
  /** Resumable checkpoints (with optimizer state) kept: the newest this many. Default 2. */
  readonly keepResumable: number;
  /** Older checkpoints at these steps keep their weights (optimizer state dropped). */
  readonly keepWeights: (step: number) => boolean;
}

export interface RunStore {
  /** Where it is, for messages (a folder path, "memory"). */
  readonly location: string;
  /** The run's settings, or null for a new run. */
  readRun(): Promise<RunFile | null>;
  writeRun(run: RunFile): Promise<void>;
  /** Metrics of steps <= upTo, in order (lines a kill left half-written are skipped). */
  readMetrics(upTo?: number): Promise<StepMetrics[]>;
  /** Replace all metrics. */
  writeMetrics(metrics: readonly StepMetrics[]): Promise<void>;
  appendMetrics(metrics: readonly StepMetrics[]): Promise<void>;
  /**
   * Save a snapshot and apply the policy to older ones. With `weightsOnly` the snapshot is not
   * resumable (the initial weights, saved before any update).
   */
  saveCheckpoint(snapshot: TrainingSnapshot, policy: CheckpointPolicy, weightsOnly?: boolean): Promise<void>;
  /** The newest resumable checkpoint (one saved with its optimizer state), or null. */
  loadLatestCheckpoint(): Promise<TrainingSnapshot | null>;
  /**
   * Every resumable checkpoint, newest first, found by looking (not trusting a pointer file), and notes
   * on what was looked at (e.g. a missing or damaged latest.json). `load` validates the checkpoint's
   * files and throws an error saying what is wrong with them.
   */
  resumableCheckpoints(): Promise<{ candidates: ResumableCheckpoint[]; notes: string[] }>;
  /**
   * Keep metrics.jsonl's lines up to `step` as they are (byte for byte) and cut the rest: lines of
   * later steps (work being recomputed) and a line a kill left half-written.
   */
  keepMetricsUpTo(step: number): Promise<void>;
  /** Take the store's one-writer lock, or throw naming the holder; without one, writers are not excluded. */
  lock?(fn: string): Promise<{ release(): Promise<void> }>;
  /** Steps of every kept checkpoint with weights, ascending. */
  checkpointSteps(): Promise<number[]>;
  loadCheckpointWeights(step: number): Promise<StateDict>;
  /** The final model (model/ in a run folder). */
  saveModel(model: ModelExport): Promise<void>;
  loadModel(): Promise<ModelExport | null>;
}

/** A RunStore in memory (browser, tests). Snapshots are kept by reference; callers must not mutate them. */
export class MemoryRunStore implements RunStore {
  readonly location = "memory";
  run: RunFile | null = null;
  metrics: StepMetrics[] = [];
  readonly checkpoints = new Map<number, TrainingSnapshot>();
  /** Steps whose optimizer state is kept. */
  readonly resumable = new Set<number>();
  model: ModelExport | null = null;

  async readRun() {
    return this.run;
  }
  async writeRun(run: RunFile) {
    this.run = run;
  }
  async readMetrics(upTo = Infinity) {
    return this.metrics.filter((m) => m.step <= upTo);
  }
  async writeMetrics(metrics: readonly StepMetrics[]) {
    this.metrics = [...metrics];
  }
  async appendMetrics(metrics: readonly StepMetrics[]) {
    this.metrics.push(...metrics);
  }
  async saveCheckpoint(snapshot: TrainingSnapshot, policy: CheckpointPolicy, weightsOnly = false) {
    this.checkpoints.set(snapshot.step, weightsOnly ? { ...snapshot, optimizerState: {} } : snapshot);
    if (weightsOnly) return;
    this.resumable.add(snapshot.step);
    const steps = [...this.resumable].sort((a, b) => a - b);
    for (const step of steps.slice(0, Math.max(0, steps.length - policy.keepResumable))) {
      this.resumable.delete(step);
      if (policy.keepWeights(step)) this.checkpoints.set(step, { ...this.checkpoints.get(step)!, optimizerState: {} });
      else this.checkpoints.delete(step);
    }
  }
  async loadLatestCheckpoint() {
    const latest = Math.max(-1, ...this.resumable);
    return latest >= 0 ? this.checkpoints.get(latest)! : null;
  }
  async resumableCheckpoints() {
    const steps = [...this.resumable].sort((a, b) => b - a);
    return { candidates: steps.map((step) => ({ step, name: `step ${step}`, load: async () => this.checkpoints.get(step)! })), notes: [] };
  }
  async keepMetricsUpTo(step: number) {
    const cut = this.metrics.findIndex((m) => m.step > step);
    if (cut >= 0) this.metrics = this.metrics.slice(0, cut);
  }
  async checkpointSteps() {
    return [...this.checkpoints.keys()].sort((a, b) => a - b);
  }
  async loadCheckpointWeights(step: number) {
    const c = this.checkpoints.get(step);
    if (!c) throw new Error(`MemoryRunStore: no checkpoint at step ${step}`);
    return c.params;
  }
  async saveModel(model: ModelExport) {
    this.model = model;
  }
  async loadModel() {
    return this.model;
  }
}
