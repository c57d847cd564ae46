/**
 * The lab's controller: the page's settings (mirrored in the URL), three
 * workers and the panels.
 *   process worker   parse/check a process, exact beliefs, optimal losses (no jax-js)
 *   training worker  trainOnProcess on WebGPU or wasm; snapshots every N steps
 *   analysis worker  probes, held-out loss, recovery, interpolation (wasm)
 * The page itself only draws: nothing heavy runs on the main thread, so it
 * answers input while a model trains.
 */
import { lossCurveSvg } from "../../src/plot/lossCurve.js";
import type { StepMetrics } from "../../src/train/trainer.js";
import type { StateDict } from "../../src/util/hostTensor.js";
import { h } from "./dom.js";
import { downloadBlob, downloadBytes, downloadText, prettyJson, svgToPng } from "./download.js";
import { GeometryPanel } from "./panels/geometryPanel.js";
import { ProcessPanel } from "./panels/processPanel.js";
import { ResultsPanel } from "./panels/resultsPanel.js";
import { TrainingPanel, type RunPhase } from "./panels/trainingPanel.js";
import type { AnalysisEvent, AnalysisRequest, EngineSetting, FigureName, ProbeSummary, ProcessEvent, ProcessRequest, ProcessSummary, RecoverySummary, RunSettings, TrainEvent, TrainRequest } from "./protocol.js";
import { catalogueSpec, modelOverrides, stateFromQuery, stateToQuery, type LabState, type ProcessChoice } from "./state.js";

interface Run {
  readonly id: number;
  readonly settings: RunSettings;
  phase: RunPhase;
  device: string;
  /** Why this device (shown beside it). */
  readonly why: string;
  engine: string;
  totalSteps: number;
  readonly metrics: StepMetrics[];
  readonly steps: number[];
  readonly losses: number[];
  /** Held-out loss at each probe: relative to the optimal loss on the same sequences, and when it was known (s after Train). */
  readonly heldOut: { step: number; loss: number; relative: number; at: number }[];
  /** Wall time of the steps so far (seconds), from the metrics. */
  stepSeconds: number;
  /** performance.now() when the first batch of steps arrived (minus its step time), and when the latest did. */
  firstStepAt: number | null;
  lastStepAt: number;
  /** performance.now() when Train was pressed. */
  readonly pressed: number;
  lastSnapshot: { step: number; params: StateDict } | null;
  probe: ProbeSummary | null;
  final: ProbeSummary | null;
  finalReport: unknown;
  /** probes.safetensors of the final analysis (src/probe/probeFile.ts layout). */
  finalProbeFile: Uint8Array | null;
  recovery: RecoverySummary | null;
  /** Seconds from pressing Train to the first probe verdict "beyond controls" of the final layer. */
  beyondAt: number | null;
}

interface DeviceChoiceResult {
  readonly device: "wasm" | "webgpu";
  readonly why: string;
}

type GpuAdapterInfo = { vendor?: string; architecture?: string; description?: string; isFallbackAdapter?: boolean };
type GpuAdapter = { info?: GpuAdapterInfo; isFallbackAdapter?: boolean };

/** What WebGPU this browser offers, probed once. */
async function probeWebGpu(): Promise<{ adapter: boolean; software: boolean; name: string }> {
  const gpu = (navigator as unknown as { gpu?: { requestAdapter(): Promise<GpuAdapter | null> } }).gpu;
  if (!gpu) return { adapter: false, software: false, name: "this browser has no WebGPU" };
  try {
    const adapter = await gpu.requestAdapter();
    if (!adapter) return { adapter: false, software: false, name: "no WebGPU adapter" };
    const info = adapter.info ?? {};
    const name = [info.vendor, info.architecture, info.description].filter(Boolean).join(" ") || "unnamed adapter";
    const software = info.isFallbackAdapter === true || adapter.isFallbackAdapter === true || /swiftshader|llvmpipe|software/i.test(name);
    return { adapter: true, software, name };
  } catch (err) {
    return { adapter: false, software: false, name: `WebGPU failed: ${(err as Error).message}` };
  }
}

function deviceName(device: string): string {
  return device === "webgpu" ? "WebGPU" : "wasm (CPU, Web Worker)";
}

/** The engine a run will use, before it starts (the worker names the one it took). */
function engineBefore(device: "wasm" | "webgpu", engine: EngineSetting): string {
  return device === "webgpu" || engine === "jax" ? "jax-js" : "fused wasm-SIMD if the model fits, else jax-js";
}

