/**
 * Documents from a Parquet file's text column (the Hugging Face TinyStories
 * files: one story per row in `text`), read with hyparquet one row group at a
 * time from an AsyncBuffer (a file handle in Node, a fetch in a browser), so
 * memory holds one row group's text column, not the file. Hugging Face's
 * `datasets` writes row groups of 100 to 1000 rows (about a megabyte of text);
 * a file written with one huge row group needs that row group's memory.
 */
import { type AsyncBuffer, type FileMetaData, parquetMetadataAsync, parquetRead, parquetSchema } from "hyparquet";
import { ArgumentError } from "../../util/errors.js";

export interface ParquetDocumentsOptions {
  /** Names the file in errors. */
  readonly source: string;
  /** The column holding the documents (default "text"). */
  readonly textField?: string;
  /** Called after each row group with the bytes of the file read so far (approximately). */
  readonly onBytes?: (bytesDone: number) => void;
}

/** Metadata of a Parquet file, or an error naming it. */
export async function readParquetMetadata(file: AsyncBuffer, source: string): Promise<FileMetaData> {
  try {
    return await parquetMetadataAsync(file);
  } catch (err) {
    throw new ArgumentError({
      fn: "readCorpus",
      argument: source,
      received: `a file that is not readable as Parquet (${(err as Error).message})`,
      expected: "a Parquet file",
      hint: "Is the extension right? .parquet files are read as Parquet; .txt as text; .jsonl as JSON lines.",
    });
  }
}

/** Check that the file has a string column `textField`; returns the row count. */
export function checkTextColumn(metadata: FileMetaData, source: string, textField: string): number {
  const columns = parquetSchema(metadata).children.map((c) => c.element);
  const column = columns.find((c) => c.name === textField);
  if (column === undefined) {
    throw new ArgumentError({
      fn: "readCorpus",
      argument: source,
      received: `a Parquet file without a "${textField}" column (its columns: ${columns.map((c) => c.name).join(", ") || "none"})`,
      expected: `a Parquet file with a string column "${textField}"`,
      hint: columns.length > 0 ? `Choose the column with --text-field (e.g. --text-field ${columns[0].name}).` : undefined,
    });
  }
  if (column.type !== "BYTE_ARRAY" || (column.num_children ?? 0) > 0) {
    throw new ArgumentError({
      fn: "readCorpus",
      argument: source,
      received: `a "${textField}" column of type ${column.type ?? "group"}`,
      expected: "a string column (BYTE_ARRAY, UTF-8)",
    });
  }
  return Number(metadata.num_rows);
}

/** The documents of a Parquet file, one row group at a time. */
export async function* parquetDocuments(file: AsyncBuffer, options: ParquetDocumentsOptions): AsyncGenerator<string> {
  const textField = options.textField ?? "text";
  const metadata = await readParquetMetadata(file, options.source);
  checkTextColumn(metadata, options.source, textField);
  const decoder = new TextDecoder("utf-8", { fatal: false });
  let rowStart = 0;
  let bytesDone = 0;
  for (const group of metadata.row_groups) {
    const rowEnd = rowStart + Number(group.num_rows);
    let rows: unknown[][] = [];
    try {
      await parquetRead({
        file,
        metadata,
        columns: [textField],
        rowStart,
        rowEnd,
        onComplete: (r) => {
          rows = r;
        },
      });
    } catch (err) {
      throw new ArgumentError({
        fn: "readCorpus",
        argument: options.source,
        received: `a row group (rows ${rowStart}..${rowEnd}) that could not be read (${(err as Error).message})`,
        expected: "a readable Parquet file",
      });
    }
    for (const row of rows) {
      const value = row[0];
      if (typeof value === "string") {
        if (value.length > 0) yield value;
      } else if (value instanceof Uint8Array) {
        if (value.length > 0) yield decoder.decode(value);
      }
    }
    rows = [];
    rowStart = rowEnd;
    for (const chunk of group.columns) bytesDone += Number(chunk.meta_data?.total_compressed_size ?? 0);
    options.onBytes?.(bytesDone);
  }
}
