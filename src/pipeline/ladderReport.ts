/** The ladder's report.md: the table, what it says (with the numbers), the mechanism numbers, the files. */
import { outwardBracket } from "../process/bracketText.js";
import type { LadderResult, LadderRow } from "./ladder.js";
import { MECHANISM_RUNG } from "./ladderRungs.js";

const f = (v: number | null | undefined, digits = 4) => (v === null || v === undefined || !Number.isFinite(v) ? "–" : v.toFixed(digits));
const pct = (v: number) => (Number.isFinite(v) ? `${v >= 0 ? "+" : ""}${(100 * v).toFixed(2)}%` : "–");
const int = (v: number) => v.toLocaleString("en-US");

/** Range "a–b" of a measure over rows (or the one value). */
function range(rows: readonly LadderRow[], value: (r: LadderRow) => number, show: (v: number) => string): string {
  const vs = rows.map(value).filter(Number.isFinite);
  if (vs.length === 0) return "–";
  const lo = Math.min(...vs);
  const hi = Math.max(...vs);
  return lo === hi ? show(lo) : `${show(lo)} to ${show(hi)}`;
}

/** The comparison the trap is about: the linear-attention rungs against the 4-layer model and the gated recurrent ones. */
export interface LinearComparison {
  readonly linear: readonly LadderRow[];
  readonly reference: readonly LadderRow[];
  /** Smallest linear-rung loss excess over the largest reference excess (> 1: every linear rung is worse than every reference). */
  readonly excessRatio: number;
  /** Smallest linear-rung belief KL over the largest reference belief KL. */
  readonly beliefKLRatio: number;
}

export function linearComparison(rows: readonly LadderRow[]): LinearComparison | null {
  const linear = rows.filter((r) => r.group === "linear");
  const reference = rows.filter((r) => r.rung === "4l" || r.group === "recurrent");
  if (linear.length === 0 || reference.length === 0) return null;
  const minOf = (rs: readonly LadderRow[], v: (r: LadderRow) => number) => Math.min(...rs.map(v));
  const maxOf = (rs: readonly LadderRow[], v: (r: LadderRow) => number) => Math.max(...rs.map(v));
  // Excess in nats is the KL to the optimal predictor; floor the denominators at what 5000 sequences resolve.
  return {
    linear,
    reference,
    excessRatio: minOf(linear, (r) => r.excessNats) / Math.max(1e-4, maxOf(reference, (r) => r.excessNats)),
    beliefKLRatio: minOf(linear, (r) => r.beliefKL) / Math.max(1e-5, maxOf(reference, (r) => r.beliefKL)),
  };
}

/** "optimal" above is on the same sequences (exact); the expected optimum, with its bracket where the budget cut it. */
function expectedOptimumNote(rows: readonly LadderRow[]): string[] {
  const o = rows[0]?.expectedOptimum;
  if (!o) return [];
  const where = `mean over positions 1..${o.nCtx} at n_ctx ${o.nCtx}`;
  if (o.exact) return [`"optimal" is the optimal predictor on the same held-out sequences; the expected optimal loss (${where}) is ${f(rows[0].expectedOptimalLoss, 5)}, exact.`];
  const against = rows.map((r) => `${r.rung} ${pct(r.heldOutLoss / o.upper - 1)} to ${pct(r.heldOutLoss / o.lower - 1)}`).join(", ");
  return [
    `"optimal" is the optimal predictor on the same held-out sequences; the expected optimal loss (${where}) is in [${outwardBracket(o.lower, o.upper, 5).join(", ")}] (a certified bracket: the budget cut the enumeration of beliefs), and the models are above it by (against its upper and lower ends): ${against}.`,
  ];
}

function table(rows: readonly LadderRow[]): string[] {
  const out = [
    "| rung | model | parameters | held-out loss | optimal | excess | probe R² | belief KL | verdict | training | engine |",
    "| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | --- | ---: | --- |",
  ];
  for (const r of rows) {
    const verdict = r.beyondControls ? "beyond controls" : r.verdict.replace(/\|/g, "/");
    const training = r.steps === 0 ? "none" : `${r.trainingSeconds.toFixed(0)} s`;
    out.push(`| ${r.rung} | ${r.title} | ${int(r.parameters)} | ${f(r.heldOutLoss)} | ${f(r.optimalLoss)} | ${pct(r.relativeExcess)} | ${f(r.probeR2, 3)} | ${f(r.beliefKL, 5)} | ${verdict} | ${training} | ${r.engine} |`);
  }
  out.push("", ...expectedOptimumNote(rows));
  return out;
}

const TRAP_EXPLANATION =
  "On the trap the optimal update erases the past: once a regime's marker is seen the belief is " +
  "(1 - switch) on that regime whatever came before, and only the shared symbols after it move it. " +
  "Softmax attention can attend to the last marker, and a gated recurrence (GRU, LSTM, the selective " +
  "SSM's token-dependent decay) can reset its state on it; a linear mechanism cannot. Linear and fixed " +
  "attention add up value vectors of earlier tokens with weights that do not depend on whether a marker " +
  "came in between, so they can only forget through decay: the evidence from before the marker leaks " +
  "into the belief after it. (The linear RNN's decay is the same for every token too, but the GELU and " +
  "readout after its recurrence are nonlinear; the selective SSM's decay depends on the token.)";