export class Lab {
  private state: LabState;
  private readonly processWorker: Worker;
  private readonly analysisWorker: Worker;
  private trainWorker: { worker: Worker; device: "wasm" | "webgpu" } | null = null;
  private readonly processPanel: ProcessPanel;
  private readonly trainingPanel: TrainingPanel;
  private readonly geometryPanel: GeometryPanel;
  private readonly resultsPanel: ResultsPanel;
  private readonly message: HTMLElement;
  private process: ProcessSummary | null = null;
  private processRequest = 0;
  private processWaiters: ((s: ProcessSummary | null) => void)[] = [];
  private processSettled = false;
  private run: Run | null = null;
  private runCounter = 0;
  private requestCounter = 0;
  private readonly pendingFigures = new Map<number, (svg: string | null) => void>();
  private readonly pendingExports = new Map<number, (files: Record<string, Uint8Array>) => void>();
  private readonly pendingPings = new Map<number, (ms: number) => void>();
  private readonly webgpu = probeWebGpu();
  private lastStatus = 0;

  constructor(root: HTMLElement) {
    const { state, problems } = stateFromQuery(location.search);
    this.state = state;
    this.processWorker = new Worker(new URL("./processWorker.ts", import.meta.url), { type: "module" });
    this.analysisWorker = new Worker(new URL("./analysisWorker.ts", import.meta.url), { type: "module" });
    this.processWorker.onmessage = (e: MessageEvent<ProcessEvent>) => this.onProcessEvent(e.data);
    this.analysisWorker.onmessage = (e: MessageEvent<AnalysisEvent>) => this.onAnalysisEvent(e.data);
    this.processWorker.onerror = (e) => this.fail(`process worker: ${e.message}`);
    this.analysisWorker.onerror = (e) => this.fail(`analysis worker: ${e.message}`);

    this.processPanel = new ProcessPanel(state.process, {
      onChange: (choice) => this.setState({ process: choice }),
      onDownloadJson: () => this.downloadProcessJson(),
      onDownloadFigure: (format) => void this.downloadFigure(this.processWorker, "msp", `${this.process?.name ?? "process"}-beliefs`, format),
    });
    this.trainingPanel = new TrainingPanel(state, {
      onSettings: (patch) => this.setState(patch),
      onTrain: () => void this.train(),
      onPauseResume: () => this.pauseResume(),
      onStop: () => this.stop(),
      onContinue: () => this.continueRun(),
    });
    this.geometryPanel = new GeometryPanel((site, format) => void this.downloadFigure(this.analysisWorker, `probe:${site}`, `beliefs-${site.replace(/\s+/g, "-")}`, format));
    this.resultsPanel = new ResultsPanel({
      onDownloadRun: () => void this.downloadRun("run.zip"),
      onDownloadModel: () => void this.downloadRun("model.safetensors"),
      onDownloadMetrics: () => this.downloadMetrics(),
      onDownloadLoss: (format) => void this.downloadLoss(format),
      onDownloadProbes: () => this.run?.finalReport && downloadText(JSON.stringify(this.run.finalReport, null, 2) + "\n", "probes.json"),
      onDownloadProbeWeights: () => this.run?.finalProbeFile && downloadBytes(this.run.finalProbeFile, "probes.safetensors"),
      onDownloadProbeFigure: (site, format) => void this.downloadFigure(this.analysisWorker, `probe:${site}`, `beliefs-${site.replace(/\s+/g, "-")}`, format),
      onDownloadRecovery: (what) => void this.downloadRecovery(what),
      onInterpolate: (t) => this.post(this.analysisWorker, { type: "interpolate", id: ++this.requestCounter, t }),
    });
    this.message = h("div", { class: "message", role: "alert" });
    if (problems.length) this.message.textContent = `Some settings in the link were ignored: ${problems.join("; ")}.`;

    root.append(
      h(
        "header",
        {},
        h("h1", {}, "beliefscope lab"),
        h("p", { class: "tagline" }, "Train a transformer on a hidden Markov process in your browser and watch its residual stream take the shape of the beliefs."),
      ),
      this.message,
      h("main", {}, this.processPanel.element, this.trainingPanel.element, this.geometryPanel.element, this.resultsPanel.element),
    );
    document.addEventListener("keydown", (e) => {
      if (!e.altKey || e.ctrlKey || e.metaKey) return;
      if (e.key === "t" || e.key === "T") {
        e.preventDefault();
        void this.train();
      } else if (e.key === "p" || e.key === "P") {
        e.preventDefault();
        this.pauseResume();
      }
    });
    void this.describeDevice();
    this.requestProcess();
  }

