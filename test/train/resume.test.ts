import { existsSync } from "node:fs";
import { mkdtemp, readFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { collect, runCli, startCli } from "../cli/run.js";
import { makeProcess } from "../../src/process/catalogue/index.js";
import { trainOnProcess } from "../../src/train/trainOnProcess.js";
import { MemoryRunStore } from "../../src/train/runStore.js";
import { FileRunStore } from "../../src/node/runFolder.js";

// A tiny model so that runs take seconds; the same flags for every run.
const model = ["--preset", "small", "--layers", "1", "--d-model", "16", "--heads", "2", "--d-head", "8", "--d-mlp", "32"];
const flags = (out: string, steps: number) => ["train", "mess3", "-o", out, ...model, "--steps", String(steps), "--checkpoint-every", "10", "--seed", "5"];

async function waitFor(path: string, ms: number): Promise<boolean> {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    if (existsSync(path)) return true;
    await new Promise((r) => setTimeout(r, 20));
  }
  return false;
}

describe("training checkpoints", () => {
  it("a run killed with SIGKILL resumes to exactly the weights of an uninterrupted run", async () => {
    const dir = await mkdtemp(join(tmpdir(), "bs-resume-"));
    const steps = 400;
    const straight = await runCli(flags(join(dir, "straight"), steps));
    expect(straight.code, straight.stderr).toBe(0);

    const killedDir = join(dir, "killed");
    const child = startCli(flags(killedDir, steps));
    const done = collect(child);
    expect(await waitFor(join(killedDir, "checkpoints", "latest.json"), 60_000)).toBe(true);
    child.kill("SIGKILL");
    const killed = await done;
    expect(killed.signal).toBe("SIGKILL");
    const latest = JSON.parse(await readFile(join(killedDir, "checkpoints", "latest.json"), "utf8"));
    expect(latest.step).toBeLessThan(steps); // it really was interrupted

    const resumed = await runCli(flags(killedDir, steps).concat("--resume"));
    expect(resumed.code, resumed.stderr).toBe(0);
    expect(resumed.stderr).toContain(`resuming at step ${latest.step} of ${steps}`);
    const a = await readFile(join(dir, "straight", "model", "model.safetensors"));
    const b = await readFile(join(killedDir, "model", "model.safetensors"));
    expect(b.equals(a)).toBe(true);
    // metrics.jsonl has each step exactly once, in order.
    const lines = (await readFile(join(killedDir, "metrics.jsonl"), "utf8")).trim().split("\n").map((l) => JSON.parse(l).step);
    expect(lines).toEqual(Array.from({ length: steps }, (_, k) => k + 1));
  });

  it("refuses to overwrite an existing run without --resume or --force, leaving it intact; --force replaces it", async () => {
    const dir = await mkdtemp(join(tmpdir(), "bs-exists-"));
    const out = join(dir, "run");
    expect((await runCli(flags(out, 10))).code).toBe(0);
    const before = await readFile(join(out, "model", "model.safetensors"));
    const again = await runCli(flags(out, 20));
    expect(again.code).toBe(1);
    expect(again.stderr).toContain(`error: beliefscope train: argument '--out' received "${out}", which exists and holds checkpoints, metrics.jsonl, model, run.json; expected a new or empty folder. Pass --force to replace it, or --resume to continue it, or choose another folder.`);
    expect((await readFile(join(out, "model", "model.safetensors"))).equals(before)).toBe(true);
    // The library refuses too, in its own words.
    await expect(trainOnProcess(makeProcess("mess3"), { store: new FileRunStore(out), training: { steps: 1 } })).rejects.toThrow(`which already holds a run`);
    const forced = await runCli([...flags(out, 12), "--force"]);
    expect(forced.code, forced.stderr).toBe(0);
    const steps = (await readFile(join(out, "metrics.jsonl"), "utf8")).trim().split("\n").map((l) => JSON.parse(l).step);
    expect(steps).toEqual(Array.from({ length: 12 }, (_, k) => k + 1));
  });

  it("a second writer of a run folder is refused at once, naming the process that holds it", async () => {
    const dir = await mkdtemp(join(tmpdir(), "bs-lock-"));
    const out = join(dir, "run");
    const child = startCli(flags(out, 100_000));
    const done = collect(child);
    try {
      expect(await waitFor(join(out, "checkpoints", "latest.json"), 60_000)).toBe(true);
      const second = await runCli(["train", "--resume", "-o", out, "--steps", "100000"]);
      expect(second.code).toBe(1);
      expect(second.stderr).toMatch(new RegExp(`^error: beliefscope train: argument '${out}' received a folder another process is writing: pid ${child.pid} on .* \\(beliefscope train mess3 -o ${out} .*\\); expected a folder no other process is writing\\. Wait for it to finish \\(or stop it: kill ${child.pid}\\)\\.`));
    } finally {
      child.kill("SIGKILL");
      await done;
    }
    // The killed holder's lock is stale: the next writer takes it over (and is then refused only for its steps).
    const next = await runCli(["train", "--resume", "-o", out, "--steps", "5"]);
    expect(next.stderr).not.toContain("another process is writing");
    expect(next.stderr).toContain("training.steps (may only grow)");
  });

  it("refuses to resume with other settings, naming them, and resumes with more steps", async () => {
    const dir = await mkdtemp(join(tmpdir(), "bs-settings-"));
    const out = join(dir, "run");
    expect((await runCli(flags(out, 10))).code).toBe(0);
    const other = await runCli([...flags(out, 10), "--lr", "0.01", "--resume"]);
    expect(other.code).toBe(1);
    expect(other.stderr).toContain(`error: trainOnProcess: argument 'resume' received settings that differ from the run in "${out}": training.optimizer.learningRate; expected the settings the run was started with (only steps may grow).`);
    const otherProcess = await runCli([...flags(out, 10).map((a) => (a === "mess3" ? "mess3:x=0.1" : a)), "--resume"]);
    expect(otherProcess.stderr).toContain("differ from the run");
    expect(otherProcess.stderr).toContain(": process;");
    const longer = await runCli([...flags(out, 20), "--resume"]);
    expect(longer.code, longer.stderr).toBe(0);
    expect(longer.stderr).toContain("resuming at step 10 of 20");
    // Every setting comes from run.json: no process, no model flags.
    const bare = await runCli(["train", "--resume", "-o", out, "--steps", "25"]);
    expect(bare.code, bare.stderr).toBe(0);
    expect(bare.stderr).toContain("resuming at step 20 of 25");
    const fewer = await runCli(["train", "--resume", "-o", out, "--steps", "5"]);
    expect(fewer.stderr).toContain("training.steps (may only grow)");
  });

  it("extending a cosine-scheduled run keeps the learning rates of the steps already taken", async () => {
    const store = new MemoryRunStore();
    const hmm = makeProcess("mess3");
    const model = { nLayers: 1, dModel: 8, nHeads: 1, dHead: 8, dMlp: 16, nCtx: 4 };
    const training = { steps: 20, seed: 1, checkpointEvery: 10, optimizer: { schedule: "cosine" as const, warmupSteps: 5 } };
    const first = await trainOnProcess(hmm, { model, training, store });
    first.model.dispose();
    const extended = await trainOnProcess(null, { training: { steps: 40 }, store, resume: true });
    extended.model.dispose();
    const lr = extended.metrics.map((m) => m.learningRate);
    expect(lr.slice(0, 20)).toEqual(first.metrics.map((m) => m.learningRate));
    // After the 20-step horizon the schedule stays at its floor (10% of the peak).
    expect(lr.slice(20)).toEqual(new Array(20).fill(1e-4));
    expect(store.run!.training.scheduleSteps).toBe(20);
  });

  it("training in process lowers the loss toward the optimum (tiny model, 60 steps)", async () => {
    const r = await trainOnProcess(makeProcess("mess3"), {
      preset: "small",
      model: { nLayers: 1, dModel: 16, nHeads: 2, dHead: 8, dMlp: 32 },
      training: { steps: 60, seed: 1, optimizer: { learningRate: 3e-3 } },
    });
    const first = r.metrics.slice(0, 5).reduce((a, m) => a + m.loss, 0) / 5;
    const last = r.metrics.slice(-10).reduce((a, m) => a + m.loss, 0) / 10;
    expect(first).toBeGreaterThan(0.95);
    expect(last).toBeLessThan(0.9);
    expect(r.optimalLoss).toBeCloseTo(0.802512, 6); // mean of h(1..10), test/fixtures/numpy-truth.json
    r.model.dispose();
  });
});
