/**
 * Linear probes from a model's activations to Bayes-optimal beliefs (Shai et
 * al. 2024), with the controls and measures that say whether a probe means
 * something. For each probe site (one hook, or several concatenated), fit
 * activations -> beliefs on training sequences and score on held-out ones:
 *
 * - R^2 (null with the reason where undefined) and RMSE (scores.ts);
 * - belief KL: mean KL(optimal next token || next token implied by the probed
 *   belief), and the model's own next-token KL to optimal for scale (beliefKL.ts);
 * - controls on the same split (controls.ts): shuffled beliefs, the untrained
 *   model, and the same probe on one-hot features of the last k tokens plus
 *   position (k = 1..4);
 * - a verdict per site by the rule in verdict.ts ("beyond controls" only when
 *   the probe beats every control on R^2 and belief KL, bootstrap CIs over
 *   sequences excluding 0);
 * - R^2 on the well-observed belief subspace (observability.ts).
 *
 * Train and test are split by sequence, never by token.
 */
import type { SequenceModel } from "../model/sequenceModel.js";
import type { ActivationSite, HostTensor, StateDict } from "../model/types.js";
import type { Hmm } from "../process/hmm.js";
import { filterBeliefs } from "../process/beliefs.js";
import { sampleSequences } from "../process/sample.js";
import { ArgumentError, checkChoice, checkInteger, checkNumber } from "../util/errors.js";
import { deriveSeed } from "../util/rng.js";
import type { Rows } from "../util/rows.js";
import { impliedNextTokenDistributions, modelKL, nextTokenDistributions, nextTokenMap, rowKL, type NextTokenMap } from "./beliefKL.js";
import { kgramFeatures, kgramLabel, KGRAM_ORDERS, MAX_JOINT_KGRAM_COLUMNS, shuffleRows, type ControlName, type KgramEncoding } from "./controls.js";
import { factorLeastSquares, predictLinear, type LeastSquaresOptions } from "./leastSquares.js";
import { observability, subspaceR2, type Observability, type ObservabilityOptions } from "./observability.js";
import { regressionScores, type R2, type RegressionScores } from "./scores.js";
import { splitBySequence, takeRows, type SequenceSplit } from "./split.js";
import { BootstrapCache, bootstrapVerdict, sequenceScores, VERDICT_RULE, type SequenceScores, type Verdict } from "./verdict.js";

/** A probe site: a label and the hooks whose activations are concatenated. */
export type ProbeSite = ActivationSite;

export interface ProbeProgress {
  readonly done: number;
  readonly total: number;
  /** What was just finished, e.g. "layer 2" or "3-gram". */
  readonly label: string;
}

export interface ProbeOptions extends LeastSquaresOptions {
  readonly sites?: readonly ProbeSite[];
  /** Sequences to draw (half train, half test by default). Default 4000. */
  readonly sequences?: number;
  readonly testFraction?: number;
  /** Seeds the probe data, split, shuffles and bootstrap (independent of training). Default 2. */
  readonly seed?: number;
  /** Run the shuffled-beliefs control. Default true. */
  readonly shuffledControl?: boolean;
  /** k of the k-gram controls. Default [1, 2, 3, 4]; [] for none. */
  readonly kgramOrders?: readonly number[];
  /** How the k-gram controls encode the last k tokens (controls.ts). Default "per-token". */
  readonly kgramEncoding?: KgramEncoding;
  /**
   * Joint k-gram lookup tables reported beside the verdict, not in it: the best any function of
   * the last k tokens (and position) does, for reading R^2 in context. Default [4]; orders whose
   * table would exceed MAX_JOINT_KGRAM_COLUMNS are left out (named in `referencesSkipped`).
   */
  readonly referenceKgramOrders?: readonly number[];
  /** Probe this untrained model (same config, initial weights) as a control. */
  readonly untrainedModel?: SequenceModel;
  /** Bootstrap resamples for the verdict. Default 1000. */
  readonly resamples?: number;
  readonly observability?: ObservabilityOptions;
  readonly onProgress?: (progress: ProbeProgress) => void;
}