  // ---- settings

  private setState(patch: Partial<LabState>): void {
    const before = this.state;
    this.state = { ...this.state, ...patch };
    history.replaceState(null, "", location.pathname + stateToQuery(this.state));
    if (patch.preset || patch.nLayers !== undefined || patch.dModel !== undefined) this.trainingPanel.setSettings(this.state);
    if (patch.process || patch.nCtx !== before.nCtx) this.requestProcess();
    if (patch.device || patch.engine) void this.describeDevice();
    if (patch.steps !== undefined && !this.run) this.drawLoss();
  }

  private async resolveDevice(): Promise<DeviceChoiceResult> {
    const choice = this.state.device;
    if (choice === "wasm") return { device: "wasm", why: "wasm chosen under Device." };
    const gpu = await this.webgpu;
    if (!gpu.adapter) return { device: "wasm", why: choice === "webgpu" ? `WebGPU asked for, but ${gpu.name}: wasm instead.` : `No WebGPU here (${gpu.name}), so wasm.` };
    if (choice === "webgpu") return { device: "webgpu", why: `WebGPU chosen under Device (adapter: ${gpu.name}).` };
    // A software adapter (SwiftShader) is a correctness path: about 5x slower than wasm for these models.
    if (gpu.software) return { device: "wasm", why: `The WebGPU adapter here is software (${gpu.name}), slower than wasm for these models; choose WebGPU under Device to use it anyway.` };
    return { device: "webgpu", why: `WebGPU adapter: ${gpu.name}.` };
  }

  private async describeDevice(): Promise<void> {
    const { device, why } = await this.resolveDevice();
    if (this.run && (this.run.phase === "running" || this.run.phase === "paused")) return;
    this.trainingPanel.setWhere(deviceName(device), engineBefore(device, this.state.engine), why);
  }

  // ---- the process

  private requestProcess(): void {
    const id = ++this.processRequest;
    this.processSettled = false;
    const c: ProcessChoice = this.state.process;
    const request: ProcessRequest = c.kind === "catalogue" ? { type: "process", id, spec: catalogueSpec(c.name, c.params), nCtx: this.state.nCtx } : { type: "process", id, json: c.text, nCtx: this.state.nCtx };
    this.post(this.processWorker, request);
  }

  /** The current process, once the newest request is answered (null if it is invalid). */
  private currentProcess(): Promise<ProcessSummary | null> {
    if (this.processSettled) return Promise.resolve(this.process);
    return new Promise((resolve) => this.processWaiters.push(resolve));
  }

  private onProcessEvent(m: ProcessEvent): void {
    if (m.type === "figure") return this.pendingFigures.get(m.id)?.(m.svg);
    if (m.id !== this.processRequest) return; // an older request
    this.processSettled = true;
    if (m.type === "process") {
      this.process = m.summary;
      this.processPanel.showSummary(m.summary);
      this.processPanel.setJsonTemplate(prettyJson(m.summary.json));
    } else {
      this.process = null;
      this.processPanel.showError(m.message);
    }
    if (!this.run) this.drawLoss();
    const waiters = this.processWaiters.splice(0);
    for (const w of waiters) w(this.process);
  }

  // ---- training

  private post<T>(worker: Worker, message: T, transfer: Transferable[] = []): void {
    worker.postMessage(message, transfer);
  }

