/**
 * Training: model size and steps as settings, Train / Pause-Resume / Stop /
 * Continue, where it runs (WebGPU or wasm, and the engine), progress, and the
 * live loss curve against the optimal loss.
 */
import { field, fmtSeconds, h, setChildren } from "../dom.js";
import { LossChart, type LossSeries } from "../plots/lossChart.js";
import { LAB_PRESETS, presetValue, type LabState } from "../state.js";
import type { DeviceChoice } from "../protocol.js";

export type RunPhase = "idle" | "starting" | "running" | "pausing" | "paused" | "stopping" | "finished" | "stopped" | "failed";

export interface TrainingPanelEvents {
  onSettings(patch: Partial<LabState>): void;
  onTrain(): void;
  onPauseResume(): void;
  onStop(): void;
  onContinue(): void;
}

const PRESET_LABELS: Record<string, string> = {
  "2l": "2 layers, d_model 64 (101k parameters)",
  "shai-4l": "4 layers, d_model 64: the anchor model (201k)",
  "1l": "1 layer, d_model 64 (51k)",
  small: "2 layers, d_model 32 (26k)",
  "attn-only-1l": "1 attention-only layer, no LayerNorm (18k)",
  "no-ln": "1 layer without LayerNorm (51k)",
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
    const preset = h("select", {}, ...LAB_PRESETS.map((p) => h("option", { value: p }, `${p}: ${PRESET_LABELS[p] ?? p}`))) as HTMLSelectElement;
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
    const recover = h("input", { type: "checkbox" }) as HTMLInputElement;
    recover.checked = state.recover;
    recover.addEventListener("change", () => this.events.onSettings({ recover: recover.checked }));

    this.trainButton = h("button", { type: "button", class: "primary", onclick: () => this.events.onTrain(), "aria-keyshortcuts": "Alt+T", title: "Start a new run (Alt+T)" }, "Train") as HTMLButtonElement;
    this.pauseButton = h("button", { type: "button", onclick: () => this.events.onPauseResume(), disabled: true, "aria-keyshortcuts": "Alt+P", title: "Pause or resume (Alt+P)" }, "Pause") as HTMLButtonElement;
    this.stopButton = h("button", { type: "button", onclick: () => this.events.onStop(), disabled: true, title: "Stop and analyse the model as it is" }, "Stop") as HTMLButtonElement;
    this.continueButton = h("button", { type: "button", onclick: () => this.events.onContinue(), disabled: true, title: "Run more steps on the same model" }, "Continue") as HTMLButtonElement;
    this.status = h("p", { class: "status", role: "status", "aria-live": "polite" }, "Ready. Press Train.");
    this.where = h("p", { class: "where" }, "Device: checking…");

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
        field("Context n_ctx", num("nCtx", 2, 64)),
        field("Steps", num("steps", 1, 1_000_000)),
        field("Batch", num("batchSize", 1, 4096)),
        field("Learning rate", num("learningRate", 1e-6, 1, "any")),
        field("Seed", num("seed", 0, 2 ** 31 - 1)),
        h("div", { class: "wide2" }, field("Device", device)),
        field("Probe every", num("probeEvery", 10, 100_000, 10), "steps"),
        h("div", { class: "field check" }, h("label", {}, recover, " Recover the HMM after training")),
      ),
      this.where,
      this.status,
      this.chart.canvas,
    );
    new ResizeObserver(([entry]) => {
      const width = Math.floor(entry.contentRect.width);
      this.chart.setSize(width, Math.max(220, Math.min(340, Math.round(width * 0.56))));
    }).observe(this.element);
  }

  /** Reflect settings changed elsewhere (preset resets layers and d_model). */
  setSettings(state: LabState): void {
    for (const [key, input] of Object.entries(this.inputs)) {
      const v = String(state[key as keyof LabState]);
      if (input.value !== v) input.value = v;
    }
  }

  setWhere(text: string): void {
    this.where.textContent = text;
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
