import { cp, mkdir, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { makeProcess } from "../../src/process/catalogue/index.js";
import { trainOnProcess } from "../../src/train/trainOnProcess.js";
import { FileRunStore, loadTrainedModel, loadUntrainedModel } from "../../src/node/runFolder.js";
import { loadProcess } from "../../src/node/processFiles.js";
import { createModel } from "../../src/model/registry.js";
import { runCli } from "../cli/run.js";
import { resetWarnings } from "../../src/util/warn.js";

const tiny = { nLayers: 1, dModel: 8, nHeads: 1, dHead: 8, dMlp: 16, nCtx: 4 };
let dir: string;
let run: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "bs-runfolder-"));
  run = join(dir, "run");
  const r = await trainOnProcess(makeProcess("mess3"), { model: tiny, training: { steps: 12, checkpointEvery: 5, seed: 3 }, store: new FileRunStore(run) });
  r.model.dispose();
});

/** A copy of the trained run folder with one file replaced (or removed, when text is null). */
async function damaged(file: string, text: string | null): Promise<string> {
  const copy = join(dir, `copy-${Math.random().toString(36).slice(2)}`);
  await mkdir(copy);
  await cp(run, copy, { recursive: true });
  if (text === null) await rm(join(copy, file), { recursive: true, force: true });
  else await writeFile(join(copy, file), text);
  return copy;
}

