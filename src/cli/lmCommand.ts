/**
 * beliefscope lm: language models on corpora.
 *   lm [run] [CORPUS...]     the whole study: tokenizers, training, analyses and figures (default: the generated grammar corpus)
 *   lm train CORPUS...       train on a corpus (resumable run folder with its tokenizer and tokens)
 *   lm analyze RUN           analyses and figures of a language run or a Hugging Face GPT-2 / GPT-Neo folder
 *   lm corpus CORPUS...      stream a corpus and count its documents (bounded memory, progress bar)
 *   lm import HF_DIR         a Hugging Face GPT-2 / GPT-Neo checkpoint as a model folder (config.json + model.safetensors + tokenizer.json)
 *   lm evaluate MODEL        loss and perplexity of a language model on given text, per position
 *   lm activations MODEL     activations at chosen hooks on text, with the tokens, as one safetensors file
 * The work is in src/language (core) and src/node/corpus (files).
 */
import { Command, Option } from "commander";
import { WINDOW_STARTS, type WindowStart } from "../language/lm/windows.js";
import { LM_TRANSFORMER_DEFAULTS } from "../language/lm/trainLanguageModel.js";
import { parseSeparator, type SeparatorChoice } from "../language/corpus/separator.js";
import { openCorpus } from "../node/corpus/readCorpus.js";
import type { CorpusFormat } from "../node/corpus/files.js";
import { trainLanguageModelInFolder, closeLanguageData, type TrainLmInFolderOptions } from "../node/corpus/lmFolder.js";
import { analyzeLanguageRunInFolder, runLanguageStudy } from "../node/corpus/lmStudy.js";
import { importHfCheckpoint, languageWindows, loadLanguageModel } from "../node/corpus/lmModel.js";
import { hookActivations } from "../language/analysis/activations.js";
import { languageModelLoss } from "../language/lm/evaluateLm.js";
import { defaultCacheNames, type SequenceModel } from "../model/sequenceModel.js";
import { checkMemory } from "../util/memory.js";
import { hookWidths, lmWindowsModel, trainModel } from "./memoryModels.js";
import { writeFileAtomically, writeJsonAtomically } from "../node/atomicWrite.js";
import { checkOutputDir, checkOutputFile, clearOutputs } from "../node/outputPath.js";
import { encodeSafetensors, type NamedTensor } from "../util/safetensors.js";
import { lossLabel, type LmAnalysisResult } from "../pipeline/lmAnalysis.js";
import { DEFAULT_OPTIMIZER } from "../train/optimizer.js";
import type { TrainingOverrides } from "../train/runConfig.js";
import { ArgumentError } from "../util/errors.js";
import { addMaxMemoryOption, memoryBudget } from "./commonOptions.js";
import { addDeviceOption, addEngineOption, addModelOptions, addTransformerShorthands, modelOverrides, transformerShorthand, type ModelFlags, type TransformerShorthandFlags } from "./commonOptions.js";
import { floatOption, intOption } from "./options.js";
import { progressReporter } from "./progress.js";
import { phaseProgress } from "./tokenizerCommand.js";
import { InvalidArgumentError } from "commander";
import { didYouMean } from "../util/didYouMean.js";
import { formatDuration, formatSize } from "../util/humanUnits.js";

const CORPUS_HELP =
  'text (.txt: documents separated by <|endoftext|>, blank lines or a separator line), JSON lines (.jsonl, field `text`), Parquet (column `text`), directories or globs of these (.gz too), or "grammar[:stories=N,seed=S]" for the generated stories';

function separatorOption(value: string): SeparatorChoice {
  try {
    return parseSeparator(value);
  } catch (err) {
    throw new InvalidArgumentError((err as Error).message);
  }
}

function addCorpusOptions(cmd: Command): Command {
  return cmd
    .addOption(new Option("--format <format>", "corpus format (default: by extension)").choices(["auto", "text", "jsonl", "parquet"]).default("auto"))
    .option("--separator <sep>", "documents in text files: auto | endoftext | blank-line | line:X", separatorOption, "auto")
    .option("--text-field <name>", "JSON lines field / Parquet column with the text", "text");
}

interface CorpusFlags {
  format: CorpusFormat | "auto";
  separator: SeparatorChoice;
  textField: string;
}

interface TrainFlags extends ModelFlags, CorpusFlags, TransformerShorthandFlags {
  out: string;
  resume?: boolean;
  force?: boolean;
  tokenizer?: string;
  vocab?: number;
  validation: number;
  splitSeed?: number;
  windows: WindowStart;
  maxTokens?: number;
  steps: number;
  batchSize: number;
  seed: number;
  lr: number;
  warmup: number;
  schedule: "constant" | "cosine";
  gradClip: number;
  weightDecay: number;
  checkpointEvery: number;
  valWindows: number;
  valEvery?: number;
}

