/**
 * Language studies on disk:
 *   analyzeLanguageRunInFolder   `beliefscope lm analyze SOURCE -o DIR`: a language run folder, or a Hugging
 *                                Face GPT-2 / GPT-Neo folder with a corpus, analysed into DIR
 *   runLanguageStudy             `beliefscope lm [CORPUS]`: tokenizers of several sizes, a language run and its
 *                                analysis in one folder (default: the generated grammar corpus)
 */
import { readdir, stat } from "node:fs/promises";
import { join } from "node:path";
import type { EngineDevice } from "../../engine/jax.js";
import { documentPart } from "../../language/corpus/split.js";
import { isGrammarSpec, parseGrammarSpec, type GrammarCorpusSpec } from "../../language/grammar/corpus.js";
import { bosTokenOf, encodeCorpus } from "../../language/lm/encodeCorpus.js";
import { needsTokenBlock, splitTokenBlock, tokenBlockSize } from "../../language/lm/tokenBlock.js";
import { TokenStreamBuilder, type TokenStream } from "../../language/lm/tokenStream.js";
import type { CorpusRunData, TrainLanguageModelOptions } from "../../language/lm/trainLanguageModel.js";
import { windowBatch, type WindowStart } from "../../language/lm/windows.js";
import { BpeTokenizer } from "../../language/tokenizer/tokenizer.js";
import { trainTokenizers } from "../../language/tokenizer/trainTokenizer.js";
import { MODEL_CONFIG_FILE, MODEL_WEIGHTS_FILE, modelFromFiles } from "../../model/files.js";
import { createModel, modelFromStateDict } from "../../model/registry.js";
import type { SequenceModel } from "../../model/sequenceModel.js";
import { analyzeLanguageModel, type LmAnalysisBounds, type LmAnalysisResult, type LmEvaluationText } from "../../pipeline/lmAnalysis.js";
import { ArgumentError } from "../../util/errors.js";
import { deriveSeed } from "../../util/rng.js";
import { checkMemory, formatBytes, MiB, typedArrayLimit, type MemoryBudget, type SizeModel } from "../../util/memory.js";
import { warn } from "../../util/warn.js";
import { folderSink } from "../folderSink.js";
import { readBytes, readText } from "../readFiles.js";
import { FileRunStore } from "../runFolder.js";
import { isHfCheckpointFolder } from "./hfCheckpoint.js";
import { isModelFolder, loadLanguageModel } from "./lmModel.js";
import { closeLanguageData, trainLanguageModelInFolder, type LmProgress, type TrainLmInFolderResult } from "./lmFolder.js";
import { loadRunTokenizer, openLanguageData } from "./languageData.js";
import { openCorpus, type CorpusOptions } from "./readCorpus.js";
import { loadTokenizer, saveTokenizerJson } from "./tokenizerFiles.js";

const exists = (path: string) => stat(path).then(() => true, () => false);

export interface AnalyzeInFolderOptions {
  /** A language run folder, or a Hugging Face GPT-2 / GPT-Neo checkpoint folder. */
  readonly source: string;
  /** --hmm-windows and --probe-windows are checked against this before the windows are drawn (docs/memory.md). */
  readonly memoryBudget?: MemoryBudget;
  readonly out: string;
  /** For a checkpoint folder: the text to analyse it on (required), and its tokenizer if the folder has none. */
  readonly corpus?: readonly string[];
  readonly corpusOptions?: Omit<CorpusOptions, "split" | "part" | "onProgress">;
  readonly tokenizer?: string;
  /** Tokenizers (files or folders; a folder of vocab-N/ folders gives them all) for the rank-frequency figure. */
  readonly tokenizers?: readonly string[];
  /** Positions analysed (default the run's n_ctx; for a checkpoint min(n_ctx, 128)). */
  readonly nPos?: number;
  readonly hmmStates?: readonly number[];
  /** Training windows the HMMs are fitted on. Default 256. */
  readonly hmmWindows?: number;
  /** Most symbols of the HMMs' alphabet. Default 256. */
  readonly hmmSymbols?: number;
  readonly probeWindows?: number;
  readonly resamples?: number;
  readonly maxTokens?: number;
  readonly seed?: number;
  /** Memory bounds of the analysis (default LM_ANALYSIS_BOUNDS, src/pipeline/lmAnalysis.ts). */
  readonly bounds?: Partial<LmAnalysisBounds>;
  readonly device?: EngineDevice;
  readonly log?: (line: string) => void;
}

