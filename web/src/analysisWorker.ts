/**
 * The analysis worker: everything computed from a snapshot of weights, on
 * jax-js's wasm backend (CPU), beside the training worker (the other core).
 *   probe        the final layer of a snapshot against its controls, held-out loss (live panel)
 *   final        every probe site with the full controls, held-out loss per position,
 *                then the recovery of an HMM from the model alone, scored against the truth
 *   interpolate  beliefs of the HMM between the truth and the recovered one
 *   figure       the command line's SVG figures of what was computed last
 * Requests of one kind replace queued ones of the same kind (only the newest
 * snapshot is probed), so a slow probe never builds a backlog.
 */
import {
  beliefColours,
  beliefFigureSvg,
  beliefProjection,
  encodeProbeFile,
  evaluateLoss,
  evaluateRecovery,
  fromFlat,
  hmmGraphSvg,
  initEngine,
  mixedStatePresentation,
  modelFromStateDict,
  probeBeliefs,
  probeFileFromReport,
  probeReportJson,
  processFromJson,
  processToJson,
  recoverHmm,
  recoveryProbeFile,
  recoveryReportJson,
  stationaryDistribution,
  type Hmm,
  type HmmGraphInput,
  type PlaneProjection,
  type ProbeReport,
  type RecoveredHmm,
  type Rows,
  type SequenceModel,
  type StateDict,
} from "../../src/index.js";
import { pointSet as points, transfers } from "./points.js";
import type { AnalysisEvent, AnalysisRequest, FigureName, ProbeSummary, RecoverySummary, SiteSummary } from "./protocol.js";

const scope = self as unknown as {
  postMessage(message: AnalysisEvent, transfer?: Transferable[]): void;
  onmessage: ((event: MessageEvent<AnalysisRequest>) => void) | null;
};
const post = (event: AnalysisEvent, transfer: Transferable[] = []) => scope.postMessage(event, transfer);
const now = () => performance.now();

/** Sequences for the live probe's held-out loss. */
const LIVE_LOSS_SEQUENCES = 1000;

/** Exact beliefs of `hmm` (MSP nodes), for the truth beside recovered beliefs and for interpolation frames. */
function mspBeliefs(hmm: Hmm, depth = 9, maxBeliefs = 20_000): Rows {
  const msp = mixedStatePresentation(hmm, { depth, maxBeliefs, maxWork: 2e7 });
  return { rows: msp.nNodes, cols: hmm.nStates, data: msp.beliefs.slice(0, msp.nNodes * hmm.nStates) };
}

// ---- runs

interface RunContext {
  readonly runId: number;
  readonly hmm: Hmm;
  readonly architecture: string;
  readonly modelConfig: Record<string, unknown>;
  readonly untrained: SequenceModel;
  /** Exact beliefs of the process, computed when first needed. */
  truthBeliefs: Rows | null;
}
let run: RunContext | null = null;
let lastReport: { report: ProbeReport; step: number } | null = null;
let lastRecovery: { rec: RecoveredHmm; truth: Hmm; perm: number[] | null; summary: RecoverySummary } | null = null;

async function setUntrained(runId: number, processJson: unknown, architecture: string, modelConfig: Record<string, unknown>, params: StateDict): Promise<void> {
  run?.untrained.dispose();
  run = null;
  lastReport = null;
  lastRecovery = null;
  const untrained = await modelFromStateDict(architecture, modelConfig, params, { device: "wasm" });
  run = { runId, hmm: processFromJson(processJson, "process"), architecture, modelConfig, untrained, truthBeliefs: null };
}

