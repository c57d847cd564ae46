/**
 * What a training run is: the process, the architecture and its config, and
 * the training settings, as saved in run.json. Pure: reading and writing the
 * file is a RunStore's job.
 *
 * run.json:
 *   { "format": "beliefscope/run", "version": 2, "process": {process JSON},
 *     "architecture": "transformer", "model": {config}, "training": {TrainingConfig} }
 * A run on other data than a process (a tokenized corpus) has "data" instead of
 * "process": an object with a "kind" (e.g. "corpus") that its trainer reads.
 * Version 1 files (no "architecture") are transformers.
 */
import { ArgumentError, checkInteger, checkKnownKeys, describe } from "../util/errors.js";
import { checkSeed } from "../util/rng.js";
import type { ProcessJson } from "../process/json.js";
import { makeOptimizerConfig, type OptimizerConfig } from "./optimizer.js";

export interface TrainingConfig {
  /** Optimizer updates. Default 2000. */
  readonly steps: number;
  /** Sequences per batch. Default 64 (torch_ref.py). */
  readonly batchSize: number;
  /** Seeds model initialisation and every batch. Default 0. */
  readonly seed: number;
  readonly optimizer: OptimizerConfig;
  /** Keep a resumable checkpoint every this many steps (0: only at the end). Default 250. */
  readonly checkpointEvery: number;
  /**
   * Steps the learning-rate schedule (warmup, cosine) is laid out over. 0 means `steps`; a run
   * started with 0 records its steps here, so extending it later never changes the learning
   * rates of steps already taken.
   */
  readonly scheduleSteps: number;
}

export type TrainingOverrides = Partial<Omit<TrainingConfig, "optimizer"> & { optimizer: Partial<OptimizerConfig> }>;

export const DEFAULT_TRAINING: Omit<TrainingConfig, "optimizer"> = Object.freeze({ steps: 2000, batchSize: 64, seed: 0, checkpointEvery: 250, scheduleSteps: 0 });

export function makeTrainingConfig(overrides: TrainingOverrides = {}): TrainingConfig {
  const fn = "makeTrainingConfig";
  checkKnownKeys(fn, "training", overrides, [...Object.keys(DEFAULT_TRAINING), "optimizer"]);
  const c = { ...DEFAULT_TRAINING, ...overrides, optimizer: makeOptimizerConfig(overrides.optimizer ?? {}) };
  checkInteger(fn, "training.steps", c.steps, 0);
  checkInteger(fn, "training.batchSize", c.batchSize, 1);
  checkSeed(fn, c.seed);
  checkInteger(fn, "training.checkpointEvery", c.checkpointEvery, 0);
  checkInteger(fn, "training.scheduleSteps", c.scheduleSteps, 0);
  return Object.freeze(c);
}

export const RUN_FORMAT = "beliefscope/run";
export const RUN_FORMAT_VERSION = 2;

export interface RunFile {
  readonly format: typeof RUN_FORMAT;
  readonly version: number;
  /** The process trained on (runs on processes). */
  readonly process?: ProcessJson;
  /** What else was trained on, e.g. { kind: "corpus", ... } (src/language/lm); absent for process runs. */
  readonly data?: RunData;
  readonly architecture: string;
  readonly model: Record<string, unknown>;
  readonly training: TrainingConfig;
}

/** The training data of a run that is not a process: a kind and its own fields. */
export interface RunData {
  readonly kind: string;
  readonly [field: string]: unknown;
}

/** Check a parsed run.json (version 1 or 2); `source` names the file in errors. */
export function parseRunFile(value: unknown, source: string): RunFile {
  const fn = "readRun";
  const bad = (argument: string, received: string, expected: string): never => {
    throw new ArgumentError({ fn, argument: `${source}${argument}`, received, expected, hint: "The run folder may be from another program or damaged; start a new run in another folder." });
  };
  if (typeof value !== "object" || value === null || Array.isArray(value)) return bad("", describe(value), `a run object ({ "format": "${RUN_FORMAT}", "process", "model", "training" })`);
  const v = value as Record<string, unknown>;
  if (v.format !== RUN_FORMAT) bad(' "format"', describe(v.format), JSON.stringify(RUN_FORMAT));
  if (v.version !== 1 && v.version !== RUN_FORMAT_VERSION) bad(' "version"', describe(v.version), `1 or ${RUN_FORMAT_VERSION}`);
  const hasData = typeof v.data === "object" && v.data !== null && typeof (v.data as RunData).kind === "string";
  for (const key of [...(hasData ? [] : ["process"]), "model", "training"]) {
    if (typeof v[key] !== "object" || v[key] === null) bad(` "${key}"`, describe(v[key]), "an object");
  }
  const architecture = v.architecture ?? "transformer";
  if (typeof architecture !== "string") bad(' "architecture"', describe(architecture), "an architecture name");
  let training: TrainingConfig;
  try {
    training = makeTrainingConfig(v.training as TrainingOverrides);
  } catch (err) {
    return bad(' "training"', (err as Error).message, "valid training settings");
  }
  return {
    format: RUN_FORMAT,
    version: RUN_FORMAT_VERSION,
    ...(v.process !== undefined && v.process !== null ? { process: v.process as ProcessJson } : {}),
    ...(hasData ? { data: v.data as RunData } : {}),
    architecture: architecture as string,
    model: v.model as Record<string, unknown>,
    training,
  };
}

/** Dotted paths where two JSON-like values differ (array indices folded into their parent). */
export function settingDifferences(a: unknown, b: unknown, path = ""): string[] {
  if (typeof a === "object" && a !== null && typeof b === "object" && b !== null) {
    const keys = new Set([...Object.keys(a), ...Object.keys(b)]);
    const out = [...keys].flatMap((k) => settingDifferences((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k], path ? `${path}.${k}` : k));
    return [...new Set(out)];
  }
  return a === b ? [] : [path.replace(/\.\d+(\.\d+)*$/, "")];
}

/**
 * Steps after which a checkpoint is saved: every `every` steps (resumable; the
 * newest two keep optimizer state), and a log-spaced set of model-only
 * snapshots, about 8 per decade (1, 2, 3, 4, 6, 7, 10, 13, 18, 24, 32, 42, 56, 75, 100, ...),
 * so that belief geometry can be replayed over training (`beliefscope movie`).
 * Step 0 (the initial weights) is saved too, as the untrained control.
 */
export function logSpacedSteps(totalSteps: number, perDecade = 8): Set<number> {
  const steps = new Set<number>([0]);
  for (let k = 0; ; k++) {
    const s = Math.round(10 ** (k / perDecade));
    if (s > totalSteps) break;
    steps.add(s);
  }
  if (totalSteps > 0) steps.add(totalSteps);
  return steps;
}
