/** The demo's human-readable report (Markdown). */
import type { DemoResult } from "./demo.js";

const f = (v: number | undefined, digits = 4) => (v === undefined || Number.isNaN(v) ? "–" : v.toFixed(digits));
const pct = (v: number) => `${v >= 0 ? "+" : ""}${(100 * v).toFixed(2)}%`;

export function renderReport(r: DemoResult): string {
  const c = r.config;
  const e = r.evaluation;
  const lines = [
    `# Belief state geometry: ${r.process.name}`,
    "",
    `Process: ${r.process.name} ${JSON.stringify(r.process.params)}, ${r.process.nStates} hidden states, ${r.process.nSymbols} symbols, entropy rate ${f(r.entropyRate)} nats/symbol, ${r.mspNodesDepth8} distinct beliefs within 8 symbols.`,
    "",
    `Model: ${c.nLayers} layers, d_model ${c.dModel}, ${c.nHeads} heads of ${c.dHead}, d_mlp ${c.attnOnly ? "–" : c.dMlp}, n_ctx ${c.nCtx}, ${c.activation}, LayerNorm ${c.layerNorm ? "on" : "off"}${c.attnOnly ? ", attention-only" : ""}; ${r.parameters.toLocaleString("en-US")} parameters.`,
    "",
    `Training: ${r.training.steps} steps of ${r.training.batchSize} sequences, ${r.training.optimizer.kind} at learning rate ${r.training.optimizer.learningRate}, seed ${r.training.seed}; ${r.trainSeconds.toFixed(1)} s${Number.isFinite(r.tokensPerSecond) ? `, ${Math.round(r.tokensPerSecond).toLocaleString("en-US")} tokens/s` : " (no steps left to run: resumed a finished run)"}.`,
    "",
    "## Loss on held-out sequences",
    "",
    `| | nats |`,
    `|---|---|`,
    `| model | ${f(e.modelLoss)} |`,
    `| optimal (expected, tokens 1..${c.nCtx}) | ${f(e.optimalLoss)} |`,
    `| optimal on the same ${e.sequences} sequences | ${f(e.optimalLossSameSequences)} |`,
    `| model vs optimal on the same sequences | ${pct(e.relativeExcess)} (${f(e.excessSameSequences, 5)} nats/token) |`,
    `| model vs expected optimal | ${pct(e.relativeToExpected)} |`,
    "",
    "Loss at each predicted token (token t is predicted from tokens 0..t-1):",
    "",
    `| token | ${Array.from({ length: c.nCtx }, (_, k) => k + 1).join(" | ")} |`,
    `|---|${"---|".repeat(c.nCtx)}`,
    `| model | ${Array.from(e.modelLossPerPosition.subarray(1), (v) => f(v)).join(" | ")} |`,
    `| optimal, same sequences | ${Array.from(e.optimalLossSameSequencesPerPosition.subarray(1), (v) => f(v)).join(" | ")} |`,
    `| optimal, expected | ${Array.from(e.optimalLossPerPosition.subarray(1), (v) => f(v)).join(" | ")} |`,
    "",
    "## Linear probes to the belief states",
    "",
    `Probes fit on ${r.probes.trainRows} rows (${r.probes.sequences - r.probes.testRows / c.nCtx} sequences x ${c.nCtx} positions) and scored on ${r.probes.testRows} held-out rows. R² pools all ${r.probes.nStates} belief coordinates; RMSE is the root mean squared Euclidean error.`,
    "",
    `| site | features | test R² | test RMSE | shuffled-beliefs R² | untrained-model R² |`,
    `|---|---|---|---|---|---|`,
    ...r.probes.sites.map((s) => `| ${s.label} | ${s.features} | ${f(s.test.r2)} | ${f(s.test.rmse)} | ${f(s.shuffled?.r2)} | ${f(s.untrained?.r2)} |`),
    "",
    "## Files",
    "",
    ...r.files.filter((p) => !p.endsWith("report.md") && !p.endsWith("report.json")).map((p) => `- ${p}`),
    `- ${r.outDir}/run/ (run.json, metrics.jsonl, checkpoints/, model/)`,
    "",
  ];
  return lines.join("\n");
}