function siteSummary(report: ProbeReport, label: string, projection: PlaneProjection, colours: Uint8Array): SiteSummary {
  const site = report.sites.find((s) => s.label === label)!;
  const v = site.verdict;
  const notBeaten = v.beyondControls ? [] : v.comparisons.filter((c) => !c.beatsR2 || !c.beatsKL).map((c) => `${c.control} (${[...(c.beatsR2 ? [] : ["R²"]), ...(c.beatsKL ? [] : ["belief KL"])].join(", ")})`);
  const undefinedReason = v.verdict.startsWith("undefined") ? v.verdict.replace(/^undefined:\s*/, "") : null;
  const controls = Object.fromEntries(Object.entries({ ...site.controls, ...report.kgram }).map(([k, c]) => [k, { r2: c!.r2, beliefKL: c!.beliefKL }]));
  return {
    label,
    r2: site.r2,
    rmse: site.rmse,
    beliefKL: site.beliefKL,
    beyondControls: v.beyondControls,
    notBeaten,
    undefinedReason,
    memory: site.memory.phrase,
    controls,
    predicted: points(report.testBeliefs, report.testPredictions[label], projection, colours),
  };
}

function summarise(report: ProbeReport, step: number, labels: string[], heldOut: ProbeSummary["heldOut"], seconds: number): ProbeSummary {
  const projection = beliefProjection(report.testBeliefs);
  const colours = beliefColours(report.testBeliefs);
  return { step, truth: points(report.testBeliefs, undefined, projection, colours), sites: labels.map((l) => siteSummary(report, l, projection, colours)), heldOut, seconds };
}

async function withModel<T>(params: StateDict, f: (model: SequenceModel) => Promise<T>): Promise<T> {
  const model = await modelFromStateDict(run!.architecture, run!.modelConfig, params, { device: "wasm" });
  try {
    return await f(model);
  } finally {
    model.dispose();
  }
}

async function liveProbe(runId: number, step: number, params: StateDict, sequences: number): Promise<void> {
  if (!run || run.runId !== runId) return;
  const t0 = now();
  const ctx = run;
  await withModel(params, async (model) => {
    const final = model.layerSites().filter((s) => s.label !== "concat").at(-1)!;
    const report = await probeBeliefs(model, ctx.hmm, { sites: [final], sequences, untrainedModel: ctx.untrained });
    const loss = await evaluateLoss(model, ctx.hmm, { sequences: LIVE_LOSS_SEQUENCES });
    if (run !== ctx) return;
    lastReport = { report, step };
    const summary = summarise(report, step, [final.label], { loss: loss.modelLoss, optimal: loss.optimalLossSameSequences, relative: loss.relativeExcess }, (now() - t0) / 1000);
    post({ type: "probe", runId, summary }, transfers(summary.truth, ...summary.sites.map((s) => s.predicted)));
  });
}

async function finalAnalysis(runId: number, step: number, params: StateDict, recover: boolean): Promise<void> {
  if (!run || run.runId !== runId) return;
  const ctx = run;
  const t0 = now();
  await withModel(params, async (model) => {
    const progress = (stage: string, done: number, total: number) => post({ type: "progress", runId, stage, done, total });
    progress("probes", 0, 1);
    const report = await probeBeliefs(model, ctx.hmm, { untrainedModel: ctx.untrained, onProgress: (p) => progress(`probes: ${p.label}`, p.done, p.total) });
    const loss = await evaluateLoss(model, ctx.hmm);
    if (run !== ctx) return;
    lastReport = { report, step };
    const labels = report.sites.map((s) => s.label);
    const heldOut = { loss: loss.modelLoss, optimal: loss.optimalLossSameSequences, relative: loss.relativeExcess, perPosition: loss.modelLossPerPosition, optimalPerPosition: loss.optimalLossSameSequencesPerPosition };
    const summary = summarise(report, step, labels, heldOut, (now() - t0) / 1000);
    post({ type: "final", runId, summary, reportJson: probeReportJson(report), probeFile: encodeProbeFile(probeFileFromReport(report)) }, transfers(summary.truth, ...summary.sites.map((s) => s.predicted)));
    if (!recover) return;
    try {
      await recovery(runId, model, ctx.hmm, progress);
    } catch (err) {
      post({ type: "recoveryError", runId, message: (err as Error).message });
    }
  });
}

