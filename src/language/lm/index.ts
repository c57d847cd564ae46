export { ArrayTokenStream, TokenStreamBuilder, type TokenArray, type TokenSink, type TokenStream } from "./tokenStream.js";
export { needsTokenBlock, sliceTokenStream, splitTokenBlock, tokenBlockSize, type ValidationSplit } from "./tokenBlock.js";
export { bosTokenOf, encodeCorpus, type EncodeCorpusOptions, type EncodeCorpusStats } from "./encodeCorpus.js";
export { checkWindowable, windowBatch, windowStarts, WINDOW_STARTS, type WindowOptions, type WindowStart } from "./windows.js";
export { crossEntropyAt, languageModelLoss, type EvaluateLmOptions, type LanguageModelLoss } from "./evaluateLm.js";
export {
  languageTrainingOverrides,
  LM_TRAINING_DEFAULTS,
  LM_TRANSFORMER_DEFAULTS,
  trainLanguageModel,
  type CorpusRunData,
  type LanguageModelData,
  type TrainLanguageModelOptions,
  type TrainLanguageModelResult,
} from "./trainLanguageModel.js";
