/** The markdown report of a language-model analysis (report.md beside the figures). */
import type { ProbeReport } from "../probe/beliefProbe.js";
import type { LmAnalysisResult } from "./lmAnalysis.js";
import { lossLabel, type LmEvaluationText } from "./lmLossLabel.js";

const capital = (s: string) => s.charAt(0).toUpperCase() + s.slice(1);
const f = (v: unknown, digits = 4) => (typeof v === "number" && Number.isFinite(v) ? v.toFixed(digits) : "n/a");

function probeTable(report: ProbeReport, rule = true): string[] {
  const controls = ["shuffled", "untrained", ...Object.keys(report.kgram)].filter((c) => report.sites.some((s) => c in s.controls));
  const lines = [
    `| site | verdict | R² | belief KL | ${controls.map((c) => `${c} R²`).join(" | ")} |`,
    `|---|---|---|---|${controls.map(() => "---").join("|")}|`,
  ];
  for (const s of report.sites) {
    const cells = controls.map((c) => f(s.controls[c as keyof typeof s.controls]?.r2));
    lines.push(`| ${s.label} | ${s.verdict.beyondControls ? "**beyond controls**" : s.verdict.verdict.replace(/\|/g, "/")} | ${f(s.r2)} | ${f(s.beliefKL, 5)} | ${cells.join(" | ")} |`);
  }
  if (rule) lines.push("", `Verdict rule: ${report.verdictRule}.`);
  return lines;
}

export function lmReportMarkdown(r: Omit<LmAnalysisResult, "files"> & { files: readonly string[] }, name: string): string {
  const j = r.json as Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any
  const label = lossLabel((j.validation.text as LmEvaluationText | undefined) ?? "documents");
  const lines = [
    `# Language model analysis: ${name}`,
    "",
    `${j.model.summary}, ${j.model.parameters} parameters, read ${j.nPos} positions at a time.`,
    "",
    "## Loss",
    "",
    `${capital(label.loss)} on ${j.validation.windows} ${label.windows}: **${f(j.validation.loss)} nats/token** (perplexity ${f(j.validation.perplexity, 2)}).`,
    "",
    `| predictor | ${label.loss} (nats/token) |`,
    `|---|---|`,
    `| unigram (add-one) | ${f(j.hmm.unigramLoss)} |`,
    ...j.hmm.fits.map((h: { states: number; heldOutLoss?: number; loss?: number }) => `| HMM, ${h.states} ${h.states === 1 ? "state" : "states"} (Baum-Welch on ${j.hmm.trainWindows} windows) | ${f(h.heldOutLoss ?? h.loss)} |`),
    `| the model | ${f(j.hmm.transformerLoss)} |`,
    ...(j.hmm.grammarEntropyRate
      ? [`| the grammar's entropy rate (the optimum with unbounded context; ${j.hmm.grammarEntropyRate.stories} stories, standard error ${f(j.hmm.grammarEntropyRate.standardError, 4)}) | ${f(j.hmm.grammarEntropyRate.natsPerToken)} |`]
      : []),
    "",
  ];
  if (j.zipf?.length) {
    lines.push("## Token frequencies", "", "| vocabulary | tokens counted | distinct | Zipf exponent | R² of the log-log fit |", "|---|---|---|---|---|");
    for (const z of j.zipf) lines.push(`| ${z.vocabSize} | ${z.tokens} | ${z.distinctTokens} | ${f(z.exponent, 3)} | ${f(z.r2, 3)} |`);
    lines.push("");
  }
  if (j.heads) {
    lines.push("## Heads", "", "Ranked by the fraction of their pattern's variance across inputs explained by one fixed position-by-position matrix:", "");
    lines.push(j.heads.fixednessRanked.map((h: { head: string; fixedness: number }) => `${h.head} ${f(h.fixedness, 3)}`).join(", "), "");
  }
  lines.push(`## Probes to the ${j.hmm.best}-state HMM's beliefs`, "", ...probeTable(r.hmmProbes), "");
  if (r.grammarProbes) {
    lines.push("## Probes to the grammar's exact beliefs", "", ...probeTable(r.grammarProbes), "");
    if (r.grammarFactorProbes.length > 0) {
      lines.push(
        "## Probes to each factor of the grammar's hidden state",
        "",
        "The full belief's variance is mostly the story slot, which the last few tokens fix; the character and the mood are set early in a story and carried for many tokens. " +
          "Each factor's exact marginal belief is probed from the same activations with the same controls (its belief KL is KL(exact marginal || probed marginal on the simplex)).",
        "",
      );
      for (const p of r.grammarFactorProbes) lines.push(`### ${p.factor} (${p.values.join(", ")})`, "", ...probeTable(p.report, false), "");
      lines.push(`Verdict rule: ${r.grammarFactorProbes[0].report.verdictRule}.`, "");
    }
    const d = r.grammarDecoding;
    if (d) {
      lines.push(
        `True hidden state read off the probe's belief at ${d.site} (accuracy on held-out tokens; a factor's own probe predicts exactly this marginal, least squares being column by column), beside the exact belief's and always guessing the commonest value:`,
        "",
        "| factor | probe | exact belief | majority |",
        "|---|---|---|---|",
      );
      for (const k of Object.keys(d.probe)) lines.push(`| ${k} | ${f(d.probe[k], 3)} | ${f(d.bayes[k], 3)} | ${f(d.majority[k], 3)} |`);
      lines.push("");
    }
  }
  lines.push("## Files", "", r.files.filter((x) => x.endsWith(".svg")).map((x) => `- ${x} (and .png)`).join("\n"), "- analysis.json: every number above", "");
  return lines.join("\n");
}