function graphInput(hmm: Hmm, title: string, order?: readonly number[]): HmmGraphInput {
  const S = hmm.nStates;
  const V = hmm.nSymbols;
  const pi = stationaryDistribution(hmm);
  if (!order) return { nStates: S, nSymbols: V, transitions: hmm.transitions, symbolLabels: hmm.symbolLabels, stationary: pi, title };
  return { nStates: S, nSymbols: V, transitions: permuted(hmm, order), symbolLabels: hmm.symbolLabels, stationary: order.map((i) => pi[i]), stateLabels: order.map((i) => `${i}`), title };
}

/** T with state k = state order[k] of `hmm`. */
function permuted(hmm: Hmm, order: readonly number[]): Float64Array {
  const S = hmm.nStates;
  const V = hmm.nSymbols;
  const T = new Float64Array(V * S * S);
  for (let x = 0; x < V; x++) for (let a = 0; a < S; a++) for (let b = 0; b < S; b++) T[(x * S + a) * S + b] = hmm.transitions[(x * S + order[a]) * S + order[b]];
  return T;
}

function truthBeliefs(): Rows | null {
  if (!run || run.hmm.generalized) return null;
  run.truthBeliefs ??= mspBeliefs(run.hmm);
  return run.truthBeliefs;
}

async function recovery(runId: number, model: SequenceModel, truth: Hmm, progress: (stage: string, done: number, total: number) => void): Promise<void> {
  const t0 = now();
  const rec = await recoverHmm(model, { onProgress: (stage, done, total) => progress(`recovery: ${stage}`, done, total) });
  progress("recovery: scoring against the truth", 0, 1);
  const evaluation = truth.generalized ? null : await evaluateRecovery(model, rec, truth, { baselines: false });
  const r = evaluation?.candidates.find((c) => c.name === "recovered");
  const m = evaluation?.candidates.find((c) => c.name === "model");
  const perm = r?.permutation ?? null;
  const recoveredPoints = points(rec.beliefs);
  const truthRows = truthBeliefs();
  const truthPoints = truthRows ? points(truthRows) : null;
  const summary: RecoverySummary = {
    states: rec.hmm.nStates,
    truthGraphSvg: perm ? hmmGraphSvg([graphInput(truth, `True: ${truth.name}`)], { title: `True HMM (${truth.nStates} states)` }) : null,
    recoveredGraphSvg: hmmGraphSvg([graphInput(rec.hmm, perm ? "Recovered (states matched)" : "Recovered", perm ?? undefined)], { title: `Recovered HMM (${rec.hmm.nStates} states)` }),
    truthPoints,
    recoveredPoints,
    klModel: rec.refinement.kl,
    tv: r ? r.tv[r.tv.length - 1] : null,
    relativeLoss: r ? r.relativeLoss : null,
    modelRelativeLoss: m ? m.relativeLoss : null,
    beliefRmse: r?.beliefRmse ?? null,
    mapR2: rec.map.r2,
    notes: rec.notes,
    interpolable: perm !== null && rec.hmm.nStates === truth.nStates,
    recoveredJson: processToJson(rec.hmm),
    reportJson: recoveryReportJson(rec, evaluation, { source: "beliefscope lab", modelSummary: model.summary, site: rec.map.site, seed: 0 }),
    probeFile: recoveryProbeFile(rec),
    seconds: (now() - t0) / 1000,
  };
  if (run?.runId !== runId) return;
  lastRecovery = { rec, truth, perm, summary };
  post({ type: "recovery", runId, summary }, transfers(recoveredPoints, truthPoints));
}

/** Beliefs (MSP nodes) of (1 - t) T_true + t T_recovered, states matched; a convex mix of two HMMs of one shape is an HMM. */
function interpolate(id: number, t: number): void {
  if (!lastRecovery?.perm) return;
  const { truth, rec, perm } = lastRecovery;
  const S = truth.nStates;
  const V = truth.nSymbols;
  const Tr = permuted(rec.hmm, perm);
  const T = new Float64Array(V * S * S);
  for (let k = 0; k < T.length; k++) T[k] = (1 - t) * truth.transitions[k] + t * Tr[k];
  // Rows sum to 1 up to rounding; renormalise so the mix passes the stochasticity check exactly.
  for (let i = 0; i < S; i++) {
    let s = 0;
    for (let x = 0; x < V; x++) for (let j = 0; j < S; j++) s += T[(x * S + i) * S + j];
    for (let x = 0; x < V; x++) for (let j = 0; j < S; j++) T[(x * S + i) * S + j] /= s;
  }
  const hmm = fromFlat(T, V, S, { name: `interpolated t=${t.toFixed(2)}`, symbolLabels: truth.symbolLabels });
  const beliefs = mspBeliefs(hmm);
  // One projection for every frame (fitted on the truth), so frames are comparable.
  const projection = beliefProjection(truthBeliefs() ?? beliefs);
  const p = points(beliefs, undefined, projection);
  post({ type: "interpolated", id, t, points: p }, transfers(p));
}

