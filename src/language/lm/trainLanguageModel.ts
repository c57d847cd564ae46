/**
 * Train any registered architecture (the transformer by default) as a
 * language model on token streams: the corpus counterpart of trainOnProcess,
 * on the same run machinery (src/train/runTraining.ts: run folder, metrics,
 * resumable checkpoints, fused engine when the model has one, final model).
 * Batch k is windowBatch(train, k) (windows.ts): seeded, a pure function of
 * (seed, k). At evaluation steps the loss and perplexity on fixed validation
 * windows are recorded in that step's metrics line as `validation`.
 */
import { modelFromStateDict } from "../../model/registry.js";
import type { SequenceModel } from "../../model/sequenceModel.js";
import { nextTokenTask } from "../../train/objective.js";
import { RUN_FORMAT, RUN_FORMAT_VERSION, settingDifferences, type RunData, type RunFile, type TrainingConfig, type TrainingOverrides } from "../../train/runConfig.js";
import { newRunSettings, runTraining, type TrainRunOptions } from "../../train/runTraining.js";
import type { StepMetrics } from "../../train/trainer.js";
import { ArgumentError, checkInteger } from "../../util/errors.js";
import { deriveSeed } from "../../util/rng.js";
import { warn } from "../../util/warn.js";
import { languageModelLoss } from "./evaluateLm.js";
import type { ValidationSplit } from "./tokenBlock.js";
import type { TokenStream } from "./tokenStream.js";
import { checkWindowable, windowBatch, type WindowStart } from "./windows.js";

/** run.json "data" of a language-model run. */
export interface CorpusRunData extends RunData {
  readonly kind: "corpus";
  /** The corpus as given: files, directories, globs, or "grammar[:...]". */
  readonly corpus: readonly string[];
  readonly tokenizer: { readonly vocabSize: number; readonly merges: number; readonly source: string };
  /** The token every document starts with. */
  readonly bos: number;
  readonly windows: WindowStart;
  readonly validationFraction: number;
  readonly splitSeed: number;
  readonly trainDocuments: number;
  readonly validationDocuments: number;
  readonly trainTokens: number;
  readonly validationTokens: number;
  /** True when --max-tokens cut the corpus short. */
  readonly truncated: boolean;
  /**
   * How validation was held out (absent in older runs: "documents"): by document, or, when the corpus has
   * too few documents for the share, the last `validationTokens` tokens as one block (tokenBlock.ts).
   */
  readonly validationSplit?: ValidationSplit;
}

export interface LanguageModelData {
  readonly train: TokenStream;
  /** Held-out documents, or null (no validation loss then). */
  readonly validation: TokenStream | null;
  readonly description: CorpusRunData;
}

/**
 * The transformer a language run gets when neither a preset nor these fields are given: 2 layers,
 * d_model 64, 4 heads of 16, d_mlp 256, n_ctx 128, GPT-2 initialisation (N(0, 0.02)). It trains on
 * the fused engine; the embedding dominates its size for vocabularies above ~1000.
 */
export const LM_TRANSFORMER_DEFAULTS = Object.freeze({ nLayers: 2, dModel: 64, nHeads: 4, dHead: 16, dMlp: 256, nCtx: 128, init: "gpt2" });

/** Training defaults of a language run (over DEFAULT_TRAINING): batches of 32 windows, learning rate 1e-3 with 100 warmup steps and cosine decay. */
export const LM_TRAINING_DEFAULTS: TrainingOverrides = Object.freeze({ batchSize: 32, optimizer: { learningRate: 1e-3, warmupSteps: 100, schedule: "cosine" as const, gradClip: 1 } });

export interface TrainLanguageModelOptions extends TrainRunOptions {
  readonly validation?: {
    /** Validation windows scored at each evaluation. Default 64. */
    readonly windows?: number;
    /** Evaluate every this many steps (and at the last). Default max(25, steps / 20). */
    readonly every?: number;
  };
  /** Called after each validation with the step and its measures. */
  readonly onValidation?: (step: number, validation: Readonly<Record<string, number>>) => void;
}

export interface TrainLanguageModelResult {
  readonly model: SequenceModel;
  readonly run: RunFile;
  readonly training: TrainingConfig;
  readonly metrics: StepMetrics[];
  /** The last validation measure: { loss, perplexity, tokens }, or null without validation data. */
  readonly validation: Readonly<Record<string, number>> | null;
  /** [windows, nPos + 1] the fixed validation windows (empty without validation data). */
  readonly validationWindows: Int32Array;
  readonly stepsThisCall: number;
  readonly seconds: number;
  readonly resumedFromStep: number;
  readonly engine: string;
  readonly stopped: boolean;
}