/** The options of probeFeatures: ProbeOptions without those that concern drawing data from a model. */
export type ProbeFitOptions = Omit<ProbeOptions, "sites" | "sequences" | "untrainedModel">;

/** A control's scores on the held-out rows. */
export interface ControlResult {
  readonly r2: number | null;
  readonly r2Undefined?: string;
  readonly rmse: number;
  /** Mean KL(optimal || implied by the control's probed belief), nats, against the control's own targets. */
  readonly beliefKL: number;
  readonly observedR2: number | null;
  readonly features: number;
}

export interface SiteResult {
  readonly label: string;
  readonly hooks: readonly string[];
  readonly features: number;
  /** Singular values of the centred training features kept by the least-squares cut-off. */
  readonly rank: number;
  /** Held-out R^2 (null with r2Undefined where the targets do not vary). */
  readonly r2: number | null;
  readonly r2Undefined?: string;
  readonly rmse: number;
  /** Held-out mean KL(optimal next token || implied by the probed belief), nats. */
  readonly beliefKL: number;
  /** The model's own held-out next-token KL to optimal, nats (null without logits). */
  readonly modelKL: number | null;
  /** Held-out R^2 on the well-observed belief subspace. */
  readonly observedR2: number | null;
  readonly observedR2Undefined?: string;
  readonly test: RegressionScores;
  readonly train: RegressionScores;
  /** shuffled, untrained (when given), "1-gram" .. "4-gram" (or "1-gram joint" ..). */
  readonly controls: Readonly<Partial<Record<ControlName, ControlResult>>>;
  readonly verdict: Verdict;
  /** The fitted probe: weights [features, S] and intercept [S], float64. */
  readonly probe: { readonly weights: Float64Array; readonly intercept: Float64Array };
}

export interface ProbeReport {
  readonly process: string;
  readonly sequences: number;
  readonly nPos: number;
  readonly trainRows: number;
  readonly testRows: number;
  readonly nStates: number;
  /** The model's held-out next-token KL to optimal, nats (null without logits). */
  readonly modelKL: number | null;
  readonly observability: Observability;
  /** The k-gram controls (they do not depend on the site), and their encoding. */
  readonly kgram: Readonly<Record<string, ControlResult>>;
  /** Joint k-gram lookup tables (ProbeOptions.referenceKgramOrders): context for R^2, not controls. */
  readonly references: Readonly<Record<string, ControlResult>>;
  /** Reference orders left out, and why. */
  readonly referencesSkipped: readonly string[];
  readonly kgramEncoding: KgramEncoding;
  readonly sites: SiteResult[];
  readonly verdictRule: string;
  /** Held-out true beliefs [testRows, S] and each site's predictions, for figures. */
  readonly testBeliefs: Rows;
  readonly testPredictions: Record<string, Rows>;
  /** Wall-clock seconds of the probe math (fits, scores, bootstrap). */
  readonly seconds: number;
}

export interface ProbeData {
  /** Features per site label, rows = sequences * nPos (row s * nPos + t is position t of sequence s). */
  readonly features: Record<string, Rows>;
  /** The same sites' features from the untrained control model, if any. */
  readonly untrainedFeatures?: Record<string, Rows>;
  /** [rows, S] true beliefs. */
  readonly beliefs: Rows;
  /** [sequences, nPos] the tokens the beliefs and features come from (for the k-gram controls). */
  readonly tokens: Int32Array;
  /**
   * Vocabulary of `tokens` when they are not the process's symbols (a language model's tokens,
   * probed for the beliefs of a grammar over words): the k-gram controls one-hot these. Default
   * hmm.nSymbols.
   */
  readonly nTokens?: number;
  /** [sequences, nPos, d_vocab] the model's logits on those tokens (for its own KL to optimal). */
  readonly logits?: HostTensor;
  /** The process the beliefs belong to. */
  readonly hmm: Hmm;
  readonly sequences: number;
  readonly nPos: number;
}

const now = () => globalThis.performance.now();