/** Every tokenizer.json under the given paths (a file, a folder holding one, or a folder of vocab-N/ folders). */
async function collectTokenizers(paths: readonly string[]): Promise<BpeTokenizer[]> {
  const out: BpeTokenizer[] = [];
  for (const p of paths) {
    const s = await stat(p).catch(() => null);
    if (s?.isDirectory() && !(await exists(join(p, "tokenizer.json")))) {
      for (const e of (await readdir(p, { withFileTypes: true })).sort((a, b) => a.name.localeCompare(b.name))) {
        if (e.isDirectory() && (await exists(join(p, e.name, "tokenizer.json")))) out.push(await loadTokenizer(join(p, e.name, "tokenizer.json")));
      }
    } else out.push(await loadTokenizer(p));
  }
  return out;
}

/** Texts of documents of a token stream (BOS dropped), up to `maxChars`. */
function documentTexts(stream: TokenStream, tokenizer: BpeTokenizer, maxChars: number): string[] {
  const out: string[] = [];
  let chars = 0;
  const buffer = new Int32Array(1 << 16);
  for (let d = 0; d < stream.nDocuments && chars < maxChars; d++) {
    const start = stream.documentStart(d);
    const end = Math.min(d + 1 < stream.nDocuments ? stream.documentStart(d + 1) : stream.nTokens, start + buffer.length);
    stream.read(start, end - start, buffer);
    const text = tokenizer.decode(buffer.subarray(1, end - start));
    out.push(text);
    chars += text.length;
  }
  return out;
}

interface AnalysisInputs {
  model: SequenceModel;
  untrained: SequenceModel;
  tokenizer: BpeTokenizer;
  train: TokenStream;
  validation: TokenStream;
  nPos: number;
  windows: WindowStart;
  bos: number;
  evaluationText: LmEvaluationText;
  grammar: GrammarCorpusSpec | null;
  metrics: Awaited<ReturnType<FileRunStore["readMetrics"]>>;
  name: string;
  close(): void;
}

async function runInputs(o: AnalyzeInFolderOptions): Promise<AnalysisInputs> {
  const fn = "lm analyze";
  const store = new FileRunStore(o.source);
  const run = await store.readRun();
  if (!run || run.data?.kind !== "corpus") {
    throw new ArgumentError({ fn, argument: o.source, received: run ? "a run not trained on a corpus" : "a folder with neither run.json nor a Hugging Face config.json", expected: "a language run folder (`beliefscope lm train`) or a Hugging Face GPT-2 / GPT-Neo checkpoint folder" });
  }
  const modelDir = join(o.source, "model");
  if (!(await exists(join(modelDir, MODEL_CONFIG_FILE)))) {
    throw new ArgumentError({ fn, argument: o.source, received: "a run whose training has not finished (no model/)", expected: "a finished run", hint: "Continue it with `beliefscope lm train --resume -o RUN`." });
  }
  const { model } = await modelFromFiles(
    await readText(join(modelDir, MODEL_CONFIG_FILE), fn, "the model's config.json"),
    await readBytes(join(modelDir, MODEL_WEIGHTS_FILE), fn, "the model's weights"),
    { config: join(modelDir, MODEL_CONFIG_FILE), weights: join(modelDir, MODEL_WEIGHTS_FILE) },
    { device: o.device },
  );
  const untrained = (await store.checkpointSteps()).includes(0)
    ? await modelFromStateDict(model.architecture, model.config as unknown as Record<string, unknown>, await store.loadCheckpointWeights(0), { device: o.device })
    : await createModel(model.architecture, { config: model.config as unknown as Record<string, unknown>, seed: run.training.seed, device: o.device });
  const data = await openLanguageData(o.source, run.data as CorpusRunData);
  const description = run.data as CorpusRunData;
  let validation = data.validation;
  let evaluationText: LmEvaluationText = description.validationSplit === "token-block" ? "token-block" : "documents";
  const nPos = Math.min(o.nPos ?? model.nCtx, model.nCtx);
  if (!validation || validation.nTokens < nPos + 1) {
    warn(`the run holds out ${validation ? `${validation.nTokens} tokens, fewer than one window of ${nPos + 1}` : "no validation text (--validation 0)"}: analysing training text instead, and every loss is labelled "training-text loss (not held out)"`);
    validation = data.train;
    evaluationText = "training-text";
  }
  const corpus = description.corpus;
  return {
    model,
    untrained,
    tokenizer: await loadRunTokenizer(o.source),
    train: data.train,
    validation,
    nPos,
    windows: description.windows,
    bos: description.bos,
    evaluationText,
    grammar: corpus.length === 1 && isGrammarSpec(corpus[0]) ? parseGrammarSpec(corpus[0]) : null,
    metrics: await store.readMetrics(),
    name: o.source,
    close: () => closeLanguageData(data),
  };
}

