/**
 * The process: a catalogue picker with a slider per parameter, or a JSON editor
 * checked as you type (the command line's error messages, in place); and what
 * is exact about the process: its belief fractal (mixed-state presentation),
 * the optimal loss per position and the entropy-rate bracket.
 */
import { catalogue, processNames, type ProcessName } from "../../../src/process/catalogue/index.js";
import type { ParamSpec } from "../../../src/process/catalogue/types.js";
import { debounce, field, fmt, h, nextId, setChildren } from "../dom.js";
import { PositionChart } from "../plots/positionChart.js";
import { ScatterPlot } from "../plots/scatter.js";
import type { ProcessSummary } from "../protocol.js";
import { prettyJson } from "../download.js";
import { catalogueSpec, type ProcessChoice } from "../state.js";
import { processFromSpec, processToJson } from "../../../src/process/index.js";

export interface ProcessPanelEvents {
  onChange(choice: ProcessChoice): void;
  onDownloadJson(): void;
  onDownloadFigure(format: "svg" | "png"): void;
}

/** Slider resolution: integers step by 1; reals in 200 steps of their range, rounded to a readable step. */
function sliderStep(spec: ParamSpec): number {
  if (spec.integer) return 1;
  const raw = (spec.max - spec.min) / 200;
  const mag = 10 ** Math.floor(Math.log10(raw));
  return [1, 2, 5, 10].map((m) => m * mag).find((s) => s >= raw)!;
}

/** The JSON file of a catalogue process, as `beliefscope process save` writes it. */
function catalogueJson(name: ProcessName, params: Readonly<Record<string, number>>): string {
  try {
    return prettyJson(processToJson(processFromSpec(catalogueSpec(name, params))));
  } catch {
    return "";
  }
}

export class ProcessPanel {
  readonly element: HTMLElement;
  private choice: ProcessChoice;
  private readonly select: HTMLSelectElement;
  private readonly params: HTMLElement;
  private readonly description: HTMLElement;
  private readonly editor: HTMLTextAreaElement;
  private readonly editorError: HTMLElement;
  private readonly catalogueBox: HTMLElement;
  private readonly jsonBox: HTMLElement;
  private readonly facts: HTMLElement;
  private readonly plot = new ScatterPlot("Exact belief states (mixed-state presentation)", 300);
  private readonly positions = new PositionChart("Optimal loss per position", 280, 150);
  private readonly radios: Record<"catalogue" | "json", HTMLInputElement>;
  private readonly debouncedJson: (text: string) => void;
  private readonly debouncedParams: () => void;

