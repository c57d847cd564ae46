/**
 * Checkpoints on disk. Each is a folder written atomically (temp folder, then
 * rename), and `latest.json` is replaced atomically after it, so a run killed
 * at any moment resumes from the last complete checkpoint.
 *
 *   <dir>/step-00000500/model.safetensors      parameters (TransformerLens names)
 *   <dir>/step-00000500/optimizer.safetensors  optimizer state ("m/<param>", "v/<param>")
 *   <dir>/step-00000500/state.json             { step, ... }
 *   <dir>/latest.json                          { step, folder }
 */
import { readFile, readdir, rm } from "node:fs/promises";
import { join } from "node:path";
import { writeFileAtomically, writeFolderAtomically, writeJsonAtomically } from "../util/atomicWrite.js";
import { ArgumentError } from "../util/errors.js";
import type { HostTensor, StateDict } from "../model/params.js";
import { decodeSafetensors, encodeSafetensors, type NamedTensor } from "./safetensors.js";
import type { TrainingSnapshot } from "./trainer.js";

export const MODEL_FILE = "model.safetensors";
const OPTIMIZER_FILE = "optimizer.safetensors";

function toNamed(dict: Record<string, HostTensor>): Record<string, NamedTensor> {
  return Object.fromEntries(Object.entries(dict).map(([k, t]) => [k, { dtype: "F32" as const, shape: t.shape, data: t.data }]));
}

function fromNamed(dict: Record<string, NamedTensor>, source: string): Record<string, HostTensor> {
  const out: Record<string, HostTensor> = {};
  for (const [k, t] of Object.entries(dict)) {
    if (!(t.data instanceof Float32Array)) {
      throw new ArgumentError({ fn: "loadStateDict", argument: `${source}["${k}"]`, received: `dtype ${t.dtype}`, expected: "F32" });
    }
    out[k] = { shape: t.shape, data: t.data };
  }
  return out;
}

/** Write named float32 tensors (parameters or optimizer state) as safetensors, atomically. */
export async function saveStateDict(path: string, params: Record<string, HostTensor>, metadata: Record<string, string> = {}): Promise<void> {
  await writeFileAtomically(path, encodeSafetensors(toNamed(params), metadata));
}

export async function loadStateDict(path: string): Promise<StateDict> {
  let bytes: Buffer;
  try {
    bytes = await readFile(path);
  } catch (err) {
    throw new ArgumentError({ fn: "loadStateDict", argument: "path", received: JSON.stringify(path), expected: "a readable safetensors file", hint: (err as Error).message });
  }
  return fromNamed(decodeSafetensors(new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength), path).tensors, path);
}

export function checkpointFolderName(step: number): string {
  return `step-${String(step).padStart(8, "0")}`;
}

/** Save a snapshot under `dir`, keep the newest `keep`, and point latest.json at it. Returns the folder. */
export async function saveCheckpoint(dir: string, snapshot: TrainingSnapshot, extra: Record<string, unknown> = {}, keep = 2): Promise<string> {
  const name = checkpointFolderName(snapshot.step);
  const folder = join(dir, name);
  await writeFolderAtomically(folder, async (tmp) => {
    await saveStateDict(join(tmp, MODEL_FILE), snapshot.params);
    await saveStateDict(join(tmp, OPTIMIZER_FILE), snapshot.optimizerState);
    await writeJsonAtomically(join(tmp, "state.json"), { step: snapshot.step, ...extra });
  });
  await writeJsonAtomically(join(dir, "latest.json"), { step: snapshot.step, folder: name });
  const entries = await readdir(dir);
  const all = entries.filter((f) => /^step-\d{8}$/.test(f)).sort();
  // Older checkpoints beyond `keep`, and temporary folders a killed writer left behind (one writer per run).
  const stale = [...all.slice(0, Math.max(0, all.length - keep)), ...entries.filter((f) => /^\.step-\d{8}\.(tmp|old)-/.test(f))];
  for (const old of stale) await rm(join(dir, old), { recursive: true, force: true });
  return folder;
}

/** The newest complete checkpoint under `dir`, or null if there is none. */
export async function loadLatestCheckpoint(dir: string): Promise<(TrainingSnapshot & { extra: Record<string, unknown> }) | null> {
  let latest: { step: number; folder: string };
  try {
    latest = JSON.parse(await readFile(join(dir, "latest.json"), "utf8"));
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === "ENOENT") return null;
    throw new ArgumentError({ fn: "loadLatestCheckpoint", argument: join(dir, "latest.json"), received: (err as Error).message, expected: "a JSON pointer to the latest checkpoint" });
  }
  const folder = join(dir, latest.folder);
  const state = JSON.parse(await readFile(join(folder, "state.json"), "utf8")) as { step: number } & Record<string, unknown>;
  if (state.step !== latest.step) {
    throw new ArgumentError({ fn: "loadLatestCheckpoint", argument: folder, received: `step ${state.step}`, expected: `step ${latest.step} as latest.json says` });
  }
  const params = await loadStateDict(join(folder, MODEL_FILE));
  const optimizerState = await loadStateDict(join(folder, OPTIMIZER_FILE));
  const { step, ...extra } = state;
  return { step, params, optimizerState, extra };
}
