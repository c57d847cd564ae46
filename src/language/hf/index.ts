export { convertHfCheckpoint, hfModelType, hfTransformerConfig, type HfConversion, type HfConvertOptions, type HfModelType } from "./convert.js";
export { SafetensorsReader, halfToFloat, type SafetensorsEntry } from "./safetensorsReader.js";
export { gpt2TokenizerJson } from "./gpt2Tokenizer.js";
