export { openCorpus, type Corpus, type CorpusOptions } from "./readCorpus.js";
export { listCorpusFiles, formatOf, globToRegExp, type CorpusFile, type CorpusFormat } from "./files.js";
export { loadTokenizer, resolveTokenizerPath, saveTokenizerJson } from "./tokenizerFiles.js";
