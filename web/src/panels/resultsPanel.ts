/**
 * After training: probes of every layer (and all layers concatenated) with the
 * full controls, the held-out loss per position against the optimum, the HMM
 * recovered from the model alone beside the truth, and an animation of the
 * beliefs of the HMMs between the truth and the recovered one. Downloads in
 * the command line's formats.
 */
import { fmt, fmtExp, fmtPercent, h, setChildren } from "../dom.js";
import { PositionChart } from "../plots/positionChart.js";
import { ScatterPlot, viewOf } from "../plots/scatter.js";
import type { PointSet, ProbeSummary, RecoverySummary } from "../protocol.js";
import { controlTable, verdictElement } from "./geometryPanel.js";

export interface ResultsEvents {
  onDownloadRun(): void;
  onDownloadModel(): void;
  onDownloadProbes(): void;
  /** probes.safetensors: the fitted probes in the command line's one probe-file layout. */
  onDownloadProbeWeights(): void;
  onDownloadMetrics(): void;
  onDownloadLoss(format: "svg" | "png"): void;
  onDownloadProbeFigure(site: string, format: "svg" | "png"): void;
  onDownloadRecovery(what: "json" | "report" | "probe" | "graph-svg" | "graph-png" | "beliefs-svg" | "beliefs-png"): void;
  onInterpolate(t: number): void;
}

export class ResultsPanel {
  readonly element: HTMLElement;
  private readonly probes: HTMLElement;
  private readonly recovery: HTMLElement;
  private readonly interpolation: HTMLElement;
  private readonly downloads: HTMLElement;
  private readonly slider: HTMLInputElement;
  private readonly sliderValue: HTMLOutputElement;
  private readonly playButton: HTMLButtonElement;
  private readonly morph = new ScatterPlot("Beliefs of the interpolated HMM", 300);
  private morphView: ReturnType<typeof viewOf> | null = null;
  private playing: number | null = null;
  /** The process's entropy-rate bracket, for the per-position chart. */
  entropyRate: { readonly lower: number; readonly upper: number } | null = null;

  constructor(private readonly events: ResultsEvents) {
    this.probes = h("div", {}, h("p", { class: "hint" }, "Train a model: when it finishes (or you stop it), every layer is probed here."));
    this.recovery = h("div", {}, h("p", { class: "hint" }, "The HMM recovered from the trained model alone (its samples, predictions and activations) appears here."));
    this.slider = h("input", { type: "range", min: 0, max: 1, step: 0.05, value: 0, disabled: true, "aria-label": "Interpolation weight t (0: true HMM, 1: recovered HMM)" }) as HTMLInputElement;
    this.sliderValue = h("output", {}, "t = 0.00") as HTMLOutputElement;
    this.slider.addEventListener("input", () => this.setT(Number(this.slider.value)));
    this.playButton = h("button", { type: "button", disabled: true, onclick: () => this.togglePlay() }, "Play") as HTMLButtonElement;
    this.interpolation = h(
      "div",
      { class: "interp" },
      h("p", { class: "hint" }, "T(t) = (1 − t) T_true + t T_recovered, states matched: the belief fractal of each HMM on the way."),
      h("div", { class: "row" }, this.playButton, this.slider, this.sliderValue),
      this.morph.canvas,
    );
    this.downloads = h(
      "div",
      { class: "downloads" },
      h("button", { type: "button", disabled: true, "data-needs": "run", onclick: () => this.events.onDownloadRun() }, "Run folder (.zip)"),
      h("button", { type: "button", disabled: true, "data-needs": "run", onclick: () => this.events.onDownloadModel() }, "model.safetensors"),
      h("button", { type: "button", disabled: true, "data-needs": "run", onclick: () => this.events.onDownloadMetrics() }, "metrics.jsonl"),
      h("button", { type: "button", disabled: true, "data-needs": "run", onclick: () => this.events.onDownloadLoss("svg"), "aria-label": "Loss curve as SVG" }, "Loss curve SVG"),
      h("button", { type: "button", disabled: true, "data-needs": "run", onclick: () => this.events.onDownloadLoss("png"), "aria-label": "Loss curve as PNG" }, "Loss curve PNG"),
      h("button", { type: "button", disabled: true, "data-needs": "final", onclick: () => this.events.onDownloadProbes() }, "probes.json"),
      h("button", { type: "button", disabled: true, "data-needs": "final", onclick: () => this.events.onDownloadProbeWeights(), "aria-label": "Probe weights as safetensors" }, "probes.safetensors"),
    );
    this.element = h(
      "section",
      { class: "card results", "aria-labelledby": "results-title" },
      h("h2", { id: "results-title" }, "After training"),
      h("div", { class: "downloads-row" }, h("span", { class: "label" }, "Downloads:"), this.downloads),
      h("h3", {}, "Probes per layer"),
      this.probes,
      h("div", { class: "cols" }, h("div", {}, h("h3", {}, "HMM recovered from the model"), this.recovery), h("div", {}, h("h3", {}, "From the true HMM to the recovered one"), this.interpolation)),
    );
  }

