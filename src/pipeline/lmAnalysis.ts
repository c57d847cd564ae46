/**
 * The analysis of a language model (`beliefscope lm analyze`): which
 * hidden-Markov description of the text does it track? Every figure as SVG
 * (and PNG where the sink renders them) and every number in analysis.json:
 *
 *   zipf               token frequency against rank, log-log, per vocabulary size (ranks rescaled), Zipf exponents
 *   embedding-*        cosine similarity of token embeddings sorted by frequency, and its 8x8 band means
 *   ov-circuits, ov-spectra          W_V W_O per head and its singular values
 *   attention-patterns, head-fixedness   patterns averaged over text; heads ranked by how fixed they are
 *   residual-pca-*     explained variance per layer; projections coloured by token class (and grammar phase)
 *   hmm-loss           Baum-Welch HMMs at several state counts beside the transformer, loss on the validation
 *                      windows (labelled held-out only when they are: LmEvaluationText)
 *   probes-hmm         linear probes from the residual stream to the best HMM's beliefs, with controls and verdicts
 *   probes-grammar     on the generated corpus, probes to the grammar's exact beliefs, and its true state decoded
 *   probes-grammar-factors   probes to each factor's exact marginal (slot, phase, character, mood), same controls
 *   loss-curve         training and validation loss (for a run)
 *
 * Memory is bounded whatever the vocabulary, width, depth and corpus (LM_ANALYSIS_BOUNDS, enforced below): every
 * forward pass runs on chunks of windows within 64 MiB of working memory (activations.ts; logits are dropped after
 * each chunk), the activations held at once (every probe site, trained and untrained model, float64) within
 * 256 MiB, the widest k-gram control's features within 16M values (128 MiB), the attention patterns of all layers
 * within 16M values (64 MiB); the windows probed and the pattern windows shrink to fit (at least 8 and 4). The
 * fused engine's inference network is bounded at 64 MiB per model (src/model/transformer/fast/inference.ts).
 * Measured peak RSS (docs/language.md, Measured): about 1 GB on the default study, the same with a 4,096- or 50,257-token
 * vocabulary at n_ctx 128 (the runtime, the wasm engines and the probes' temporaries make the rest).
 */
import { DEFAULT_FORWARD_BYTES, siteActivations, windowsPerForward } from "../language/analysis/activations.js";
import { blockMeans, cosineSimilarity } from "../language/analysis/embedding.js";
import { factorOfState, factorReadoutHmm, grammarFactorBeliefs, GRAMMAR_FACTORS, GRAMMAR_FACTOR_VALUES, type GrammarFactor } from "../language/analysis/grammarFactors.js";
import { grammarWindows } from "../language/analysis/grammarWindows.js";
import { grammarTokenEntropy, type GrammarEntropy } from "../language/analysis/grammarEntropy.js";
import { ovMatrices, patternStats, type PatternStats } from "../language/analysis/heads.js";
import { pca } from "../language/analysis/pca.js";
import { TOKEN_CLASSES, tokenClasses } from "../language/analysis/tokenClasses.js";
import { fitTokenHmms, toSymbols, tokenAlphabet, tokenHmmBeliefs, unigramLoss, type TokenHmm } from "../language/analysis/tokenHmm.js";
import { rankFrequency, type RankFrequency } from "../language/analysis/zipf.js";
import type { GrammarCorpusSpec } from "../language/grammar/corpus.js";
import { storyGrammar, type StoryGrammar } from "../language/grammar/storyGrammar.js";
import { languageModelLoss } from "../language/lm/evaluateLm.js";
import type { BpeTokenizer } from "../language/tokenizer/tokenizer.js";
import type { SequenceModel } from "../model/sequenceModel.js";
import type { StateDict } from "../model/types.js";
import type { ScatterPanel } from "../plot/scatterGrid.js";
import { probeFeatures, type ProbeReport } from "../probe/beliefProbe.js";
import { probeReportJson } from "../probe/reportJson.js";
import { splitBySequence } from "../probe/split.js";
import type { Hmm } from "../process/hmm.js";
import type { StepMetrics } from "../train/trainer.js";
import { ArgumentError, checkInteger } from "../util/errors.js";
import type { Rows } from "../util/rows.js";
import { warn } from "../util/warn.js";
import type { ArtifactSink } from "./demo.js";
import {
  attentionFigure,
  embeddingBlocksFigure,
  embeddingSimilarityFigure,
  fixednessFigure,
  grammarFactorFigure,
  lmLossCurveFigure,
  lossComparisonFigure,
  ovCircuitFigure,
  ovSpectrumFigure,
  pca3dFigure,
  pcaScatterFigure,
  pcaVarianceFigure,
  probeFigure,
  zipfFigure,
} from "./lmFigures.js";
import { lossLabel, type LmEvaluationText } from "./lmLossLabel.js";
import { lmReportMarkdown } from "./lmReport.js";

