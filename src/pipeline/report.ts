/** The demo's human-readable report (Markdown). */
import type { DemoResult } from "./demo.js";

const f = (v: number | undefined, digits = 4) => (v === undefined || Number.isNaN(v) ? "–" : v.toFixed(digits));
const pct = (v: number) => `${v >= 0 ? "+" : ""}${(100 * v).toFixed(2)}%`;

export function renderReport(r: DemoResult): string {
  const c = { nCtx: Number(r.config.nCtx) };
  const e = r.evaluation;
  const lines = [
    `# Belief state geometry: ${r.process.name}`,
    "",
    `Process: ${r.process.name} ${JSON.stringify(r.process.params)}, ${r.process.nStates} hidden states, ${r.process.nSymbols} symbols, entropy rate in [${f(r.entropyRate.lower, 8)}, ${f(r.entropyRate.upper, 8)}] nats/symbol, ${r.mspNodesDepth8} distinct beliefs within 8 symbols.`,
    "",
    `Model: ${r.summary} (${r.architecture}): ${Object.entries(r.config).map(([k, v]) => `${k} ${v}`).join(", ")}; ${r.parameters.toLocaleString("en-US")} parameters.`,
    "",
    `Training: ${r.training.steps} steps of ${r.training.batchSize} sequences, ${r.training.optimizer.kind} at learning rate ${r.training.optimizer.learningRate}, seed ${r.training.seed}, engine ${r.engine}; ${r.trainSeconds.toFixed(1)} s${Number.isFinite(r.tokensPerSecond) ? `, ${Math.round(r.tokensPerSecond).toLocaleString("en-US")} tokens/s` : " (no steps left to run: resumed a finished run)"}.`,
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
    ...r.probes.sites.map((s) => `| ${s.label} | ${s.features} | ${f(s.test.r2 ?? undefined)} | ${f(s.test.rmse)} | ${f(s.shuffled?.r2 ?? undefined)} | ${f(s.untrained?.r2 ?? undefined)} |`),
    "",
    "## Files",
    "",
    ...r.files.filter((p) => !p.endsWith("report.md") && !p.endsWith("report.json")).map((p) => `- ${p}`),
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
      excessSameSequences: r.evaluation.excessSameSequences,
      modelPerPosition: Array.from(r.evaluation.modelLossPerPosition),
      optimalPerPosition: Array.from(r.evaluation.optimalLossPerPosition),
    },
    probes: {
      sequences: r.probes.sequences,
      trainRows: r.probes.trainRows,
      testRows: r.probes.testRows,
      sites: r.probes.sites.map((s) => ({
        label: s.label,
        hooks: s.hooks,
        features: s.features,
        r2: s.test.r2,
        rmse: s.test.rmse,
        r2PerState: Array.from(s.test.r2PerOutput),
        trainR2: s.train.r2,
        shuffledR2: s.shuffled?.r2,
        shuffledRmse: s.shuffled?.rmse,
        untrainedR2: s.untrained?.r2,
        untrainedRmse: s.untrained?.rmse,
      })),
    },
    files: r.files,
  };
}