  enableDownloads(what: "run" | "final"): void {
    for (const b of this.downloads.querySelectorAll<HTMLButtonElement>(`button[data-needs=${what}]`)) b.disabled = false;
  }

  reset(): void {
    for (const b of this.downloads.querySelectorAll<HTMLButtonElement>("button")) b.disabled = true;
    setChildren(this.probes, h("p", { class: "hint" }, "Training: every layer is probed here when it finishes (or you stop it)."));
    setChildren(this.recovery, h("p", { class: "hint" }, "The HMM recovered from the trained model appears here."));
    this.stop();
    this.slider.disabled = true;
    this.playButton.disabled = true;
    this.morph.draw(null);
  }

  progress(stage: string): void {
    const target = stage.startsWith("recovery") ? this.recovery : this.probes;
    setChildren(target, h("p", { class: "hint" }, `Computing ${stage}…`));
  }

  showProbes(summary: ProbeSummary): void {
    const view = viewOf(summary.truth);
    const ho = summary.heldOut;
    const cards = summary.sites.map((site) => {
      const plot = new ScatterPlot(`Probe of ${site.label}`, 170);
      plot.draw(site.predicted, view, `probe of ${site.label}, R² ${fmt(site.r2)}`);
      plot.canvas.dataset.points = String(site.predicted.rows);
      return h(
        "figure",
        { class: "site" },
        plot.canvas,
        h("figcaption", {}, h("strong", {}, site.label), ` R² ${fmt(site.r2)}, belief KL ${fmtExp(site.beliefKL)}`, h("br"), verdictElement(site, true)),
        h(
          "div",
          { class: "mini-downloads" },
          h("button", { type: "button", onclick: () => this.events.onDownloadProbeFigure(site.label, "svg"), "aria-label": `Probe figure of ${site.label} as SVG` }, "SVG"),
          h("button", { type: "button", onclick: () => this.events.onDownloadProbeFigure(site.label, "png"), "aria-label": `Probe figure of ${site.label} as PNG` }, "PNG"),
        ),
      );
    });
    const truthPlot = new ScatterPlot("True beliefs of held-out sequences", 170);
    truthPlot.draw(summary.truth, view);
    let perPos: HTMLElement | null = null;
    if (ho.perPosition && ho.optimalPerPosition) {
      const chart = new PositionChart("Held-out loss per position", 360, 170);
      chart.draw({ optimal: ho.optimalPerPosition.subarray(1), model: ho.perPosition.subarray(1), optimalLabel: "optimal, same sequences", entropyRate: this.entropyRate });
      perPos = h(
        "figure",
        { class: "positions-figure" },
        chart.canvas,
        h(
          "details",
          {},
          h("summary", {}, "Held-out loss per position (numbers)"),
          h(
            "table",
            { class: "positions" },
            h("tr", {}, h("th", { scope: "row" }, "position"), ...Array.from(ho.perPosition.subarray(1), (_, i) => h("th", { scope: "col" }, String(i + 1)))),
            h("tr", {}, h("th", { scope: "row" }, "model"), ...Array.from(ho.perPosition.subarray(1), (v) => h("td", {}, fmt(v, 3)))),
            h("tr", {}, h("th", { scope: "row" }, "optimal"), ...Array.from(ho.optimalPerPosition.subarray(1), (v) => h("td", {}, fmt(v, 3)))),
          ),
        ),
      );
    }
    const last = summary.sites.filter((s) => s.label !== "concat").at(-1);
    setChildren(
      this.probes,
      h("p", {}, `Step ${summary.step}. Held-out loss ${fmt(ho.loss)} nats, ${fmtPercent(ho.relative)} vs the optimal ${fmt(ho.optimal)} on the same sequences.`),
      h("div", { class: "sites" }, h("figure", { class: "site" }, truthPlot.canvas, h("figcaption", {}, h("strong", {}, "truth"), " held-out beliefs")), ...cards),
      h("div", { class: "probe-extras" }, perPos, last ? h("div", {}, h("p", { class: "hint" }, `Controls of ${last.label}, the final layer:`), controlTable(last, true)) : null),
    );
  }

