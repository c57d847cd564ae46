/**
 * Checkpoints on disk. Each is a folder written atomically (temp folder, then
 * rename), and `latest.json` is replaced atomically after it, so a run killed
 * at any moment resumes from the last complete checkpoint.
 *
 *   <dir>/step-00000500/model.safetensors      parameters (TransformerLens names)
 *   <dir>/step-00000500/optimizer.safetensors  optimizer state ("m/<param>", "v/<param>"); newest two only
 *   <dir>/step-00000500/state.json             { step }
 *   <dir>/latest.json                          { step, folder }: the newest resumable checkpoint
 *
 * Resuming lists the folders rather than trusting latest.json (a user may delete it), and falls back to
 * the newest checkpoint whose files validate (runTraining.ts also checks its metrics).
 */
import { readdir, rm } from "node:fs/promises";
import { join } from "node:path";
import { stateDictFromSafetensors, stateDictToSafetensors } from "../model/files.js";
import type { HostTensor, StateDict } from "../model/types.js";
import type { CheckpointPolicy } from "../train/runStore.js";
import type { TrainingSnapshot } from "../train/trainer.js";
import { ArgumentError } from "../util/errors.js";
import { writeFileAtomically, writeFolderAtomically, writeJsonAtomically } from "./atomicWrite.js";
import { readBytes, readJsonFile } from "./readFiles.js";

export const MODEL_FILE = "model.safetensors";
const OPTIMIZER_FILE = "optimizer.safetensors";
const STATE_FILE = "state.json";

/** Write named float32 tensors (parameters or optimizer state) as safetensors, atomically. */
export async function saveStateDict(path: string, params: Record<string, HostTensor>, metadata: Record<string, string> = {}): Promise<void> {
  await writeFileAtomically(path, stateDictToSafetensors(params, metadata));
}

/** Read a safetensors file of float32 tensors; errors name the file. */
export async function loadStateDict(path: string): Promise<StateDict> {
  return stateDictFromSafetensors(await readBytes(path, "loadStateDict", "a safetensors file of model weights"), path);
}

export function checkpointFolderName(step: number): string {
  return `step-${String(step).padStart(8, "0")}`;
}

const STEP_FOLDER = /^step-(\d{8})$/;

async function listSteps(dir: string): Promise<number[]> {
  let entries: string[];
  try {
    entries = await readdir(dir);
  } catch {
    return [];
  }
  return entries.flatMap((f) => (STEP_FOLDER.test(f) ? [Number(STEP_FOLDER.exec(f)![1])] : [])).sort((a, b) => a - b);
}

/**
 * Save a snapshot under `dir` and apply `policy`: the newest `keepResumable`
 * resumable checkpoints keep their optimizer state; older ones keep their
 * weights when `policy.keepWeights(step)`, and are removed otherwise.
 * A `weightsOnly` snapshot (the initial weights) is never resumable.
 */
export async function saveCheckpoint(dir: string, snapshot: TrainingSnapshot, policy: CheckpointPolicy, weightsOnly = false): Promise<string> {
  const name = checkpointFolderName(snapshot.step);
  const folder = join(dir, name);
  await writeFolderAtomically(folder, async (tmp) => {
    await saveStateDict(join(tmp, MODEL_FILE), snapshot.params);
    if (!weightsOnly) await saveStateDict(join(tmp, OPTIMIZER_FILE), snapshot.optimizerState);
    await writeJsonAtomically(join(tmp, STATE_FILE), { step: snapshot.step, resumable: !weightsOnly });
  });
  if (weightsOnly) return folder;
  await writeJsonAtomically(join(dir, "latest.json"), { step: snapshot.step, folder: name });
  const entries = await readdir(dir);
  // Older resumable checkpoints beyond the policy, and temporary folders a killed writer left behind (one writer per run).
  const resumable: number[] = [];
  for (const step of await listSteps(dir)) {
    const files = await readdir(join(dir, checkpointFolderName(step))).catch(() => [] as string[]);
    if (files.includes(OPTIMIZER_FILE)) resumable.push(step);
  }
  for (const step of resumable.slice(0, Math.max(0, resumable.length - policy.keepResumable))) {
    const f = join(dir, checkpointFolderName(step));
    if (policy.keepWeights(step)) await rm(join(f, OPTIMIZER_FILE), { force: true });
    else await rm(f, { recursive: true, force: true });
  }
  for (const stale of entries.filter((f) => /^\.step-\d{8}\.(tmp|old)-/.test(f))) await rm(join(dir, stale), { recursive: true, force: true });
  return folder;
}