describe("run folders", () => {
  it("keeps the initial weights, log-spaced snapshots and the newest two resumable checkpoints", async () => {
    const store = new FileRunStore(run);
    // Steps saved: 0 (initial), log-spaced 1, 2, 3, 4, 6, 7, 10, and every 5th: 5, 10; the final 12.
    expect(await store.checkpointSteps()).toEqual([0, 1, 2, 3, 4, 6, 7, 10, 12]);
    const latest = await store.loadLatestCheckpoint();
    expect(latest!.step).toBe(12);
    const initial = await createModel("transformer", { config: { ...tiny, dVocab: 3 }, seed: 3 });
    const sd = await initial.stateDict();
    initial.dispose();
    expect((await store.loadCheckpointWeights(0))["embed.W_E"].data).toEqual(sd["embed.W_E"].data);
    const loaded = await loadTrainedModel(run);
    const untrained = await loadUntrainedModel(loaded);
    expect((await untrained.stateDict())["embed.W_E"].data).toEqual(sd["embed.W_E"].data);
    expect(loaded.step).toBe(12);
    expect(loaded.model.architecture).toBe("transformer");
    untrained.dispose();
    loaded.model.dispose();
  });

  it("names the file and what is wrong when run.json, state.json, a checkpoint, config.json or a process file is damaged", async () => {
    const cases: [string, string | null, RegExp][] = [
      ["run.json", '{"oops":', /readRun: argument '.*run\.json' received text that is not valid JSON .*; expected the run's settings \(run\.json\)\. The file is damaged/],
      ["run.json", '{"format": "beliefscope/run", "version": 2}', /readRun: argument '.*run\.json "process"' received undefined; expected an object/],
    ];
    for (const [file, text, message] of cases) {
      const copy = await damaged(file, text);
      const r = await runCli(["train", "--resume", "-o", copy, "--steps", "14"]);
      expect(r.code, `${file}: ${r.stderr}`).toBe(1);
      expect(r.stderr, file).toMatch(message);
      expect(r.stderr, file).not.toMatch(/^\s+at /m);
    }
    // A damaged newest checkpoint is skipped, named with the reason, and the run continues from the one before (step 10).
    const fallbacks: [string, string | null, RegExp, number][] = [
      ["checkpoints/latest.json", "", /latest\.json is damaged \(not JSON\); found the checkpoints by listing/, 12],
      ["checkpoints/latest.json", null, /latest\.json is missing; found the checkpoints by listing/, 12],
      ["checkpoints/step-00000012/state.json", "[", /skipped checkpoint step-00000012 \(loadCheckpoint: argument '.*step-00000012\/state\.json' received text that is not valid JSON.*; resuming from step-00000010/, 10],
      ["checkpoints/step-00000012/model.safetensors", "garbage!", /skipped checkpoint step-00000012 \(decodeSafetensors: argument '.*step-00000012\/model\.safetensors' received a header length of .* beyond the end of the file/, 10],
      ["checkpoints/step-00000012/optimizer.safetensors", null, /skipped checkpoint step-00000012 \(loadStateDict: argument '.*optimizer\.safetensors' received no such file/, 10],
    ];
    const before = await readFile(join(run, "metrics.jsonl"), "utf8");
    const warned: string[] = [];
    for (const [file, text, message, from] of fallbacks) {
      const copy = await damaged(file, text);
      const previous = resetWarnings((m) => warned.push(m));
      warned.length = 0;
      try {
        const r = await trainOnProcess(null, { store: new FileRunStore(copy), resume: true, training: { steps: 14 } });
        r.model.dispose();
        expect(r.resumedFromStep, file).toBe(from);
      } finally {
        resetWarnings(previous);
      }
      expect(warned.join("\n"), file).toMatch(message);
      const after = (await readFile(join(copy, "metrics.jsonl"), "utf8")).split("\n");
      // History up to the checkpoint is kept byte for byte; the recomputed steps follow.
      expect(after.slice(0, from).join("\n")).toBe(before.split("\n").slice(0, from).join("\n"));
      expect(after.filter(Boolean).map((l) => JSON.parse(l).step)).toEqual(Array.from({ length: 14 }, (_, k) => k + 1));
    }
    // With both resumable checkpoints damaged it refuses, naming each, and writes nothing.
    const both = await damaged("checkpoints/step-00000012/model.safetensors", "garbage!");
    await writeFile(join(both, "checkpoints/step-00000010/model.safetensors"), "garbage!");
    const r = await runCli(["train", "--resume", "-o", both, "--steps", "14"]);
    expect(r.code).toBe(1);
    expect(r.stderr).not.toMatch(/^\s+at /m);
    expect(r.stderr).toMatch(/with no resumable checkpoint that validates: skipped step-00000012 \(decodeSafetensors: .*\); step-00000010 \(decodeSafetensors: .*\); expected a checkpoint with its weights, optimizer state and metrics\. Retraining from step 0 would replace/);
    expect(await readFile(join(both, "metrics.jsonl"), "utf8")).toBe(before);
    const noModel = await damaged("model/config.json", "{}");
    const p = await runCli(["probe", noModel]);
    expect(p.code).toBe(1);
    expect(p.stderr).toMatch(/loadModel: argument '.*model\/config\.json "format"' received undefined; expected "beliefscope\/model"/);
    const corruptRun = await damaged("run.json", '{"oops":');
    const q = await runCli(["probe", corruptRun]);
    expect(q.code).toBe(1);
    expect(q.stderr).toMatch(/run\.json' received text that is not valid JSON/);
    expect(q.stderr).not.toMatch(/^\s+at /m);
  });

  it("reports a damaged process file by name", async () => {
    const f = join(dir, "bad-process.json");
    await writeFile(f, '{"transitions": [[[0.5]]], "name": 3}');
    await expect(loadProcess(f)).rejects.toThrow(/argument 'name' received 3; expected a string/);
    await writeFile(f, "not json");
    await expect(loadProcess(f)).rejects.toThrow(new RegExp(`processFromJsonText: argument '${f}' received text that is not valid JSON`));
    const r = await runCli(["process", "info", f]);
    expect(r.code).toBe(1);
    expect(r.stderr).not.toMatch(/^\s+at /m);
  });

  it("a run resumed after training finished changes nothing, and the model folder matches the last checkpoint", async () => {
    const before = await readFile(join(run, "model", "model.safetensors"));
    const r = await trainOnProcess(null, { store: new FileRunStore(run), resume: true });
    expect(r.stepsThisCall).toBe(0);
    expect(r.metrics.map((m) => m.step)).toEqual(Array.from({ length: 12 }, (_, k) => k + 1));
    r.model.dispose();
    expect((await readFile(join(run, "model", "model.safetensors"))).equals(before)).toBe(true);
  });
});