/** A model folder or a Hugging Face checkpoint folder, analysed on the text of --corpus. */
async function checkpointInputs(o: AnalyzeInFolderOptions): Promise<AnalysisInputs> {
  const fn = "lm analyze";
  if (!o.corpus || o.corpus.length === 0) throw new ArgumentError({ fn, argument: "--corpus", received: "nothing", expected: "text to analyse the model on (e.g. TinyStories validation files)" });
  const loaded = await loadLanguageModel(o.source, { tokenizer: o.tokenizer, device: o.device });
  const tokenizer = loaded.tokenizer;
  if (!tokenizer) {
    loaded.model.dispose();
    throw new ArgumentError({ fn, argument: "--tokenizer", received: "nothing, and the folder has no tokenizer.json (or vocab.json + merges.txt)", expected: "the model's tokenizer" });
  }
  const nPos = Math.min(o.nPos ?? 128, loaded.model.nCtx);
  const bos = bosTokenOf(tokenizer, fn);
  const corpus = await openCorpus(o.corpus, o.corpusOptions ?? {});
  const split = { validationFraction: 0.5, seed: o.seed ?? 0 };
  const maxTokens = o.maxTokens ?? 2_000_000;
  const trainB = new TokenStreamBuilder();
  const validationB = new TokenStreamBuilder();
  const stats = await encodeCorpus(corpus.documents(), tokenizer, { train: trainB, validation: validationB }, { split, bos, maxTokens });
  const total = stats.trainTokens + stats.validationTokens;
  o.log?.(`corpus: ${stats.trainDocuments + stats.validationDocuments} documents, ${total} tokens${stats.truncated ? " (cut at --max-tokens)" : ""}`);
  let streams = { train: trainB.build() as TokenStream, validation: validationB.build() as TokenStream };
  if (needsTokenBlock(stats.validationTokens, total, split.validationFraction)) {
    // Too few documents to split them: the HMMs fit the first half of the tokens and are scored on the rest.
    const size = tokenBlockSize(total, split.validationFraction, nPos + 1, fn);
    const all = new TokenStreamBuilder();
    await encodeCorpus(corpus.documents(), tokenizer, { train: all }, { split: { ...split, validationFraction: 0 }, bos, maxTokens });
    streams = splitTokenBlock(all.build(), size);
    o.log?.(`too few documents to split by document: the last ${size} tokens are the validation text`);
  }
  const untrained = await createModel(loaded.model.architecture, { config: loaded.model.config as unknown as Record<string, unknown>, seed: 0, device: o.device });
  return {
    model: loaded.model,
    untrained,
    tokenizer,
    train: streams.train,
    validation: streams.validation,
    nPos,
    windows: "random",
    bos,
    evaluationText: "given-text",
    grammar: o.corpus.length === 1 && isGrammarSpec(o.corpus[0]) ? parseGrammarSpec(o.corpus[0]) : null,
    metrics: [],
    name: loaded.name,
    close: () => {},
  };
}