/** Everything one predictor needs scored: held-out predictions against its own targets. */
interface Scored {
  readonly result: ControlResult;
  readonly test: RegressionScores;
  readonly observed: R2;
  readonly perSequence: SequenceScores;
}

interface Context {
  readonly split: SequenceSplit;
  readonly map: NextTokenMap;
  readonly obs: Observability;
  readonly nPos: number;
  readonly fit: LeastSquaresOptions;
  /** One factorisation buffer for every fit: allocating (first touching) 40 MB per fit costs more than the QR's arithmetic. */
  readonly workspace: { data: Float64Array };
}

/** Score held-out predictions `pred` against `target` with next-token distributions `optimal` (all test rows). */
function score(ctx: Context, pred: Rows, target: Rows, optimal: Rows, features: number): Scored {
  const test = regressionScores(pred, target);
  const kl = rowKL(optimal, impliedNextTokenDistributions(ctx.map, pred));
  const observed = subspaceR2(pred, target, ctx.obs.observedBasis);
  return {
    result: { r2: test.r2, ...(test.r2Undefined ? { r2Undefined: test.r2Undefined } : {}), rmse: test.rmse, beliefKL: kl.mean, observedR2: observed.r2, features },
    test,
    observed,
    perSequence: sequenceScores(pred, target, kl.perRow, ctx.nPos),
  };
}

/**
 * Fit features -> targets on the train rows and predict the test rows (several target blocks
 * share one factorisation). The first block's weights and train predictions come back too.
 */
function fitPredict(ctx: Context, x: Rows, targets: readonly Rows[]): { test: Rows[]; train: Rows; weights: Float64Array; intercept: Float64Array; rank: number } {
  const { train, test } = ctx.split;
  if (ctx.workspace.data.length < train.length * x.cols) ctx.workspace.data = new Float64Array(train.length * x.cols);
  const fit = factorLeastSquares(x, { ...ctx.fit, rows: train, workspace: ctx.workspace.data }).solve(hstack(targets));
  const predTest = predictLinear(fit, x, test);
  const widths = targets.map((t) => t.cols);
  const offsets = widths.map((_, k) => widths.slice(0, k).reduce((a, b) => a + b, 0));
  const S = targets[0].cols;
  const weights = new Float64Array(fit.inputs * S);
  for (let i = 0; i < fit.inputs; i++) for (let c = 0; c < S; c++) weights[i * S + c] = fit.weights[i * fit.outputs + c];
  const intercept = fit.intercept.slice(0, S);
  return {
    test: offsets.map((o, k) => columns(predTest, o, o + widths[k])),
    train: predictLinear({ weights, intercept, inputs: fit.inputs, outputs: S }, x, train),
    weights,
    intercept,
    rank: fit.rank,
  };
}

/**
 * Fit and score the probes on ready-made features (pure: no model involved).
 * Sequences are split into train and test; the shuffled control permutes
 * belief rows across the whole data set before the split.
 */