/** Model and training flags shared by `lm train` and `lm run`. */
function addTrainOptions(cmd: Command, defaults: { steps: number; nCtx?: number }): Command {
  addModelOptions(cmd);
  addTransformerShorthands(cmd, { defaults: { ...LM_TRANSFORMER_DEFAULTS, nCtx: defaults.nCtx ?? LM_TRANSFORMER_DEFAULTS.nCtx }, nCtxHint: ", e.g. 64 to 512" });
  return cmd
    .option("--steps <n>", "training steps", intOption(0), defaults.steps)
    .option("--batch-size <n>", "windows per batch", intOption(1), 32)
    .option("--seed <n>", "seed of initialisation, batches and (by default) the split", intOption(0), 0)
    .option("--lr <x>", "peak learning rate", floatOption(0), 1e-3)
    .option("--warmup <n>", "linear warmup steps", intOption(0), 100)
    .addOption(new Option("--schedule <s>", "learning-rate schedule after warmup").choices(["constant", "cosine"]).default("cosine"))
    .option("--grad-clip <x>", "clip the global gradient norm (0: off)", floatOption(0), 1)
    .option("--weight-decay <x>", "decoupled weight decay", floatOption(0), DEFAULT_OPTIMIZER.weightDecay)
    .option("--checkpoint-every <n>", "steps between resumable checkpoints", intOption(1), 250)
    .option("--validation <fraction>", "share of documents held out for validation", floatOption(0, 0.99), 0.05)
    .option("--split-seed <n>", "seed of the train/validation split (default --seed)", intOption(0))
    .addOption(new Option("--windows <how>", "where training windows start: random tokens, or document starts (BOS)").choices([...WINDOW_STARTS]).default("random"))
    .option("--max-tokens <n>", "tokenize at most this many tokens of the corpus", intOption(1))
    .option("--val-windows <n>", "validation windows scored at each evaluation", intOption(1), 64)
    .option("--val-every <n>", "steps between validation losses (default max(25, round(steps / 20)), and at the last step)", intOption(1));
}

function trainOptions(cmd: Command, o: TrainFlags, model: Record<string, unknown> | undefined): Omit<TrainLmInFolderOptions, "runDir" | "corpus"> {
  const typed = (name: keyof TrainFlags) => cmd.getOptionValueSource(name) === "cli";
  const optimizer: Record<string, unknown> = {};
  const training: Record<string, unknown> = {};
  // A resumed run takes everything from its run.json but what was typed.
  const take = (target: Record<string, unknown>, pairs: [keyof TrainFlags, string][]) => {
    for (const [flag, key] of pairs) if (!o.resume || typed(flag)) target[key] = o[flag];
  };
  take(optimizer, [["lr", "learningRate"], ["weightDecay", "weightDecay"], ["gradClip", "gradClip"], ["schedule", "schedule"], ["warmup", "warmupSteps"]]);
  take(training, [["steps", "steps"], ["batchSize", "batchSize"], ["seed", "seed"], ["checkpointEvery", "checkpointEvery"]]);
  if (Object.keys(optimizer).length) training.optimizer = optimizer;
  return {
    arch: o.arch,
    preset: o.preset,
    model,
    training: training as TrainingOverrides,
    resume: o.resume,
    device: o.device,
    engine: o.engine,
    tokenizer: o.tokenizer,
    vocab: o.vocab,
    validationFraction: o.validation,
    splitSeed: o.splitSeed,
    windows: o.windows,
    maxTokens: o.maxTokens,
    corpusOptions: { format: o.format, separator: o.separator, textField: o.textField },
    validation: { windows: o.valWindows, every: o.valEvery },
  };
}

/** The model (at --vocab tokens), a batch and the validation windows against --max-memory, before the corpus is read. */
function checkLmTrainMemory(o: TrainFlags & { vocab?: number; maxMemory?: string }, overrides: Record<string, unknown> | undefined): void {
  const budget = memoryBudget(o);
  const arch = o.arch ?? "transformer";
  const defaults = o.preset ? {} : arch === "transformer" ? LM_TRANSFORMER_DEFAULTS : { nCtx: LM_TRANSFORMER_DEFAULTS.nCtx };
  const config: Record<string, unknown> = { ...defaults, ...overrides, dVocab: o.vocab ?? 1024 };
  checkMemory("lm train", trainModel(arch, config, o.preset, o.batchSize, budget.bytes), budget);
  checkMemory("lm train", lmWindowsModel({ nPos: Number(config.nCtx ?? LM_TRANSFORMER_DEFAULTS.nCtx), dVocab: o.vocab ?? 1024, logits: false }, o.valWindows, "--val-windows"), budget);
}

