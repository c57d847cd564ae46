/** The recovery's report as Markdown and as JSON-ready data (pure: the command line writes the files). */
import { processToJson, stationaryDistribution, toNested } from "../process/index.js";
import type { RecoveryEvaluation } from "./evaluation/evaluate.js";
import type { RecoveredHmm } from "./recoverHmm.js";

export interface ReportContext {
  /** Where the model came from, e.g. the run folder. */
  readonly source: string;
  readonly modelSummary: string;
  readonly site: readonly string[];
  readonly seed: number;
  /** Files written next to the report, for the "Files" section. */
  readonly files?: readonly string[];
}

const f = (v: number, d = 4): string => (Number.isFinite(v) ? v.toFixed(d) : "–");
const e = (v: number): string => (Number.isFinite(v) ? v.toExponential(2) : "–");

export function recoveryReportJson(rec: RecoveredHmm, evaluation: RecoveryEvaluation | null, context: ReportContext): Record<string, unknown> {
  return {
    format: "beliefscope/recovery-report",
    version: 1,
    source: context.source,
    model: context.modelSummary,
    site: context.site,
    seed: context.seed,
    recovered: processToJson(rec.hmm),
    stationary: Array.from(stationaryDistribution(rec.hmm)),
    states: rec.hmm.nStates,
    stateCount: { rule: rec.stateCount.rule, chosen: rec.stateCount.states, gapIndex: rec.stateCount.gapIndex, predictionSpectrum: Array.from(rec.stateCount.spectrum), activationSpectrum: Array.from(rec.activationSpectrum), fittedSpectrum: Array.from(rec.fittedSpectrum), futureWordLength: rec.futureLength, futureR2: rec.futureR2 },
    countByFit: rec.countByFit,
    firstToken: { probs: Array.from(rec.firstToken.probs), residual: rec.firstToken.residual, afterOneToken: Array.from(rec.firstToken.afterOneToken) },
    data: { sequences: rec.samples.count, tokens: rec.samples.count * rec.samples.length, activationSequences: rec.activationSequences },
    closedForm: { kl: rec.closedForm.kl, operatorKl: rec.closedForm.operatorKl, clippedMass: rec.closedForm.clippedMass, transitions: nested(rec.closedForm.transitions, rec.hmm.nSymbols) },
    refinement: { method: rec.refinement.method, kl: rec.refinement.kl, iterations: rec.refinement.iterations, beliefResidual: rec.refinement.beliefResidual },
    map: { site: rec.map.site, r2: rec.map.r2, rmse: rec.map.rmse },
    alternatives: {
      ...(rec.alternatives.generalized ? { generalized: { kl: rec.alternatives.generalized.kl, problem: rec.alternatives.generalized.problem, process: rec.alternatives.generalized.hmm ? processToJson(rec.alternatives.generalized.hmm) : null } } : {}),
      ...(rec.alternatives.mixture ? { mixture: { kl: rec.alternatives.mixture.kl, classes: rec.alternatives.mixture.classes, weights: rec.alternatives.mixture.weights, leaks: rec.alternatives.mixture.leaks, process: processToJson(rec.alternatives.mixture.hmm) } } : {}),
    },
    pruned: rec.pruned,
    notes: rec.notes,
    seconds: rec.seconds,
    evaluation,
  };
}

function nested(T: Float64Array, V: number): number[][][] {
  const S = Math.round(Math.sqrt(T.length / V));
  return Array.from({ length: V }, (_, x) => Array.from({ length: S }, (_, i) => Array.from(T.subarray((x * S + i) * S, (x * S + i + 1) * S))));
}