  showRecoveryError(message: string): void {
    setChildren(this.recovery, h("p", { class: "error" }, `Recovery failed: ${message}`));
  }

  showRecovery(r: RecoverySummary): void {
    const graphs = h("div", { class: "graphs" });
    // The graphs are our own SVG (src/plot/hmmGraph.ts, text escaped); parse rather than assign innerHTML.
    for (const svg of [r.truthGraphSvg, r.recoveredGraphSvg]) {
      if (!svg) continue;
      const doc = new DOMParser().parseFromString(svg, "image/svg+xml").documentElement;
      doc.setAttribute("class", "graph");
      doc.setAttribute("role", "img");
      graphs.append(document.importNode(doc, true));
    }
    const truth = r.truthPoints ? new ScatterPlot("True beliefs (exact)", 170) : null;
    const rec = new ScatterPlot("Recovered beliefs along the model's samples", 170);
    if (truth && r.truthPoints) truth.draw(r.truthPoints);
    rec.draw(r.recoveredPoints);
    setChildren(
      this.recovery,
      h(
        "p",
        {},
        `${r.states} states recovered (${r.seconds.toFixed(0)} s). KL(model ‖ recovered) ${fmtExp(r.klModel)} nats per prediction`,
        r.tv !== null ? `; word distributions (length 6) within total variation ${fmt(r.tv)} of the truth` : "",
        r.relativeLoss !== null ? `; held-out loss ${fmtPercent(r.relativeLoss)} vs optimal (model ${fmtPercent(r.modelRelativeLoss)})` : "",
        r.beliefRmse !== null ? `; belief RMSE ${fmt(r.beliefRmse)} after matching states` : "",
        ".",
      ),
      graphs,
      h("div", { class: "pair" }, truth ? h("figure", {}, truth.canvas, h("figcaption", {}, "True beliefs")) : null, h("figure", {}, rec.canvas, h("figcaption", {}, `Recovered beliefs (activation map R² ${fmt(r.mapR2, 3)})`))),
      ...r.notes.map((n) => h("p", { class: "hint" }, n)),
      h(
        "div",
        { class: "downloads" },
        h("button", { type: "button", onclick: () => this.events.onDownloadRecovery("json") }, "recovered.json"),
        h("button", { type: "button", onclick: () => this.events.onDownloadRecovery("report") }, "recovery report.json"),
        h("button", { type: "button", onclick: () => this.events.onDownloadRecovery("probe"), "aria-label": "Activation map to the recovered beliefs as safetensors" }, "probe.safetensors"),
        h("button", { type: "button", onclick: () => this.events.onDownloadRecovery("graph-svg"), "aria-label": "Recovered HMM graph as SVG" }, "Graph SVG"),
        h("button", { type: "button", onclick: () => this.events.onDownloadRecovery("graph-png"), "aria-label": "Recovered HMM graph as PNG" }, "Graph PNG"),
        h("button", { type: "button", onclick: () => this.events.onDownloadRecovery("beliefs-svg"), "aria-label": "Recovered beliefs as SVG" }, "Beliefs SVG"),
        h("button", { type: "button", onclick: () => this.events.onDownloadRecovery("beliefs-png"), "aria-label": "Recovered beliefs as PNG" }, "Beliefs PNG"),
      ),
    );
    this.morphView = r.truthPoints ? viewOf(r.truthPoints) : null;
    this.slider.disabled = !r.interpolable;
    this.playButton.disabled = !r.interpolable;
    if (r.interpolable) this.setT(Number(this.slider.value));
    else setChildren(this.interpolation.querySelector(".hint")!, "The recovered HMM has a different number of states from the truth: no interpolation.");
  }

  private setT(t: number): void {
    this.sliderValue.value = `t = ${t.toFixed(2)}`;
    this.events.onInterpolate(t);
  }

  showInterpolated(t: number, points: PointSet): void {
    this.morph.draw(points, this.morphView ?? undefined, `beliefs of the HMM at t = ${t.toFixed(2)}`);
  }

  private togglePlay(): void {
    if (this.playing !== null) return this.stop();
    this.playButton.textContent = "Pause animation";
    let t = Number(this.slider.value);
    let dir = 1;
    this.playing = window.setInterval(() => {
      t += 0.05 * dir;
      if (t >= 1 || t <= 0) {
        t = Math.min(1, Math.max(0, t));
        dir = -dir;
      }
      this.slider.value = String(t);
      this.setT(t);
    }, 250);
  }

  private stop(): void {
    if (this.playing !== null) clearInterval(this.playing);
    this.playing = null;
    this.playButton.textContent = "Play";
  }
}
