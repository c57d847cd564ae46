/**
 * Language: corpora (plain text, JSON lines, Parquet; the generated story
 * grammar whose hidden states are known), byte-level BPE tokenizers
 * (training, Hugging Face tokenizer.json), and the map from tokens back to the
 * grammar's hidden states and beliefs. Browser-safe: file access is in
 * src/node/corpus.
 */
export * from "./tokenizer/index.js";
export * from "./corpus/index.js";
export * from "./grammar/index.js";
export * from "./hf/index.js";
export * from "./lm/index.js";
export * from "./analysis/index.js";
