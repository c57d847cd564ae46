/**
 * The minimal-model ladder (issue 9): train every rung (ladderRungs.ts) on one process with the
 * same data, steps and seed; score each on held-out sequences against the optimal predictor;
 * probe its last layer for the belief states against controls; add the constructed
 * linear-attention model and the mechanism numbers of the 1-layer linear-attention rung
 * (src/mechanism, through ladderMechanism.ts); and write ladder.json, report.md and a figure grid
 * of every rung's probed belief simplex beside the truth.
 *
 * Resumable: each rung lives in its own run folder (the workspace's `store(rung)`), and its
 * finished result in rung.json beside it. Run again with the same settings and finished rungs are
 * read back, an interrupted one resumes from its last checkpoint, and the rest are trained.
 *
 * Cost: one training run per rung (docs/mechanisms.md has measured times), plus per rung one
 * held-out evaluation (evalSequences x nCtx tokens) and one probe (probeSequences; bootstrap of
 * 1000 resamples). Memory: one model at a time; rung.json keeps FIGURE_POINTS points per rung.
 */
import type { EngineDevice } from "../engine/jax.js";
import { createModel, getArchitecture, modelFromStateDict } from "../model/registry.js";
import { modelFromFiles, modelToFiles } from "../model/files.js";
import type { SequenceModel } from "../model/sequenceModel.js";
import type { StateDict } from "../model/types.js";
import type { Hmm } from "../process/hmm.js";
import { processToJson } from "../process/json.js";
import { probeBeliefs, type ProbeReport, type SiteResult } from "../probe/beliefProbe.js";
import { ladderGridSvg } from "../plot/ladderGrid.js";
import { evaluateLoss, type LossEvaluation } from "../train/evaluate.js";
import type { EngineChoice } from "../train/fastEngines.js";
import type { RunStore } from "../train/runStore.js";
import type { StepMetrics, TrainerEvents } from "../train/trainer.js";
import { trainOnProcess } from "../train/trainOnProcess.js";
import { ArgumentError, checkInteger, checkNumber } from "../util/errors.js";
import { checkSeed, Rng } from "../util/rng.js";
import type { Rows } from "../util/rows.js";
import type { ArtifactSink } from "./demo.js";
import { defaultLadderMechanisms, type LadderMechanisms, type MechanismNumbers } from "./ladderMechanism.js";
import { renderLadderReport } from "./ladderReport.js";
import { MECHANISM_RUNG, selectRungs, type LadderRung, type RungGroup } from "./ladderRungs.js";

/** Where a ladder lives: its outputs, and a run folder and small files per rung. */
export interface LadderWorkspace {
  /** Human name for messages, e.g. the folder. */
  readonly location: string;
  /** ladder.json, report.md, ladder-grid.svg/.png. */
  readonly sink: ArtifactSink;
  /** The rung's run (checkpoints, metrics, model): DIR/rungs/NAME on disk. */
  store(rung: string): RunStore;
  /** A small file of the rung's (rung.json), or null when absent. */
  readRungFile(rung: string, file: string): Promise<string | null>;
  writeRungFile(rung: string, file: string, text: string): Promise<void>;
}

export interface LadderEvents {
  /** A rung begins (reused: its result was read back from rung.json). */
  onRungStart?(info: { readonly rung: LadderRung; readonly index: number; readonly total: number; readonly reused: boolean }): void;
  /** Training events for one rung (a fresh progress bar per rung). */
  training?(rung: LadderRung): Pick<TrainerEvents, "onStart" | "onStep">;
  onRungDone?(row: LadderRow): void;
  /** Progress lines ("probing ..."). */
  log?(line: string): void;
}

export interface LadderOptions {
  readonly process: Hmm;
  readonly workspace: LadderWorkspace;
  /** Rung names (ladderRungs.ts), default all, in ladder order. */
  readonly rungs?: readonly string[];
  /** Training steps of every trained rung. Default 2000. */
  readonly steps?: number;
  /** Seeds initialisation, batches, evaluation and probe data. Default 0. */
  readonly seed?: number;
  /** Default 64. */
  readonly batchSize?: number;
  /** Adam learning rate of rungs that set none. Default 1e-3. */
  readonly learningRate?: number;
  /** Context length of every rung. Default 10. */
  readonly nCtx?: number;
  /** Held-out sequences for the loss. Default 5000. */
  readonly evalSequences?: number;
  /** Sequences for the probes (half train, half test). Default 4000. */
  readonly probeSequences?: number;
  readonly device?: EngineDevice;
  readonly engine?: EngineChoice;
  /** The constructed model and the mechanism analyses; default src/mechanism's (ladderMechanism.ts). */
  readonly mechanisms?: LadderMechanisms;
  readonly events?: LadderEvents;
}