/**
 * The windows' tokens, and for the probe windows every layer's residual stream in float64 (fit and
 * held-out copies), per position: refused before they are drawn when they exceed the budget.
 */
function checkAnalysisWindows(model: SequenceModel, nPos: number, hmmWindows: number, probeWindows: number, budget: MemoryBudget): void {
  const config = model.config as unknown as Record<string, unknown>;
  const width = Number(config.dModel ?? config.dHidden ?? 64) * (Number(config.nLayers ?? 1) + 1);
  const model_ = (flag: string, value: number, perPosition: number, what: string): SizeModel => ({
    flag,
    value,
    bytes: (w) => 96 * MiB + w * (nPos + 1) * perPosition,
    formula: (w) => `${w} windows x ${nPos + 1} positions x ${formatBytes(perPosition)} a position: ${what}`,
    limits: [typedArrayLimit((w) => w * (nPos + 1) * Math.max(1, perPosition / 8))],
  });
  checkMemory("lm analyze", model_("--hmm-windows", hmmWindows, 4 + 64, "the token and the HMM fits' forward-backward"), budget);
  checkMemory("lm analyze", model_("--probe-windows", probeWindows, 4 + 16 * width, `the token and ${width} residual-stream features in float64, twice`), budget);
}

export async function analyzeLanguageRunInFolder(o: AnalyzeInFolderOptions): Promise<LmAnalysisResult> {
  const inputs = (await isHfCheckpointFolder(o.source)) || (await isModelFolder(o.source)) ? await checkpointInputs(o) : await runInputs(o);
  try {
    const seed = o.seed ?? 2;
    const probeWindows = o.probeWindows ?? 256;
    if (o.memoryBudget) checkAnalysisWindows(inputs.model, inputs.nPos, o.hmmWindows ?? 256, Math.max(probeWindows, 128), o.memoryBudget);
    const windows = (stream: TokenStream, count: number, label: string) => windowBatch(stream, { batchSize: count, nPos: inputs.nPos, seed: deriveSeed(seed, label), start: inputs.windows }, 0);
    const others = o.tokenizers ? await collectTokenizers(o.tokenizers) : [];
    return await analyzeLanguageModel({
      model: inputs.model,
      untrained: inputs.untrained,
      tokenizer: inputs.tokenizer,
      otherTokenizers: others,
      texts: documentTexts(inputs.validation, inputs.tokenizer, 2e6),
      trainWindows: windows(inputs.train, o.hmmWindows ?? 256, "analysis-train"),
      // Document-aligned validation windows when the run trained on them.
      validationWindows: windows(inputs.validation, Math.max(probeWindows, 128), "analysis-validation"),
      evaluationText: inputs.evaluationText,
      nPos: inputs.nPos,
      bos: inputs.bos,
      grammar: inputs.grammar,
      metrics: inputs.metrics,
      sink: folderSink(o.out),
      hmmStates: o.hmmStates,
      hmmWindows: o.hmmWindows,
      hmmSymbols: o.hmmSymbols,
      probeWindows,
      resamples: o.resamples,
      bounds: o.bounds,
      seed,
      name: inputs.name,
      log: o.log,
    });
  } finally {
    inputs.close();
    inputs.model.dispose();
    inputs.untrained.dispose();
  }
}