/**
 * Load and validate the checkpoint folder `name` under `dir`: its state.json names its step and says it
 * is resumable, and both safetensors files are whole (every header entry checked, src/util/safetensors.ts).
 */
export async function loadCheckpointFolder(dir: string, name: string): Promise<TrainingSnapshot> {
  const fn = "loadCheckpoint";
  const folder = join(dir, name);
  const step = Number(STEP_FOLDER.exec(name)?.[1]);
  const statePath = join(folder, STATE_FILE);
  const state = await readJsonFile<{ step?: unknown; resumable?: unknown }>(statePath, fn, "the checkpoint's state.json { step }");
  if (state === null || typeof state !== "object" || state.step !== step) {
    throw new ArgumentError({ fn, argument: statePath, received: `step ${JSON.stringify((state as { step?: unknown } | null)?.step)}`, expected: `step ${step}, as the folder's name says`, hint: "The run folder was edited or damaged." });
  }
  const params = await loadStateDict(join(folder, MODEL_FILE));
  const optimizerState = await loadStateDict(join(folder, OPTIMIZER_FILE));
  return { step, params, optimizerState };
}

/**
 * The resumable checkpoints under `dir` (folders holding optimizer state), newest first, found by
 * listing the folder; latest.json is only a cross-check, and what is odd about it is noted.
 */
export async function resumableCheckpointsIn(dir: string): Promise<{ candidates: { step: number; name: string; load(): Promise<TrainingSnapshot> }[]; notes: string[] }> {
  const notes: string[] = [];
  const steps: number[] = [];
  for (const step of await listSteps(dir)) {
    const files = await readdir(join(dir, checkpointFolderName(step))).catch(() => [] as string[]);
    if (files.includes(OPTIMIZER_FILE)) steps.push(step);
  }
  steps.reverse();
  const latestPath = join(dir, "latest.json");
  let latest: unknown = null;
  try {
    latest = await readJsonFile<unknown>(latestPath, "loadCheckpoint", "a JSON pointer { step, folder }", { missingOk: true });
    if (latest === null && steps.length > 0) notes.push(`${latestPath} is missing; found the checkpoints by listing ${dir}`);
  } catch {
    notes.push(`${latestPath} is damaged (not JSON); found the checkpoints by listing ${dir}`);
  }
  const pointed = (latest as { folder?: unknown } | null)?.folder;
  const pointedStep = typeof pointed === "string" && STEP_FOLDER.test(pointed) ? Number(STEP_FOLDER.exec(pointed)![1]) : null;
  if (pointedStep !== null && !steps.includes(pointedStep)) {
    // The checkpoint latest.json names lacks its optimizer state (or is gone): a candidate, so that loading it says what is wrong.
    steps.push(pointedStep);
    steps.sort((a, b) => b - a);
  } else if (pointedStep !== null && steps.length > 0 && pointedStep !== steps[0]) {
    notes.push(`${latestPath} names ${pointed}, but the newest checkpoint folder is ${checkpointFolderName(steps[0])}`);
  }
  return { candidates: steps.map((step) => ({ step, name: checkpointFolderName(step), load: () => loadCheckpointFolder(dir, checkpointFolderName(step)) })), notes };
}

/** The newest resumable checkpoint under `dir` that validates, or null if there is none. */
export async function loadLatestCheckpoint(dir: string): Promise<TrainingSnapshot | null> {
  for (const c of (await resumableCheckpointsIn(dir)).candidates) {
    try {
      return await c.load();
    } catch {
      // damaged: try the one before
    }
  }
  return null;
}

/** Steps of every checkpoint folder with weights, ascending. */
export async function checkpointStepsIn(dir: string): Promise<number[]> {
  return listSteps(dir);
}

export async function loadCheckpointWeights(dir: string, step: number): Promise<StateDict> {
  return loadStateDict(join(dir, checkpointFolderName(step), MODEL_FILE));
}