/** Defaults: the demo's recipe (the 4-layer rung is the demo's model, trained the same way). */
export const LADDER_DEFAULTS = Object.freeze({ steps: 2000, seed: 0, batchSize: 64, learningRate: 1e-3, nCtx: 10, evalSequences: 5000, probeSequences: 4000 });

/** Points per rung kept for the figure grid (a seeded subsample of the probe's held-out rows). */
export const FIGURE_POINTS = 2500;

/** One row of the table (ladder.json "rungs"). */
export interface LadderRow {
  readonly rung: string;
  readonly title: string;
  readonly group: RungGroup;
  readonly architecture: string;
  readonly summary: string;
  readonly config: Readonly<Record<string, unknown>>;
  readonly parameters: number;
  /** Held-out loss relative to the optimal predictor on the same sequences, minus 1 (0.01 = 1% above). */
  readonly relativeExcess: number;
  /** Held-out loss, nats per token (mean over the predicted positions). */
  readonly heldOutLoss: number;
  /** The optimal predictor's loss on the same sequences. */
  readonly optimalLoss: number;
  /** The expected optimal loss (mean myopic entropy over positions 1..n_ctx): exact, or the estimate inside expectedOptimum's bracket. */
  readonly expectedOptimalLoss: number;
  /** Its certified bounds (equal when exact) and n_ctx. */
  readonly expectedOptimum: { readonly nCtx: number; readonly exact: boolean; readonly lower: number; readonly upper: number };
  /** heldOutLoss - optimalLoss (an estimate of the KL from the optimal predictor, nats/token). */
  readonly excessNats: number;
  /** The probe site of the row (the last layer). */
  readonly probeSite: string;
  readonly probeR2: number | null;
  /** Held-out mean KL(optimal next token || next token implied by the probed belief), nats. */
  readonly beliefKL: number;
  /** The model's own next-token KL to optimal on the probe's held-out data, nats. */
  readonly modelKL: number | null;
  readonly verdict: string;
  readonly beyondControls: boolean;
  /** With several layers: R² and verdict of all layers concatenated. */
  readonly concatR2?: number | null;
  readonly concatVerdict?: string;
  /** Training steps (0: constructed). */
  readonly steps: number;
  readonly learningRate: number | null;
  readonly seed: number;
  /** Wall-clock seconds of all training steps (earlier sessions' included when resumed). */
  readonly trainingSeconds: number;
  /** "jax-js", a fast engine's name, or "constructed". */
  readonly engine: string;
}

/** A rung that could not be run (e.g. a process the construction cannot build), and why. */
export interface SkippedRung {
  readonly rung: string;
  readonly title: string;
  readonly reason: string;
}

export interface LadderResult {
  readonly location: string;
  readonly process: Hmm;
  readonly settings: LadderSettings;
  readonly rows: readonly LadderRow[];
  readonly skipped: readonly SkippedRung[];
  /** Mechanism numbers of the 1-layer linear-attention rung, when it ran and src/mechanism could analyse it. */
  readonly mechanism: MechanismNumbers | null;
  /** Why there are no mechanism numbers, when there are none. */
  readonly mechanismNote: string | null;
  readonly files: readonly string[];
  readonly seconds: number;
}

export interface LadderSettings {
  readonly steps: number;
  readonly seed: number;
  readonly batchSize: number;
  readonly learningRate: number;
  readonly nCtx: number;
  readonly evalSequences: number;
  readonly probeSequences: number;
}

/** What rung.json holds: the settings it was made with, its row, figure points and mechanism numbers. */
interface RungRecord {
  readonly format: "beliefscope/ladder-rung";
  readonly version: 1;
  readonly settings: unknown;
  readonly row: LadderRow;
  /** [n, S] true beliefs and the probe's predictions at the same held-out rows, rounded. */
  readonly figure: { readonly cols: number; readonly truth: number[]; readonly predicted: number[] };
  readonly mechanism?: MechanismNumbers | null;
  readonly mechanismNote?: string | null;
}

