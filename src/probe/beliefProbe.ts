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
 *   held-out sequences and refits on training sequences excluding 0);
 * - the memory each site is equivalent to: the smallest k whose joint lookup
 *   on the last k tokens matches it (memory.ts);
 * - R^2 on the well-observed belief subspace (observability.ts).
 *
 * Train and test are split by sequence, never by token.
 */
import type { SequenceModel } from "../model/sequenceModel.js";
import type { ActivationSite, HostTensor } from "../model/types.js";
import type { Hmm } from "../process/hmm.js";
import { filterBeliefs } from "../process/beliefs.js";
import { sampleSequences } from "../process/sample.js";
import { ArgumentError, checkChoice, checkInteger, checkNumber } from "../util/errors.js";
import { deriveSeed } from "../util/rng.js";
import type { Rows } from "../util/rows.js";
import { impliedNextTokenDistributions, modelKL, nextTokenDistributions, nextTokenMap, rowKL, type NextTokenMap } from "./beliefKL.js";
import { kgramFeatures, kgramLabel, KGRAM_ORDERS, MAX_JOINT_KGRAM_COLUMNS, shuffleRows, type ControlName, type KgramEncoding } from "./controls.js";
import { factorLeastSquares, predictLinear, type LeastSquaresOptions, type Whitening } from "./leastSquares.js";
import { contextsSeen, contextsUpTo, jointLookup, MAX_MEMORY_TOKENS, MEMORY_RULE, memoryPhrase, MIN_ROWS_PER_CONTEXT, verdictStatement, type MemoryEquivalent } from "./memory.js";
import { DEFAULT_FIT_RESAMPLES, linearRefits, refitPlan, refitRowWeights, type RefitPlan } from "./refit.js";
import { observability, subspaceR2, type Observability, type ObservabilityOptions } from "./observability.js";
import { regressionScores, type R2, type RegressionScores } from "./scores.js";
import { splitBySequence, takeRows, type SequenceSplit } from "./split.js";
import { BootstrapCache, bootstrapVerdict, fitVarianceNote, sequenceScores, VERDICT_RULE, type ControlComparison, type SequenceScores, type Verdict } from "./verdict.js";

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
  /** Refits on resampled training sequences whose fit variance enters the verdict's intervals (refit.ts). Default 20; 0 holds the fits fixed. */
  readonly fitResamples?: number;
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
  /** The memory the site is equivalent to (memory.ts), with its comparison against each k-token lookup. */
  readonly memory: MemoryEquivalent & { readonly comparisons: readonly ControlComparison[] };
  /** The verdict with its memory: "beyond linear controls; as informative as the last 3 tokens". */
  readonly statement: string;
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
  /** Joint lookups on the last k tokens and position, k = 1..largest (memory.ts), scored on the held-out rows. */
  readonly memory: { readonly rule: string; readonly largest: number; readonly lookups: Readonly<Record<string, ControlResult>> };
  /** Refits behind each interval's fit variance (0: fits held fixed). */
  readonly fitResamples: number;
  /** Sites with fewer training rows than features, and the sequences that would give them more. */
  readonly warnings: readonly ProbeWarning[];
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

/** A site whose probe has fewer training rows than features: it interpolates its training data. */
export interface ProbeWarning {
  readonly site: string;
  readonly features: number;
  readonly trainRows: number;
  /** Sequences (train and test together) that give more training rows than features (a stable fit wants several times more). */
  readonly sequencesNeeded: number;
  readonly message: string;
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
  /** Training resamples for fit variance (null: fits held fixed). */
  readonly plan: RefitPlan | null;
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
function fitPredict(ctx: Context, x: Rows, targets: readonly Rows[]): { test: Rows[]; train: Rows; weights: Float64Array; intercept: Float64Array; rank: number; whitening: Whitening } {
  const { train, test } = ctx.split;
  if (ctx.workspace.data.length < train.length * x.cols) ctx.workspace.data = new Float64Array(train.length * x.cols);
  const factor = factorLeastSquares(x, { ...ctx.fit, rows: train, workspace: ctx.workspace.data });
  const fit = factor.solve(hstack(targets));
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
    whitening: factor.whitening(),
  };
}