  private async train(): Promise<void> {
    this.trainingPanel.setStatus("Starting…");
    const pressed = performance.now();
    const process = await this.currentProcess();
    if (!process) {
      this.trainingPanel.setStatus("The process is not valid: fix it first (see the Process panel).");
      return;
    }
    this.resultsPanel.entropyRate = process.entropyRate;
    const { device, why } = await this.resolveDevice();
    // A run in progress is abandoned; jax-js starts once per worker, so a new device needs a new worker.
    if (this.trainWorker && (this.trainWorker.device !== device || this.isActive())) {
      this.trainWorker.worker.terminate();
      this.trainWorker = null;
    }
    if (!this.trainWorker) {
      const worker = new Worker(new URL("./trainWorker.ts", import.meta.url), { type: "module" });
      worker.onerror = (e) => this.fail(`training worker: ${e.message}`);
      this.trainWorker = { worker, device };
      worker.onmessage = (e: MessageEvent<TrainEvent>) => {
        if (this.trainWorker?.worker === worker) this.onTrainEvent(e.data);
      };
    }
    const s = this.state;
    const settings: RunSettings = {
      process: process.json,
      preset: s.preset,
      model: modelOverrides(s),
      steps: s.steps,
      batchSize: s.batchSize,
      learningRate: s.learningRate,
      seed: s.seed,
      device,
      engine: s.engine,
      probeEvery: s.probeEvery,
    };
    this.run = {
      id: ++this.runCounter,
      settings,
      phase: "starting",
      device,
      why,
      engine: "",
      totalSteps: s.steps,
      metrics: [],
      steps: [],
      losses: [],
      heldOut: [],
      stepSeconds: 0,
      firstStepAt: null,
      lastStepAt: 0,
      pressed,
      lastSnapshot: null,
      probe: null,
      final: null,
      finalReport: null,
      finalProbeFile: null,
      recovery: null,
      beyondAt: null,
    };
    this.geometryPanel.clear();
    this.resultsPanel.reset();
    this.trainingPanel.setWhere(deviceName(device), engineBefore(device, s.engine), why);
    this.setPhase("starting");
    this.drawLoss();
    this.post(this.trainWorker.worker, { type: "start", settings } satisfies TrainRequest);
  }

  private isActive(): boolean {
    const p = this.run?.phase;
    return p === "starting" || p === "running" || p === "pausing" || p === "stopping";
  }

  private setPhase(phase: RunPhase): void {
    if (!this.run) return;
    this.run.phase = phase;
    this.trainingPanel.setPhase(phase, this.trainWorker !== null);
    document.body.dataset.phase = phase;
    this.showProgress(true);
  }

  private showProgress(force = false): void {
    const r = this.run;
    if (!r) return;
    const now = performance.now();
    if (!force && now - this.lastStatus < 200) return;
    this.lastStatus = now;
    const recent = r.metrics.slice(-30);
    const sec = recent.reduce((a, m) => a + m.seconds, 0);
    const rate = sec > 0 ? recent.length / sec : 0;
    if (r.phase === "starting") return this.trainingPanel.setStatus("Starting: compiling the model…");
    this.trainingPanel.progress(r.steps.at(-1) ?? 0, r.totalSteps, rate, (now - r.pressed) / 1000, r.phase);
  }

  private drawLoss(): void {
    const r = this.run;
    this.trainingPanel.draw({ steps: r?.steps ?? [], losses: r?.losses ?? [], heldOut: r?.heldOut ?? [], optimal: this.process?.optimalLoss ?? null, totalSteps: r?.totalSteps ?? this.state.steps });
  }

  private onTrainEvent(m: TrainEvent): void {
    const r = this.run;
    if (!r) return;
    switch (m.type) {
      case "started":
        r.device = m.device;
        r.engine = m.engine;
        r.totalSteps = m.totalSteps;
        this.trainingPanel.setWhere(deviceName(m.device), m.engine, r.why);
        if (r.phase === "starting") this.setPhase("running");
        break;
      case "steps":
        if (r.firstStepAt === null) r.firstStepAt = performance.now() - 1000 * m.metrics.reduce((a, s) => a + s.seconds, 0);
        r.lastStepAt = performance.now();
        for (const s of m.metrics) {
          r.metrics.push(s);
          r.steps.push(s.step);
          r.losses.push(s.loss);
          r.stepSeconds += s.seconds;
        }
        this.drawLoss();
        this.showProgress();
        break;
      case "snapshot": {
        const params = m.params;
        if (m.step === 0 && r.steps.length === 0) {
          this.post(this.analysisWorker, { type: "untrained", runId: r.id, process: r.settings.process, architecture: m.architecture, modelConfig: m.modelConfig, params } satisfies AnalysisRequest);
        } else {
          r.lastSnapshot = { step: m.step, params };
          this.post(this.analysisWorker, { type: "probe", runId: r.id, step: m.step, params, sequences: this.state.probeSequences } satisfies AnalysisRequest);
        }
        break;
      }
      case "ended":
        r.engine = m.engine;
        this.setPhase(m.reason);
        this.resultsPanel.enableDownloads("run");
        if (m.reason !== "paused") this.finalAnalysis();
        break;
      case "exported":
        this.pendingExports.get(m.id)?.(m.files);
        this.pendingExports.delete(m.id);
        break;
      case "pong":
        this.pendingPings.get(m.id)?.(performance.now());
        break;
      case "error":
        this.setPhase("failed");
        this.fail(m.message);
        break;
    }
  }