export interface LanguageStudyOptions extends Omit<TrainLanguageModelOptions, "store"> {
  readonly out: string;
  /** Default ["grammar"]: the generated stories. */
  readonly corpus?: readonly string[];
  readonly corpusOptions?: Omit<CorpusOptions, "split" | "part" | "onProgress" | "maxDocuments">;
  /** Tokenizer sizes trained (the rank-frequency figure overlays them). Default [1024, 2048, 4096]; the grammar corpus [288, 320, 384]. */
  readonly vocabSizes?: readonly number[];
  /** The size the model uses. Default the smallest. */
  readonly modelVocab?: number;
  readonly validationFraction?: number;
  readonly windows?: WindowStart;
  readonly maxTokens?: number;
  readonly hmmStates?: readonly number[];
  readonly hmmWindows?: number;
  readonly hmmSymbols?: number;
  readonly probeWindows?: number;
  readonly resamples?: number;
  readonly onProgress?: (p: LmProgress) => void;
  readonly log?: (line: string) => void;
}

export interface LanguageStudyResult {
  readonly training: TrainLmInFolderResult;
  readonly analysis: LmAnalysisResult;
  readonly trainSeconds: number;
  readonly analysisSeconds: number;
  readonly tokenizerSeconds: number;
}

/** Tokenizers (OUT/tokenizers/vocab-N), the run (OUT/run) and the analysis (OUT/): the whole study. */
export async function runLanguageStudy(o: LanguageStudyOptions): Promise<LanguageStudyResult> {
  const corpus = o.corpus && o.corpus.length > 0 ? o.corpus : ["grammar"];
  const grammar = corpus.length === 1 && isGrammarSpec(corpus[0]);
  const sizes = [...(o.vocabSizes ?? (grammar ? [288, 320, 384] : [1024, 2048, 4096]))].sort((a, b) => a - b);
  const modelVocab = o.modelVocab ?? sizes[0];
  const tokDir = join(o.out, "tokenizers");
  const runDir = join(o.out, "run");
  const t0 = performance.now();
  const tokenizerPath = (v: number) => join(tokDir, `vocab-${v}`, "tokenizer.json");
  const haveAll = (await Promise.all(sizes.map((v) => exists(tokenizerPath(v))))).every(Boolean);
  const resume = o.resume ?? (await exists(join(runDir, "run.json")));
  if (!haveAll) {
    o.log?.(`tokenizers of ${sizes.join(", ")} tokens on the training documents of ${corpus.join(" ")}...`);
    const c = await openCorpus(corpus, {
      ...o.corpusOptions,
      onProgress: (p) => o.onProgress?.({ phase: "read", done: p.done, total: p.total, detail: `${p.documents} documents` }),
    });
    const split = { validationFraction: o.validationFraction ?? 0.05, seed: o.training?.seed ?? 0 };
    async function* trainDocs() {
      let k = 0;
      for await (const d of c.documents()) if (documentPart(k++, split) === "train") yield d;
    }
    const trained = await trainTokenizers(trainDocs(), { vocabSizes: sizes, onMerge: (p) => o.onProgress?.({ phase: "merge", done: p.merges, total: p.target, detail: `${p.merges} of ${p.target} merges` }) });
    for (const t of trained.tokenizers) await saveTokenizerJson(t.json, tokenizerPath(t.vocabSize));
  }
  const tokenizerSeconds = (performance.now() - t0) / 1000;
  const t1 = performance.now();
  const training = await trainLanguageModelInFolder({
    ...o,
    runDir,
    corpus,
    resume,
    tokenizer: resume ? undefined : tokenizerPath(modelVocab),
    validationFraction: o.validationFraction ?? 0.05,
    windows: o.windows ?? "random",
  });
  const trainSeconds = (performance.now() - t1) / 1000;
  closeLanguageData(training.data);
  training.model.dispose();
  const t2 = performance.now();
  o.log?.("analysing...");
  const analysis = await analyzeLanguageRunInFolder({ source: runDir, out: o.out, tokenizers: [tokDir], hmmStates: o.hmmStates, hmmWindows: o.hmmWindows, hmmSymbols: o.hmmSymbols, probeWindows: o.probeWindows, resamples: o.resamples, device: o.device, log: o.log });
  return { training, analysis, trainSeconds, analysisSeconds: (performance.now() - t2) / 1000, tokenizerSeconds };
}
