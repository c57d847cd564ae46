/**
 * Training: model size and steps as settings, Train / Pause-Resume / Stop /
 * Continue, where it runs (WebGPU or wasm, and the engine), progress, and the
 * live loss curve against the optimal loss.
 */
import { field, fmtSeconds, h, setChildren } from "../dom.js";
import { LossChart, type LossSeries } from "../plots/lossChart.js";
import { DEFAULT_STATE, LAB_PRESETS, presetValue, type LabState } from "../state.js";
import type { DeviceChoice, EngineSetting } from "../protocol.js";

export type RunPhase = "idle" | "starting" | "running" | "pausing" | "paused" | "stopping" | "finished" | "stopped" | "failed";

export interface TrainingPanelEvents {
  onSettings(patch: Partial<LabState>): void;
  onTrain(): void;
  onPauseResume(): void;
  onStop(): void;
  onContinue(): void;
}

/** Short names in the menu (the cell is narrow); the long ones as the option's tooltip. */
const PRESET_LABELS: Record<string, readonly [string, string]> = {
  "2l": ["2l: 2 layers (101k)", "2 layers, d_model 64, 4 heads: 101k parameters"],
  "shai-4l": ["shai-4l: anchor, 4 layers (201k)", "The anchor model of Shai et al. 2024: 4 layers, d_model 64, 201k parameters"],
  "1l": ["1l: 1 layer (51k)", "1 layer, d_model 64: 51k parameters"],
  small: ["small: 2 layers, d 32 (26k)", "2 layers, d_model 32: 26k parameters"],
  "attn-only-1l": ["attn-only-1l (18k)", "1 attention-only layer, no LayerNorm: 18k parameters"],
  "no-ln": ["no-ln: no LayerNorm (51k)", "1 layer without LayerNorm: 51k parameters"],
};

export class TrainingPanel {
  readonly element: HTMLElement;
  readonly chart = new LossChart();
  private readonly trainButton: HTMLButtonElement;
  private readonly pauseButton: HTMLButtonElement;
  private readonly stopButton: HTMLButtonElement;
  private readonly continueButton: HTMLButtonElement;
  private readonly status: HTMLElement;
  private readonly where: HTMLElement;
  private readonly more: HTMLDetailsElement;
  private readonly inputs: Record<string, HTMLInputElement | HTMLSelectElement> = {};

