import { mkdir, mkdtemp, readdir, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { loadLatestCheckpoint, saveCheckpoint } from "../../src/train/checkpoint.js";
import type { TrainingSnapshot } from "../../src/train/trainer.js";

function snapshot(step: number): TrainingSnapshot {
  return {
    step,
    params: { "embed.W_E": { shape: [2, 2], data: Float32Array.of(step, 1, 2, 3) } },
    optimizerState: { "m/embed.W_E": { shape: [2, 2], data: Float32Array.of(0.5, step, 0, 0) } },
  };
}

describe("checkpoints", () => {
  it("returns null when there is none, then the newest one saved, keeping the newest two", async () => {
    const dir = await mkdtemp(join(tmpdir(), "bs-ckpt-"));
    expect(await loadLatestCheckpoint(dir)).toBeNull();
    for (const step of [10, 20, 30]) await saveCheckpoint(dir, snapshot(step), { note: "x" });
    const latest = await loadLatestCheckpoint(dir);
    expect(latest!.step).toBe(30);
    expect(Array.from(latest!.params["embed.W_E"].data)).toEqual([30, 1, 2, 3]);
    expect(Array.from(latest!.optimizerState["m/embed.W_E"].data)).toEqual([0.5, 30, 0, 0]);
    expect(latest!.extra).toEqual({ note: "x" });
    expect((await readdir(dir)).sort()).toEqual(["latest.json", "step-00000020", "step-00000030"]);
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

  it("explains a corrupt pointer file", async () => {
    const dir = await mkdtemp(join(tmpdir(), "bs-ckpt-"));
    await writeFile(join(dir, "latest.json"), "{ half");
    await expect(loadLatestCheckpoint(dir)).rejects.toThrow(/loadLatestCheckpoint: argument '.*latest.json' received .*; expected a JSON pointer to the latest checkpoint/);
  });
});