async function modelFlags(o: TrainFlags): Promise<Record<string, unknown> | undefined> {
  return modelOverrides(o, transformerShorthand(o));
}

/** Progress of the phases and of training, on stderr. */
function reporters() {
  const phases = phaseProgress();
  const training = progressReporter();
  let phase = "";
  return {
    onProgress: (p: { phase: string; done: number; total: number; detail: string }) => {
      phase = p.phase;
      phases.update(p.phase, p.done, p.total, p.detail);
    },
    events: {
      onStart: (info: Parameters<typeof training.onStart>[0]) => {
        if (phase) phases.stop();
        training.onStart(info);
      },
      onStep: training.onStep,
    },
    onValidation: (step: number, v: Readonly<Record<string, number>>) => {
      if (!process.stderr.isTTY) process.stderr.write(`step ${step}  validation loss ${v.loss.toFixed(4)} nats/token, perplexity ${v.perplexity.toFixed(2)}\n`);
    },
    log: (line: string) => {
      phases.stop();
      training.stop();
      process.stderr.write(`${line}\n`);
    },
    stop: () => {
      phases.stop();
      training.stop();
    },
  };
}

function trainSubcommand(): Command {
  const cmd = new Command("train")
    .description(
      "Train a language model (the transformer by default; any registered architecture with --arch) on a corpus. The run folder holds run.json, metrics.jsonl (with validation loss and perplexity), checkpoints/, model/, tokenizer/ and tokens/; `lm train --resume -o RUN` continues it (only --steps may change).",
    )
    .argument("[corpus...]", CORPUS_HELP)
    .requiredOption("-o, --out <dir>", "run folder")
    .option("--resume", "continue the run in --out from its latest checkpoint")
    .option("--force", "replace the run in --out (run.json, metrics.jsonl, checkpoints/, model/, tokenizer/, tokens/) with a new one")
    .option("--tokenizer <path>", "tokenizer.json or its folder (ours or a GPT-2-style one); default: train one of --vocab tokens on the training documents")
    .option("--vocab <n>", "vocabulary of the tokenizer trained when --tokenizer is not given", intOption(260), 1024);
  addCorpusOptions(cmd);
  addTrainOptions(cmd, { steps: 2000 });
  addDeviceOption(cmd);
  addEngineOption(cmd);
  addMaxMemoryOption(cmd);
  return cmd.action(async (corpus: string[], o: TrainFlags) => {
    // The location here; an existing run is refused by the run folder itself (with its --resume hint) unless --force.
    const { existing } = await checkOutputDir(o.out, { fn: "beliefscope lm train", flag: "--out", force: o.force ?? false, resume: true, ignore: (e) => e === ".lock" });
    if (existing && o.force && !o.resume) await clearOutputs(o.out, (e) => ["run.json", "metrics.jsonl", "checkpoints", "model", "tokenizer", "tokens"].includes(e));
    if (!o.resume && corpus.length === 0) {
      throw new ArgumentError({ fn: "lm train", argument: "corpus", received: "nothing", expected: `a corpus (${CORPUS_HELP})`, hint: "Give --resume to continue the run in --out." });
    }
    if (!o.resume) checkLmTrainMemory(o, await modelFlags(o));
    const r = reporters();
    const result = await trainLanguageModelInFolder({ ...trainOptions(cmd, o, await modelFlags(o)), runDir: o.out, corpus, onProgress: r.onProgress, events: r.events, onValidation: r.onValidation });
    r.stop();
    const d = result.data.description;
    const v = result.validation;
    process.stdout.write(
      [
        `trained ${result.training.steps} steps${result.resumedFromStep ? ` (resumed at ${result.resumedFromStep})` : ""} with ${result.engine}: ${result.model.summary}, ${result.model.parameterCount} parameters, n_ctx ${result.model.nCtx}`,
        d.validationSplit === "token-block"
          ? `corpus: ${d.trainDocuments} documents, too few to hold out ${d.validationFraction} of them: training on the first ${d.trainTokens} tokens, the last ${d.validationTokens} held out; tokenizer of ${d.tokenizer.vocabSize} tokens`
          : `corpus: ${d.trainDocuments} training documents (${d.trainTokens} tokens), ${d.validationDocuments} validation documents (${d.validationTokens} tokens); tokenizer of ${d.tokenizer.vocabSize} tokens`,
        v ? `held-out validation loss ${v.loss.toFixed(4)} nats/token, perplexity ${v.perplexity.toFixed(2)} (${v.tokens} predictions)` : "no validation text: no validation loss",
        `run folder: ${o.out} (model in ${o.out}/model)`,
        "",
      ].join("\n"),
    );
    closeLanguageData(result.data);
    result.model.dispose();
  });
}