export const LADDER_FORMAT = "beliefscope/ladder";
const RUNG_FILE = "rung.json";

function checkSettings(o: LadderOptions): LadderSettings {
  const fn = "runLadder";
  const d = LADDER_DEFAULTS;
  const s: LadderSettings = {
    steps: checkInteger(fn, "steps", o.steps ?? d.steps, 1, 1e7),
    seed: checkSeed(fn, o.seed ?? d.seed),
    batchSize: checkInteger(fn, "batchSize", o.batchSize ?? d.batchSize, 1, 1 << 16),
    learningRate: checkNumber(fn, "learningRate", o.learningRate ?? d.learningRate, 0),
    nCtx: checkInteger(fn, "nCtx", o.nCtx ?? d.nCtx, 1, 64),
    evalSequences: checkInteger(fn, "evalSequences", o.evalSequences ?? d.evalSequences, 1, 1e7),
    probeSequences: checkInteger(fn, "probeSequences", o.probeSequences ?? d.probeSequences, 4, 1e7),
  };
  if (!(s.learningRate > 0)) throw new ArgumentError({ fn, argument: "learningRate", received: String(s.learningRate), expected: "a number > 0" });
  return s;
}

/** Run the ladder. */
export async function runLadder(options: LadderOptions): Promise<LadderResult> {
  const started = globalThis.performance.now();
  const hmm = options.process;
  const settings = checkSettings(options);
  const rungs = selectRungs(options.rungs);
  const ws = options.workspace;
  const events = options.events ?? {};
  const log = events.log ?? (() => {});
  const mechanisms = options.mechanisms ?? defaultLadderMechanisms;
  // Check every rung's config before training any: a bad one fails now, not an hour in.
  for (const rung of rungs) if (!rung.constructed) rungConfig(rung, hmm, settings);

  const rows: LadderRow[] = [];
  const skipped: SkippedRung[] = [];
  const figures = new Map<string, RungRecord["figure"]>();
  let mechanism: MechanismNumbers | null = null;
  let mechanismNote: string | null = rungs.some((r) => r.name === MECHANISM_RUNG) ? null : `the ${MECHANISM_RUNG} rung was not run`;
  for (const [index, rung] of rungs.entries()) {
    const ctx: RungContext = { hmm, settings, ws, mechanisms, options, log };
    const reused = await readRecord(ctx, rung);
    events.onRungStart?.({ rung, index, total: rungs.length, reused: reused !== null });
    let record: RungRecord | SkippedRung;
    if (reused) record = rung.name === MECHANISM_RUNG ? await completeMechanism(ctx, rung, reused) : reused;
    else if (rung.constructed) record = await constructedRung(ctx, rung);
    else record = await trainedRung(ctx, rung, events.training?.(rung));
    if (!("row" in record)) {
      skipped.push(record);
      log(`${rung.name}: skipped (${record.reason})`);
      continue;
    }
    rows.push(record.row);
    figures.set(rung.name, record.figure);
    if (rung.name === MECHANISM_RUNG) {
      mechanism = record.mechanism ?? null;
      mechanismNote = record.mechanismNote ?? null;
    }
    events.onRungDone?.(record.row);
  }

  log("writing ladder.json, report.md and the figure grid");
  const files: string[] = [];
  const write = async (name: string, data: string | Uint8Array) => {
    await ws.sink.write(name, data);
    files.push(name);
  };
  if (rows.length > 0) {
    const svg = gridSvg(hmm, rows, figures);
    await write("ladder-grid.svg", svg);
    if (ws.sink.renderPng) await write("ladder-grid.png", ws.sink.renderPng(svg));
  }
  const result: LadderResult = { location: ws.location, process: hmm, settings, rows, skipped, mechanism, mechanismNote, files: [...files, "report.md", "ladder.json"], seconds: (globalThis.performance.now() - started) / 1000 };
  await write("report.md", renderLadderReport(result));
  await write("ladder.json", JSON.stringify(ladderJson(result), null, 2) + "\n");
  return result;
}

