/**
 * The mechanism report of one model: JSON for machines, Markdown for people, and the figures as
 * SVG strings (attention patterns, the decomposition as scaled vectors added, exact beliefs beside
 * the probe). Pure: the command line writes the files.
 */
import { beliefFigureSvg } from "../plot/beliefFigure.js";
import { decompositionFigureSvg } from "../plot/decompositionFigure.js";
import { patternFigureSvg } from "../plot/patternFigure.js";
import type { Hmm } from "../process/index.js";
import { applyLinearOperator } from "./bestOperator.js";
import { decompositionInBeliefs, partialSums } from "./decomposition.js";
import type { BestLinearOperator, LinearAttentionAnalysis } from "./types.js";

/** The loss numbers of the model, when the caller evaluated it (src/train evaluateLoss). */
export interface ReportLoss {
  readonly modelLoss: number;
  readonly optimalLossSameSequences: number;
  readonly relativeExcess: number;
  readonly sequences: number;
}

export interface MechanismReport {
  readonly json: Record<string, unknown>;
  readonly markdown: string;
  /** File name (without extension) to SVG. */
  readonly figures: Readonly<Record<string, string>>;
}

const operatorJson = (op: BestLinearOperator) => ({ embedding: op.embedding, rank: op.rank, r2: op.r2, beliefKL: op.beliefKL, r2PerPosition: op.r2PerPosition, rows: op.rows });

function nested(a: Float64Array, n: number): number[][] {
  return Array.from({ length: n }, (_, q) => Array.from(a.subarray(q * n, (q + 1) * n), (v) => Number(v.toPrecision(6))));
}

/** Up to three inputs to draw, ending near different states: the first whose true belief favours state 0, then 1, then 2. */
function exampleInputs(beliefs: Float64Array, count: number, S: number): number[] {
  const out: number[] = [];
  for (let i = 0; i < Math.min(3, S); i++) {
    for (let b = 0; b < count; b++) {
      let best = 0;
      for (let j = 1; j < S; j++) if (beliefs[b * S + j] > beliefs[b * S + best]) best = j;
      if (best === i && !out.includes(b)) {
        out.push(b);
        break;
      }
    }
  }
  for (let b = 0; out.length < Math.min(3, count); b++) if (!out.includes(b)) out.push(b);
  return out;
}