  constructor(initial: ProcessChoice, private readonly events: ProcessPanelEvents) {
    this.choice = initial;
    const group = nextId("source");
    const radio = (value: "catalogue" | "json", label: string) => {
      const input = h("input", { type: "radio", name: group, value, id: nextId("r"), onchange: () => this.switchSource(value) }) as HTMLInputElement;
      return { input, label: h("label", { for: input.id }, input, " ", label) };
    };
    const rc = radio("catalogue", "Catalogue");
    const rj = radio("json", "Paste an HMM (JSON)");
    this.radios = { catalogue: rc.input, json: rj.input };

    this.select = h("select", { onchange: () => this.pickCatalogue(this.select.value as ProcessName) }) as HTMLSelectElement;
    for (const name of processNames) this.select.append(h("option", { value: name }, name));
    this.description = h("p", { class: "hint" });
    this.params = h("div", { class: "params" });
    this.catalogueBox = h("div", {}, field("Process", this.select), this.description, this.params);

    this.editor = h("textarea", { rows: 12, spellcheck: "false", autocomplete: "off", "aria-label": "Process JSON", class: "json" }) as HTMLTextAreaElement;
    this.editorError = h("div", { class: "error", id: nextId("json-error"), role: "status", "aria-live": "polite" });
    this.editor.setAttribute("aria-describedby", this.editorError.id);
    this.debouncedJson = debounce((text: string) => this.emit({ kind: "json", text }), 250);
    this.editor.addEventListener("input", () => this.debouncedJson(this.editor.value));
    this.jsonBox = h(
      "div",
      {},
      h("p", { class: "hint" }, 'Format: { "transitions": T[x][i][j] } (P(emit x, go to j | in i)), or { "transition": A, "emission": B }; as `beliefscope process save` writes.'),
      this.editor,
      this.editorError,
    );
    this.debouncedParams = debounce(() => this.emit(this.catalogueChoice()), 120);

    this.facts = h("div", { class: "facts", "aria-live": "polite" }, "Computing…");
    this.element = h(
      "section",
      { class: "card", "aria-labelledby": "process-title" },
      h("h2", { id: "process-title" }, "Process"),
      h("fieldset", { class: "tabs" }, h("legend", { class: "sr-only" }, "Where the process comes from"), rc.label, rj.label),
      this.catalogueBox,
      this.jsonBox,
      this.plot.canvas,
      h("p", { class: "caption" }, "Exact beliefs after every word up to the context length, coloured by belief."),
      this.facts,
      h(
        "div",
        { class: "downloads" },
        h("button", { type: "button", onclick: () => this.events.onDownloadJson() }, "Process JSON"),
        h("button", { type: "button", onclick: () => this.events.onDownloadFigure("svg"), "aria-label": "Belief fractal as SVG" }, "Fractal SVG"),
        h("button", { type: "button", onclick: () => this.events.onDownloadFigure("png"), "aria-label": "Belief fractal as PNG" }, "Fractal PNG"),
      ),
    );
    new ResizeObserver(([entry]) => {
      const width = Math.floor(entry.contentRect.width);
      this.plot.setSize(Math.min(380, width));
      this.positions.setSize(Math.min(380, width));
    }).observe(this.element);
    this.render();
  }

  /** The JSON the editor starts from when switching to it. */
  setJsonTemplate(text: string): void {
    if (this.choice.kind === "catalogue") this.editor.value = text;
  }

  private catalogueChoice(): ProcessChoice {
    const name = this.select.value as ProcessName;
    const specs = catalogue[name].params as Record<string, ParamSpec>;
    const params: Record<string, number> = {};
    for (const input of this.params.querySelectorAll<HTMLInputElement>("input[type=range]")) {
      const key = input.dataset.param!;
      const v = Number(input.value);
      if (key in specs && v !== specs[key].default) params[key] = v;
    }
    return { kind: "catalogue", name, params };
  }

  private emit(choice: ProcessChoice): void {
    this.choice = choice;
    this.events.onChange(choice);
  }

  private switchSource(kind: "catalogue" | "json"): void {
    if (kind === this.choice.kind) return;
    if (kind === "json") {
      // Start from the process picked so far (also before the worker's first answer).
      if (!this.editor.value.trim() && this.choice.kind === "catalogue") this.editor.value = catalogueJson(this.choice.name, this.choice.params);
      this.emit({ kind: "json", text: this.editor.value });
    }
    else this.emit(this.catalogueChoice());
    this.render();
  }

  private pickCatalogue(name: ProcessName): void {
    this.choice = { kind: "catalogue", name, params: {} };
    this.render();
    this.emit(this.choice);
  }

  private render(): void {
    const c = this.choice;
    this.radios[c.kind].checked = true;
    this.catalogueBox.hidden = c.kind !== "catalogue";
    this.jsonBox.hidden = c.kind !== "json";
    if (c.kind === "json") {
      if (this.editor.value !== c.text) this.editor.value = c.text;
      return;
    }
    this.select.value = c.name;
    const factory = catalogue[c.name];
    this.description.textContent = `${factory.description}. ${factory.source}.`;
    const rows = Object.entries(factory.params as Record<string, ParamSpec>).map(([key, spec]) => {
      const value = c.params[key] ?? spec.default;
      const step = sliderStep(spec);
      const slider = h("input", { type: "range", min: spec.min, max: spec.max, step, value, "data-param": key }) as HTMLInputElement;
      const number = h("input", { type: "number", min: spec.min, max: spec.max, step, value, class: "num", "aria-label": `${key} value` }) as HTMLInputElement;
      slider.addEventListener("input", () => {
        number.value = slider.value;
        this.debouncedParams();
      });
      number.addEventListener("change", () => {
        const v = Math.min(spec.max, Math.max(spec.min, Number(number.value)));
        if (!Number.isFinite(v)) return;
        slider.value = String(v);
        number.value = slider.value;
        this.debouncedParams();
      });
      slider.id = nextId("p");
      const hint = h("span", { class: "hint", id: nextId("hint") }, spec.doc);
      slider.setAttribute("aria-describedby", hint.id);
      number.setAttribute("aria-describedby", hint.id);
      return h("div", { class: "param" }, h("label", { for: slider.id }, key), number, slider, hint);
    });
    setChildren(this.params, ...(rows.length ? rows : [h("p", { class: "hint" }, "No parameters.")]));
  }

