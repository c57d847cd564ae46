/**
 * Linear probes from the residual stream to Bayes-optimal beliefs (Shai et
 * al. 2024): for each probe site (one hook, or several concatenated), fit
 * activations -> beliefs on training sequences and score on held-out
 * sequences. Controls: the same probe with beliefs shuffled across rows
 * (no real relation: R^2 ~ 0), and the same probe on an untrained model
 * (what architecture and token identity alone give).
 */
import type { HookName } from "../model/hooks.js";
import type { HookedTransformer } from "../model/transformer.js";
import { filterBeliefs } from "../process/beliefs.js";
import type { Hmm } from "../process/hmm.js";
import { sampleSequences } from "../process/sample.js";
import { ArgumentError, checkInteger, checkNumber } from "../util/errors.js";
import { deriveSeed, Rng } from "../util/rng.js";
import { fitLinear, predictLinear, type LinearFit, type Rows } from "./linearRegression.js";
import { regressionScores, type RegressionScores } from "./scores.js";
import { splitBySequence, takeRows } from "./split.js";

/** A probe site: a label and the hooks whose activations are concatenated. */
export interface ProbeSite {
  readonly label: string;
  readonly hooks: readonly HookName[];
}

/** Sites for "each layer and all layers": the embedding, each block's resid_post, and resid_post of all blocks concatenated. */
export function layerSites(nLayers: number): ProbeSite[] {
  const sites: ProbeSite[] = [{ label: "embed", hooks: ["blocks.0.hook_resid_pre"] }];
  for (let l = 0; l < nLayers; l++) sites.push({ label: `layer ${l}`, hooks: [`blocks.${l}.hook_resid_post`] });
  if (nLayers > 1) sites.push({ label: "concat", hooks: Array.from({ length: nLayers }, (_, l) => `blocks.${l}.hook_resid_post` as HookName) });
  return sites;
}

export interface ProbeOptions {
  readonly sites?: readonly ProbeSite[];
  /** Sequences to draw (half train, half test by default). Default 4000. */
  readonly sequences?: number;
  readonly testFraction?: number;
  readonly ridge?: number;
  /** Seeds the probe data, split and shuffles (independent of training). Default 2. */
  readonly seed?: number;
  /** Also run the shuffled-beliefs control. Default true. */
  readonly shuffledControl?: boolean;
  /** Also probe this untrained model (same config) as a control. */
  readonly untrainedModel?: HookedTransformer;
}

export interface SiteResult {
  readonly label: string;
  readonly hooks: readonly HookName[];
  readonly features: number;
  readonly test: RegressionScores;
  readonly train: RegressionScores;
  readonly shuffled?: RegressionScores;
  readonly untrained?: RegressionScores;
  readonly solver: LinearFit["solver"];
}

export interface ProbeReport {
  readonly sequences: number;
  readonly trainRows: number;
  readonly testRows: number;
  readonly nStates: number;
  readonly sites: SiteResult[];
  /** Held-out true beliefs [testRows, S] and each site's predictions, for figures. */
  readonly testBeliefs: Rows;
  readonly testPredictions: Record<string, Rows>;
}

async function siteFeatures(model: HookedTransformer, tokens: Int32Array, nPos: number, sites: readonly ProbeSite[]): Promise<Record<string, Rows>> {
  const names = [...new Set(sites.flatMap((s) => s.hooks))];
  const { cache } = await model.runWithCache(tokens, nPos, { names });
  return Object.fromEntries(sites.map((s) => [s.label, cache.features(s.hooks)]));
}

export interface ProbeData {
  /** Features per site label, rows = sequences * nPos (row s * nPos + t is position t of sequence s). */
  readonly features: Record<string, Rows>;
  /** The same sites' features from the untrained control model, if any. */
  readonly untrainedFeatures?: Record<string, Rows>;
  /** [rows, S] true beliefs. */
  readonly beliefs: Rows;
  readonly sequences: number;
  readonly nPos: number;
}

/**
 * Fit and score the probes on ready-made features (pure: no model involved).
 * Sequences are split into train and test; the shuffled control permutes
 * belief rows across the whole data set before the split.
 */