/** ladder.json: settings, the rows under "rungs", skipped rungs, mechanism numbers. */
export function ladderJson(r: LadderResult): Record<string, unknown> {
  return {
    format: LADDER_FORMAT,
    version: 1,
    process: { name: r.process.name, params: r.process.params, states: r.process.nStates, symbols: r.process.nSymbols },
    settings: r.settings,
    rungs: r.rows,
    skipped: r.skipped,
    mechanism: r.mechanism ? { rung: MECHANISM_RUNG, ...r.mechanism } : null,
    mechanismNote: r.mechanismNote,
    files: r.files,
  };
}

interface RungContext {
  readonly hmm: Hmm;
  readonly settings: LadderSettings;
  readonly ws: LadderWorkspace;
  readonly mechanisms: LadderMechanisms;
  readonly options: LadderOptions;
  readonly log: (line: string) => void;
}

/** The complete config of a trained rung (throws naming the rung when it is bad). */
function rungConfig(rung: LadderRung, hmm: Hmm, s: LadderSettings): Record<string, unknown> {
  try {
    return getArchitecture(rung.architecture, "runLadder").makeConfig({ ...rung.model, nCtx: s.nCtx, dVocab: hmm.nSymbols }, rung.preset) as unknown as Record<string, unknown>;
  } catch (err) {
    if (err instanceof ArgumentError) {
      throw new ArgumentError({ fn: "runLadder", argument: `rung ${rung.name}`, received: `a config that does not build for ${hmm.name} with nCtx ${s.nCtx}`, expected: "a valid config", hint: err.message });
    }
    throw err;
  }
}

/** What a rung's result depends on: a rung.json with other settings is recomputed. */
function rungSettings(ctx: RungContext, rung: LadderRung): unknown {
  const s = ctx.settings;
  return {
    process: processToJson(ctx.hmm),
    architecture: rung.architecture,
    config: rung.constructed ? null : rungConfig(rung, ctx.hmm, s),
    training: rung.constructed ? null : { steps: s.steps, seed: s.seed, batchSize: s.batchSize, learningRate: rung.learningRate ?? s.learningRate },
    evalSequences: s.evalSequences,
    probeSequences: s.probeSequences,
    seed: s.seed,
    nCtx: s.nCtx,
  };
}

async function readRecord(ctx: RungContext, rung: LadderRung): Promise<RungRecord | null> {
  const text = await ctx.ws.readRungFile(rung.name, RUNG_FILE);
  if (text === null) return null;
  let record: RungRecord;
  try {
    record = JSON.parse(text) as RungRecord;
  } catch {
    return null; // damaged (writes are atomic, so only by hand): recompute it
  }
  if (record?.format !== "beliefscope/ladder-rung" || JSON.stringify(record.settings) !== JSON.stringify(rungSettings(ctx, rung))) return null;
  // Title and group describe the rung, they are not results: today's definitions win.
  return { ...record, row: { ...record.row, title: rung.title, group: rung.group } };
}

/** Wall-clock seconds of the training steps recorded. */
function trainingSeconds(metrics: readonly StepMetrics[]): number {
  return metrics.reduce((a, m) => a + m.seconds, 0);
}

async function trainedRung(ctx: RungContext, rung: LadderRung, training: Pick<TrainerEvents, "onStart" | "onStep"> | undefined): Promise<RungRecord> {
  const { hmm, settings: s, options } = ctx;
  const store = ctx.ws.store(rung.name);
  const existing = await store.readRun();
  const learningRate = rung.learningRate ?? s.learningRate;
  const run = await trainOnProcess(hmm, {
    arch: rung.architecture,
    preset: rung.preset,
    model: { ...rung.model, nCtx: s.nCtx },
    training: { steps: s.steps, seed: s.seed, batchSize: s.batchSize, optimizer: { learningRate } },
    store,
    resume: existing !== null,
    device: options.device,
    engine: options.engine,
    events: training,
  });
  try {
    const untrained = await untrainedControl(run.model, store, s.seed, options.device);
    let mechanism: Pick<RungRecord, "mechanism" | "mechanismNote"> = {};
    try {
      const record = await scoreRung(ctx, rung, run.model, untrained, { steps: s.steps, learningRate, trainingSeconds: trainingSeconds(run.metrics), engine: run.engine });
      if (rung.name === MECHANISM_RUNG) mechanism = await analyseMechanism(ctx, run.model);
      const full: RungRecord = { ...record, ...mechanism };
      await ctx.ws.writeRungFile(rung.name, RUNG_FILE, JSON.stringify(full) + "\n");
      return full;
    } finally {
      untrained.dispose();
    }
  } finally {
    run.model.dispose();
  }
}