function corpusSubcommand(): Command {
  const cmd = new Command("corpus")
    .description("Stream a corpus and count its documents and characters, in bounded memory with a progress bar (what every lm and tokenizer command reads)")
    .argument("<corpus...>", CORPUS_HELP);
  addCorpusOptions(cmd);
  return cmd.action(async (spec: string[], o: CorpusFlags) => {
    const progress = phaseProgress();
    const mb = formatSize;
    const t0 = performance.now();
    const corpus = await openCorpus(spec, {
      format: o.format,
      separator: o.separator,
      textField: o.textField,
      onProgress: (p) => progress.update("read", p.done, p.total, p.unit === "bytes" ? `${mb(p.done)} of ${mb(p.total)}, ${p.documents} documents` : `${p.documents} stories`),
    });
    let documents = 0;
    let chars = 0;
    let longest = 0;
    for await (const doc of corpus.documents()) {
      documents++;
      chars += doc.length;
      longest = Math.max(longest, doc.length);
    }
    progress.stop();
    const seconds = (performance.now() - t0) / 1000;
    process.stdout.write(
      `${corpus.description}: ${corpus.files.length || 1} source${corpus.files.length > 1 ? "s" : ""}, ${documents} documents, ${chars} characters (mean ${(chars / Math.max(1, documents)).toFixed(0)}, longest ${longest})` +
        (corpus.totalBytes > 0 ? `, ${mb(corpus.totalBytes)} read in ${formatDuration(seconds)} (${formatSize(corpus.totalBytes / seconds)}/s)` : "") +
        "\n",
    );
  });
}

function intList(value: string): number[] {
  const out = value.split(",").map((s) => Number(s.trim()));
  if (out.length === 0 || out.some((n) => !Number.isInteger(n) || n < 1)) throw new InvalidArgumentError(`received ${JSON.stringify(value)}; expected positive integers separated by commas, e.g. 2,4,8,16.`);
  return [...new Set(out)];
}

interface AnalyzeFlags extends CorpusFlags {
  out: string;
  corpus?: string[];
  tokenizer?: string;
  tokenizers?: string[];
  nPos?: number;
  hmmStates?: number[];
  hmmWindows?: number;
  hmmSymbols?: number;
  probeWindows: number;
  resamples: number;
  maxTokens?: number;
  seed: number;
  device: ModelFlags["device"];
}

function addAnalysisOptions(cmd: Command): Command {
  return cmd
    .option("--hmm-states <list>", "state counts of the HMMs fitted by Baum-Welch (default 2,4,8,16)", intList)
    .option("--hmm-windows <n>", "training windows the HMMs are fitted on (default 256; raise it for large vocabularies)", intOption(8))
    .option("--hmm-symbols <n>", "most symbols of the HMMs' alphabet: the commonest tokens, the rest one \"other\" symbol (default 256)", intOption(2, 1024))
    .option("--probe-windows <n>", "validation windows probed (half fit, half scored)", intOption(8), 256)
    .option("--resamples <n>", "bootstrap resamples of the probe verdicts", intOption(10), 1000);
}