/** A scored predictor with its refits' held-out scores attached (the verdict's fit variance). */
function withRefits(s: Scored, refits: readonly SequenceScores[] | undefined): Scored {
  return refits && refits.length > 0 ? { ...s, perSequence: { ...s.perSequence, refits } } : s;
}

/**
 * Fit a linear probe of x on the target blocks, score it on the held-out rows against each
 * block's test targets, and attach its refits (one per training resample of the plan).
 */
function fitScore(ctx: Context, x: Rows, blocks: readonly { train: Rows; test: Rows; optimal: Rows }[]) {
  const fit = fitPredict(ctx, x, blocks.map((b) => b.train));
  const scored = blocks.map((b, k) => score(ctx, fit.test[k], b.test, b.optimal, x.cols));
  if (!ctx.plan) return { fit, scored };
  const refits = linearRefits(x, ctx.split.train, ctx.split.test, blocks.map((b) => b.train), fit.whitening, ctx.plan, blocks.map((b) => (pred: Rows) => refitScores(ctx, pred, b.test, b.optimal)));
  return { fit, scored: scored.map((s, k) => withRefits(s, refits[k])) };
}

/** Per-sequence held-out scores of a refit's predictions. */
function refitScores(ctx: Context, pred: Rows, target: Rows, optimal: Rows): SequenceScores {
  return sequenceScores(pred, target, rowKL(optimal, impliedNextTokenDistributions(ctx.map, pred)).perRow, ctx.nPos);
}

/**
 * The joint lookups on the last k tokens and position, k = 1..K, K the largest the training rows
 * support (memory.ts), each scored on the held-out rows with its refits.
 */
function memoryLookups(ctx: Context, tokens: Int32Array, nTokens: number, yTrain: Rows, yTest: Rows, optimalTest: Rows): Scored[] {
  const { train, test } = ctx.split;
  // The k the data supports: at least MIN_ROWS_PER_CONTEXT training rows per context seen.
  const supported = (c: { ids: Int32Array; count: number; k: number }) => contextsSeen(c, train) * MIN_ROWS_PER_CONTEXT <= train.length;
  const contexts = contextsUpTo(tokens, ctx.nPos, nTokens, Math.min(ctx.nPos, MAX_MEMORY_TOKENS), supported);
  const out: Scored[] = [];
  let prev: Rows | null = null;
  let prevRefits: Rows[] = [];
  for (const c of contexts) {
    const pred = jointLookup(c, ctx.nPos, yTrain, train, null, test, prev);
    const scored = score(ctx, pred, yTest, optimalTest, c.count + ctx.nPos);
    const refitPreds = ctx.plan ? Array.from({ length: ctx.plan.resamples }, (_, j) => jointLookup(c, ctx.nPos, yTrain, train, refitRowWeights(ctx.plan!, j), test, prevRefits[j] ?? null)) : [];
    out.push(withRefits(scored, refitPreds.map((p) => refitScores(ctx, p, yTest, optimalTest))));
    prev = pred;
    prevRefits = refitPreds;
  }
  return out;
}

/** The smallest k whose lookup the site's probe beats on neither measure (memory.ts). */
function memoryOf(main: SequenceScores, lookups: readonly Scored[], verdictOptions: Parameters<typeof bootstrapVerdict>[2]): SiteResult["memory"] {
  const comparisons: ControlComparison[] = [];
  let tokens: number | null = null;
  for (let k = 1; k <= lookups.length && tokens === null; k++) {
    const c = bootstrapVerdict(main, { [memoryLabel(k)]: lookups[k - 1].perSequence }, verdictOptions).comparisons[0];
    if (!c) {
      const undefinedReason = "the probe's R² is undefined";
      return { tokens: null, largest: lookups.length, below: false, phrase: `memory equivalent undefined (${undefinedReason})`, undefinedReason, comparisons };
    }
    comparisons.push(c);
    if (!c.beatsR2 && !c.beatsKL) tokens = k;
  }
  const last = tokens === null ? undefined : comparisons[tokens - 1];
  const below = last !== undefined && last.r2Gain !== null && last.r2Gain.upper < 0 && last.klGain !== null && last.klGain.upper < 0;
  const undefinedReason = lookups.length === 0 ? "too few training rows for a lookup on the last token" : undefined;
  return { tokens, largest: lookups.length, below, phrase: memoryPhrase(tokens, lookups.length, below), ...(undefinedReason ? { undefinedReason } : {}), comparisons };
}