export function probeFeatures(data: ProbeData, sites: readonly ProbeSite[], options: ProbeFitOptions = {}): ProbeReport {
  const fn = "probeFeatures";
  const start = now();
  const testFraction = checkNumber(fn, "testFraction", options.testFraction ?? 0.5, 0.01, 0.99);
  const seed = checkInteger(fn, "seed", options.seed ?? 2, 0);
  const resamples = checkInteger(fn, "resamples", options.resamples ?? 1000, 10);
  const kgramOrders = options.kgramOrders ?? KGRAM_ORDERS;
  kgramOrders.forEach((k, i) => checkInteger(fn, `kgramOrders[${i}]`, k, 1, 16));
  const { beliefs, sequences, nPos, hmm, tokens } = data;
  const nTokens = checkInteger(fn, "nTokens", data.nTokens ?? hmm.nSymbols, 1);
  const S = beliefs.cols;
  if (S !== hmm.nStates || beliefs.rows !== sequences * nPos) {
    throw new ArgumentError({ fn, argument: "beliefs", received: `${beliefs.rows} x ${beliefs.cols}`, expected: `sequences * nPos = ${sequences * nPos} rows of ${hmm.nStates} states (${hmm.name})` });
  }
  if (!(tokens instanceof Int32Array) || tokens.length !== sequences * nPos) {
    throw new ArgumentError({ fn, argument: "tokens", received: tokens instanceof Int32Array ? `${tokens.length} tokens` : "not an Int32Array", expected: `an Int32Array of sequences * nPos = ${sequences * nPos} tokens` });
  }
  if (data.logits && (data.logits.data.length !== sequences * nPos * hmm.nSymbols)) {
    throw new ArgumentError({ fn, argument: "logits", received: `shape [${data.logits.shape.join(", ")}]`, expected: `[${sequences}, ${nPos}, ${hmm.nSymbols}]` });
  }
  const checkFeatures = (argument: string, x: Rows | undefined) => {
    if (!x || x.rows !== beliefs.rows || x.data.length !== x.rows * x.cols) {
      throw new ArgumentError({ fn, argument, received: x ? `${x.rows} rows` : "nothing", expected: `${beliefs.rows} rows, one per belief` });
    }
    for (let k = 0; k < x.data.length; k++) {
      if (!Number.isFinite(x.data[k])) {
        throw new ArgumentError({ fn, argument: `${argument}[${Math.floor(k / x.cols)}][${k % x.cols}]`, received: String(x.data[k]), expected: "finite activations", hint: "The model produced non-finite activations (did training diverge?)." });
      }
    }
  };
  for (const site of sites) {
    checkFeatures(`features["${site.label}"]`, data.features[site.label]);
    if (data.untrainedFeatures) checkFeatures(`untrainedFeatures["${site.label}"]`, data.untrainedFeatures[site.label]);
  }
  const withShuffled = options.shuffledControl !== false;
  const total = kgramOrders.length + sites.length;
  let done = 0;
  const progress = (label: string) => options.onProgress?.({ done: ++done, total, label });

  const split = splitBySequence(sequences, nPos, testFraction, seed);
  const ctx: Context = { split, map: nextTokenMap(hmm), obs: observability(hmm, options.observability), nPos, fit: { ridge: options.ridge, rcond: options.rcond }, workspace: { data: new Float64Array(0) } };
  const yTrain = takeRows(beliefs, split.train);
  const yTest = takeRows(beliefs, split.test);
  const optimalTest = nextTokenDistributions(ctx.map, yTest); // [testRows, V]
  // The permutation control (as torch_ref.py): beliefs shuffled across all rows, then split the
  // same way, so the probe is fit and scored on targets unrelated to the activations.
  const shuffled = withShuffled ? shuffleRows(beliefs, seed) : undefined;
  const ysTrain = shuffled && takeRows(shuffled, split.train);
  const ysTest = shuffled && takeRows(shuffled, split.test);
  const optimalShuffledTest = ysTest && nextTokenDistributions(ctx.map, ysTest);

  let modelKLMean: number | null = null;
  if (data.logits) {
    const V = hmm.nSymbols;
    const logitRows = { rows: sequences * nPos, cols: V, data: Float64Array.from(data.logits.data) };
    modelKLMean = modelKL(optimalTest, takeRows(logitRows, split.test)).mean;
  }

  // The k-gram controls do not depend on the site: fit them once.
  const kgram: Record<string, Scored> = {};
  const encoding = checkChoice(fn, "kgramEncoding", options.kgramEncoding ?? "per-token", ["per-token", "joint"] as const);
  for (const k of kgramOrders) {
    const x = kgramFeatures(tokens, nPos, nTokens, k, encoding);
    const fit = fitPredict(ctx, x, [yTrain]);
    kgram[kgramLabel(k, encoding)] = score(ctx, fit.test[0], yTest, optimalTest, x.cols);
    progress(kgramLabel(k, encoding));
  }

  const references: Record<string, ControlResult> = {};
  const referencesSkipped: string[] = [];
  for (const k of options.referenceKgramOrders ?? [4]) {
    checkInteger(fn, "referenceKgramOrders[]", k, 1, 16);
    if ((nTokens + 1) ** k > MAX_JOINT_KGRAM_COLUMNS) {
      referencesSkipped.push(`${kgramLabel(k, "joint")}: ${(nTokens + 1) ** k} contexts exceed ${MAX_JOINT_KGRAM_COLUMNS}`);
      continue;
    }
    const x = kgramFeatures(tokens, nPos, nTokens, k, "joint");
    references[kgramLabel(k, "joint")] = score(ctx, fitPredict(ctx, x, [yTrain]).test[0], yTest, optimalTest, x.cols).result;
  }

  const results: SiteResult[] = [];
  const testPredictions: Record<string, Rows> = {};
  const bootstrap = new BootstrapCache(); // the k-gram controls' resampled scores serve every site
  for (const site of sites) {
    const x = data.features[site.label];
    // One factorisation serves the probe and its shuffled control: they share the features.
    const fit = fitPredict(ctx, x, ysTrain ? [yTrain, ysTrain] : [yTrain]);
    testPredictions[site.label] = fit.test[0];
    const main = score(ctx, fit.test[0], yTest, optimalTest, x.cols);
    const controls: Record<string, Scored> = {};
    if (ysTest && optimalShuffledTest) controls.shuffled = score(ctx, fit.test[1], ysTest, optimalShuffledTest, x.cols);
    const u = data.untrainedFeatures?.[site.label];
    if (u) controls.untrained = score(ctx, fitPredict(ctx, u, [yTrain]).test[0], yTest, optimalTest, u.cols);
    Object.assign(controls, kgram);
    const verdict = bootstrapVerdict(
      main.perSequence,
      Object.fromEntries(Object.entries(controls).map(([name, c]) => [name, c.perSequence])),
      { resamples, seed: deriveSeed(seed, "verdict"), cache: bootstrap },
    );
    const observed = main.observed;
    results.push({
      label: site.label,
      hooks: site.hooks,
      features: x.cols,
      rank: fit.rank,
      r2: main.test.r2,
      ...(main.test.r2Undefined ? { r2Undefined: main.test.r2Undefined } : {}),
      rmse: main.test.rmse,
      beliefKL: main.result.beliefKL,
      modelKL: modelKLMean,
      observedR2: observed.r2,
      ...(observed.r2Undefined ? { observedR2Undefined: observed.r2Undefined } : {}),
      test: main.test,
      train: regressionScores(fit.train, yTrain),
      controls: Object.fromEntries(Object.entries(controls).map(([name, c]) => [name, c.result])),
      verdict,
      probe: { weights: fit.weights, intercept: fit.intercept },
    });
    progress(site.label);
  }
  return {
    process: hmm.name,
    sequences,
    nPos,
    trainRows: split.train.length,
    testRows: split.test.length,
    nStates: S,
    modelKL: modelKLMean,
    observability: ctx.obs,
    kgram: Object.fromEntries(Object.entries(kgram).map(([name, c]) => [name, c.result])),
    kgramEncoding: encoding,
    references,
    referencesSkipped,
    sites: results,
    verdictRule: results[0]?.verdict.rule ?? VERDICT_RULE,
    testBeliefs: yTest,
    testPredictions,
    seconds: (now() - start) / 1000,
  };
}