/** The headline of an analysis, for the terminal. */
function analysisSummary(a: LmAnalysisResult): string[] {
  const j = a.json as Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any
  const label = lossLabel(j.validation.text ?? "documents");
  const plural = (n: number) => `${n} ${n === 1 ? "state" : "states"}`;
  const lines = [`${label.loss} ${a.transformerLoss.toFixed(4)} nats/token (perplexity ${Math.exp(a.transformerLoss).toFixed(2)}); unigram ${j.hmm.unigramLoss.toFixed(4)}; HMMs: ${a.hmms.map((h) => `${plural(h.nStates)} ${h.heldOutLoss.toFixed(4)}`).join(", ")}`];
  if (j.zipf?.length) lines.push(`Zipf exponents: ${j.zipf.map((z: { vocabSize: number; exponent: number | null }) => `vocab ${z.vocabSize} ${z.exponent?.toFixed(3) ?? "n/a"}`).join(", ")}`);
  const verdicts = (label: string, r: LmAnalysisResult["hmmProbes"]) => {
    lines.push(`${label}:`);
    for (const s of r.sites) {
      const controls = Object.entries(s.controls).map(([n, c]) => `${n} ${c?.r2?.toFixed(3) ?? "n/a"}`).join(", ");
      lines.push(`  ${s.label.padEnd(9)} R^2 ${s.r2?.toFixed(4) ?? "n/a"}, belief KL ${s.beliefKL.toFixed(5)}: ${s.verdict.beyondControls ? "BEYOND CONTROLS" : s.verdict.verdict} (controls R^2: ${controls})`);
    }
  };
  verdicts(`probes to the ${j.hmm.best}-state HMM's beliefs`, a.hmmProbes);
  if (a.grammarProbes) verdicts("probes to the grammar's exact beliefs (its true hidden state)", a.grammarProbes);
  if (a.grammarFactorProbes.length > 0) {
    const site = a.grammarDecoding?.site;
    lines.push(`probes to each factor of the grammar's hidden state (its exact marginal belief)${site ? ` at ${site}` : ""}:`);
    for (const p of a.grammarFactorProbes) {
      const s = p.report.sites.find((x) => x.label === site) ?? p.report.sites[p.report.sites.length - 1];
      const controls = Object.entries(s.controls).map(([n, c]) => `${n} ${c?.r2?.toFixed(3) ?? "n/a"}`).join(", ");
      lines.push(`  ${p.factor.padEnd(9)} R^2 ${s.r2?.toFixed(4) ?? "n/a"}, belief KL ${s.beliefKL.toFixed(5)}: ${s.verdict.beyondControls ? "BEYOND CONTROLS" : s.verdict.verdict} (controls R^2: ${controls})`);
    }
  }
  if (a.grammarDecoding) {
    const d = a.grammarDecoding;
    lines.push(`  true state read off the probe at ${d.site}: ${Object.keys(d.probe).map((k) => `${k} ${(100 * d.probe[k]).toFixed(1)}% (exact belief ${(100 * d.bayes[k]).toFixed(1)}%, majority ${(100 * d.majority[k]).toFixed(1)}%)`).join("; ")}`);
  }
  lines.push(`figures and report: ${a.location}/report.md, ${a.files.filter((f) => f.endsWith(".png")).length} PNG + SVG figures, analysis.json`);
  return lines;
}

function analyzeSubcommand(): Command {
  const cmd = new Command("analyze")
    .description(
      "Analyse a language run (or a Hugging Face GPT-2 / GPT-Neo checkpoint folder with --corpus): token frequency vs rank, embedding similarity, OV circuits, attention patterns and fixed heads, residual-stream PCA, HMMs fitted to the tokens beside the model's loss, and probes to their beliefs (and to the grammar's true hidden state on the generated corpus), with controls and verdicts. Figures as SVG and PNG, numbers in analysis.json, report.md.",
    )
    .argument("<source>", MODEL_SOURCE_HELP)
    .requiredOption("-o, --out <dir>", "output folder")
    .option("--force", "write into --out even if it holds files (they are replaced)")
    .option("--corpus <spec...>", "for a model or checkpoint folder: the text to analyse it on")
    .option("--tokenizer <path>", "for a model or checkpoint folder without tokenizer files: its tokenizer.json")
    .option("--tokenizers <paths...>", "more tokenizers for the rank-frequency figure (files, or folders of vocab-N/ folders)")
    .option("--n-pos <n>", "positions per window (default the run's n_ctx; 128 for a checkpoint)", intOption(2))
    .option("--max-tokens <n>", "for a checkpoint: tokens of the corpus read (default 2,000,000)", intOption(1))
    .option("--seed <n>", "seed of windows, splits and bootstrap", intOption(0), 2);
  addCorpusOptions(cmd);
  addAnalysisOptions(cmd);
  addDeviceOption(cmd);
  addMaxMemoryOption(cmd);
  return cmd.action(async (source: string, o: AnalyzeFlags & { force?: boolean; maxMemory?: string }) => {
    await checkOutputDir(o.out, { fn: "beliefscope lm analyze", flag: "--out", force: o.force ?? false });
    const log = (line: string) => process.stderr.write(`${line}\n`);
    const a = await analyzeLanguageRunInFolder({
      source,
      memoryBudget: memoryBudget(o),
      out: o.out,
      corpus: o.corpus,
      corpusOptions: { format: o.format, separator: o.separator, textField: o.textField },
      tokenizer: o.tokenizer,
      tokenizers: o.tokenizers,
      nPos: o.nPos,
      hmmStates: o.hmmStates,
      hmmWindows: o.hmmWindows,
      hmmSymbols: o.hmmSymbols,
      probeWindows: o.probeWindows,
      resamples: o.resamples,
      maxTokens: o.maxTokens,
      seed: o.seed,
      device: o.device,
      log,
    });
    process.stdout.write(analysisSummary(a).join("\n") + "\n");
  });
}

interface RunFlags extends TrainFlags {
  vocabSizes?: number[];
  hmmStates?: number[];
  hmmWindows?: number;
  hmmSymbols?: number;
  probeWindows: number;
  resamples: number;
}