function figure(id: number, name: FigureName): void {
  let svg: string | null = null;
  if (name.startsWith("probe:") && lastReport) {
    const label = name.slice("probe:".length);
    const site = lastReport.report.sites.find((s) => s.label === label);
    if (site) {
      svg = beliefFigureSvg(lastReport.report.testBeliefs, lastReport.report.testPredictions[label], {
        title: `Belief state geometry, ${label}, step ${lastReport.step}`,
        rightTitle: `Linear probe of the residual stream (R² ${site.r2?.toFixed(3) ?? "undefined"})`,
      });
    }
  } else if (name === "recovery-beliefs" && lastRecovery) {
    const { rec } = lastRecovery;
    svg = beliefFigureSvg(rec.beliefs, rec.mappedActivations, { leftTitle: "Recovered beliefs", rightTitle: `Activations mapped to beliefs (R² ${rec.map.r2.toFixed(3)})` });
  } else if (name === "recovery-graph" && lastRecovery) {
    const { rec, truth, perm } = lastRecovery;
    svg = perm
      ? hmmGraphSvg([graphInput(truth, `True: ${truth.name}`), graphInput(rec.hmm, "Recovered (states matched)", perm)], { title: "True and recovered HMMs, states matched (Hungarian)" })
      : hmmGraphSvg([graphInput(rec.hmm, "Recovered")], { title: `Recovered HMM (${rec.hmm.nStates} states)` });
  }
  post({ type: "figure", id, name, svg });
}

// ---- the queue: one job at a time; a newer request of the same kind replaces a queued one.

type Job = { kind: string; run: () => Promise<void> | void };
const queue: Job[] = [];
let busy = false;

function enqueue(job: Job, replace: boolean): void {
  if (replace) {
    const i = queue.findIndex((j) => j.kind === job.kind);
    if (i >= 0) {
      queue[i] = job;
      return pump();
    }
  }
  queue.push(job);
  pump();
}

function pump(): void {
  if (busy) return;
  const job = queue.shift();
  if (!job) return;
  busy = true;
  Promise.resolve()
    .then(job.run)
    .catch((err) => post({ type: "error", message: (err as Error)?.message ?? String(err) }))
    .finally(() => {
      busy = false;
      pump();
    });
}

const engine = initEngine("wasm");

scope.onmessage = (event) => {
  const m = event.data;
  switch (m.type) {
    case "untrained":
      // A new run: drop everything queued for older runs.
      queue.splice(0, queue.length, ...queue.filter((j) => j.kind.startsWith("figure")));
      enqueue({ kind: "untrained", run: async () => { await engine; await setUntrained(m.runId, m.process, m.architecture, m.modelConfig, m.params); } }, false);
      break;
    case "probe":
      enqueue({ kind: "probe", run: async () => { await engine; await liveProbe(m.runId, m.step, m.params, m.sequences); } }, true);
      break;
    case "final":
      queue.splice(0, queue.length, ...queue.filter((j) => j.kind !== "probe"));
      enqueue({ kind: "final", run: async () => { await engine; await finalAnalysis(m.runId, m.step, m.params, m.recover); } }, true);
      break;
    case "interpolate":
      enqueue({ kind: "interpolate", run: () => interpolate(m.id, m.t) }, true);
      break;
    case "figure":
      enqueue({ kind: `figure:${m.id}`, run: () => figure(m.id, m.name) }, false);
      break;
  }
};