export { lossLabel, type LmEvaluationText };

export interface LmAnalysisOptions {
  readonly model: SequenceModel;
  /** The same architecture at its initial weights: the untrained control of the probes. */
  readonly untrained?: SequenceModel;
  readonly tokenizer: BpeTokenizer;
  /** Tokenizers of other sizes trained on the same text, for the rank-frequency figure. */
  readonly otherTokenizers?: readonly BpeTokenizer[];
  /** Held-out texts for token frequencies (at most `maxZipfChars` of them are encoded). */
  readonly texts: readonly string[];
  /** [n, nPos + 1] windows of training text (the HMM fits). */
  readonly trainWindows: Int32Array;
  /** [m, nPos + 1] windows of validation text (losses, patterns, PCA, probes). */
  readonly validationWindows: Int32Array;
  /** What the validation windows are to the model (default "documents", held out). */
  readonly evaluationText?: LmEvaluationText;
  readonly nPos: number;
  /** The BOS token that starts documents. */
  readonly bos: number;
  /** The generated corpus, when the text is the grammar's: probes for its true hidden state. */
  readonly grammar?: GrammarCorpusSpec | null;
  /** The run's metrics (loss curve). */
  readonly metrics?: readonly StepMetrics[];
  readonly sink: ArtifactSink;
  /** State counts of the Baum-Welch fits. Default [2, 4, 8, 16]. */
  readonly hmmStates?: readonly number[];
  /** Training windows the HMMs are fitted on. Default 256. */
  readonly hmmWindows?: number;
  /** Most symbols of the HMMs' alphabet (the commonest tokens, the rest one "other" symbol). Default 256, at most 1024. */
  readonly hmmSymbols?: number;
  /** Windows probed (half train, half test). Default 256. */
  readonly probeWindows?: number;
  /** Bootstrap resamples of the probe verdicts. Default 1000. */
  readonly resamples?: number;
  /** Characters of text encoded per tokenizer for token frequencies. Default 2e6. */
  readonly maxZipfChars?: number;
  /** Memory bounds (bytes and values); defaults LM_ANALYSIS_BOUNDS. */
  readonly bounds?: Partial<LmAnalysisBounds>;
  readonly seed?: number;
  /** What is being analysed, for titles and the report (e.g. the run folder). */
  readonly name?: string;
  readonly log?: (line: string) => void;
}

export interface GrammarStateDecoding {
  readonly site: string;
  /** Accuracy of the factor read off the probe's predicted belief (argmax of its marginal), per factor. */
  readonly probe: Record<string, number>;
  /** The same from the exact belief: the best any reader of the text can do. */
  readonly bayes: Record<string, number>;
  /** Always answering the most frequent value. */
  readonly majority: Record<string, number>;
}

/** Probes to one factor of the grammar's hidden state (its exact marginal belief). */
export interface GrammarFactorProbe {
  readonly factor: GrammarFactor;
  readonly values: readonly string[];
  readonly report: ProbeReport;
}

/** What `lm analyze` holds at once (see the file header). */
export interface LmAnalysisBounds {
  /** One forward chunk: logits and the layers' intermediates, bytes. */
  readonly forwardBytes: number;
  /** Activations of every probe site, trained and untrained model together (float64), bytes. */
  readonly activationBytes: number;
  /** One k-gram control's feature matrix, values (float64). */
  readonly kgramValues: number;
  /** Attention patterns of every head of a layer over the pattern windows, values (float32). */
  readonly patternValues: number;
}

export const LM_ANALYSIS_BOUNDS: LmAnalysisBounds = Object.freeze({
  forwardBytes: DEFAULT_FORWARD_BYTES,
  activationBytes: 256 * 2 ** 20,
  kgramValues: 16e6,
  patternValues: 16e6,
});