  showSummary(s: ProcessSummary): void {
    if (this.choice.kind === "json") {
      this.editor.removeAttribute("aria-invalid");
      this.editorError.textContent = `Valid: ${s.nStates} states, ${s.nSymbols} symbols${s.generalized ? " (generalized HMM)" : ""}.`;
      this.editorError.className = "ok";
    }
    const rate = s.entropyRate;
    const perPos = Array.from(s.optimalLossPerPosition.subarray(1), (v) => v.toFixed(4));
    this.plot.draw(s.points, undefined, `${s.msp.nodes} belief states of ${s.name}`);
    this.plot.canvas.dataset.points = String(s.points.rows);
    setChildren(
      this.facts,
      h(
        "dl",
        {},
        h("dt", {}, "States, symbols"),
        h("dd", {}, `${s.nStates}, ${s.nSymbols}${s.generalized ? " (generalized HMM)" : ""}`),
        h("dt", {}, "Mixed states"),
        h("dd", {}, `${s.msp.nodes} to depth ${s.msp.depth}`, h("span", { class: "hint" }, s.msp.closed ? " (all: the presentation is finite)" : s.msp.truncated ? " (drawing budget)" : "")),
        h("dt", {}, "Optimal loss"),
        h(
          "dd",
          {},
          h("strong", { "data-testid": "optimal-loss" }, s.optimalLossBracket.exact ? `${fmt(s.optimalLoss)} nats` : `in [${fmt(s.optimalLossBracket.lower)}, ${fmt(s.optimalLossBracket.upper)}] nats`),
          h("span", { class: "hint" }, ` mean of positions 1–${perPos.length} (n_ctx ${perPos.length})${s.optimalLossBracket.exact ? "" : ", a certified bracket: the budget cut the enumeration"}`),
        ),
        h("dt", {}, "Entropy rate"),
        h("dd", { "data-testid": "entropy-rate" }, rate.upper - rate.lower < 5e-6 ? `${fmt((rate.lower + rate.upper) / 2, 5)} nats/symbol` : `in [${fmt(rate.lower, 5)}, ${fmt(rate.upper, 5)}] nats/symbol`, h("span", { class: "hint" }, rate.method === "unifilar" ? " (closed form)" : rate.converged ? " (certified bracket)" : " (bracket not converged)")),
      ),
      this.positions.canvas,
      h("details", { class: "numbers-list" }, h("summary", {}, "Optimal loss per position (numbers)"), h("p", { class: "mono small" }, perPos.map((v, i) => `${i + 1}: ${v}`).join("  "))),
    );
    this.positions.draw({ optimal: s.optimalLossPerPosition.subarray(1), entropyRate: rate });
  }

  showError(message: string): void {
    this.plot.draw(null);
    this.plot.canvas.dataset.points = "0";
    this.positions.draw(null);
    if (this.choice.kind === "json") {
      setChildren(this.facts, h("p", { class: "hint" }, "Fix the process (the message under the editor) to see its beliefs and optimal loss."));
      this.editor.setAttribute("aria-invalid", "true");
      this.editorError.className = "error";
      this.editorError.textContent = message;
    } else {
      setChildren(this.facts, h("p", { class: "error" }, message));
    }
  }
}