/** "3-token lookup": the name of the joint lookup on the last k tokens and position. */
export function memoryLabel(k: number): string {
  return `${k}-token lookup`;
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
  const total = kgramOrders.length + 1 + sites.length;
  let done = 0;
  const progress = (label: string) => options.onProgress?.({ done: ++done, total, label });

  const split = splitBySequence(sequences, nPos, testFraction, seed);
  const fitResamples = checkInteger(fn, "fitResamples", options.fitResamples ?? DEFAULT_FIT_RESAMPLES, 0, 1000);
  const plan = refitPlan(split.train.length, nPos, fitResamples, deriveSeed(seed, "refit"));
  const ctx: Context = { split, map: nextTokenMap(hmm), obs: observability(hmm, options.observability), nPos, fit: { ridge: options.ridge, rcond: options.rcond }, workspace: { data: new Float64Array(0) }, plan };
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
    kgram[kgramLabel(k, encoding)] = fitScore(ctx, x, [{ train: yTrain, test: yTest, optimal: optimalTest }]).scored[0];
    progress(kgramLabel(k, encoding));
  }
  const memory = memoryLookups(ctx, tokens, nTokens, yTrain, yTest, optimalTest);
  progress("memory lookups");

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
    const real = { train: yTrain, test: yTest, optimal: optimalTest };
    const { fit, scored } = fitScore(ctx, x, ysTrain && ysTest && optimalShuffledTest ? [real, { train: ysTrain, test: ysTest, optimal: optimalShuffledTest }] : [real]);
    testPredictions[site.label] = fit.test[0];
    const main = scored[0];
    const controls: Record<string, Scored> = {};
    if (scored[1]) controls.shuffled = scored[1];
    const u = data.untrainedFeatures?.[site.label];
    if (u) controls.untrained = fitScore(ctx, u, [real]).scored[0];
    Object.assign(controls, kgram);
    const verdictOptions = { resamples, seed: deriveSeed(seed, "verdict"), cache: bootstrap };
    const tested = bootstrapVerdict(
      main.perSequence,
      Object.fromEntries(Object.entries(controls).map(([name, c]) => [name, c.perSequence])),
      verdictOptions,
    );
    // With no more training rows than features the probe can fit any targets: no verdict (probeWarnings says what to raise).
    const verdict: Verdict =
      x.cols >= split.train.length && !tested.verdict.startsWith("undefined")
        ? { ...tested, verdict: `undefined: ${split.train.length} training rows for ${x.cols} features (the probe can fit any targets)`, beyondControls: false }
        : tested;
    const siteMemory = memoryOf(main.perSequence, memory, verdictOptions);
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
      memory: siteMemory,
      statement: verdictStatement(verdict.verdict, siteMemory),
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
    verdictRule: results[0]?.verdict.rule ?? VERDICT_RULE + fitVarianceNote(plan ? plan.resamples : 0),
    memory: { rule: MEMORY_RULE, largest: memory.length, lookups: Object.fromEntries(memory.map((m, k) => [memoryLabel(k + 1), m.result])) },
    fitResamples: plan ? plan.resamples : 0,
    warnings: probeWarnings(results, split.train.length, sequences, testFraction, nPos),
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

/** Sites with fewer training rows than features (their held-out R^2 says little), and what to raise. */
function probeWarnings(sites: readonly SiteResult[], trainRows: number, sequences: number, testFraction: number, nPos: number): ProbeWarning[] {
  return sites
    .filter((s) => s.features >= trainRows)
    .map((s) => {
      // Training sequences = sequences - round(sequences * testFraction); enough when their rows exceed the features.
      let needed = sequences;
      while ((needed - Math.max(1, Math.round(needed * testFraction))) * nPos <= s.features) needed++;
      return {
        site: s.label,
        features: s.features,
        trainRows,
        sequencesNeeded: needed,
        message: `${s.label}: ${trainRows} training rows for ${s.features} features, fewer rows than features, so the probe can fit its training data exactly and its held-out R² (${s.r2 === null ? "undefined" : s.r2.toFixed(2)}) says little`,
      };
    });
}