/** Fewest windows probed, whatever the bounds say (then the bound is exceeded and a warning says so). */
export const MIN_PROBE_WINDOWS = 8;

export interface LmAnalysisResult {
  readonly location: string;
  readonly files: string[];
  readonly json: Record<string, unknown>;
  readonly transformerLoss: number;
  readonly hmms: readonly TokenHmm[];
  readonly hmmProbes: ProbeReport;
  readonly grammarProbes: ProbeReport | null;
  readonly grammarDecoding: GrammarStateDecoding | null;
  /** Per factor of the grammar's state (slot, phase, character, mood), on the generated corpus. */
  readonly grammarFactorProbes: readonly GrammarFactorProbe[];
}

const r6 = (v: number | null | undefined) => (v === null || v === undefined || !Number.isFinite(v) ? null : Number(v.toPrecision(6)));

/** The first `nPos` tokens of each window [n, L]: [n, nPos]. */
function inputsOf(windows: Int32Array, L: number, nPos: number, count: number): Int32Array {
  const out = new Int32Array(count * nPos);
  for (let w = 0; w < count; w++) out.set(windows.subarray(w * L, w * L + nPos), w * nPos);
  return out;
}

/** Factor of each grammar state: slot, phase, character, mood. */
function factors(grammar: StoryGrammar): { name: GrammarFactor; of: Int32Array; values: number }[] {
  return GRAMMAR_FACTORS.map((name) => ({ name, of: factorOfState(grammar, name), values: GRAMMAR_FACTOR_VALUES[name].length }));
}

/** Accuracy of reading each factor of the true state off beliefs (argmax of the factor's marginal). */
function decodeAccuracy(grammar: StoryGrammar, beliefs: Rows, states: Int32Array, rows: Int32Array): Record<string, number> {
  const S = grammar.hmm.nStates;
  const out: Record<string, number> = {};
  for (const f of factors(grammar)) {
    let correct = 0;
    const marginal = new Float64Array(f.values);
    rows.forEach((row, k) => {
      marginal.fill(0);
      for (let i = 0; i < S; i++) marginal[f.of[i]] += beliefs.data[k * S + i];
      let best = 0;
      for (let v = 1; v < f.values; v++) if (marginal[v] > marginal[best]) best = v;
      if (best === f.of[states[row]]) correct++;
    });
    out[f.name] = correct / rows.length;
  }
  return out;
}

