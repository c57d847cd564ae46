/**
 * Every figure kind drawn with the longest labels the CLI produces (hook sums, mixture process
 * specs, verdict texts, long parameters): the inputs of the geometry test, and of a PNG look.
 */
import { beliefFigureSvg } from "../../src/plot/beliefFigure.js";
import { lossCurveSvg } from "../../src/plot/lossCurve.js";
import { mechanismFrameSvg } from "../../src/plot/animationFrame.js";
import { trainingFrameSvg } from "../../src/plot/trainingFrame.js";
import { patternFigureSvg } from "../../src/plot/patternFigure.js";
import { decompositionFigureSvg } from "../../src/plot/decompositionFigure.js";
import { lineChartSvg } from "../../src/plot/lineChart.js";
import { barChartSvg } from "../../src/plot/barChart.js";
import { spectrumSvg } from "../../src/plot/spectrum.js";
import { scatterGridSvg } from "../../src/plot/scatterGrid.js";
import { heatmapSvg } from "../../src/plot/heatmap.js";
import { ladderGridSvg } from "../../src/plot/ladderGrid.js";
import { hmmGraphSvg, type HmmGraphInput } from "../../src/plot/hmmGraph.js";
import { makeProcess, stationaryDistribution, type Hmm } from "../../src/process/index.js";
import { sampleSequences } from "../../src/process/sample.js";
import { filterBeliefs } from "../../src/process/beliefs.js";
import { Rng } from "../../src/util/rng.js";
import type { Rows } from "../../src/util/rows.js";

export const HOOK = "blocks.2.hook_resid_post+blocks.3.hook_resid_post";
export const PROCESS = "mixture:mess3(x=0.1),rrxor;weights=0.3,0.7";
const VERDICT = "not beyond controls: untrained (R², belief KL), 1-gram (R², belief KL), 2-gram (R², belief KL), 3-gram (R², belief KL), 4-gram (R², belief KL)";
const SUMMARY = "1-layer d_model-64 transformer (attention-only), linear attention (normalised by position), no LayerNorm, position-specific embeddings";

function beliefs(name: string, count: number): Rows {
  const hmm = makeProcess(name);
  const s = sampleSequences(hmm, { count, length: 10, seed: 1 });
  return { rows: count * 10, cols: hmm.nStates, data: filterBeliefs(hmm, s.tokens, 10).beliefs };
}
const noisy = (t: Rows, scale: number, seed: number): Rows => {
  const rng = new Rng(seed);
  return { ...t, data: t.data.map((v) => v + scale * rng.normal()) };
};
export function graphOf(hmm: Hmm, title?: string, stateLabels?: readonly string[]): HmmGraphInput {
  return { nStates: hmm.nStates, nSymbols: hmm.nSymbols, transitions: hmm.transitions, symbolLabels: hmm.symbolLabels, stationary: stationaryDistribution(hmm), title, stateLabels };
}

export interface NamedFigure {
  readonly name: string;
  readonly svg: string;
}