/** Columns side by side: [rows, sum of cols]. */
function hstack(parts: readonly Rows[]): Rows {
  if (parts.length === 1) return parts[0];
  const rows = parts[0].rows;
  const cols = parts.reduce((a, p) => a + p.cols, 0);
  const data = new Float64Array(rows * cols);
  for (let r = 0; r < rows; r++) {
    let o = 0;
    for (const p of parts) {
      data.set(p.data.subarray(r * p.cols, (r + 1) * p.cols), r * cols + o);
      o += p.cols;
    }
  }
  return { rows, cols, data };
}

/** Columns [from, to) of a matrix. */
function columns(m: Rows, from: number, to: number): Rows {
  if (from === 0 && to === m.cols) return m;
  const cols = to - from;
  const data = new Float64Array(m.rows * cols);
  for (let r = 0; r < m.rows; r++) data.set(m.data.subarray(r * m.cols + from, r * m.cols + to), r * cols);
  return { rows: m.rows, cols, data };
}

async function siteFeatures(model: SequenceModel, tokens: Int32Array, nPos: number, sites: readonly ProbeSite[]): Promise<{ features: Record<string, Rows>; logits: HostTensor }> {
  const names = [...new Set(sites.flatMap((s) => s.hooks))];
  const { cache, logits } = await model.runWithCache(tokens, nPos, { names });
  return { features: Object.fromEntries(sites.map((s) => [s.label, cache.features(s.hooks)])), logits };
}