/** A reused record of the mechanism rung made before the analyses were available: analyse its saved model now. */
async function completeMechanism(ctx: RungContext, rung: LadderRung, record: RungRecord): Promise<RungRecord> {
  if (record.mechanism || !ctx.mechanisms.analyse) return record;
  const saved = await ctx.ws.store(rung.name).loadModel();
  if (!saved) return record;
  const { model } = await modelFromFiles(saved.config, saved.weights, { config: `${rung.name} model/config.json`, weights: `${rung.name} model/model.safetensors` }, { device: ctx.options.device });
  try {
    const full: RungRecord = { ...record, ...(await analyseMechanism(ctx, model)) };
    await ctx.ws.writeRungFile(rung.name, RUNG_FILE, JSON.stringify(full) + "\n");
    return full;
  } finally {
    model.dispose();
  }
}

async function analyseMechanism(ctx: RungContext, model: SequenceModel): Promise<Pick<RungRecord, "mechanism" | "mechanismNote">> {
  if (!ctx.mechanisms.analyse) return { mechanism: null, mechanismNote: ctx.mechanisms.unavailable ?? "no mechanism analysis is available" };
  ctx.log(`${MECHANISM_RUNG}: mechanism analyses (fixed-pattern fit per head, residual decomposition)`);
  try {
    return { mechanism: await ctx.mechanisms.analyse(model, ctx.hmm, ctx.settings.seed), mechanismNote: null };
  } catch (err) {
    if (err instanceof ArgumentError) return { mechanism: null, mechanismNote: err.message };
    throw err;
  }
}

async function constructedRung(ctx: RungContext, rung: LadderRung): Promise<RungRecord | SkippedRung> {
  const { hmm, settings: s, options } = ctx;
  if (!ctx.mechanisms.construct) return { rung: rung.name, title: rung.title, reason: ctx.mechanisms.unavailable ?? "no construction is available" };
  ctx.log(`${rung.name}: computing the weights from ${hmm.name}`);
  let built: { config: Readonly<Record<string, unknown>>; stateDict: StateDict };
  try {
    built = await ctx.mechanisms.construct(hmm, s.nCtx, s.seed);
  } catch (err) {
    // A process the construction cannot build: the error says which and why.
    if (err instanceof ArgumentError) return { rung: rung.name, title: rung.title, reason: err.message };
    throw err;
  }
  const model = await modelFromStateDict(rung.architecture, built.config, built.stateDict, { device: options.device });
  try {
    await ctx.ws.store(rung.name).saveModel(await modelToFiles(model, { step: 0, process: processToJson(hmm) }));
    // Its untrained control: a random model of the same config.
    const untrained = await createModel(rung.architecture, { config: model.config as unknown as Record<string, unknown>, seed: s.seed, device: options.device });
    try {
      const record = await scoreRung(ctx, rung, model, untrained, { steps: 0, learningRate: null, trainingSeconds: 0, engine: "constructed" });
      await ctx.ws.writeRungFile(rung.name, RUNG_FILE, JSON.stringify(record) + "\n");
      return record;
    } finally {
      untrained.dispose();
    }
  } finally {
    model.dispose();
  }
}

/** The last layer's site, and all layers concatenated when there are several. */
function probeSites(model: SequenceModel): { final: string; sites: ReturnType<SequenceModel["layerSites"]> } {
  const sites = model.layerSites();
  const layers = sites.filter((x) => x.label !== "concat" && x.label !== "embed");
  const final = (layers.at(-1) ?? sites[0]).label;
  return { final, sites: sites.filter((x) => x.label === final || x.label === "concat") };
}