  private finalAnalysis(): void {
    const r = this.run;
    if (!r?.lastSnapshot) return;
    this.resultsPanel.progress("probes of every layer");
    this.post(this.analysisWorker, { type: "final", runId: r.id, step: r.lastSnapshot.step, params: r.lastSnapshot.params, recover: this.state.recover } satisfies AnalysisRequest);
  }

  private pauseResume(): void {
    const r = this.run;
    if (!r || !this.trainWorker) return;
    if (r.phase === "running") {
      this.setPhase("pausing");
      this.post(this.trainWorker.worker, { type: "pause" } satisfies TrainRequest);
    } else if (r.phase === "paused") {
      this.setPhase("running");
      this.post(this.trainWorker.worker, { type: "resume", steps: r.totalSteps } satisfies TrainRequest);
    }
  }

  private stop(): void {
    const r = this.run;
    if (!r || !this.trainWorker) return;
    if (r.phase === "paused") {
      this.setPhase("stopped");
      this.finalAnalysis();
    } else if (r.phase === "running" || r.phase === "pausing" || r.phase === "starting") {
      this.setPhase("stopping");
      this.post(this.trainWorker.worker, { type: "stop" } satisfies TrainRequest);
    }
  }

  private continueRun(): void {
    const r = this.run;
    if (!r || !this.trainWorker || !(r.phase === "finished" || r.phase === "stopped")) return;
    r.totalSteps = (r.steps.at(-1) ?? r.totalSteps) + this.state.steps;
    this.setPhase("running");
    this.post(this.trainWorker.worker, { type: "resume", steps: r.totalSteps } satisfies TrainRequest);
  }

  // ---- analysis

  private finalLayer(summary: ProbeSummary) {
    return summary.sites.filter((s) => s.label !== "concat" && s.label !== "embed").at(-1) ?? summary.sites[0];
  }

  private onAnalysisEvent(m: AnalysisEvent): void {
    if (m.type === "figure") {
      this.pendingFigures.get(m.id)?.(m.svg);
      this.pendingFigures.delete(m.id);
      return;
    }
    if (m.type === "error") return this.fail(m.message);
    if (m.type === "interpolated") return this.resultsPanel.showInterpolated(m.t, m.points);
    const r = this.run;
    if (!r || m.runId !== r.id) return;
    switch (m.type) {
      case "probe": {
        if (r.final) return;
        r.probe = m.summary;
        r.heldOut.push({ step: m.summary.step, loss: m.summary.heldOut.loss, relative: m.summary.heldOut.relative, at: (performance.now() - r.pressed) / 1000 });
        const site = this.finalLayer(m.summary);
        if (site.beyondControls && r.beyondAt === null) r.beyondAt = (performance.now() - r.pressed) / 1000;
        this.geometryPanel.show(m.summary, site, false);
        this.drawLoss();
        break;
      }
      case "progress":
        this.resultsPanel.progress(m.stage);
        break;
      case "final": {
        r.final = m.summary;
        r.finalReport = m.reportJson;
        r.finalProbeFile = m.probeFile;
        const site = this.finalLayer(m.summary);
        // The final evaluation (5000 sequences) replaces a live one (1000) of the same step.
        const same = r.heldOut.findIndex((p) => p.step === m.summary.step);
        if (same >= 0) r.heldOut.splice(same, 1);
        r.heldOut.push({ step: m.summary.step, loss: m.summary.heldOut.loss, relative: m.summary.heldOut.relative, at: (performance.now() - r.pressed) / 1000 });
        if (site.beyondControls && r.beyondAt === null) r.beyondAt = (performance.now() - r.pressed) / 1000;
        this.geometryPanel.show(m.summary, site, true);
        this.resultsPanel.showProbes(m.summary);
        this.resultsPanel.enableDownloads("final");
        this.drawLoss();
        break;
      }
      case "recovery":
        r.recovery = m.summary;
        this.resultsPanel.showRecovery(m.summary);
        break;
      case "recoveryError":
        this.resultsPanel.showRecoveryError(m.message);
        break;
    }
  }

  private fail(message: string): void {
    this.message.textContent = `Error: ${message}`;
    console.error(message);
  }

  // ---- downloads

