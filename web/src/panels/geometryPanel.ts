/**
 * The belief geometry as it appears: every few steps the final layer's
 * residual stream is probed linearly for the beliefs of held-out sequences,
 * and the probe's image is drawn beside the true beliefs (same projection,
 * coloured by the true belief), with R², belief KL and the verdict against
 * the controls (shuffled beliefs, the untrained model, k-gram features).
 */
import { fmt, fmtExp, fmtPercent, h, setChildren } from "../dom.js";
import { ScatterPlot, viewOf } from "../plots/scatter.js";
import type { ProbeSummary, SiteSummary } from "../protocol.js";

/**
 * The verdict in words. The phrase "beyond controls" appears only when the
 * probe's verdict is that: anything else says which controls are not beaten.
 */
export function verdictElement(site: SiteSummary, compact = false): HTMLElement {
  const el = verdictOnly(site, compact);
  // The memory the site is equivalent to, beside the verdict ("as informative as the last 3 tokens").
  if (site.memory) el.append(h("span", { class: "memory", "data-testid": "memory" }, `; ${site.memory}`));
  return el;
}

function verdictOnly(site: SiteSummary, compact: boolean): HTMLElement {
  if (site.beyondControls) return h("span", { class: "verdict yes" }, "✓ beyond controls");
  if (site.undefinedReason) return h("span", { class: "verdict undefined" }, `verdict undefined: ${site.undefinedReason}`);
  const full = `✗ controls not beaten: ${site.notBeaten.join(", ")}`;
  if (!compact) return h("span", { class: "verdict no" }, full);
  // In a small card: the controls' names only (which metric each fails is in the tooltip and the table).
  const names = site.notBeaten.map((c) => c.replace(/\s*\(.*\)$/, ""));
  return h("span", { class: "verdict no", title: full }, `✗ not beyond: ${names.join(", ")}`);
}

export class GeometryPanel {
  readonly element: HTMLElement;
  private readonly truth = new ScatterPlot("True beliefs of held-out sequences", 250);
  private readonly probe = new ScatterPlot("Linear probe of the residual stream", 250);
  private readonly heading: HTMLElement;
  private readonly numbers: HTMLElement;
  private readonly downloads: HTMLElement;
  private label: string | null = null;

  constructor(private readonly onDownload: (site: string, format: "svg" | "png") => void) {
    this.heading = h("p", { class: "caption" }, `Probes are fitted on held-out sequences every few steps while training.`);
    this.numbers = h("div", { class: "numbers", "aria-live": "polite" }, h("p", { class: "hint" }, "Waiting for the first probe."));
    this.probe.canvas.id = "probe-canvas";
    this.truth.placeholder = "The beliefs of held-out sequences appear here with the first probe";
    this.probe.placeholder = "Press Train: every few steps the residual stream is probed for them";
    this.downloads = h(
      "div",
      { class: "downloads" },
      h("button", { type: "button", disabled: true, onclick: () => this.label && this.onDownload(this.label, "svg"), "aria-label": "Probe figure as SVG" }, "Figure SVG"),
      h("button", { type: "button", disabled: true, onclick: () => this.label && this.onDownload(this.label, "png"), "aria-label": "Probe figure as PNG" }, "Figure PNG"),
    );
    const pair = h(
      "div",
      { class: "pair" },
      h("figure", {}, this.truth.canvas, h("figcaption", {}, "True beliefs")),
      h("figure", {}, this.probe.canvas, h("figcaption", { id: "probe-caption" }, "Probe of the residual stream")),
    );
    // Two square panels side by side, as wide as the column allows.
    new ResizeObserver(([entry]) => {
      const side = Math.max(150, Math.min(340, Math.floor((entry.contentRect.width - 12) / 2)));
      this.truth.setSize(side);
      this.probe.setSize(side);
    }).observe(pair);
    this.element = h(
      "section",
      { class: "card", "aria-labelledby": "geometry-title" },
      h("h2", { id: "geometry-title" }, "Belief geometry in the residual stream"),
      this.heading,
      pair,
      this.numbers,
      this.downloads,
    );
  }

  clear(): void {
    this.truth.placeholder = "";
    this.probe.placeholder = "Training: the first probe comes at the first snapshot";
    this.truth.draw(null);
    this.probe.draw(null);
    this.probe.canvas.dataset.points = "0";
    this.label = null;
    for (const b of this.downloads.querySelectorAll("button")) b.disabled = true;
    setChildren(this.numbers, h("p", { class: "hint" }, "Waiting for the first probe."));
  }

  show(summary: ProbeSummary, site: SiteSummary, final: boolean): void {
    const view = viewOf(summary.truth);
    this.truth.draw(summary.truth, view, `${summary.truth.rows} held-out belief states`);
    this.probe.draw(site.predicted, view, `probe of ${site.label} at step ${summary.step}, R² ${fmt(site.r2)}`);
    this.probe.canvas.dataset.points = String(site.predicted.rows);
    this.probe.canvas.dataset.step = String(summary.step);
    this.label = site.label;
    for (const b of this.downloads.querySelectorAll("button")) b.disabled = false;
    document.getElementById("probe-caption")!.textContent = `Probe of ${site.label}, step ${summary.step}`;
    this.heading.textContent = final
      ? `After training (step ${summary.step}): probe fitted on 2000 sequences, scored on 2000 others.`
      : `Step ${summary.step}: probe fitted and scored on held-out sequences (${summary.seconds.toFixed(1)} s).`;
    const ho = summary.heldOut;
    setChildren(
      this.numbers,
      h(
        "dl",
        { class: "grid" },
        h("dt", {}, "R²"),
        h("dd", { "data-testid": "r2" }, fmt(site.r2)),
        h("dt", {}, "Belief KL"),
        h("dd", {}, `${fmtExp(site.beliefKL)} nats`),
        h("dt", {}, "Held-out loss"),
        h("dd", { title: `The optimal loss on the same held-out sequences is ${fmt(ho.optimal)}: the excess is the model's own, not the sample's` }, `${fmt(ho.loss)} (${fmtPercent(ho.relative)} over optimal)`),
        h("dt", {}, "Verdict"),
        h("dd", { "data-testid": "verdict" }, verdictElement(site)),
      ),
      controlTable(site),
    );
  }
}

/** The controls the verdict compares with, scored on the same held-out sequences. */
export function controlTable(site: SiteSummary, open = false): HTMLElement {
  const rows = Object.entries(site.controls).map(([name, c]) => h("tr", {}, h("th", { scope: "row" }, name), h("td", {}, fmt(c.r2)), h("td", {}, fmtExp(c.beliefKL))));
  return h(
    "details",
    { class: "controls", open },
    h("summary", {}, "Controls (R², belief KL)"),
    h(
      "table",
      {},
      h("thead", {}, h("tr", {}, h("th", { scope: "col" }, "predictor"), h("th", { scope: "col" }, "R²"), h("th", { scope: "col" }, "belief KL"))),
      h("tbody", {}, h("tr", { class: "self" }, h("th", { scope: "row" }, `probe of ${site.label}`), h("td", {}, fmt(site.r2)), h("td", {}, fmtExp(site.beliefKL))), ...rows),
    ),
    h("p", { class: "hint" }, "The verdict needs the probe to beat every control on both R² and belief KL, each with a 95% bootstrap interval over held-out sequences above zero."),
  );
}