/** The defaults of `beliefscope lm` on the generated corpus: under 10 minutes on 2 cores (docs/language.md). */
export const STUDY_DEFAULTS = Object.freeze({ steps: 1500, nCtx: 64 });

function runSubcommand(): Command {
  const cmd = new Command("run")
    .description(
      "The whole study in one folder: tokenizers of several sizes, a language model trained on the corpus (default: the generated grammar corpus, whose hidden states are known), and its analysis with every figure. Resumes an interrupted study in the same folder.",
    )
    .argument("[corpus...]", `${CORPUS_HELP}; default "grammar"`)
    .option("-o, --out <dir>", "output folder", "beliefscope-lm")
    .option("--vocab-sizes <list>", "tokenizer sizes (default 288,320,384 on the grammar corpus, else 1024,2048,4096); the model uses the smallest, or --vocab", intList)
    .option("--vocab <n>", "the tokenizer size the model uses", intOption(260));
  addCorpusOptions(cmd);
  addTrainOptions(cmd, { steps: STUDY_DEFAULTS.steps, nCtx: STUDY_DEFAULTS.nCtx });
  addAnalysisOptions(cmd);
  addDeviceOption(cmd);
  addEngineOption(cmd);
  return cmd.action(async (corpus: string[], o: RunFlags) => {
    // A study continues in its folder: only the location is checked here.
    await checkOutputDir(o.out, { fn: "beliefscope lm run", flag: "--out", resume: true });
    const r = reporters();
    const t0 = performance.now();
    const model = await modelFlags({ ...o, nCtx: o.nCtx ?? STUDY_DEFAULTS.nCtx });
    const study = await runLanguageStudy({
      ...trainOptions(cmd, o, model),
      out: o.out,
      corpus,
      vocabSizes: o.vocabSizes,
      modelVocab: o.vocab,
      hmmStates: o.hmmStates,
      hmmWindows: o.hmmWindows,
      hmmSymbols: o.hmmSymbols,
      probeWindows: o.probeWindows,
      resamples: o.resamples,
      onProgress: r.onProgress,
      events: r.events,
      onValidation: r.onValidation,
      log: r.log,
    });
    r.stop();
    const t = study.training;
    const total = (performance.now() - t0) / 1000;
    process.stdout.write(
      [
        "",
        `${t.model.summary} on ${t.data.description.corpus.join(" ")}: ${t.training.steps} steps with ${t.engine}; tokenizers ${study.tokenizerSeconds.toFixed(0)} s, training ${study.trainSeconds.toFixed(0)} s, analysis ${study.analysisSeconds.toFixed(0)} s, total ${total.toFixed(0)} s`,
        ...(t.data.description.validationSplit === "token-block"
          ? [`validation: the last ${t.data.description.validationTokens} tokens, held out (too few documents to hold out ${t.data.description.validationFraction} of them by document)`]
          : []),
        ...analysisSummary(study.analysis),
        "",
      ].join("\n"),
    );
  });
}


const MODEL_SOURCE_HELP = "a language run folder (`lm train`), a model folder (`lm import`: config.json + model.safetensors) or a Hugging Face GPT-2 / GPT-Neo checkpoint folder";

function importSubcommand(): Command {
  const cmd = new Command("import")
    .description(
      "Convert a local Hugging Face GPT-2 / GPT-Neo checkpoint folder (config.json + model.safetensors, e.g. TinyStories-1M) once, with TransformerLens's weight conversion, into a model folder: config.json (\"beliefscope/model\", with HookedTransformerConfig and the conversion's record), model.safetensors (float32, TransformerLens names) and the tokenizer, which lm analyze / evaluate / activations and the library's model-folder readers take",
    )
    .argument("<hf-dir>", "a Hugging Face checkpoint folder")
    .requiredOption("-o, --out <dir>", "the model folder to write")
    .option("--force", "write into --out even if it holds files (they are replaced)")
    .option("--tokenizer <path>", "tokenizer.json (or its folder) to put beside the model when the checkpoint has none")
    .option("--n-ctx <n>", "keep this many positions (default the checkpoint's)", intOption(1));
  addDeviceOption(cmd);
  return cmd.action(async (dir: string, o: { out: string; force?: boolean; tokenizer?: string; nCtx?: number; device: ModelFlags["device"] }) => {
    await checkOutputDir(o.out, { fn: "beliefscope lm import", flag: "--out", force: o.force ?? false });
    const r = await importHfCheckpoint(dir, o.out, { tokenizer: o.tokenizer, nCtx: o.nCtx, device: o.device });
    process.stdout.write(
      [
        `imported ${dir} (${r.modelType}${r.tied ? ", lm_head tied to the embedding" : ""}): ${r.model.summary}, ${r.model.parameterCount} parameters, d_vocab ${r.model.dVocab}, n_ctx ${r.model.nCtx}`,
        r.unused.length ? `unused tensors (buffers): ${r.unused.length}` : "",
        r.tokenizer ? `tokenizer: ${r.tokenizer.vocabSize} tokens` : "no tokenizer in the checkpoint folder: pass --tokenizer to lm evaluate / analyze / activations, or to lm import",
        `wrote ${o.out}: ${r.files.join(", ")}`,
        "",
      ].filter(Boolean).join("\n") + "\n",
    );
    r.model.dispose();
  });
}