  private figure(worker: Worker, name: FigureName): Promise<string | null> {
    const id = ++this.requestCounter;
    return new Promise((resolve) => {
      this.pendingFigures.set(id, resolve);
      this.post(worker, { type: "figure", id, name });
    });
  }

  private async saveSvg(svg: string, base: string, format: "svg" | "png"): Promise<void> {
    if (format === "svg") downloadText(svg, `${base}.svg`, "image/svg+xml");
    else downloadBlob(await svgToPng(svg), `${base}.png`);
  }

  private async downloadFigure(worker: Worker, name: FigureName, base: string, format: "svg" | "png"): Promise<void> {
    const svg = await this.figure(worker, name);
    if (svg) await this.saveSvg(svg, base, format);
  }

  private downloadProcessJson(): void {
    if (this.process) downloadText(prettyJson(this.process.json), `${this.process.name}.json`);
  }

  private async downloadLoss(format: "svg" | "png"): Promise<void> {
    const r = this.run;
    if (!r || r.metrics.length === 0 || !this.process) return;
    await this.saveSvg(lossCurveSvg(r.metrics, this.process.optimalLoss, { title: `Training loss on ${this.process.name}` }), "loss-curve", format);
  }

  private downloadMetrics(): void {
    const r = this.run;
    if (r) downloadText(r.metrics.map((m) => JSON.stringify(m) + "\n").join(""), "metrics.jsonl", "application/jsonl");
  }

  private async downloadRun(which: "run.zip" | "model.safetensors"): Promise<void> {
    if (!this.trainWorker || !this.run) return;
    const id = ++this.requestCounter;
    const files = await new Promise<Record<string, Uint8Array>>((resolve) => {
      this.pendingExports.set(id, resolve);
      this.post(this.trainWorker!.worker, { type: "export", id } satisfies TrainRequest);
    });
    const name = this.run.settings.process.name ?? "process";
    if (which === "run.zip") downloadBytes(files["run.zip"], `beliefscope-run-${name}.zip`, "application/zip");
    else if (files["model.safetensors"]) downloadBytes(files["model.safetensors"], "model.safetensors");
  }

  private async downloadRecovery(what: "json" | "report" | "probe" | "graph-svg" | "graph-png" | "beliefs-svg" | "beliefs-png"): Promise<void> {
    const rec = this.run?.recovery;
    if (!rec) return;
    if (what === "json") return downloadText(prettyJson(rec.recoveredJson), "recovered.json");
    if (what === "report") return downloadText(JSON.stringify(rec.reportJson, null, 2) + "\n", "recovery-report.json");
    if (what === "probe") return downloadBytes(rec.probeFile, "probe.safetensors");
    const [name, format] = what.split("-") as ["graph" | "beliefs", "svg" | "png"];
    await this.downloadFigure(this.analysisWorker, name === "graph" ? "recovery-graph" : "recovery-beliefs", name === "graph" ? "truth-vs-recovered" : "recovered-beliefs", format);
  }

  // ---- for tests and measurements (window.beliefscopeLab)

  hooks() {
    return {
      phase: () => this.run?.phase ?? "idle",
      device: () => this.run?.device ?? null,
      engine: () => this.run?.engine ?? null,
      losses: () => this.run?.losses.slice() ?? [],
      beyondAt: () => this.run?.beyondAt ?? null,
      heldOut: () => this.run?.heldOut.slice() ?? [],
      /** Steps so far, the seconds spent in them, and the wall seconds from the first step's start to the last's end. */
      speed: () => {
        const r = this.run;
        return { steps: r?.steps.length ?? 0, stepSeconds: r?.stepSeconds ?? 0, wallSeconds: r && r.firstStepAt !== null ? (r.lastStepAt - r.firstStepAt) / 1000 : 0 };
      },
      finalVerdicts: () => this.run?.final?.sites.map((s) => ({ label: s.label, r2: s.r2, beyondControls: s.beyondControls })) ?? null,
      recovered: () => (this.run?.recovery ? { states: this.run.recovery.states, tv: this.run.recovery.tv } : null),
      /** Round trip to the training worker (ms): bounded by its checkpoint interval while it trains. */
      pingTrainer: () =>
        new Promise<number>((resolve) => {
          if (!this.trainWorker) return resolve(NaN);
          const id = ++this.requestCounter;
          const t0 = performance.now();
          this.pendingPings.set(id, (t) => resolve(t - t0));
          this.post(this.trainWorker.worker, { type: "ping", id } satisfies TrainRequest);
        }),
    };
  }
}
