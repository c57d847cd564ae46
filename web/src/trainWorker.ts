/**
 * The training worker: one run at a time, on the device the page chose when it
 * made this worker (jax-js starts once per worker; the page makes a new worker
 * to change device). trainOnProcess picks a fused engine by itself when one is
 * registered for the model (engine "auto"), so this file knows no engine.
 *
 * Between steps the trainer runs synchronously as far as the event loop is
 * concerned (wasm reads resolve as microtasks), so pause, stop and export
 * messages are let in at checkpoints: every CHECKPOINT_EVERY steps the store
 * yields one macrotask. That bounds the pause latency to CHECKPOINT_EVERY steps.
 */
import { zipSync } from "fflate";
import {
  initEngine,
  MemoryRunStore,
  processFromJson,
  stateDictToSafetensors,
  trainOnProcess,
  type CheckpointPolicy,
  type StepMetrics,
  type TrainingSnapshot,
  type TrainOnProcessResult,
} from "../../src/index.js";
import type { RunSettings, TrainEvent, TrainRequest } from "./protocol.js";

/** Resumable checkpoints (in memory) every this many steps; also where control messages get in. */
export const CHECKPOINT_EVERY = 10;

const scope = self as unknown as {
  postMessage(message: TrainEvent, transfer?: Transferable[]): void;
  onmessage: ((event: MessageEvent<TrainRequest>) => void) | null;
};
const post = (event: TrainEvent, transfer?: Transferable[]) => scope.postMessage(event, transfer);

/** One macrotask: lets queued messages run. A MessageChannel message is not clamped the way nested timers are. */
function nextMacrotask(): Promise<void> {
  return new Promise((resolve) => {
    const channel = new MessageChannel();
    channel.port1.onmessage = () => {
      channel.port1.close();
      resolve();
    };
    channel.port2.postMessage(0);
  });
}

/** A MemoryRunStore that reports checkpoints and lets messages in after each. */
class LabRunStore extends MemoryRunStore {
  constructor(private readonly onSaved: (snapshot: TrainingSnapshot) => void) {
    super();
  }
  override async saveCheckpoint(snapshot: TrainingSnapshot, policy: CheckpointPolicy, weightsOnly = false): Promise<void> {
    await super.saveCheckpoint(snapshot, policy, weightsOnly);
    this.onSaved(snapshot);
    await nextMacrotask();
  }
}

let settings: RunSettings | null = null;
let store: LabRunStore | null = null;
let running = false;
let stopRequest: "pause" | "stop" | null = null;
let totalSteps = 0;
let pending: StepMetrics[] = [];
let lastFlush = 0;
let lastPosted = 0;

function copyParams(snapshot: TrainingSnapshot) {
  // The store keeps its snapshots: post copies, and transfer the copies.
  const params = Object.fromEntries(Object.entries(snapshot.params).map(([k, t]) => [k, { shape: [...t.shape], data: t.data.slice() }]));
  return { params, transfer: Object.values(params).map((t) => t.data.buffer) };
}

function postSnapshot(snapshot: TrainingSnapshot): void {
  if (!settings || !store?.run) return;
  // Every probeEvery steps (at the checkpoints, every CHECKPOINT_EVERY steps), the initial weights, and the last.
  const wanted = snapshot.step === 0 || snapshot.step - lastPosted >= settings.probeEvery || snapshot.step === totalSteps || stopRequest !== null;
  if (!wanted) return;
  lastPosted = snapshot.step;
  flushSteps();
  const { params, transfer } = copyParams(snapshot);
  post({ type: "snapshot", step: snapshot.step, params, modelConfig: { ...store.run.model }, architecture: store.run.architecture }, transfer);
}

function flushSteps(): void {
  if (pending.length === 0) return;
  post({ type: "steps", metrics: pending });
  pending = [];
  lastFlush = performance.now();
}

const events = {
  onStart(info: { startStep: number; totalSteps: number; engine: string }) {
    totalSteps = info.totalSteps;
  },
  onStep(m: StepMetrics) {
    pending.push(m);
    // At most ~30 messages a second, however fast the engine steps.
    if (performance.now() - lastFlush > 33) flushSteps();
  },
  shouldStop: () => stopRequest !== null,
};

async function run(train: () => Promise<TrainOnProcessResult>): Promise<void> {
  running = true;
  stopRequest = null;
  try {
    const result = await train();
    flushSteps();
    const step = result.resumedFromStep + result.stepsThisCall;
    result.model.dispose();
    const reason = !result.stopped ? "finished" : stopRequest === "pause" ? "paused" : "stopped";
    post({ type: "ended", reason, step, seconds: result.seconds, engine: result.engine });
  } catch (err) {
    post({ type: "error", message: (err as Error)?.message ?? String(err) });
  } finally {
    running = false;
    stopRequest = null;
  }
}