export async function analyzeLanguageModel(o: LmAnalysisOptions): Promise<LmAnalysisResult> {
  const fn = "analyzeLanguageModel";
  const log = o.log ?? (() => {});
  const { model, tokenizer, sink, nPos } = o;
  checkInteger(fn, "nPos", nPos, 2, model.nCtx);
  const L = nPos + 1;
  if (o.validationWindows.length < L || o.validationWindows.length % L !== 0) {
    throw new ArgumentError({ fn, argument: "validationWindows", received: `${o.validationWindows.length} tokens`, expected: `one or more windows of nPos + 1 = ${L} tokens` });
  }
  if (model.dVocab < tokenizer.vocabSize) {
    throw new ArgumentError({ fn, argument: "tokenizer", received: `a tokenizer of ${tokenizer.vocabSize} tokens`, expected: `at most the model's d_vocab = ${model.dVocab}` });
  }
  const seed = o.seed ?? 2;
  const bounds: LmAnalysisBounds = { ...LM_ANALYSIS_BOUNDS, ...o.bounds };
  const files: string[] = [];
  const write = async (name: string, svg: string) => {
    await sink.write(`${name}.svg`, svg);
    files.push(`${name}.svg`);
    if (sink.renderPng) {
      await sink.write(`${name}.png`, sink.renderPng(svg));
      files.push(`${name}.png`);
    }
  };
  const json: Record<string, unknown> = { format: "beliefscope/lm-analysis", version: 1, name: o.name ?? null, model: { architecture: model.architecture, summary: model.summary, parameters: model.parameterCount, config: model.config }, nPos };
  const stateDict: StateDict = await model.stateDict();
  const cfg = model.config as unknown as Record<string, number | boolean | string>;

  // Losses on the validation windows.
  const text = o.evaluationText ?? "documents";
  const label = lossLabel(text);
  log(`${label.loss}...`);
  const nValidation = o.validationWindows.length / L;
  const transformer = await languageModelLoss(model, o.validationWindows, nPos);
  json.validation = { windows: nValidation, text, heldOut: label.heldOut, loss: r6(transformer.loss), perplexity: r6(transformer.perplexity), perPosition: Array.from(transformer.perPosition, (v) => r6(v)) };

  // Token frequencies per vocabulary size.
  log("token frequencies...");
  const maxChars = o.maxZipfChars ?? 2e6;
  const sample: string[] = [];
  let chars = 0;
  for (const t of o.texts) {
    if (chars >= maxChars) break;
    sample.push(t);
    chars += t.length;
  }
  const tokenizers = [tokenizer, ...(o.otherTokenizers ?? []).filter((t) => t.vocabSize !== tokenizer.vocabSize)].sort((a, b) => a.vocabSize - b.vocabSize);
  const zipf: RankFrequency[] = [];
  let modelCounts: RankFrequency | null = null;
  for (const t of tokenizers) {
    const ids: number[] = [];
    for (const text of sample) for (const id of t.encode(text, { addSpecialTokens: false })) ids.push(id);
    const rf = rankFrequency(ids, t.vocabSize);
    zipf.push(rf);
    if (t === tokenizer) modelCounts = rf;
  }
  if (sample.length > 0) await write("zipf", zipfFigure(zipf));
  json.zipf = zipf.map((z) => ({ vocabSize: z.vocabSize, tokens: z.tokens, distinctTokens: z.counts.length, exponent: r6(z.fit.exponent), r2: r6(z.fit.r2), ranksFitted: z.fit.ranksFitted, topCounts: Array.from(z.counts.subarray(0, 50)) }));

  // Embedding geometry, tokens by frequency (seen tokens first, the rest by id).
  const W_E = stateDict["embed.W_E"];
  if (W_E) {
    log("embedding geometry...");
    const seen = modelCounts ? Array.from(modelCounts.ids) : [];
    const seenSet = new Set(seen);
    const order = [...seen, ...Array.from({ length: tokenizer.vocabSize }, (_, k) => k).filter((k) => !seenSet.has(k))];
    // The seen tokens (an unseen token's embedding is its initialisation), at least 16.
    const nHeat = Math.min(256, Math.max(seen.length, 16), order.length);
    await write("embedding-similarity", embeddingSimilarityFigure(cosineSimilarity(W_E, order.slice(0, nHeat)), nHeat, tokenizer.vocabSize));
    const nBlocks = Math.min(Math.max(seen.length, 8), 2048, order.length);
    const blocks = blockMeans(cosineSimilarity(W_E, order.slice(0, nBlocks)), nBlocks, 8);
    await write("embedding-blocks", embeddingBlocksFigure(blocks, 8, nBlocks));
    json.embedding = { heatmapTokens: nHeat, blockTokens: nBlocks, blockMeans: Array.from({ length: 8 }, (_, i) => Array.from(blocks.subarray(i * 8, i * 8 + 8), (v) => r6(v))) };
  }

  // Heads (transformers): OV circuits from the weights, patterns from the text.
  const patterns: PatternStats[] = [];
  if (model.architecture === "transformer" && typeof cfg.nLayers === "number" && (cfg.nLayers as number) > 0) {
    log("heads...");
    const nLayers = cfg.nLayers as number;
    const circuits = ovMatrices(stateDict, nLayers);
    await write("ov-circuits", ovCircuitFigure(circuits, cfg.dModel as number));
    await write("ov-spectra", ovSpectrumFigure(circuits, cfg.dHead as number));
    // Patterns of every layer within bounds.patternValues together, read a forward chunk at a time.
    const H = cfg.nHeads as number;
    const nPattern = Math.max(4, Math.min(nValidation, 128, Math.floor(bounds.patternValues / (nLayers * H * nPos * nPos))));
    const tokens = inputsOf(o.validationWindows, L, nPos, nPattern);
    const names = Array.from({ length: nLayers }, (_, l) => `blocks.${l}.attn.hook_pattern`);
    const perLayer = names.map(() => new Float32Array(nPattern * H * nPos * nPos)); // [windows, head, query, key]
    const chunk = windowsPerForward(model, nPos, bounds.forwardBytes);
    for (let start = 0; start < nPattern; start += chunk) {
      const n = Math.min(chunk, nPattern - start);
      const { cache } = await model.runWithCache(tokens.subarray(start * nPos, (start + n) * nPos), nPos, { names, batchSize: n });
      names.forEach((name, l) => perLayer[l].set(cache.get(name as never).data, start * H * nPos * nPos));
    }
    for (const data of perLayer) patterns.push(patternStats(data, [nPattern, H, nPos, nPos]));
    perLayer.length = 0;
    await write("attention-patterns", attentionFigure(patterns));
    const ranked = patterns.flatMap((p, l) => Array.from(p.fixedness, (f, h) => ({ label: `L${l}H${h}`, fixedness: f }))).sort((a, b) => b.fixedness - a.fixedness);
    await write("head-fixedness", fixednessFigure(ranked));
    json.heads = {
      ov: circuits.map((c) => ({ layer: c.layer, head: c.head, norm: r6(c.norm), singularValues: Array.from(c.singularValues.subarray(0, cfg.dHead as number), (v) => r6(v)) })),
      patternWindows: nPattern,
      fixednessRanked: ranked.map((r) => ({ head: r.label, fixedness: r6(r.fixedness) })),
    };
  }

  // Residual stream: activations of the probe windows at every site. The HMM's alphabet (needed for the
  // k-gram controls' width) is fixed first; the windows probed are as many as keep the widest k-gram control
  // within bounds.kgramValues and every site's activations (trained and untrained) within bounds.activationBytes.
  const nTrainWindows = Math.min(o.trainWindows.length / L, o.hmmWindows ?? 256);
  const trainSample = o.trainWindows.subarray(0, nTrainWindows * L);
  const alphabet = tokenAlphabet(trainSample, tokenizer.vocabSize, o.hmmSymbols ?? 256);
  // Per-token k-gram controls up to the order whose features stay within 600 columns (orders 1-4 up to
  // 149 symbols, 1-2 for 256): each fit ends in an SVD of a columns x columns factor (ml-matrix), cubic in them.
  const maxOrder = Math.max(1, Math.min(4, Math.floor(600 / (alphabet.nSymbols + 1))));
  // Sites of at most 1024 features (a concatenation of wide layers would make each probe a 10^10-flop fit).
  const dModel = typeof cfg.dModel === "number" ? (cfg.dModel as number) : 0;
  const sites = model.layerSites().filter((site) => site.hooks.length * dModel <= 1024 || site.hooks.length === 1);
  const siteWidth = sites.reduce((a, site) => a + site.hooks.length * Math.max(dModel, 1), 0);
  const copies = o.untrained ? 2 : 1;
  const byKgram = Math.floor(bounds.kgramValues / (nPos * (maxOrder * (alphabet.nSymbols + 1) + nPos)));
  const byActivations = Math.floor(bounds.activationBytes / (8 * nPos * siteWidth * copies));
  const nProbe = Math.min(nValidation, Math.max(MIN_PROBE_WINDOWS, Math.min(o.probeWindows ?? 256, byKgram, byActivations)));
  if (nProbe > Math.min(byKgram, byActivations)) warn(`lm analyze: ${nProbe} windows probed exceed the memory bounds (${byKgram} by the k-gram controls, ${byActivations} by ${siteWidth} features at ${sites.length} sites); at least ${MIN_PROBE_WINDOWS} are probed`);
  json.memoryBounds = { ...bounds, probeWindowsRequested: o.probeWindows ?? 256, probeWindowsByKgram: byKgram, probeWindowsByActivations: byActivations, windowsPerForward: windowsPerForward(model, nPos, bounds.forwardBytes) };
  const probeTokens = inputsOf(o.validationWindows, L, nPos, nProbe);
  log(`residual stream of ${nProbe} windows...`);
  let features: Record<string, Rows> | null = await siteActivations(model, probeTokens, nPos, sites, { maxForwardBytes: bounds.forwardBytes });
  const classes = tokenClasses(tokenizer);
  const perLayer = sites.filter((s) => s.hooks.length === 1);
  const pcaCurves: { label: string; explained: Float64Array }[] = [];
  const scatter: ScatterPanel[] = [];
  const scatter3d: ScatterPanel[] = [];
  const maxRows = 8192;
  const stride = Math.max(1, Math.ceil(probeTokens.length / maxRows));
  const rowsUsed = Array.from({ length: Math.ceil(probeTokens.length / stride) }, (_, k) => k * stride);
  const rowClasses = Int32Array.from(rowsUsed, (r) => classes[probeTokens[r]]);
  const pct = (v: number | undefined) => `${(100 * (v ?? 0)).toFixed(0)}%`;
  for (const s of perLayer) {
    const x = features[s.label];
    const sub: Rows = { rows: rowsUsed.length, cols: x.cols, data: new Float64Array(rowsUsed.length * x.cols) };
    rowsUsed.forEach((r, k) => sub.data.set(x.data.subarray(r * x.cols, (r + 1) * x.cols), k * x.cols));
    const k = Math.min(3, x.cols);
    const p = pca(sub, k);
    pcaCurves.push({ label: s.label, explained: p.explainedRatio });
    const pc = (m: number) => Float64Array.from(rowsUsed, (_, r) => p.projections.data[r * k + Math.min(m, k - 1)]);
    scatter.push({ title: `${s.label} (PC1 ${pct(p.explainedRatio[0])}, PC2 ${pct(p.explainedRatio[1])})`, x: pc(0), y: pc(1), classes: rowClasses, xLabel: "PC1", yLabel: "PC2" });
    // The 3D view: the first three components as their three pairwise planes, one row per layer.
    for (const [a, b] of [[0, 1], [0, 2], [1, 2]]) {
      scatter3d.push({ title: `${s.label}: PC${a + 1} ${pct(p.explainedRatio[a])} x PC${b + 1} ${pct(p.explainedRatio[b])}`, x: pc(a), y: pc(b), classes: rowClasses, xLabel: `PC${a + 1}`, yLabel: `PC${b + 1}` });
    }
  }
  await write("residual-pca-variance", pcaVarianceFigure(pcaCurves));
  await write("residual-pca", pcaScatterFigure(scatter, [...TOKEN_CLASSES], "token class"));
  await write("residual-pca-3d", pca3dFigure(scatter3d, [...TOKEN_CLASSES], "token class"));
  json.probeWindows = nProbe;
  json.residualPca = pcaCurves.map((c) => ({ site: c.label, explainedRatio: Array.from(c.explained.subarray(0, 32), (v) => r6(v)) }));

  // HMMs fitted to the token stream.
  const { hmms, unigram, best, grammar, entropy } = await hmmSection(o, { trainSample, alphabet, L, seed, label, transformerLoss: transformer.loss, write, json, log });

  // Probes to the best HMM's beliefs.
  const untrainedFeatures = o.untrained ? await siteActivations(o.untrained, probeTokens, nPos, sites, { maxForwardBytes: bounds.forwardBytes }) : undefined;
  const probeOptions = { resamples: o.resamples ?? 1000, seed, kgramOrders: Array.from({ length: maxOrder }, (_, k) => k + 1) };
  log(`probes to the ${best.nStates}-state HMM's beliefs...`);
  const hmmProbes = probeFeatures(
    {
      features,
      untrainedFeatures,
      beliefs: { rows: nProbe * nPos, cols: best.nStates, data: tokenHmmBeliefs(best, alphabet, probeTokens, nPos) },
      tokens: toSymbols(alphabet, probeTokens),
      hmm: best.hmm as Hmm,
      sequences: nProbe,
      nPos,
    },
    sites,
    probeOptions,
  );
  // These activations are done with: the grammar's are held in their place (bounds.activationBytes).
  features = null;
  await write("probes-hmm", probeFigure(hmmProbes, `Probes to the beliefs of the ${best.nStates}-state HMM fitted to the tokens`));
  json.probesHmm = probeReportJson(hmmProbes);

  // The grammar's true hidden state: its exact belief over all 160 states, and each factor's marginal.
  let grammarProbes: ProbeReport | null = null;
  let grammarDecoding: GrammarStateDecoding | null = null;
  const grammarFactorProbes: GrammarFactorProbe[] = [];
  if (o.grammar && grammar) {
    log(`probes to the grammar's exact beliefs (${grammar.hmm.nStates} states)...`);
    const gw = grammarWindows(grammar, tokenizer, { windows: nProbe, nPos, seed: o.grammar.seed, firstStory: o.grammar.stories, bos: o.bos });
    const gFeatures = await siteActivations(model, gw.tokens, nPos, sites, { maxForwardBytes: bounds.forwardBytes });
    const gUntrained = o.untrained ? await siteActivations(o.untrained, gw.tokens, nPos, sites, { maxForwardBytes: bounds.forwardBytes }) : undefined;
    const gTokens = toSymbols(alphabet, gw.tokens);
    const grammarData = { features: gFeatures, untrainedFeatures: gUntrained, tokens: gTokens, nTokens: alphabet.nSymbols, sequences: nProbe, nPos };
    grammarProbes = probeFeatures({ ...grammarData, beliefs: { rows: nProbe * nPos, cols: grammar.hmm.nStates, data: gw.beliefs }, hmm: grammar.hmm }, sites, probeOptions);
    await write("probes-grammar", probeFigure(grammarProbes, "Probes to the grammar's exact beliefs over its hidden states"));
    // Each factor's exact marginal, probed from the same activations with the same controls and split. Least
    // squares is column by column, so a factor probe predicts exactly the full probe's marginal: what the factor
    // probes add is the score against the factor's own variance, its belief KL and its own verdict.
    const marginals = grammarFactorBeliefs(grammar, gw.beliefs);
    for (const factor of GRAMMAR_FACTORS) {
      log(`probes to the grammar's ${factor} (${GRAMMAR_FACTOR_VALUES[factor].length} values)...`);
      const report = probeFeatures({ ...grammarData, beliefs: marginals[factor], hmm: factorReadoutHmm(factor) }, sites, probeOptions);
      grammarFactorProbes.push({ factor, values: GRAMMAR_FACTOR_VALUES[factor], report });
    }
    // The site of the figure and the decoding: the concatenation of every layer when probed, else the last site.
    const site = sites.reduce((a, b) => (b.hooks.length >= a.hooks.length ? b : a)).label;
    await write("probes-grammar-factors", grammarFactorFigure(grammarFactorProbes, grammarProbes, site));
    // Decoding the true state's factors from the predicted beliefs (held-out rows).
    const split = splitBySequence(nProbe, nPos, 0.5, seed);
    const S = grammar.hmm.nStates;
    const exact: Rows = { rows: split.test.length, cols: S, data: new Float64Array(split.test.length * S) };
    split.test.forEach((row, k) => exact.data.set(gw.beliefs.subarray(row * S, (row + 1) * S), k * S));
    const majority: Record<string, number> = {};
    for (const f of factors(grammar)) {
      const counts = new Float64Array(f.values);
      split.test.forEach((row) => counts[f.of[gw.states[row]]]++);
      majority[f.name] = Math.max(...counts) / split.test.length;
    }
    grammarDecoding = {
      site,
      probe: decodeAccuracy(grammar, grammarProbes.testPredictions[site], gw.states, split.test),
      bayes: decodeAccuracy(grammar, exact, gw.states, split.test),
      majority,
    };
    json.probesGrammar = { ...probeReportJson(grammarProbes), stories: gw.stories, decoding: grammarDecoding };
    json.probesGrammarFactors = Object.fromEntries(grammarFactorProbes.map((p) => [p.factor, { values: [...p.values], ...factorSummary(p.report, site), ...probeReportJson(p.report) }]));
  }

  if (o.metrics && o.metrics.length > 0) {
    await write(
      "loss-curve",
      lmLossCurveFigure(o.metrics, [
        { y: best.heldOutLoss, label: `best HMM (${best.nStates} ${best.nStates === 1 ? "state" : "states"}) ${best.heldOutLoss.toFixed(3)}`, colour: "#9467bd" },
        { y: unigram, label: `unigram ${unigram.toFixed(3)}`, colour: "#7f7f7f" },
        ...(entropy ? [{ y: entropy.natsPerToken, label: `grammar entropy rate ${entropy.natsPerToken.toFixed(3)}`, colour: "#d62728" }] : []),
      ]),
    );
  }

  const result = { location: sink.location, files, json, transformerLoss: transformer.loss, hmms, hmmProbes, grammarProbes, grammarDecoding, grammarFactorProbes };
  await sink.write("analysis.json", JSON.stringify(json, null, 2) + "\n");
  await sink.write("report.md", lmReportMarkdown(result, o.name ?? sink.location));
  files.push("analysis.json", "report.md");
  return result;
}

