import { mkdir, mkdtemp, readdir, rm, truncate, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { loadLatestCheckpoint, resumableCheckpointsIn, saveCheckpoint as save } from "../../src/node/checkpoint.js";
import type { TrainingSnapshot } from "../../src/train/trainer.js";

const keepTwo = { keepResumable: 2, keepWeights: (step: number) => step === 10 };
const saveCheckpoint = (dir: string, s: TrainingSnapshot) => save(dir, s, keepTwo);

function snapshot(step: number): TrainingSnapshot {
  return {
    step,
    params: { "embed.W_E": { shape: [2, 2], data: Float32Array.of(step, 1, 2, 3) } },
    optimizerState: { "m/embed.W_E": { shape: [2, 2], data: Float32Array.of(0.5, step, 0, 0) } },
  };
}

describe("checkpoints", () => {
  it("returns null when there is none, then the newest one saved, keeping the newest two resumable and log-spaced weights", async () => {
    const dir = await mkdtemp(join(tmpdir(), "bs-ckpt-"));
    expect(await loadLatestCheckpoint(dir)).toBeNull();
    await save(dir, { ...snapshot(0), optimizerState: {} }, keepTwo, true);
    for (const step of [10, 20, 30, 40]) await saveCheckpoint(dir, snapshot(step));
    const latest = await loadLatestCheckpoint(dir);
    expect(latest!.step).toBe(40);
    expect(Array.from(latest!.params["embed.W_E"].data)).toEqual([40, 1, 2, 3]);
    expect(Array.from(latest!.optimizerState["m/embed.W_E"].data)).toEqual([0.5, 40, 0, 0]);
    // Step 0 (initial weights) and 10 (in the kept set) keep their weights only; 20 is dropped; 30 and 40 are resumable.
    expect((await readdir(dir)).sort()).toEqual(["latest.json", "step-00000000", "step-00000010", "step-00000030", "step-00000040"]);
    expect((await readdir(join(dir, "step-00000010"))).sort()).toEqual(["model.safetensors", "state.json"]);
    expect((await readdir(join(dir, "step-00000030"))).sort()).toEqual(["model.safetensors", "optimizer.safetensors", "state.json"]);
  });

  it("ignores a half-written checkpoint folder left by a crash", async () => {
    const dir = await mkdtemp(join(tmpdir(), "bs-ckpt-"));
    await saveCheckpoint(dir, snapshot(5));
    // What a kill during the next save leaves: a temporary folder with partial content.
    await mkdir(join(dir, ".step-00000010.tmp-123-456"));
    await writeFile(join(dir, ".step-00000010.tmp-123-456", "model.safetensors"), "partial");
    expect((await loadLatestCheckpoint(dir))!.step).toBe(5);
    // The next save clears it away.
    await saveCheckpoint(dir, snapshot(15));
    expect((await readdir(dir)).sort()).toEqual(["latest.json", "step-00000005", "step-00000015"]);
  });

  it("finds checkpoints by listing the folder when the pointer file is corrupt or missing, and says so", async () => {
    const dir = await mkdtemp(join(tmpdir(), "bs-ckpt-"));
    await writeFile(join(dir, "latest.json"), "{ half");
    expect(await loadLatestCheckpoint(dir)).toBeNull();
    await saveCheckpoint(dir, snapshot(5));
    await saveCheckpoint(dir, snapshot(7));
    await writeFile(join(dir, "latest.json"), "{ half");
    expect((await loadLatestCheckpoint(dir))!.step).toBe(7);
    const found = await resumableCheckpointsIn(dir);
    expect(found.candidates.map((c) => c.step)).toEqual([7, 5]);
    expect(found.notes).toEqual([`${join(dir, "latest.json")} is damaged (not JSON); found the checkpoints by listing ${dir}`]);
    await rm(join(dir, "latest.json"));
    expect((await resumableCheckpointsIn(dir)).notes).toEqual([`${join(dir, "latest.json")} is missing; found the checkpoints by listing ${dir}`]);
    // A truncated newest checkpoint is passed over for the one before.
    await truncate(join(dir, "step-00000007", "optimizer.safetensors"), 1000);
    expect((await loadLatestCheckpoint(dir))!.step).toBe(5);
    await expect(found.candidates[0].load()).rejects.toThrow(/step-00000007\/optimizer\.safetensors' received /);
  });
});
