export { openCorpus, type Corpus, type CorpusOptions } from "./readCorpus.js";
export { listCorpusFiles, formatOf, globToRegExp, type CorpusFile, type CorpusFormat } from "./files.js";
export { loadTokenizer, resolveTokenizerPath, saveTokenizerJson } from "./tokenizerFiles.js";
export { loadHfCheckpoint, isHfCheckpointFolder, type HfCheckpoint } from "./hfCheckpoint.js";
export { importHfCheckpoint, isModelFolder, languageWindows, loadLanguageModel, type ImportHfOptions, type ImportHfResult, type LanguageModelKind, type LanguageWindowOptions, type LanguageWindows, type LoadedLanguageModel } from "./lmModel.js";
export { createTokenFolder, openTokenFolder, readTokenFolderInfo, FileTokenSink, FileTokenStream, TOKENS_FORMAT, type TokenFolderInfo } from "./tokenFiles.js";
export { prepareLanguageData, openLanguageData, hasLanguageData, loadRunTokenizer, RUN_TOKENIZER, RUN_TOKENS, type PrepareLanguageDataOptions } from "./languageData.js";
export { trainLanguageModelInFolder, closeLanguageData, type TrainLmInFolderOptions, type TrainLmInFolderResult, type LmProgress } from "./lmFolder.js";
export { analyzeLanguageRunInFolder, runLanguageStudy, type AnalyzeInFolderOptions, type LanguageStudyOptions, type LanguageStudyResult } from "./lmStudy.js";
