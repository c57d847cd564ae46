/**
 * How plain-text corpora separate documents:
 *   "endoftext"   the string <|endoftext|> anywhere (TinyStories' .txt files, GPT-2 data)
 *   "blank-line"  one or more empty (or whitespace-only) lines
 *   "line:X"      a line that is exactly X, e.g. "line:%" for fortune files
 * "auto" picks from the first megabyte: <|endoftext|> if it occurs, else "line:%"
 * if a line is exactly "%", else blank lines.
 */
import { ArgumentError } from "../../util/errors.js";

export const END_OF_TEXT = "<|endoftext|>";

export type DocumentSeparator = "endoftext" | "blank-line" | `line:${string}`;
export type SeparatorChoice = DocumentSeparator | "auto";

/** Check a separator given by a user. */
export function parseSeparator(value: string, fn = "parseSeparator"): SeparatorChoice {
  if (value === "auto" || value === "endoftext" || value === "blank-line") return value;
  if (value.startsWith("line:") && value.length > "line:".length && !value.includes("\n")) return value as `line:${string}`;
  throw new ArgumentError({
    fn,
    argument: "separator",
    received: JSON.stringify(value),
    expected: '"auto", "endoftext", "blank-line" or "line:X" (a line that is exactly X, e.g. "line:%")',
  });
}

/** The separator a text most likely uses, from its beginning. */
export function detectSeparator(sample: string): DocumentSeparator {
  if (sample.includes(END_OF_TEXT)) return "endoftext";
  if (/^%\r?$/m.test(sample)) return "line:%";
  return "blank-line";
}

/** Human description, for messages. */
export function describeSeparator(separator: DocumentSeparator): string {
  if (separator === "endoftext") return `documents separated by ${END_OF_TEXT}`;
  if (separator === "blank-line") return "documents separated by blank lines";
  return `documents separated by lines that are exactly ${JSON.stringify(separator.slice(5))}`;
}
