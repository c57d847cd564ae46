import { appendFile, mkdtemp, readFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { makeProcess } from "../../src/process/catalogue/index.js";
import { trainOnProcess } from "../../src/train/trainOnProcess.js";
import { FileRunStore } from "../../src/node/runFolder.js";
import type { CheckpointPolicy } from "../../src/train/runStore.js";
import type { StepMetrics, TrainingSnapshot } from "../../src/train/trainer.js";

const model = { nLayers: 1, dModel: 8, nHeads: 1, dHead: 8, dMlp: 16, nCtx: 4 };
const training = { steps: 30, checkpointEvery: 10, seed: 4 };
const enospc = () => Object.assign(new Error("ENOSPC: no space left on device, write"), { code: "ENOSPC" });

/** A run folder on a disk that fills at step `full`: half a metrics line gets out, then every write fails. */
class FillingStore extends FileRunStore {
  constructor(dir: string, readonly full: number) {
    super(dir);
  }
  override async appendMetrics(metrics: readonly StepMetrics[]): Promise<void> {
    const fits = metrics.filter((m) => m.step < this.full);
    await super.appendMetrics(fits);
    if (fits.length < metrics.length) {
      await appendFile(this.metricsPath, JSON.stringify(metrics[fits.length]).slice(0, 20));
      throw enospc();
    }
  }
  override async saveCheckpoint(snapshot: TrainingSnapshot, policy: CheckpointPolicy, weightsOnly?: boolean): Promise<void> {
    if (snapshot.step >= this.full) throw enospc();
    await super.saveCheckpoint(snapshot, policy, weightsOnly);
  }
}

describe("a disk that fills during training", () => {
  it("stops with a clear message, keeps the last complete checkpoint, and --resume finishes the run exactly", async () => {
    const dir = await mkdtemp(join(tmpdir(), "bs-full-"));
    const hmm = makeProcess("mess3");
    const straight = await trainOnProcess(hmm, { model, training, store: new FileRunStore(join(dir, "straight")) });
    straight.model.dispose();

    const out = join(dir, "full");
    await expect(trainOnProcess(hmm, { model, training, store: new FillingStore(out, 15) })).rejects.toThrow(
      `trainOnProcess: argument '${JSON.stringify(out)}' received a write that failed while saving step 18: no space left on the device; expected room to write the run's files. The run folder keeps its last complete checkpoint (step 13); free space, then continue it with --resume`,
    );
    const kept = await readFile(join(out, "metrics.jsonl"), "utf8");
    expect(kept.split("\n").length).toBe(15); // steps 1..14 and half of step 15's line
    expect((await new FileRunStore(out).loadLatestCheckpoint())!.step).toBe(13);

    const resumed = await trainOnProcess(null, { store: new FileRunStore(out), resume: true });
    expect(resumed.resumedFromStep).toBe(13);
    resumed.model.dispose();
    const a = await readFile(join(dir, "straight", "model", "model.safetensors"));
    const b = await readFile(join(out, "model", "model.safetensors"));
    expect(b.equals(a)).toBe(true);
    const after = await readFile(join(out, "metrics.jsonl"), "utf8");
    // Steps 1..13 byte for byte as before; step 14 and the half line were recomputed, once each.
    expect(after.startsWith(kept.split("\n").slice(0, 13).join("\n") + "\n")).toBe(true);
    const losses = (text: string) => text.trim().split("\n").map((l) => [JSON.parse(l).step, JSON.parse(l).loss]);
    expect(losses(after)).toEqual(losses(await readFile(join(dir, "straight", "metrics.jsonl"), "utf8")));
  });
});