async function scoreRung(
  ctx: RungContext,
  rung: LadderRung,
  model: SequenceModel,
  untrained: SequenceModel,
  training: { steps: number; learningRate: number | null; trainingSeconds: number; engine: string },
): Promise<RungRecord> {
  const { hmm, settings: s } = ctx;
  ctx.log(`${rung.name}: held-out loss on ${s.evalSequences} sequences`);
  const evaluation: LossEvaluation = await evaluateLoss(model, hmm, { sequences: s.evalSequences, seed: s.seed + 1 });
  ctx.log(`${rung.name}: probing beliefs against controls (shuffled, untrained, k-gram) on ${s.probeSequences} sequences`);
  const { final, sites } = probeSites(model);
  const probes: ProbeReport = await probeBeliefs(model, hmm, { sequences: s.probeSequences, sites, untrainedModel: untrained, seed: s.seed + 2 });
  const site = probes.sites.find((x) => x.label === final)!;
  const concat: SiteResult | undefined = probes.sites.find((x) => x.label === "concat");
  const row: LadderRow = {
    rung: rung.name,
    title: rung.title,
    group: rung.group,
    architecture: model.architecture,
    summary: model.summary,
    config: model.config as unknown as Record<string, unknown>,
    parameters: model.parameterCount,
    relativeExcess: evaluation.relativeExcess,
    heldOutLoss: evaluation.modelLoss,
    optimalLoss: evaluation.optimalLossSameSequences,
    expectedOptimalLoss: evaluation.optimalLoss,
    expectedOptimum: { nCtx: evaluation.optimum.nCtx, exact: evaluation.optimum.exact, lower: evaluation.optimum.meanLower, upper: evaluation.optimum.meanUpper },
    excessNats: evaluation.excessSameSequences,
    probeSite: final,
    probeR2: site.r2,
    beliefKL: site.beliefKL,
    modelKL: probes.modelKL,
    verdict: site.verdict.verdict,
    beyondControls: site.verdict.beyondControls,
    ...(concat ? { concatR2: concat.r2, concatVerdict: concat.verdict.verdict } : {}),
    steps: training.steps,
    learningRate: training.learningRate,
    seed: s.seed,
    trainingSeconds: training.trainingSeconds,
    engine: training.engine,
  };
  return { format: "beliefscope/ladder-rung", version: 1, settings: rungSettings(ctx, rung), row, figure: figurePoints(probes.testBeliefs, probes.testPredictions[final]) };
}

/** The same seeded subsample of held-out rows for every rung (the probe data depend only on the seed and nCtx). */
function figurePoints(truth: Rows, predicted: Rows): RungRecord["figure"] {
  const n = Math.min(FIGURE_POINTS, truth.rows);
  const rowsKept = new Rng(0, "ladder-figure").permutation(truth.rows).subarray(0, n).sort();
  const S = truth.cols;
  const round = (v: number) => Math.round(v * 1e5) / 1e5;
  const t: number[] = [];
  const p: number[] = [];
  for (const r of rowsKept) {
    for (let c = 0; c < S; c++) {
      t.push(round(truth.data[r * S + c]));
      p.push(round(predicted.data[r * S + c]));
    }
  }
  return { cols: S, truth: t, predicted: p };
}

function gridSvg(hmm: Hmm, rows: readonly LadderRow[], figures: ReadonlyMap<string, RungRecord["figure"]>): string {
  const first = figures.get(rows[0].rung)!;
  const toRows = (data: number[]): Rows => ({ rows: data.length / first.cols, cols: first.cols, data: Float64Array.from(data) });
  return ladderGridSvg(
    toRows(first.truth),
    rows.map((r) => ({
      title: r.rung,
      subtitle: `R² ${r.probeR2 === null ? "–" : r.probeR2.toFixed(3)}, ${r.beyondControls ? "beyond controls" : "not beyond"}, loss ${r.relativeExcess >= 0 ? "+" : ""}${(100 * r.relativeExcess).toFixed(1)}%`,
      predicted: toRows(figures.get(r.rung)!.predicted),
    })),
    { title: `The ladder on ${hmm.name}${Object.keys(hmm.params).length ? ` (${Object.entries(hmm.params).map(([k, v]) => `${k} ${v}`).join(", ")})` : ""}: each rung's last-layer probe of the belief states, beside the truth` },
  );
}

/** The untrained control: the run's initial weights (checkpoint 0) when kept, else the same seed's. */
async function untrainedControl(model: SequenceModel, store: RunStore, seed: number, device: EngineDevice | undefined): Promise<SequenceModel> {
  const config = model.config as unknown as Record<string, unknown>;
  if ((await store.checkpointSteps()).includes(0)) return modelFromStateDict(model.architecture, config, await store.loadCheckpointWeights(0), { device });
  return createModel(model.architecture, { config, seed, device });
}