/** Sample sequences, compute their exact beliefs and the model's activations and logits, and probe. */
export async function probeBeliefs(model: SequenceModel, hmm: Hmm, options: ProbeOptions = {}): Promise<ProbeReport> {
  const fn = "probeBeliefs";
  const sequences = checkInteger(fn, "sequences", options.sequences ?? 4000, 2);
  const seed = checkInteger(fn, "seed", options.seed ?? 2, 0);
  const sites = options.sites ?? model.layerSites();
  if (sites.length === 0) throw new ArgumentError({ fn, argument: "sites", received: "an empty list", expected: "at least one probe site" });
  if (model.dVocab !== hmm.nSymbols) {
    throw new ArgumentError({ fn, argument: "hmm", received: `${hmm.name} with ${hmm.nSymbols} symbols`, expected: `the model's ${model.dVocab} symbols` });
  }
  const untrainedModel = options.untrainedModel;
  if (untrainedModel && (untrainedModel.dVocab !== model.dVocab || untrainedModel.nCtx !== model.nCtx)) {
    throw new ArgumentError({ fn, argument: "untrainedModel", received: `d_vocab ${untrainedModel.dVocab}, n_ctx ${untrainedModel.nCtx}`, expected: `the trained model's d_vocab ${model.dVocab} and n_ctx ${model.nCtx}` });
  }
  const nPos = model.nCtx;
  const samples = sampleSequences(hmm, { count: sequences, length: nPos, seed: deriveSeed(seed, "probe-data") });
  const beliefs: Rows = { rows: sequences * nPos, cols: hmm.nStates, data: filterBeliefs(hmm, samples.tokens, nPos).beliefs };
  const { features, logits } = await siteFeatures(model, samples.tokens, nPos, sites);
  const untrainedFeatures = untrainedModel ? (await siteFeatures(untrainedModel, samples.tokens, nPos, sites)).features : undefined;
  return probeFeatures({ features, untrainedFeatures, beliefs, tokens: samples.tokens, logits, hmm, sequences, nPos }, sites, { ...options, seed });
}

/** Safetensors-friendly key of a site: "layer 3" -> "layer_3". */
export function probeWeightKey(label: string): string {
  return label.replace(/[^A-Za-z0-9_]+/g, "_");
}

/**
 * The fitted probes as float32 tensors in nn.Linear's layout: "<key>.weight"
 * [n_states, features] and "<key>.bias" [n_states], key = probeWeightKey(label).
 * The prediction for features x is weight @ x + bias.
 */
export function probeWeights(report: ProbeReport): StateDict {
  const out: StateDict = {};
  const S = report.nStates;
  for (const site of report.sites) {
    const key = probeWeightKey(site.label);
    if (`${key}.weight` in out) {
      throw new ArgumentError({ fn: "probeWeights", argument: "report.sites", received: `two sites with key "${key}"`, expected: "site labels that stay distinct with non-alphanumerics replaced by _" });
    }
    const F = site.features;
    const w = new Float32Array(S * F); // [n_states, features]
    for (let i = 0; i < F; i++) for (let c = 0; c < S; c++) w[c * F + i] = site.probe.weights[i * S + c];
    out[`${key}.weight`] = { shape: [S, F], data: w };
    out[`${key}.bias`] = { shape: [S], data: Float32Array.from(site.probe.intercept) };
  }
  return out;
}
