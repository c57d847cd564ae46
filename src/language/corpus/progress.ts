/** Progress of reading a corpus, reported through callbacks (the command line draws a bar). */
export interface CorpusProgress {
  /** The file (or generated source) being read. */
  readonly source: string;
  /** Bytes read so far over all files (generated corpora: documents). */
  readonly done: number;
  /** Total bytes of all files (generated corpora: documents). */
  readonly total: number;
  /** Documents read so far (before any train/validation selection). */
  readonly documents: number;
  readonly unit: "bytes" | "documents";
}

export type ProgressCallback = (progress: CorpusProgress) => void;