export function probeFeatures(data: ProbeData, sites: readonly ProbeSite[], options: Pick<ProbeOptions, "testFraction" | "ridge" | "seed" | "shuffledControl"> = {}): ProbeReport {
  const fn = "probeFeatures";
  const testFraction = checkNumber(fn, "testFraction", options.testFraction ?? 0.5, 0.01, 0.99);
  const seed = checkInteger(fn, "seed", options.seed ?? 2, 0);
  const { beliefs, sequences, nPos } = data;
  const split = splitBySequence(sequences, nPos, testFraction, seed);
  const yTrain = takeRows(beliefs, split.train);
  const yTest = takeRows(beliefs, split.test);
  // The permutation control (as torch_ref.py): beliefs shuffled across all rows, then split the
  // same way, so the probe is fit and scored on targets unrelated to the activations. Its test
  // R^2 is about -features/trainRows: what a probe of this size gets from noise.
  const shuffled = takeRows(beliefs, new Rng(seed, "probe-shuffle").permutation(beliefs.rows));
  const yShuffledTrain = takeRows(shuffled, split.train);
  const yShuffledTest = takeRows(shuffled, split.test);
  const fitOptions = { ridge: options.ridge ?? 0 };
  const withShuffled = options.shuffledControl !== false;
  const S = beliefs.cols;
  const results: SiteResult[] = [];
  const testPredictions: Record<string, Rows> = {};
  for (const site of sites) {
    const x = data.features[site.label];
    if (!x || x.rows !== beliefs.rows) {
      throw new ArgumentError({ fn, argument: `features["${site.label}"]`, received: x ? `${x.rows} rows` : "nothing", expected: `${beliefs.rows} rows, one per belief` });
    }
    const xTrain = takeRows(x, split.train);
    const xTest = takeRows(x, split.test);
    // One least-squares solve serves the probe and its shuffled control: they share the features.
    const fit = fitLinear(xTrain, withShuffled ? hstack(yTrain, yShuffledTrain) : yTrain, fitOptions);
    const predTest = predictLinear(fit, xTest);
    const predTrain = predictLinear(fit, xTrain);
    const mainTest = columns(predTest, 0, S);
    testPredictions[site.label] = mainTest;
    let untrained: RegressionScores | undefined;
    if (data.untrainedFeatures) {
      const u = data.untrainedFeatures[site.label];
      untrained = regressionScores(predictLinear(fitLinear(takeRows(u, split.train), yTrain, fitOptions), takeRows(u, split.test)), yTest);
    }
    results.push({
      label: site.label,
      hooks: site.hooks,
      features: x.cols,
      test: regressionScores(mainTest, yTest),
      train: regressionScores(columns(predTrain, 0, S), yTrain),
      solver: fit.solver,
      shuffled: withShuffled ? regressionScores(columns(predTest, S, 2 * S), yShuffledTest) : undefined,
      untrained,
    });
  }
  return { sequences, trainRows: split.train.length, testRows: split.test.length, nStates: beliefs.cols, sites: results, testBeliefs: yTest, testPredictions };
}

/** Columns side by side: [rows, a.cols + b.cols]. */
function hstack(a: Rows, b: Rows): Rows {
  const cols = a.cols + b.cols;
  const data = new Float64Array(a.rows * cols);
  for (let r = 0; r < a.rows; r++) {
    data.set(a.data.subarray(r * a.cols, (r + 1) * a.cols), r * cols);
    data.set(b.data.subarray(r * b.cols, (r + 1) * b.cols), r * cols + a.cols);
  }
  return { rows: a.rows, cols, data };
}

/** Columns [from, to) of a matrix. */
function columns(m: Rows, from: number, to: number): Rows {
  const cols = to - from;
  const data = new Float64Array(m.rows * cols);
  for (let r = 0; r < m.rows; r++) data.set(m.data.subarray(r * m.cols + from, r * m.cols + to), r * cols);
  return { rows: m.rows, cols, data };
}

/** Sample held-out sequences, compute their exact beliefs and the model's activations, and probe. */
export async function probeBeliefs(model: HookedTransformer, hmm: Hmm, options: ProbeOptions = {}): Promise<ProbeReport> {
  const fn = "probeBeliefs";
  const sequences = checkInteger(fn, "sequences", options.sequences ?? 4000, 2);
  const seed = checkInteger(fn, "seed", options.seed ?? 2, 0);
  const sites = options.sites ?? layerSites(model.config.nLayers);
  if (sites.length === 0) throw new ArgumentError({ fn, argument: "sites", received: "an empty list", expected: "at least one probe site" });
  if (model.config.dVocab !== hmm.nSymbols) {
    throw new ArgumentError({ fn, argument: "hmm", received: `${hmm.name} with ${hmm.nSymbols} symbols`, expected: `the model's ${model.config.dVocab} symbols` });
  }
  const nPos = model.config.nCtx;
  const samples = sampleSequences(hmm, { count: sequences, length: nPos, seed: deriveSeed(seed, "probe-data") });
  const beliefs: Rows = { rows: sequences * nPos, cols: hmm.nStates, data: filterBeliefs(hmm, samples.tokens, nPos).beliefs };
  const features = await siteFeatures(model, samples.tokens, nPos, sites);
  const untrainedFeatures = options.untrainedModel ? await siteFeatures(options.untrainedModel, samples.tokens, nPos, sites) : undefined;
  return probeFeatures({ features, untrainedFeatures, beliefs, sequences, nPos }, sites, { ...options, seed });
}