export function longLabelFigures(): NamedFigure[] {
  const truth = beliefs("mess3", 8);
  const probe = noisy(truth, 0.05, 2);
  const out: NamedFigure[] = [];
  out.push({
    name: "beliefs-embed",
    svg: beliefFigureSvg(truth, probe, { title: `${PROCESS}: ${HOOK}, ${VERDICT}`, rightTitle: `Probe of ${HOOK} (R² 0.99731, not beyond controls)` }),
  });
  out.push({ name: "beliefs-concat", svg: beliefFigureSvg(truth, probe, { title: `${PROCESS}: belief states and their linear image in the residual stream`, rightTitle: `Probe of all layers (R² 0.970, beyond controls)` }) });
  const a = makeProcess("mess3");
  for (const width of [600, 300]) {
    out.push({
      name: `animation-${width}`,
      svg: mechanismFrameSvg(
        {
          graph: graphOf(a),
          trueBeliefs: truth,
          approx: probe,
          title: "mess3(x=0.05, α=0.85) → mess3(x=0.15, α=0.6): 100% of the way",
          approxSubtitle: "R² 0.973, loss +12.69% vs optimal, 12 heads",
          progress: 0.4,
          progressLabels: ["mess3(x=0.05, α=0.85)", "mess3(x=0.15, α=0.6)"],
        },
        { width },
      ),
    });
  }
  const curve = Array.from({ length: 60 }, (_, k) => ({ step: k + 1, loss: 0.8 + 0.3 * Math.exp(-k / 10) }));
  out.push({
    name: "training-frame-600",
    svg: trainingFrameSvg(
      { trueBeliefs: truth, probed: probe, title: `${PROCESS}: step 1200, loss 0.8123 (+1.23% vs optimal), probe R² 0.973`, probeSubtitle: `${HOOK}: R² 0.973, belief KL 1.23e-3`, curve, checkpoints: curve.filter((_, k) => k % 10 === 0), step: 30, optimalLoss: 0.8, lossRange: [0.78, 1.12], maxStep: 1000 },
      { width: 600 },
    ),
  });
  const T = 10;
  const pattern = (k: number) => Float64Array.from({ length: T * T }, (_, c) => (c % T <= Math.floor(c / T) ? Math.sin(c + k) : 0));
  out.push({
    name: "patterns",
    svg: patternFigureSvg(
      [0, 1, 2].map((k) => ({ label: `head ${k} of blocks.0.attn.hook_pattern`, mean: pattern(k), std: pattern(k + 1).map(Math.abs), fixedFraction: 0.9876 })),
      T,
      { title: `${PROCESS}: ${SUMMARY}` },
    ),
  });
  const S = 3;
  const steps = Float64Array.from({ length: T * S }, (_, c) => 0.02 * Math.cos(c));
  out.push({
    name: "decomposition",
    svg: decompositionFigureSvg({
      trueBeliefs: truth,
      estimates: probe,
      examples: [0, 1].map((e) => ({ origin: truth.data.subarray(e * S, e * S + S), steps })),
      partials: [1, 2, 3, 4, 6, 10].map((k) => ({ k, points: noisy(truth, 0.01 * k, k) })),
      stepLength: Float64Array.from({ length: T }, (_, k) => 0.1 / (k + 1)),
      title: `${PROCESS}: the last position's residual as a sum of attention-weighted OV images`,
      subtitle: "read through the probe in belief coordinates; reconstruction error 1.23e-15 (relative, max over 4000 inputs)",
    }),
  });
  out.push({
    name: "loss-curve",
    svg: lossCurveSvg(curve, 0.8025, { title: `Loss on ${PROCESS}`, heldOut: [{ step: 60, loss: 0.8101 }], heldOutLabel: "held-out loss, final model (5000 sequences)" }),
  });
  out.push({
    name: "line-chart",
    svg: lineChartSvg(
      [
        { label: `explained variance of ${HOOK} (held-out, 4000 sequences)`, x: [1, 2, 3, 4, 5], y: [0.5, 0.8, 0.9, 0.95, 0.97], points: true },
        { label: "untrained model", x: [1, 2, 3, 4, 5], y: [0.3, 0.4, 0.45, 0.5, 0.52], dashed: true },
      ],
      { title: `Explained variance by principal component on ${PROCESS}`, xLabel: "number of principal components of the residual stream", yLabel: "fraction of variance explained", references: [{ y: 0.99, label: "the optimal predictor's beliefs (exact, no sampling)" }] },
    ),
  });
  out.push({
    name: "bar-chart",
    svg: barChartSvg(
      [HOOK, "blocks.0.hook_resid_pre", "blocks.3.hook_resid_post"].map((label, k) => ({ label, values: [0.99 - 0.1 * k, 0.5, 0.2 + 0.1 * k] })),
      { title: `Probe R² on ${PROCESS} against controls (held-out sequences, 95% bootstrap intervals)`, series: ["trained model", "untrained model (same architecture)", "4-gram joint lookup with position"], valueLabel: "R² of beliefs (held-out)" },
    ),
  });
  out.push({
    name: "spectrum",
    svg: spectrumSvg(
      [
        { label: `Hankel of ${PROCESS} (model samples, 100000 tokens)`, values: [1, 0.5, 0.1, 0.01, 1e-4, 1e-5] },
        { label: "Hankel of the true process (exact)", values: [1, 0.4, 0.09, 1e-6] },
      ],
      { title: "Singular values: 3 states (2 dimensions); 6 fitted after the spectrum rule's floor", cutAfter: 3, cutLabel: "kept 3 directions (the rule: relative value above 1e-3)", floor: { value: 1e-3, label: "floor of the rule: 1e-3 of the largest singular value" } },
    ),
  });
  const n = truth.rows;
  out.push({
    name: "scatter-grid",
    svg: scatterGridSvg(
      [0, 1, 2].map((k) => ({ title: k === 0 ? HOOK : `blocks.${k}.hook_resid_post`, x: Array.from(truth.data.filter((_, c) => c % 3 === 0)), y: Array.from(truth.data.filter((_, c) => c % 3 === 1)), classes: Array.from({ length: n }, (_, r) => r % 3), xLabel: "first principal component of the residual stream", yLabel: "second principal component" })),
      { title: `Residual stream of every layer on ${PROCESS}, first two principal components`, classes: ["most likely state 0 (belief above 0.5)", "most likely state 1", "most likely state 2"] },
    ),
  });
  const matrix = (r: number, c: number) => ({ rows: r, cols: c, values: Float64Array.from({ length: r * c }, (_, k) => Math.sin(k) * 0.3) });
  out.push({ name: "heatmap", svg: heatmapSvg([matrix(12, 12)], { title: `Unembedding of ${PROCESS} against the probe's belief directions (${HOOK})`, xLabel: "token of the vocabulary (sorted by frequency)", yLabel: "belief direction", valueLabel: "cosine similarity (unit vectors)" }) });
  out.push({ name: "heatmap-grid", svg: heatmapSvg([0, 1, 2, 3].map((k) => ({ ...matrix(10, 10), title: `blocks.${k}.attn.hook_pattern head ${k}` })), { title: "Attention patterns", scale: "sequential" }) });
  out.push({
    name: "ladder-grid",
    svg: ladderGridSvg(truth, [
      { title: "transformer:preset=shai-4l,nLayers=4,dModel=64", subtitle: `R² 0.99731, ${VERDICT}`, predicted: probe },
      { title: "gru", subtitle: "R² 0.912, beyond controls; as informative as the last 3 tokens", predicted: noisy(truth, 0.1, 3) },
    ], { title: `Belief states of ${PROCESS} probed along the ladder (held-out sequences)`, columns: 3 }),
  });
  const z1r = makeProcess("z1r");
  out.push({ name: "truth-vs-recovered-z1r", svg: hmmGraphSvg([graphOf(z1r, `True: ${z1r.name}`), graphOf(z1r, "Recovered (states matched)", ["1", "2", "0"])], { title: "True and recovered HMMs, states matched (Hungarian)" }) });
  const dense = makeProcess("random-hmm", { states: 3, symbols: 3, seed: 2 });
  out.push({ name: "truth-vs-recovered-dense", svg: hmmGraphSvg([graphOf(dense, `True: ${PROCESS}`), graphOf(dense, "Recovered (states matched)")], { title: "True and recovered HMMs, states matched (Hungarian)" }) });
  const six = makeProcess("random-hmm", { states: 6, symbols: 2, seed: 1 });
  out.push({ name: "recovered-6", svg: hmmGraphSvg([graphOf(six, "Recovered")], { title: "Recovered HMM (6 states)", threshold: 0.05 }) });
  return out;
}