  constructor(state: LabState, private readonly events: TrainingPanelEvents) {
    const num = (key: keyof LabState, min: number, max: number, step: number | "any" = 1) => {
      const input = h("input", { type: "number", min, max, step, value: String(state[key]), class: "num" }) as HTMLInputElement;
      input.addEventListener("change", () => {
        const v = Number(input.value);
        const ok = Number.isFinite(v) && v >= min && v <= max && (step === "any" || Number.isInteger(v / (step as number)));
        input.setAttribute("aria-invalid", String(!ok));
        if (ok) this.events.onSettings({ [key]: v } as Partial<LabState>);
      });
      this.inputs[key] = input;
      return input;
    };
    const preset = h("select", {}, ...LAB_PRESETS.map((p) => h("option", { value: p, title: PRESET_LABELS[p]?.[1] ?? p }, PRESET_LABELS[p]?.[0] ?? p))) as HTMLSelectElement;
    preset.value = state.preset;
    preset.addEventListener("change", () => {
      const p = preset.value as LabState["preset"];
      this.events.onSettings({ preset: p, nLayers: presetValue(p, "nLayers"), dModel: presetValue(p, "dModel") });
    });
    this.inputs.preset = preset;
    const device = h(
      "select",
      {},
      h("option", { value: "auto" }, "auto"),
      h("option", { value: "wasm" }, "wasm (CPU)"),
      h("option", { value: "webgpu" }, "WebGPU"),
    ) as HTMLSelectElement;
    device.value = state.device;
    device.addEventListener("change", () => this.events.onSettings({ device: device.value as DeviceChoice }));
    this.inputs.device = device;
    const engine = h(
      "select",
      { title: "On wasm, auto trains the default transformer with fused wasm-SIMD kernels (several times faster); jax-js runs every model, and is what WebGPU uses" },
      h("option", { value: "auto" }, "auto (fused wasm)"),
      h("option", { value: "jax" }, "jax-js"),
    ) as HTMLSelectElement;
    engine.value = state.engine;
    engine.addEventListener("change", () => this.events.onSettings({ engine: engine.value as EngineSetting }));
    this.inputs.engine = engine;
    const recover = h("input", { type: "checkbox" }) as HTMLInputElement;
    recover.checked = state.recover;
    recover.addEventListener("change", () => this.events.onSettings({ recover: recover.checked }));

    const moreFields = h("div", { class: "settings" }, field("Context n_ctx", num("nCtx", 2, 64)), field("Probe every", num("probeEvery", 10, 100_000, 10), "steps"), field("Probe sequences", num("probeSequences", 100, 20_000, 100)));
    this.more = h("details", { class: "more" }, h("summary", {}, "Context and probes"), moreFields) as HTMLDetailsElement;
    // Open when the link sets any of them.
    this.more.open = state.nCtx !== DEFAULT_STATE.nCtx || state.probeEvery !== DEFAULT_STATE.probeEvery || state.probeSequences !== DEFAULT_STATE.probeSequences;

    this.trainButton = h("button", { type: "button", class: "primary", onclick: () => this.events.onTrain(), "aria-keyshortcuts": "Alt+T", title: "Start a new run (Alt+T)" }, "Train") as HTMLButtonElement;
    this.pauseButton = h("button", { type: "button", onclick: () => this.events.onPauseResume(), disabled: true, "aria-keyshortcuts": "Alt+P", title: "Pause or resume (Alt+P)" }, "Pause") as HTMLButtonElement;
    this.stopButton = h("button", { type: "button", onclick: () => this.events.onStop(), disabled: true, title: "Stop and analyse the model as it is" }, "Stop") as HTMLButtonElement;
    this.continueButton = h("button", { type: "button", onclick: () => this.events.onContinue(), disabled: true, title: "Run more steps on the same model" }, "Continue") as HTMLButtonElement;
    this.status = h("p", { class: "status", role: "status", "aria-live": "polite" }, "Ready. Press Train.");
    this.where = h("p", { class: "where", "aria-live": "polite" }, "Backend: checking…");

    this.element = h(
      "section",
      { class: "card", "aria-labelledby": "training-title" },
      h("h2", { id: "training-title" }, "Model and training"),
      h("div", { class: "buttons" }, this.trainButton, this.pauseButton, this.stopButton, this.continueButton),
      h(
        "div",
        { class: "settings" },
        h("div", { class: "wide" }, field("Model", preset)),
        field("Layers", num("nLayers", 0, 12)),
        field("d_model", num("dModel", 4, 512)),
        field("Steps", num("steps", 1, 1_000_000)),
        field("Batch", num("batchSize", 1, 4096)),
        field("Learning rate", num("learningRate", 1e-6, 1, "any")),
        field("Seed", num("seed", 0, 2 ** 31 - 1)),
        h("div", { class: "wide" }, field("Device", device)),
        h("div", { class: "wide" }, field("Engine", engine)),
      ),
      h(
        "div",
        { class: "more-row" },
        h("label", { class: "check" }, recover, " Recover the HMM after training"),
        this.more,
      ),
      this.where,
      this.status,
      this.chart.canvas,
    );
    new ResizeObserver(([entry]) => {
      const width = Math.floor(entry.contentRect.width);
      this.chart.setSize(width, Math.max(240, Math.min(360, Math.round(width * 0.62))));
    }).observe(this.element);
  }

  /** Reflect settings changed elsewhere (preset resets layers and d_model). */
  setSettings(state: LabState): void {
    for (const [key, input] of Object.entries(this.inputs)) {
      const v = String(state[key as keyof LabState]);
      if (input.value !== v) input.value = v;
    }
  }

  /** Where the run trains: the backend and the engine as badges, and why in words. */
  setWhere(backend: string, engine: string, why: string): void {
    setChildren(
      this.where,
      h("span", { class: "badge", "data-testid": "backend", title: "jax-js backend of the training worker" }, backend),
      h("span", { class: "badge", "data-testid": "engine", title: "what runs the training steps" }, engine),
      why ? h("span", { class: "why" }, why) : null,
    );
  }

  setPhase(phase: RunPhase, canContinue: boolean): void {
    const active = phase === "starting" || phase === "running" || phase === "pausing" || phase === "paused" || phase === "stopping";
    this.pauseButton.disabled = !(phase === "running" || phase === "paused");
    this.pauseButton.textContent = phase === "paused" ? "Resume" : "Pause";
    this.stopButton.disabled = !active || phase === "stopping";
    this.continueButton.disabled = !(canContinue && (phase === "finished" || phase === "stopped"));
  }

  setStatus(...parts: (string | HTMLElement)[]): void {
    setChildren(this.status, ...parts);
  }

  progress(step: number, total: number, stepsPerSecond: number, elapsed: number, phase: RunPhase): void {
    const eta = stepsPerSecond > 0 ? (total - step) / stepsPerSecond : NaN;
    const verb = phase === "paused" ? "Paused at" : phase === "pausing" ? "Pausing at" : phase === "stopping" ? "Stopping at" : phase === "finished" ? "Finished" : phase === "stopped" ? "Stopped at" : "Step";
    this.setStatus(`${verb} ${step} / ${total} · ${stepsPerSecond.toFixed(1)} steps/s · ${fmtSeconds(elapsed)}${phase === "running" && Number.isFinite(eta) ? ` · ${fmtSeconds(eta)} left` : ""}`);
  }

  draw(series: LossSeries): void {
    this.chart.update(series);
  }
}
