export { BYTE_TO_UNICODE, byteOfSymbol, bytesToSymbols, symbolsToBytes, GPT2_PATTERN_SOURCE, gpt2Pattern } from "./byteLevel.js";
export { BpeMerges, MAX_BPE_VOCAB } from "./bpeModel.js";
export { BpeTokenizer, type Encoding, type EncodeOptions, type DecodeOptions } from "./tokenizer.js";
export { parseTokenizerJson, byteLevelBpeJson, tokenizerConfigJson, type TokenizerJson, type AddedTokenJson, type BpeModelJson, type ComponentJson } from "./tokenizerJson.js";
export { WordCounter, DEFAULT_SPECIAL_TOKENS, type WordCounterOptions } from "./wordCounter.js";
export { trainBpe, bpeTokenizerJson, checkVocabSize, minimumVocabSize, type BpeTrainOptions, type BpeTrainResult } from "./trainBpe.js";
export { trainTokenizers, type TrainTokenizerOptions, type TrainedTokenizers, type CountStats } from "./trainTokenizer.js";