let device: "wasm" | "webgpu" | null = null;

/**
 * The training engine: on wasm, "auto" lets trainOnProcess take the fused
 * wasm-SIMD trainer when it supports the model (src/train/fast/; several times
 * faster than jax-js on these small models), else jax-js. On WebGPU it is
 * always jax-js (the fused trainer runs on the CPU).
 */
function engineFor(s: RunSettings): "auto" | "jax" {
  return s.device === "webgpu" ? "jax" : s.engine;
}

async function start(s: RunSettings): Promise<void> {
  if (running) return post({ type: "error", message: "a run is in progress: stop it first" });
  if (device !== null && device !== s.device) return post({ type: "error", message: `this worker runs on ${device}; the page makes a new one to change device` });
  device = await initEngine(s.device) as "wasm" | "webgpu";
  settings = s;
  store = new LabRunStore(postSnapshot);
  pending = [];
  lastPosted = 0;
  const hmm = processFromJson(s.process, "process");
  await run(
    () =>
      trainOnProcess(hmm, {
        preset: s.preset,
        model: s.model,
        training: { steps: s.steps, batchSize: s.batchSize, seed: s.seed, checkpointEvery: CHECKPOINT_EVERY, optimizer: { learningRate: s.learningRate } },
        store: store!,
        device: s.device,
        engine: engineFor(s),
        events: {
          ...events,
          onStart(info) {
            events.onStart(info);
            announce(info.startStep, info.totalSteps, info.engine);
          },
        },
      }),
  );
}

function announce(startStep: number, total: number, engine: string): void {
  post({ type: "started", device: device ?? "?", engine, startStep, totalSteps: total });
}

async function resume(steps: number): Promise<void> {
  if (running) return post({ type: "error", message: "a run is in progress" });
  if (!store?.run || !settings) return post({ type: "error", message: "no run to continue" });
  await run(
    () =>
      trainOnProcess(null, {
        store: store!,
        resume: true,
        training: { steps },
        device: settings!.device,
        engine: engineFor(settings!),
        events: {
          ...events,
          onStart(info) {
            events.onStart(info);
            announce(info.startStep, info.totalSteps, info.engine);
          },
        },
      }),
  );
}

const checkpointFolder = (step: number) => `checkpoints/step-${String(step).padStart(8, "0")}`;

/** The run as the command line lays out a run folder (src/node/runFolder.ts), zipped. */
async function exportRun(id: number): Promise<void> {
  if (!store?.run) return post({ type: "error", message: "no run to download yet" });
  const enc = new TextEncoder();
  const json = (v: unknown) => enc.encode(JSON.stringify(v, null, 2) + "\n");
  const files: Record<string, Uint8Array> = {
    "run.json": json(store.run),
    "metrics.jsonl": enc.encode(store.metrics.map((m) => JSON.stringify(m) + "\n").join("")),
  };
  const steps = await store.checkpointSteps();
  for (const step of steps) {
    const snap = store.checkpoints.get(step)!;
    const resumable = store.resumable.has(step);
    files[`${checkpointFolder(step)}/model.safetensors`] = stateDictToSafetensors(snap.params);
    if (resumable) files[`${checkpointFolder(step)}/optimizer.safetensors`] = stateDictToSafetensors(snap.optimizerState);
    files[`${checkpointFolder(step)}/state.json`] = json({ step, resumable });
  }
  const latest = Math.max(-1, ...store.resumable);
  if (latest >= 0) files["checkpoints/latest.json"] = json({ step: latest, folder: checkpointFolder(latest).split("/")[1] });
  if (store.model) {
    files["model/model.safetensors"] = store.model.weights;
    files["model/config.json"] = enc.encode(store.model.config);
  }
  const zip = zipSync(Object.fromEntries(Object.entries(files).map(([p, data]) => [`run/${p}`, [data, { level: p.endsWith(".safetensors") ? 0 : 6 }]])));
  const out: Record<string, Uint8Array> = { "run.zip": zip };
  if (store.model) {
    out["model.safetensors"] = store.model.weights.slice();
    out["config.json"] = enc.encode(store.model.config);
  }
  post({ type: "exported", id, files: out }, Object.values(out).map((b) => b.buffer as ArrayBuffer));
}

scope.onmessage = (event) => {
  const m = event.data;
  switch (m.type) {
    case "start":
      void start(m.settings).catch((err) => post({ type: "error", message: (err as Error)?.message ?? String(err) }));
      break;
    case "resume":
      void resume(m.steps);
      break;
    case "pause":
    case "stop":
      if (running) stopRequest = m.type;
      break;
    case "export":
      void exportRun(m.id).catch((err) => post({ type: "error", message: (err as Error)?.message ?? String(err) }));
      break;
    case "ping":
      post({ type: "pong", id: m.id });
      break;
  }
};
