/** The demo's reports: Markdown for people (leading with the probe verdicts) and JSON for machines. */
import { outwardBracket } from "../process/bracketText.js";
import { probeReportJson } from "../probe/reportJson.js";
import { optimumJson } from "../train/optimumText.js";
import type { ControlResult, SiteResult } from "../probe/beliefProbe.js";
import type { DemoResult } from "./demo.js";

const f = (v: number | null | undefined, digits = 4) => (v === null || v === undefined || Number.isNaN(v) ? "–" : v.toFixed(digits));
const pct = (v: number) => `${v >= 0 ? "+" : ""}${(100 * v).toFixed(2)}%`;

/** The site probed at the last layer (the one the bars are about). */
export function finalLayerSite(r: DemoResult): SiteResult {
  const layers = r.probes.sites.filter((s) => s.label !== "concat" && s.label !== "embed");
  return layers.at(-1) ?? r.probes.sites[0];
}

/** "3 tokens" or "> 6 tokens": a site's memory equivalent in a table cell. */
function memoryCell(s: SiteResult): string {
  if (s.memory.undefinedReason) return "–";
  const m = s.memory;
  if (m.tokens === null) return `> ${m.largest} tokens`;
  if (m.below) return m.tokens === 1 ? "< 1 token" : `${m.tokens - 1}-${m.tokens} tokens`;
  return `${m.tokens} token${m.tokens === 1 ? "" : "s"}`;
}

/** The joint lookups' held-out scores, k = 1..K. */
function memoryLine(p: DemoResult["probes"]): string {
  const lookups = Object.entries(p.memory.lookups);
  if (lookups.length === 0) return "no lookup supported by these training rows";
  return `Held-out R² / belief KL of the lookup on the last k tokens and position: ${lookups.map(([name, c]) => `${name.split("-")[0]}: ${f(c.r2)} / ${f(c.beliefKL, 5)}`).join(", ")} (K = ${p.memory.largest}, the most the data supports)`;
}

function controlCell(c: ControlResult | undefined): string {
  return c ? `${f(c.r2)} / ${f(c.beliefKL, 5)}` : "–";
}