/** The training overrides a language run uses: LM_TRAINING_DEFAULTS under the caller's. */
export function languageTrainingOverrides(training: TrainingOverrides = {}): TrainingOverrides {
  return { ...LM_TRAINING_DEFAULTS, ...training, optimizer: { ...LM_TRAINING_DEFAULTS.optimizer, ...training.optimizer } };
}

export async function trainLanguageModel(data: LanguageModelData | null, options: TrainLanguageModelOptions = {}): Promise<TrainLanguageModelResult> {
  const fn = "trainLanguageModel";
  const arch = options.arch ?? "transformer";
  const request = { arch: options.arch, model: options.model, preset: options.preset, training: options.resume ? options.training : languageTrainingOverrides(options.training) };
  const windowsCount = checkInteger(fn, "validation.windows", options.validation?.windows ?? 64, 1);
  let validationWindows: Int32Array = new Int32Array(0);
  const evaluator: { model: SequenceModel | null } = { model: null };
  let nPos = 0;
  let lastValidation: Readonly<Record<string, number>> | null = null;
  let steps = 0;
  let current: RunFile | null = null;
  if (!data) throw new ArgumentError({ fn, argument: "data", received: "null", expected: "token streams (train, validation) and their description" });

  const result = await runTraining({
    fn,
    request,
    store: options.store,
    resume: options.resume,
    device: options.device,
    engine: options.engine,
    events: options.events,
    newRun: () => {
      const defaults: Record<string, unknown> = { dVocab: data.description.tokenizer.vocabSize, nCtx: LM_TRANSFORMER_DEFAULTS.nCtx };
      if (arch === "transformer" && options.preset === undefined) Object.assign(defaults, LM_TRANSFORMER_DEFAULTS);
      const settings = newRunSettings(request, defaults);
      if (settings.model.dVocab !== data.description.tokenizer.vocabSize) {
        throw new ArgumentError({ fn, argument: "model.dVocab", received: String(settings.model.dVocab), expected: `${data.description.tokenizer.vocabSize}, the tokenizer's vocabulary` });
      }
      return { format: RUN_FORMAT, version: RUN_FORMAT_VERSION, data: data.description, ...settings };
    },
    dataDifferences: (saved) => {
      if (saved.data?.kind !== "corpus") return ["data (the run in the store was not trained on a corpus)"];
      const a = saved.data as CorpusRunData;
      const b = data.description;
      return settingDifferences({ corpus: a.corpus, tokenizer: a.tokenizer, windows: a.windows, bos: a.bos }, { corpus: b.corpus, tokenizer: b.tokenizer, windows: b.windows, bos: b.bos }).map((p) => `data.${p}`);
    },
    prepare: (model, run) => {
      current = run;
      nPos = model.nCtx;
      steps = run.training.steps;
      const description = run.data as CorpusRunData;
      checkWindowable(data.train, nPos, fn, "the training documents");
      if (data.validation && data.validation.nTokens >= nPos + 1) {
        validationWindows = windowBatch(data.validation, { batchSize: windowsCount, nPos, seed: deriveSeed(run.training.seed, "validation"), start: description.windows }, 0);
      } else if (data.validation) {
        warn(`the validation documents hold ${data.validation.nTokens} tokens, fewer than n_ctx + 1 = ${nPos + 1}: no validation loss (raise the validation share or lower n_ctx)`);
      }
      const o = { batchSize: run.training.batchSize, nPos, seed: run.training.seed, start: description.windows };
      return { task: nextTokenTask(model, { batchSize: o.batchSize, nPos, hostBatch: (step) => windowBatch(data.train, o, step) }) };
    },
    modelExtra: (run) => ({ data: { kind: "corpus", tokenizer: (run.data as CorpusRunData).tokenizer, bos: (run.data as CorpusRunData).bos } }),
    evaluation: {
      steps: (done) => validationWindows.length > 0 && done % (options.validation?.every ?? Math.max(25, Math.round(steps / 20))) === 0,
      run: async (snapshot) => {
        if (validationWindows.length === 0 || !current) return {};
        // A model of its own: with the fused engine the training model's weights are not current.
        if (!evaluator.model) evaluator.model = await modelFromStateDict(current.architecture, current.model, snapshot.params, { device: options.device });
        else evaluator.model.loadStateDict(snapshot.params);
        const r = await languageModelLoss(evaluator.model, validationWindows, nPos);
        lastValidation = { loss: r.loss, perplexity: r.perplexity, tokens: r.tokens };
        options.onValidation?.(snapshot.step, lastValidation);
        return lastValidation;
      },
    },
  });
  evaluator.model?.dispose();
  // The last evaluation may be from an earlier call (a resumed run that was already done).
  if (!lastValidation) lastValidation = [...result.metrics].reverse().find((m) => m.validation && "loss" in m.validation)?.validation ?? null;
  return { ...result, validation: lastValidation, validationWindows };
}