interface TextFlags extends CorpusFlags {
  corpus?: string[];
  tokenizer?: string;
  nPos?: number;
  windows: number;
  start: WindowStart;
  maxTokens?: number;
  seed: number;
  device: ModelFlags["device"];
  maxMemory?: string;
  logits?: boolean;
}

function addTextOptions(cmd: Command, windows: number): Command {
  cmd
    .option("--corpus <spec...>", "the text (default for a run: its validation tokens)")
    .option("--tokenizer <path>", "the model's tokenizer.json, when its folder has none")
    .option("--n-pos <n>", "positions per window (default min(n_ctx, 128))", intOption(2))
    .option("--windows <n>", "windows of text", intOption(1), windows)
    .addOption(new Option("--start <how>", "where windows start: document starts (BOS first) or random tokens").choices([...WINDOW_STARTS]).default("document"))
    .option("--max-tokens <n>", "tokens of the corpus encoded at most (default 2,000,000)", intOption(1))
    .option("--seed <n>", "seed of the windows", intOption(0), 0);
  addCorpusOptions(cmd);
  addDeviceOption(cmd);
  addMaxMemoryOption(cmd);
  return cmd;
}

async function textInputs(source: string, o: TextFlags, hooks?: (model: SequenceModel) => string[]) {
  const loaded = await loadLanguageModel(source, { tokenizer: o.tokenizer, device: o.device });
  try {
    const nPos = Math.min(o.nPos ?? 128, loaded.model.nCtx);
    // --windows against --max-memory before the windows are drawn (activations: from one window's hooks).
    const names = hooks?.(loaded.model);
    const shape = { nPos, dVocab: loaded.model.dVocab, logits: o.logits ?? false, ...(names ? { hooks: await hookWidths(loaded.model, names, nPos) } : {}) };
    checkMemory(`lm ${names ? "activations" : "evaluate"}`, lmWindowsModel(shape, o.windows), memoryBudget(o));
    const text = await languageWindows(loaded, { corpus: o.corpus, corpusOptions: { format: o.format, separator: o.separator, textField: o.textField }, maxTokens: o.maxTokens, windows: o.windows, nPos, seed: o.seed, start: o.start });
    return { loaded, nPos, text };
  } catch (err) {
    loaded.model.dispose();
    throw err;
  }
}

function evaluateSubcommand(): Command {
  const cmd = new Command("evaluate")
    .description("Loss (nats/token), perplexity and loss per position of a language model on windows of the given text (a held-out loss only when the model never trained on that text)")
    .argument("<model>", MODEL_SOURCE_HELP)
    .option("-o, --out <file>", "write the numbers as JSON")
    .option("--force", "replace --out if it exists");
  addTextOptions(cmd, 256);
  return cmd.action(async (source: string, o: TextFlags & { out?: string; force?: boolean }) => {
    if (o.out) await checkOutputFile(o.out, { fn: "beliefscope lm evaluate", flag: "--out", force: o.force ?? false });
    const { loaded, nPos, text } = await textInputs(source, o);
    const r = await languageModelLoss(loaded.model, text.tokens, nPos);
    const q = Math.max(1, Math.floor(nPos / 4));
    const mean = (a: number, b: number) => r.perPosition.subarray(a, b).reduce((x, y) => x + y, 0) / (b - a);
    process.stdout.write(
      [
        `${loaded.name}: ${loaded.model.summary}, ${loaded.model.parameterCount} parameters`,
        `text: ${text.description}; ${o.windows} windows of ${nPos} positions starting at ${o.start === "document" ? "document starts" : "random tokens"}`,
        `loss ${r.loss.toFixed(4)} nats/token, perplexity ${r.perplexity.toFixed(3)} (${r.tokens} predictions); by position: first quarter ${mean(0, q).toFixed(4)}, last quarter ${mean(nPos - q, nPos).toFixed(4)}`,
        "",
      ].join("\n"),
    );
    if (o.out) {
      await writeJsonAtomically(o.out, { format: "beliefscope/lm-evaluation", model: loaded.name, summary: loaded.model.summary, text: text.description, windows: o.windows, nPos, start: o.start, loss: r.loss, perplexity: r.perplexity, tokens: r.tokens, perPosition: Array.from(r.perPosition) });
      process.stdout.write(`wrote ${o.out}\n`);
    }
    loaded.model.dispose();
  });
}