export function renderReport(r: DemoResult): string {
  const nCtx = Number(r.config.nCtx);
  const e = r.evaluation;
  const p = r.probes;
  const final = finalLayerSite(r);
  const controlNames = [...new Set(p.sites.flatMap((s) => Object.keys(s.controls)))];
  const refs = Object.entries(p.references);
  const lines = [
    `# Belief state geometry: ${r.process.name}`,
    "",
    `**Verdict at the final layer (${final.label}): ${final.statement}.** Probe R² ${f(final.r2)}, belief KL ${f(final.beliefKL, 5)} nats; the model's own next-token KL to optimal is ${f(p.modelKL, 5)} nats. Held-out loss ${pct(e.relativeExcess)} against the optimal predictor on the same sequences.`,
    "",
    ...p.sites.map((s) => `- ${s.label}: ${s.statement} (R² ${f(s.r2)}, belief KL ${f(s.beliefKL, 5)})`),
    "",
    `Rule: ${p.verdictRule}`,
    "",
    `Memory equivalent of a site: ${p.memory.rule}. ${memoryLine(p)}.`,
    ...(refs.length
      ? [
          "",
          `For context (not a control): ${refs.map(([name, c]) => `a lookup table on the last ${name.split("-")[0]} tokens and position (${name}) reaches R² ${f(c.r2)}, belief KL ${f(c.beliefKL, 5)}`).join("; ")}. Each site's memory equivalent above says how many recent tokens its probe is worth.`,
        ]
      : []),
    "",
    "## Setup",
    "",
    `Process: ${r.process.name} ${JSON.stringify(r.process.params)}, ${r.process.nStates} hidden states, ${r.process.nSymbols} symbols, entropy rate in [${outwardBracket(r.entropyRate.lower, r.entropyRate.upper).join(", ")}] nats/symbol (certified bracket), ${r.mspNodesDepth8} distinct beliefs within 8 symbols.`,
    "",
    `Model: ${r.summary} (architecture "${r.architecture}"; ${Object.entries(r.config).map(([k, v]) => `${k} ${v}`).join(", ")}); ${r.parameters.toLocaleString("en-US")} parameters.`,
    "",
    `Training: ${r.training.steps} steps of ${r.training.batchSize} sequences, ${r.training.optimizer.kind} at learning rate ${r.training.optimizer.learningRate}, seed ${r.training.seed}, engine ${r.engine}; ${r.trainSeconds.toFixed(1)} s${Number.isFinite(r.tokensPerSecond) ? `, ${Math.round(r.tokensPerSecond).toLocaleString("en-US")} tokens/s` : " (no steps left to run: resumed a finished run)"}.`,
    "",
    "## Loss on held-out sequences",
    "",
    `| | nats |`,
    `|---|---|`,
    `| model | ${f(e.modelLoss)} |`,
    e.optimum.exact
      ? `| optimal (expected, mean over positions 1..${nCtx} at n_ctx ${nCtx}) | ${f(e.optimalLoss)} |`
      : `| optimal (expected, mean over positions 1..${nCtx} at n_ctx ${nCtx}; certified bracket, the budget cut the enumeration) | [${outwardBracket(e.optimum.meanLower, e.optimum.meanUpper, 4).join(", ")}], estimate ${f(e.optimalLoss)} |`,
    `| optimal on the same ${e.sequences} sequences | ${f(e.optimalLossSameSequences)} |`,
    `| model vs optimal on the same sequences | ${pct(e.relativeExcess)} (${f(e.excessSameSequences, 5)} nats/token) |`,
    e.optimum.exact
      ? `| model vs expected optimal | ${pct(e.relativeToExpected)} |`
      : `| model vs expected optimal (against its upper and lower ends) | ${pct(e.relativeToExpectedRange[0])} to ${pct(e.relativeToExpectedRange[1])} |`,
    "",
    "Loss at each predicted token (token t is predicted from tokens 0..t-1):",
    "",
    `| token | ${Array.from({ length: nCtx }, (_, k) => k + 1).join(" | ")} |`,
    `|---|${"---|".repeat(nCtx)}`,
    `| model | ${Array.from(e.modelLossPerPosition.subarray(1), (v) => f(v)).join(" | ")} |`,
    `| optimal, same sequences | ${Array.from(e.optimalLossSameSequencesPerPosition.subarray(1), (v) => f(v)).join(" | ")} |`,
    ...(e.optimum.exact
      ? [`| optimal, expected | ${Array.from(e.optimalLossPerPosition.subarray(1), (v) => f(v)).join(" | ")} |`]
      : [
          `| optimal, expected (estimate) | ${Array.from(e.optimalLossPerPosition.subarray(1), (v) => f(v)).join(" | ")} |`,
          `| optimal, certified bracket | ${Array.from({ length: nCtx }, (_, k) => `[${outwardBracket(e.optimum.lower[k + 1], e.optimum.upper[k + 1], 4).join(", ")}]`).join(" | ")} |`,
        ]),
    "",
    "## Linear probes to the belief states",
    "",
    `Probes fit on ${p.trainRows} rows and scored on ${p.testRows} held-out rows (split by sequence). R² pools all ${p.nStates} belief coordinates; belief KL is the mean KL from the optimal next-token distribution to the one implied by the probed belief (projected onto the simplex). Each control is the same least-squares probe on the same split: shuffled beliefs, the untrained model (the run's initial weights), and one-hot features of the last k tokens plus position.`,
    "",
    `| site | features | verdict | memory | R² | RMSE | belief KL | observed R² | ${controlNames.map((c) => `${c} R² / KL`).join(" | ")} |`,
    `|---|---|---|---|---|---|---|---|${"---|".repeat(controlNames.length)}`,
    ...p.sites.map(
      (s) =>
        `| ${s.label} | ${s.features} | ${s.verdict.beyondControls ? "beyond controls" : "not beyond"} | ${memoryCell(s)} | ${f(s.r2)} | ${f(s.rmse)} | ${f(s.beliefKL, 5)} | ${f(s.observedR2)} | ${controlNames.map((c) => controlCell(s.controls[c as keyof typeof s.controls])).join(" | ")} |`,
    ),
    "",
    `Observability: the next ${p.observability.horizon} tokens tell apart ${p.observability.observedRank} of the ${p.nStates - 1} belief directions (singular values ${Array.from(p.observability.singularValues, (v) => v.toPrecision(3)).join(", ")}); "observed R²" is measured on those.`,
    "",
    "## Files",
    "",
    ...r.files.filter((name) => !name.endsWith("report.md") && !name.endsWith("report.json")).map((name) => `- ${name}`),
    `- run/ (run.json, metrics.jsonl, checkpoints/, model/)`,
    "",
  ];
  return lines.join("\n");
}

/** The machine-readable report: every number in report.md. */
export function reportJson(r: DemoResult): Record<string, unknown> {
  return {
    process: { name: r.process.name, params: r.process.params, entropyRate: r.entropyRate, mspNodesDepth8: r.mspNodesDepth8 },
    model: { architecture: r.architecture, summary: r.summary, config: r.config, parameters: r.parameters },
    training: { ...r.training, engine: r.engine, seconds: r.trainSeconds, tokensPerSecond: r.tokensPerSecond },
    loss: {
      heldOutSequences: r.evaluation.sequences,
      model: r.evaluation.modelLoss,
      optimal: r.evaluation.optimalLoss,
      optimalSameSequences: r.evaluation.optimalLossSameSequences,
      relativeExcess: r.evaluation.relativeExcess,
      relativeToExpected: r.evaluation.relativeToExpected,
      relativeToExpectedRange: r.evaluation.relativeToExpectedRange,
      optimum: optimumJson(r.evaluation.optimum),
      excessSameSequences: r.evaluation.excessSameSequences,
      modelPerPosition: Array.from(r.evaluation.modelLossPerPosition),
      optimalPerPosition: Array.from(r.evaluation.optimalLossPerPosition),
    },
    verdict: { site: finalLayerSite(r).label, verdict: finalLayerSite(r).verdict.verdict, statement: finalLayerSite(r).statement, memoryTokens: finalLayerSite(r).memory.tokens },
    probes: probeReportJson(r.probes),
    files: r.files,
  };
}