export function recoveryReportMarkdown(rec: RecoveredHmm, evaluation: RecoveryEvaluation | null, context: ReportContext): string {
  const V = rec.hmm.nSymbols;
  const S = rec.hmm.nStates;
  const pi = stationaryDistribution(rec.hmm);
  const lines: string[] = [];
  lines.push(`# Recovered HMM`, "");
  lines.push(`From ${context.modelSummary} in \`${context.source}\`, activations at ${context.site.length > 1 ? `${context.site.length} hooks concatenated (${context.site[0]} … ${context.site.at(-1)})` : `\`${context.site[0]}\``}, seed ${context.seed}. The fit used only the model: ${rec.samples.count} sequences (${rec.samples.count * rec.samples.length} tokens) sampled from it, its next-token distributions along them, its next-${rec.futureLength}-token predictions after ${rec.stateCount.spectrum.length ? "sampled" : ""} prefixes, and activations of ${rec.activationSequences} sequences.`, "");
  lines.push(`**${S} state${S === 1 ? "" : "s"}**, ${V} symbols. Stationary distribution: [${Array.from(pi, (v) => f(v, 3)).join(", ")}]. KL(model ‖ recovered) per prediction along the model's samples: ${e(rec.refinement.kl)} nats (closed-form start: ${e(rec.closedForm.kl)}; its unconstrained operators, a generalized HMM of the same dimension: ${e(rec.closedForm.operatorKl)}).`, "");
  if (evaluation) {
    const r = evaluation.candidates.find((c) => c.name === "recovered");
    const m = evaluation.candidates.find((c) => c.name === "model");
    const bw = evaluation.candidates.find((c) => c.name === "Baum-Welch");
    if (r && m) {
      const L = Math.min(r.tv.length, m.tv.length);
      lines.push(
        `**Against ${evaluation.truthName}** (${evaluation.trueStates} states; never used in the fit): word-distribution TV at length ${L}: recovered ${f(r.tv[L - 1])}, the model itself ${f(m.tv[L - 1])}${bw ? `, Baum-Welch on ${evaluation.baselineTokens} true tokens ${f(bw.tv[L - 1])}` : ""}. Held-out loss above the optimum: recovered ${(100 * r.relativeLoss).toFixed(2)}%, model ${(100 * m.relativeLoss).toFixed(2)}%. States: ${S} found, ${evaluation.trueStates} true (rank ${evaluation.trueRank}).`,
        "",
      );
    }
  }
  const alt = rec.alternatives;
  if (alt.generalized || alt.mixture) {
    lines.push(`## Other presentations`, "");
    if (alt.generalized) {
      lines.push(
        alt.generalized.hmm
          ? `- \`generalized.json\`: the closed form's observable operators as a generalized HMM of dimension ${alt.generalized.hmm.nStates} (real-valued T, word probabilities initial · T[w] · normalizer), KL(model ‖ it) ${e(alt.generalized.kl)} nats per prediction against ${e(rec.refinement.kl)} for the HMM: no ${S}-state HMM was found that explains the model as well, so this is the minimal presentation found.`
          : `- The closed form's operators fit the model better than the HMM but are not a valid generalized HMM (${alt.generalized.problem}); none written.`,
      );
    }
    if (alt.mixture) {
      const m = alt.mixture;
      lines.push(`- \`mixture.json\`: the recovered chain nearly falls apart, so it is also given as the non-ergodic mixture of its ${m.classes.length} nearly closed classes (${m.classes.map((c, k) => `states {${c.join(", ")}}, weight ${f(m.weights[k], 3)}, leak ${e(m.leaks[k])} per step`).join("; ")}), which never switches; KL ${e(m.kl)} nats per prediction.`);
    }
    lines.push("");
  }
  lines.push(`## Number of states`, "");
  const sp = rec.stateCount.spectrum;
  lines.push(`Singular values of the centred matrix of the model's predictions of the next ${rec.futureLength} tokens (RMS per prefix, probability units): ${Array.from(sp.slice(0, 10), e).join(", ")}.`, "");
  lines.push(`Rule: ${rec.stateCount.rule}. Chosen: ${rec.stateCount.states}${rec.hmm.nStates !== rec.stateCount.states ? `; fitted: ${rec.hmm.nStates}` : ""}. The activations carry the future linearly with R² ${f(rec.futureR2)} (reduced-rank regression); their own centred spectrum (${Array.from(rec.activationSpectrum.slice(0, 6), e).join(", ")}, …) also holds position and token directions, so it is plotted but not used for the count.`, "");
  if (rec.countByFit) {
    const c = rec.countByFit;
    lines.push(
      `Checked by fitting (600 Adam steps on 500 of the sampled sequences at each size), KL(model ‖ HMM) per prediction: ${c.candidates.map((k) => `${k.states} states ${e(k.kl)}`).join(", ")}. The count is the smallest size within ${Math.round(100 / (1 - c.improvement)) - 100}% (+${c.slack} nats) of the best: ${c.states}${c.states === c.spectrumStates ? ", as the spectrum's" : `, where the spectrum gave ${c.spectrumStates}`}. Each size's fit starts from the closed form and from the next larger size's fit with the one state removed that costs least, and keeps the better${c.reducedFromLarger.length ? ` (the larger size's, at ${c.reducedFromLarger.join(", ")} states${c.reducedFromLarger.includes(c.states) ? `; the refinement starts from it at ${c.states}` : ""})` : ""}: a closed-form start can end in a poor local optimum.`,
      "",
    );
  }
  lines.push(`## Recovered transition matrices T[x][i][j]`, "");
  const nestedT = toNested(rec.hmm);
  for (let x = 0; x < V; x++) {
    lines.push(`Symbol ${rec.hmm.symbolLabels[x]}:`, "", "| from \\ to | " + Array.from({ length: S }, (_, j) => String(j)).join(" | ") + " |", "|---|" + "---|".repeat(S));
    for (let i = 0; i < S; i++) lines.push(`| ${i} | ${nestedT[x][i].map((v) => f(v, 3)).join(" | ")} |`);
    lines.push("");
  }
  lines.push(`## Map from the residual stream to beliefs`, "");
  lines.push(`Least squares from the activations (${rec.map.weights.length / S} features) to the recovered beliefs: R² ${f(rec.map.r2)} and RMSE ${f(rec.map.rmse)} on sequences held out from the map's fit. Weights in \`probe.safetensors\`: \`weight\` [${rec.map.weights.length / S}, ${S}] and \`bias\` [${S}], beliefs = activations @ weight + bias, applied to the activations of ${rec.map.site.map((h) => `\`${h}\``).join(", ")}${rec.map.site.length > 1 ? " concatenated in that order" : ""} (the file's metadata names them).`, "");
  if (evaluation) {
    lines.push(`## Against the true process (${evaluation.truthName}; never used in the fit)`, "");
    lines.push(`True states ${evaluation.trueStates} (Hankel rank ${evaluation.trueRank}; its exact prediction spectrum in the units above: ${evaluation.trueSpectrum.slice(0, Math.max(1, evaluation.trueRank)).map(e).join(", ")}), found ${S}. Held-out: ${evaluation.heldOutSequences} true sequences of ${evaluation.heldOutLength} tokens; optimum ${f(evaluation.optimumLoss, 5)} nats per token. Baselines fitted on ${evaluation.baselineTokens} true tokens${evaluation.baselineTokens ? "" : " (skipped)"}.`, "");
    const L = evaluation.maxLength;
    lines.push(`| | states | ${Array.from({ length: L }, (_, k) => `TV${k + 1}`).join(" | ")} | loss (nats) | vs optimum | next-token KL | T error (max) | belief RMSE |`);
    lines.push(`|---|---|${"---|".repeat(L)}---|---|---|---|---|`);
    for (const c of evaluation.candidates) {
      const tv = Array.from({ length: L }, (_, k) => (c.tv[k] === undefined ? "–" : f(c.tv[k])));
      lines.push(`| ${c.name} | ${Number.isFinite(c.states) ? c.states : "–"} | ${tv.join(" | ")} | ${f(c.loss, 5)} | ${(100 * c.relativeLoss).toFixed(2)}% | ${e(c.kl)} | ${c.transitionError ? f(c.transitionError.maxAbs, 3) : "–"} | ${c.beliefRmse !== undefined ? f(c.beliefRmse, 3) : "–"} |`);
    }
    lines.push("");
    const rec0 = evaluation.candidates.find((c) => c.name === "recovered");
    const model = evaluation.candidates.find((c) => c.name === "model");
    if (rec0 && model && model.tv.length) {
      const Lm = model.tv.length;
      lines.push(`Recovered TV at length ${Lm}: ${f(rec0.tv[Lm - 1])}, the model's own: ${f(model.tv[Lm - 1])} (bar: at most 1.5 × ${f(model.tv[Lm - 1])} + 0.01 = ${f(1.5 * model.tv[Lm - 1] + 0.01)}).`, "");
    }
    lines.push(
      evaluation.vertexReach >= 0.99
        ? `The truth's beliefs reach every vertex of its simplex (closest ${f(evaluation.vertexReach, 3)}), so its presentation is identifiable and the T error after matching measures the recovery.`
        : Number.isFinite(evaluation.vertexReach)
          ? `The truth's beliefs stay inside its simplex (the closest any comes to a vertex is ${f(evaluation.vertexReach, 3)}): other ${evaluation.trueStates}-state HMMs generate the same words, so the T error and belief RMSE after matching say which presentation the activations and the fit settled on, not how wrong the process is (the TV and loss columns say that).`
          : `The truth is a generalized HMM: no states to match.`,
      "",
    );
    for (const n of evaluation.notes) lines.push(`- ${n}`);
    if (evaluation.notes.length) lines.push("");
    for (const c of evaluation.candidates) if (c.note) lines.push(`- ${c.name}: ${c.note}${c.seconds !== undefined ? ` (${c.seconds.toFixed(1)} s)` : ""}${c.clippedPredictions ? `; ${c.clippedPredictions} predictions clipped to 1e-6` : ""}.`);
    lines.push("");
  }
  lines.push(`## Notes`, "");
  for (const n of rec.notes) lines.push(`- ${n}`);
  lines.push(`- Time: ${Object.entries(rec.seconds).map(([k, v]) => `${k} ${v.toFixed(1)} s`).join(", ")}.`, "");
  if (context.files?.length) {
    lines.push(`## Files`, "");
    for (const file of context.files) lines.push(`- \`${file}\``);
    lines.push("");
  }
  return lines.join("\n");
}