/** Most bytes `lm activations` writes (it holds the file in memory): 2 GiB. */
const MAX_ACTIVATION_FILE_BYTES = 2 * 2 ** 30;

function activationsSubcommand(): Command {
  const cmd = new Command("activations")
    .description("Save a language model's activations at chosen hooks on windows of text, with the tokens (and the logits with --logits), as one safetensors file (safetensors.numpy.load_file in Python)")
    .argument("<model>", MODEL_SOURCE_HELP)
    .requiredOption("-o, --out <file>", "output .safetensors file")
    .option("--hooks <names>", "comma-separated hook names (default: the residual stream at every layer)")
    .option("--logits", "also save the logits [windows, pos, d_vocab]")
    .option("--force", "replace --out if it exists");
  addTextOptions(cmd, 64);
  return cmd.action(async (source: string, o: TextFlags & { out: string; force?: boolean; hooks?: string; logits?: boolean }) => {
    await checkOutputFile(o.out, { fn: "beliefscope lm activations", flag: "--out", force: o.force ?? false });
    // The hooks asked for (those the model has: a bad name is reported below) size the --windows check.
    const { loaded, nPos, text } = await textInputs(source, o, (m) => (o.hooks ? o.hooks.split(",").map((h) => h.trim()) : defaultCacheNames(m)).filter((h) => m.hookNames().includes(h)));
    const { model } = loaded;
    try {
      const valid = model.hookNames();
      const hooks = o.hooks ? o.hooks.split(",").map((h) => h.trim()) : defaultCacheNames(model);
      for (const h of hooks) {
        if (!valid.includes(h)) throw new ArgumentError({ fn: "lm activations", argument: "--hooks", received: JSON.stringify(h), expected: `hooks of this model: ${valid.join(", ")}`, hint: didYouMean(h, valid) || undefined });
      }
      const L = nPos + 1;
      const tokens = new Int32Array(o.windows * nPos); // [windows, pos]
      for (let w = 0; w < o.windows; w++) tokens.set(text.tokens.subarray(w * L, w * L + nPos), w * nPos);
      // The file's size from one window's activations (hooks differ in width: d_model, d_mlp, heads x positions).
      const one = await hookActivations(model, tokens.subarray(0, nPos), nPos, hooks);
      const bytes = 4 * o.windows * (Object.values(one.hooks).reduce((a, t) => a + t.data.length, nPos) + (o.logits ? nPos * model.dVocab : 0));
      if (bytes > MAX_ACTIVATION_FILE_BYTES) {
        throw new ArgumentError({ fn: "lm activations", argument: "--windows", received: `${o.windows} windows (about ${(bytes / 2 ** 30).toFixed(1)} GiB of activations)`, expected: `at most ${MAX_ACTIVATION_FILE_BYTES / 2 ** 30} GiB in one file`, hint: "Ask for fewer windows, fewer hooks, or drop --logits." });
      }
      const acts = await hookActivations(model, tokens, nPos, hooks, { logits: o.logits });
      const tensors: Record<string, NamedTensor> = { tokens: { dtype: "I32", shape: [o.windows, nPos], data: tokens } };
      for (const h of hooks) tensors[h] = { dtype: "F32", shape: acts.hooks[h].shape, data: acts.hooks[h].data };
      if (acts.logits) tensors.logits = { dtype: "F32", shape: acts.logits.shape, data: acts.logits.data };
      await writeFileAtomically(o.out, encodeSafetensors(tensors, { model: loaded.name, architecture: model.architecture, config: JSON.stringify(model.config), hooks: hooks.join(","), text: text.description, bos: String(text.bos), seed: String(o.seed) }));
      process.stdout.write(`wrote ${o.out}: tokens [${o.windows}, ${nPos}]${acts.logits ? ", logits" : ""}, ${hooks.length} hooks (${text.description})\n`);
    } finally {
      model.dispose();
    }
  });
}

export function lmCommand(): Command {
  return new Command("lm")
    .description("language models on corpora: the whole study (`lm` alone: the generated grammar corpus), train, analyse (embeddings, heads, residual stream, fitted HMMs and probes to their beliefs), or stream a corpus")
    .addCommand(runSubcommand(), { isDefault: true })
    .addCommand(trainSubcommand())
    .addCommand(analyzeSubcommand())
    .addCommand(evaluateSubcommand())
    .addCommand(activationsSubcommand())
    .addCommand(importSubcommand())
    .addCommand(corpusSubcommand());
}