export function mechanismReport(analysis: LinearAttentionAnalysis, hmm: Hmm, loss?: ReportLoss): MechanismReport {
  const a = analysis;
  const T = a.inputs.nCtx;
  const S = hmm.nStates;
  const d = a.decomposition;
  const fp = a.fixedPattern;
  const inBeliefs = decompositionInBeliefs(d, a.model.probeWeights, a.model.probeIntercept);
  const count = d.count;
  // The decomposed inputs' exact beliefs at the last position.
  const lastBeliefs = new Float64Array(count * S);
  for (let b = 0; b < count; b++) lastBeliefs.set(a.inputs.beliefs.subarray((b * T + T - 1) * S, (b * T + T) * S), b * S);
  const truth = { rows: count, cols: S, data: lastBeliefs };
  const ks = [...new Set([1, 2, 3, 4, Math.min(6, T), T])].filter((k) => k <= T).sort((x, y) => x - y);
  const figures: Record<string, string> = {
    patterns: patternFigureSvg(
      a.heads.map((h) => ({ label: `head ${h.head}`, mean: h.meanPattern, std: h.stdPattern, fixedFraction: h.fixedFraction })),
      T,
      // The summary names a non-softmax attention kind already: name it once.
      { title: `${hmm.name}: ${a.summary}${a.summary.includes(`${a.attention.split(" ")[0]} attention`) ? "" : `, ${a.attention} attention`}` },
    ),
    decomposition: decompositionFigureSvg({
      trueBeliefs: truth,
      estimates: { rows: count, cols: S, data: inBeliefs.estimate },
      examples: exampleInputs(lastBeliefs, count, S).map((b) => ({ origin: inBeliefs.origin.subarray(b * S, (b + 1) * S), steps: inBeliefs.steps.subarray(b * T * S, (b + 1) * T * S) })),
      partials: ks.map((k) => ({ k, points: { rows: count, cols: S, data: partialSums(inBeliefs, k) } })),
      stepLength: inBeliefs.stepLength,
      title: `${hmm.name}: the last position's residual as a sum of attention-weighted OV images`,
      subtitle: `read through the probe in belief coordinates; reconstruction error ${d.relativeError.toExponential(2)} (relative, max over ${count} inputs)`,
    }),
  };
  // At most 6,000 points (the figure's default) drawn from whole sequences.
  const pick = Math.min(a.inputs.count, Math.max(1, Math.floor(6000 / T))) * T;
  if (a.operators) {
    const est = applyLinearOperator(a.operators.perPosition, a.inputs.tokens.subarray(0, pick), T);
    figures.operator = beliefFigureSvg({ rows: pick, cols: S, data: a.inputs.beliefs.subarray(0, pick * S) }, { rows: pick, cols: S, data: est.subarray(0, pick * S) }, {
      title: `${hmm.name}: the best linear operator from token histories (per-position embedding)`,
      rightTitle: `Best linear operator (R² ${a.operators.perPosition.r2.toFixed(3)})`,
    });
  }
  const pct = (v: number) => `${v >= 0 ? "+" : ""}${(100 * v).toFixed(2)}%`;
  const json = {
    format: "beliefscope/mechanism",
    version: 1,
    process: hmm.name,
    processParams: hmm.params,
    model: a.summary,
    attention: a.attention,
    nCtx: T,
    sequences: a.inputs.count,
    heads: a.heads.map((h) => ({ layer: h.layer, head: h.head, fixedFraction: h.fixedFraction, fixedFractionLastQuery: h.fixedFractionLastQuery, meanPattern: nested(h.meanPattern, T), stdPattern: nested(h.stdPattern, T) })),
    fixedPattern: { heads: fp.heads, outputFixedFraction: fp.outputFixedFraction, loss: fp.loss, lossFixedPattern: fp.lossFixedPattern, optimalLoss: fp.optimalLoss, inputs: fp.count, position: d.position },
    decomposition: { position: d.position, inputs: count, source: d.source, relativeError: d.relativeError, maxAbsError: d.maxAbsError, stepLengthByKeyPosition: Array.from(inBeliefs.stepLength) },
    probe: { r2: a.model.r2, beliefKL: a.model.beliefKL, r2LastPosition: a.model.r2LastPosition },
    ...(a.operators ? { bestOperator: { shared: operatorJson(a.operators.shared), perPosition: operatorJson(a.operators.perPosition) } } : {}),
    ...(loss ? { loss } : {}),
  };
  const md: string[] = [
    `# Mechanism: ${hmm.name}, ${a.summary}, ${a.attention} attention`,
    "",
    "How a single attention layer builds the belief geometry: whether its pattern is one fixed matrix, the last residual as a sum of attention-weighted OV images, and the model against the best linear operator from token histories to beliefs (all on the same held-out samples).",
    "",
    "## Attention pattern",
    "",
    "The fixed-pattern fraction is the share of the pattern's variance across inputs that one fixed query-by-key matrix (least squares: the mean pattern) explains. A head whose pattern varies may still write little, so beside it: how well that head's output at the last position is reproduced with its pattern fixed (R²), and the head's share of the output variance.",
    "",
    "| head | fixed-pattern fraction of variance | last query row | output R² with the pattern fixed | share of output variance |",
    "|---|---|---|---|---|",
    ...a.heads.map((h, k) => `| ${h.head} | ${h.fixedFraction.toFixed(4)} | ${h.fixedFractionLastQuery.toFixed(4)} | ${fp.heads[k].outputFixedFraction.toFixed(4)} | ${fp.heads[k].outputVarianceShare.toFixed(3)} |`),
    "",
    `Every pattern fixed at once, the attention output at the last position is reproduced with R² ${fp.outputFixedFraction.toFixed(4)} and the expected loss at the last position goes from ${fp.loss.toFixed(5)} to ${fp.lossFixedPattern.toFixed(5)} nats (optimal ${fp.optimalLoss.toFixed(5)}; ${fp.count} inputs).`,
    "",
    "![patterns](patterns.png)",
    "",
    "## Decomposition",
    "",
    `resid_post[t] = direct path + b_O + Σ_h Σ_s A_h[t,s] · OV_h(input s), t = ${d.position}, OV inputs from the ${d.source}: reconstruction error ${d.relativeError.toExponential(2)} relative (max over ${count} inputs), ${d.maxAbsError.toExponential(2)} absolute.`,
    "",
    "![decomposition](decomposition.png)",
    "",
    "## Against the best linear operator",
    "",
    "| map to beliefs | R² | belief KL (nats/token) |",
    "|---|---|---|",
    `| probe of this model's residual | ${a.model.r2.toFixed(4)} | ${a.model.beliefKL.toExponential(3)} |`,
    ...(a.operators
      ? [
          `| best linear operator, shared embedding (${a.operators.shared.rank} head${a.operators.shared.rank === 1 ? "" : "s"}) | ${a.operators.shared.r2.toFixed(4)} | ${a.operators.shared.beliefKL.toExponential(3)} |`,
          `| best linear operator, per-position embedding | ${a.operators.perPosition.r2.toFixed(4)} | ${a.operators.perPosition.beliefKL.toExponential(3)} |`,
        ]
      : []),
    "",
    ...(loss ? [`Loss: ${loss.modelLoss.toFixed(5)} vs optimal ${loss.optimalLossSameSequences.toFixed(5)} on ${loss.sequences} held-out sequences (${pct(loss.relativeExcess)}).`, ""] : []),
    ...(a.operators ? ["![operator](operator.png)", ""] : []),
  ];
  return { json, markdown: md.join("\n"), figures };
}
