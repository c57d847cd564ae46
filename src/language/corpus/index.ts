export * from "./separator.js";
export { LineSplitter } from "./lineSplitter.js";
export { DocumentSplitter, DEFAULT_MAX_DOCUMENT_CHARS } from "./documentSplitter.js";
export { JsonlDocuments } from "./jsonl.js";
export { parquetDocuments, readParquetMetadata, checkTextColumn, type ParquetDocumentsOptions } from "./parquet.js";
export * from "./split.js";
export type { CorpusProgress, ProgressCallback } from "./progress.js";
