import { mkdtemp, mkdir, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { initEngine } from "../../src/engine/jax.js";
import { trainingMovie } from "../../src/mechanism/index.js";
import { makeProcess, processToJson } from "../../src/process/index.js";
import { MemoryRunStore } from "../../src/train/runStore.js";
import { RUN_FORMAT, RUN_FORMAT_VERSION, makeTrainingConfig } from "../../src/train/runConfig.js";
import { trainOnProcess } from "../../src/train/trainOnProcess.js";
import { FileRunStore } from "../../src/node/runFolder.js";
import { runCli } from "../cli/run.js";

beforeAll(async () => {
  await initEngine();
});

const tiny = { nLayers: 1, attnOnly: true, layerNorm: false, attention: "linear", dModel: 8, nHeads: 1, dHead: 4, nCtx: 5 };

describe("trainingMovie", () => {
  it("one frame per kept checkpoint, each with its step, loss and R²; the probe improves with training", async () => {
    const store = new MemoryRunStore();
    await trainOnProcess(makeProcess("mess3"), { model: tiny, training: { steps: 60, batchSize: 16, seed: 2, optimizer: { learningRate: 1e-2 } }, store, engine: "jax" });
    const steps = await store.checkpointSteps();
    expect(steps.length).toBeGreaterThan(3);
    const plan = await trainingMovie(store, { nSequences: 60, evalSequences: 60, width: 320 });
    expect(plan.steps).toEqual(steps);
    const frames = [];
    for await (const f of plan.frames()) frames.push(f);
    expect(frames.map((f) => f.step)).toEqual(steps);
    for (const f of frames) {
      expect(f.svg).toContain(`step ${f.step}`);
      expect(f.loss).toBeGreaterThan(f.optimalLoss * 0.9);
    }
    expect(frames[frames.length - 1].r2).toBeGreaterThan(frames[0].r2);
    expect(frames[frames.length - 1].loss).toBeLessThan(frames[0].loss);
  });

  it("a run without checkpoints is a clear error", async () => {
    const store = new MemoryRunStore();
    await store.writeRun({ format: RUN_FORMAT, version: RUN_FORMAT_VERSION, process: processToJson(makeProcess("mess3")), architecture: "transformer", model: { ...tiny, dVocab: 3 }, training: makeTrainingConfig({}) });
    await expect(trainingMovie(store)).rejects.toThrow(/argument 'run' received memory, which has no saved checkpoints; expected a run folder with weight checkpoints/);
    await expect(trainingMovie(new MemoryRunStore())).rejects.toThrow(/which has no run.json/);
  });

  it("the movie command refuses a folder that is not a run, and a run without checkpoints", async () => {
    const dir = await mkdtemp(join(tmpdir(), "bs-movie-"));
    const notRun = await runCli(["movie", dir, "-o", join(dir, "m.gif")]);
    expect(notRun.code).toBe(1);
    expect(notRun.stderr).toContain("expected a run folder from `beliefscope train` (with run.json and checkpoints/)");
    const run = join(dir, "run");
    await mkdir(run);
    await new FileRunStore(run).writeRun({ format: RUN_FORMAT, version: RUN_FORMAT_VERSION, process: processToJson(makeProcess("mess3")), architecture: "transformer", model: { ...tiny, dVocab: 3 }, training: makeTrainingConfig({}) });
    await writeFile(join(run, "metrics.jsonl"), "");
    const empty = await runCli(["movie", run, "-o", join(dir, "m.gif")]);
    expect(empty.code).toBe(1);
    expect(empty.stderr).toMatch(/error: trainingMovie: argument 'run' received ".*run", which has no saved checkpoints/);
  });
});