export function renderLadderReport(r: LadderResult): string {
  const s = r.settings;
  const rows = r.rows;
  const trained = rows.filter((x) => x.steps > 0);
  const within = trained.filter((x) => x.relativeExcess <= 0.01);
  const beyond = rows.filter((x) => x.beyondControls);
  const params = Object.entries(r.process.params).map(([k, v]) => `${k} = ${v}`).join(", ");
  const lines: string[] = [
    `# The minimal-model ladder: ${r.process.name}${params ? ` (${params})` : ""}`,
    "",
    `Every trained rung saw the same batches: ${int(s.steps)} steps of ${s.batchSize} sequences of ${s.nCtx + 1} tokens, seed ${s.seed}, Adam at ${s.learningRate} unless the rung sets its own. ` +
      `Held-out loss on ${int(s.evalSequences)} fresh sequences against the Bayes-optimal predictor on the same sequences ("excess": loss / optimal - 1); ` +
      `probes from the last layer to the exact beliefs on ${int(s.probeSequences)} sequences (half held out), with the verdict against shuffled-belief, untrained-model and k-gram controls.`,
    "",
    ...table(rows),
    "",
    `${within.length} of ${trained.length} trained rungs are within 1% of the optimal loss${within.length ? ` (${within.map((x) => x.rung).join(", ")})` : ""}; ` +
      `${beyond.length} of ${rows.length} rungs' probes are beyond their controls${beyond.length && beyond.length < rows.length ? ` (not: ${rows.filter((x) => !x.beyondControls).map((x) => x.rung).join(", ")})` : ""}.`,
    "",
  ];
  if (r.skipped.length) {
    lines.push("Not run:", "", ...r.skipped.map((x) => `- ${x.rung} (${x.title}): ${x.reason}`), "");
  }

  const cmp = linearComparison(rows);
  if (cmp) {
    lines.push(
      "## Linear mechanisms against the rest",
      "",
      `- Linear-attention rungs (${cmp.linear.map((x) => x.rung).join(", ")}): loss excess ${range(cmp.linear, (x) => x.relativeExcess, pct)}, belief KL ${range(cmp.linear, (x) => x.beliefKL, (v) => f(v, 5))} nats.`,
      `- The 4-layer transformer and the recurrent rungs (${cmp.reference.map((x) => x.rung).join(", ")}): loss excess ${range(cmp.reference, (x) => x.relativeExcess, pct)}, belief KL ${range(cmp.reference, (x) => x.beliefKL, (v) => f(v, 5))} nats.`,
      ...rows.filter((x) => x.group === "state-space").map((x) => `- ${x.rung} (${x.title}): loss excess ${pct(x.relativeExcess)}, belief KL ${f(x.beliefKL, 5)} nats.`),
      cmp.excessRatio > 1 && cmp.beliefKLRatio > 1
        ? `- Every linear-attention rung is worse than every one of those: the smallest linear-attention excess over the optimum (in nats) is ${f(cmp.excessRatio, 1)} times the largest of theirs, and the smallest linear-attention belief KL ${f(cmp.beliefKLRatio, 1)} times theirs.`
        : `- The ranges overlap: the smallest linear-attention excess over the optimum (in nats) is ${f(cmp.excessRatio, 2)} times the largest of theirs, and the smallest linear-attention belief KL ${f(cmp.beliefKLRatio, 2)} times.`,
      "",
    );
    if (r.process.name === "trap") lines.push(TRAP_EXPLANATION, "");
    else
      lines.push(
        "Linear and fixed attention mix earlier positions with weights that do not depend on the tokens in between; " +
          "where the optimal update can be written as such a sum (the belief fractal as a sum of scaled copies), they come close, and where it must erase or gate the past they cannot.",
        "",
      );
  }

  lines.push(`## How the 1-layer linear-attention rung works (${MECHANISM_RUNG})`, "");
  const m = r.mechanism;
  if (m) {
    lines.push(
      "Fraction of each head's attention-pattern variance across inputs explained by one fixed query-by-key matrix (least squares; 1 = the pattern does not depend on the input):",
      "",
      "| head | all query positions | last query position |",
      "| ---: | ---: | ---: |",
      ...m.heads.map((h) => `| ${h.head} | ${f(h.fixedFraction, 4)} | ${f(h.fixedFractionLastQuery, 4)} |`),
      "",
      `The last position's residual as the sum over earlier positions of attention weight times the OV image of each token (plus positional terms, inputs from the ${m.decompositionSource}): ` +
        `largest relative reconstruction error ${m.decompositionRelativeError.toExponential(2)}, largest absolute error ${m.decompositionMaxAbsError.toExponential(2)}.`,
    );
    if (m.probe) lines.push(`Probe of its residual: R² ${f(m.probe.r2)}, belief KL ${f(m.probe.beliefKL, 5)} nats.`);
    if (m.bestOperator) {
      lines.push(
        `The best linear operator from one-hot token histories to beliefs (least squares on exact beliefs): shared embedding R² ${f(m.bestOperator.shared.r2)}, belief KL ${f(m.bestOperator.shared.beliefKL, 5)}; ` +
          `position-specific embeddings R² ${f(m.bestOperator.perPosition.r2)}, belief KL ${f(m.bestOperator.perPosition.beliefKL, 5)}.`,
      );
    }
    lines.push("");
  } else {
    lines.push(`Not available: ${r.mechanismNote ?? "unknown reason"}.`, "");
  }

  lines.push(
    "## Files",
    "",
    "- `ladder.json`: settings and one row per rung (`rungs`), the mechanism numbers.",
    "- `ladder-grid.svg` / `.png`: each rung's last-layer probe of the belief states beside the truth, coloured by the true belief.",
    "- `rungs/NAME/`: each rung's run folder (`run.json`, `metrics.jsonl`, checkpoints, `model/`) and `rung.json` (its row). Running the same command again reuses finished rungs and resumes an interrupted one.",
    "",
    `Training time of all rungs ${rows.reduce((a, x) => a + x.trainingSeconds, 0).toFixed(0)} s; this call took ${r.seconds.toFixed(0)} s (rungs finished earlier are read back).`,
    "",
  );
  return lines.join("\n");
}