/** Baum-Welch HMMs beside the model on the validation windows, the unigram floor, the grammar's entropy rate, and their figure. */
async function hmmSection(
  o: LmAnalysisOptions,
  c: { trainSample: Int32Array; alphabet: ReturnType<typeof tokenAlphabet>; L: number; seed: number; label: ReturnType<typeof lossLabel>; transformerLoss: number; write: (name: string, svg: string) => Promise<void>; json: Record<string, unknown>; log: (line: string) => void },
) {
  const { model, tokenizer } = o;
  const { trainSample, alphabet, L, seed, label } = c;
  const nTrainWindows = trainSample.length / L;
  const stateCounts = o.hmmStates ?? [2, 4, 8, 16];
  const short = label.heldOut ? "held-out" : label.loss;
  c.log(`Baum-Welch on ${nTrainWindows} windows (${alphabet.nSymbols} symbols) at ${stateCounts.join(", ")} states...`);
  const hmms = fitTokenHmms(trainSample, o.validationWindows, L, alphabet, { stateCounts, seed, onFit: (f) => c.log(`  ${f.nStates} ${f.nStates === 1 ? "state" : "states"}: ${short} ${f.heldOutLoss.toFixed(4)} nats/token (${f.iterations} iterations, ${f.seconds.toFixed(1)} s)`) });
  const unigram = unigramLoss(trainSample, tokenizer.vocabSize, o.validationWindows, L);
  const best = hmms.reduce((a, b) => (b.heldOutLoss < a.heldOutLoss ? b : a));
  const grammar = o.grammar ? storyGrammar(o.grammar.grammar) : null;
  // The optimum on the generated corpus: the grammar's entropy rate per token (fresh stories, after the corpus's).
  const entropy: GrammarEntropy | null = grammar && o.grammar ? grammarTokenEntropy(grammar, tokenizer, { stories: 2000, seed: o.grammar.seed, firstStory: o.grammar.stories + 1_000_000 }) : null;
  await c.write(
    "hmm-loss",
    lossComparisonFigure(
      [
        { label: "unigram", loss: unigram },
        ...hmms.map((h) => ({ label: `HMM, ${h.nStates} ${h.nStates === 1 ? "state" : "states"}`, loss: h.heldOutLoss })),
        { label: `${model.architecture} (${model.parameterCount} parameters)`, loss: c.transformerLoss },
        ...(entropy ? [{ label: `grammar entropy rate (${grammar!.hmm.nStates} states)`, loss: entropy.natsPerToken }] : []),
      ],
      label.loss,
    ),
  );
  // The key says what the loss is: "heldOutLoss" only when the windows were held out.
  const key = label.heldOut ? "heldOutLoss" : "loss";
  c.json.hmm = {
    trainWindows: nTrainWindows,
    symbols: alphabet.nSymbols,
    otherSymbol: alphabet.tokenOf.includes(-1),
    lossOn: o.evaluationText ?? "documents",
    unigramLoss: r6(unigram),
    transformerLoss: r6(c.transformerLoss),
    fits: hmms.map((h) => ({ states: h.nStates, [key]: r6(h.heldOutLoss), trainLogLikelihood: r6(h.trainLogLikelihood), iterations: h.iterations, seconds: r6(h.seconds) })),
    best: best.nStates,
    grammarEntropyRate: entropy ? { natsPerToken: r6(entropy.natsPerToken), standardError: r6(entropy.standardError), natsPerStory: r6(entropy.natsPerStory), tokensPerStory: r6(entropy.tokensPerStory), stories: entropy.stories } : null,
  };
  return { hmms, unigram, best, grammar, entropy };
}

/** A factor's headline at `site`: R², the verdict, and the strongest control's R². */
function factorSummary(report: ProbeReport, site: string) {
  const s = report.sites.find((x) => x.label === site) ?? report.sites[report.sites.length - 1];
  const controls = Object.entries(s.controls).filter(([, c]) => c && c.r2 !== null) as [string, NonNullable<(typeof s.controls)[keyof typeof s.controls]>][];
  const strongest = controls.reduce<[string, number] | null>((a, [name, c]) => (a === null || c.r2! > a[1] ? [name, c.r2!] : a), null);
  return { site: s.label, r2: r6(s.r2), beyondControls: s.verdict.beyondControls, verdictAtSite: s.verdict.verdict, strongestControl: strongest && { control: strongest[0], r2: r6(strongest[1]) } };
}
