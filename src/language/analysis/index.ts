export { tokenCounts, fitZipf, rankFrequency, rescaledRank, type RankFrequency, type ZipfFit } from "./zipf.js";
export { cosineSimilarity, blockMeans } from "./embedding.js";
export { ovMatrices, patternStats, type OvMatrix, type PatternStats } from "./heads.js";
export { pca, type Pca } from "./pca.js";
export { TOKEN_CLASSES, tokenClasses, tokenTextClass, type TokenClass } from "./tokenClasses.js";
export { fitTokenHmms, hmmTokenLosses, tokenAlphabet, tokenHmmBeliefs, toSymbols, unigramLoss, type FitTokenHmmOptions, type TokenAlphabet, type TokenHmm } from "./tokenHmm.js";
export { grammarWindows, type GrammarWindowOptions, type GrammarWindows } from "./grammarWindows.js";
export { grammarTokenEntropy, type GrammarEntropy } from "./grammarEntropy.js";
