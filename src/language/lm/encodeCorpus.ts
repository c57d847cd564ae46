/**
 * Tokenize a corpus into token streams: each document becomes BOS followed by
 * its tokens, and goes to the train or the validation stream by the seeded
 * split by document (corpus/split.ts), in one pass over the documents.
 * Memory holds one document's tokens; the sinks decide where the streams live.
 */
import { ArgumentError, checkInteger } from "../../util/errors.js";
import { checkCorpusSplit, documentPart, type CorpusSplit } from "../corpus/split.js";
import type { BpeTokenizer } from "../tokenizer/tokenizer.js";
import type { TokenSink } from "./tokenStream.js";

export interface EncodeCorpusOptions {
  /** The token that starts every document. Default the tokenizer's "<s>" (ours), else "<|endoftext|>" (GPT-2's). */
  readonly bos?: number;
  readonly split: CorpusSplit;
  /** Stop after this many tokens in total (train and validation). Default no bound. */
  readonly maxTokens?: number;
  readonly onDocument?: (progress: { readonly documents: number; readonly tokens: number }) => void;
}

export interface EncodeCorpusStats {
  readonly bos: number;
  readonly trainDocuments: number;
  readonly validationDocuments: number;
  readonly trainTokens: number;
  readonly validationTokens: number;
  /** UTF-16 code units of text encoded. */
  readonly chars: number;
  /** True when maxTokens cut the corpus short. */
  readonly truncated: boolean;
}

/** The BOS token of a tokenizer: "<s>" (this toolkit's), else "<|endoftext|>" (GPT-2 / GPT-Neo use it as both BOS and EOS). */
export function bosTokenOf(tokenizer: BpeTokenizer, fn = "bosTokenOf"): number {
  const id = tokenizer.tokenToId("<s>") ?? tokenizer.tokenToId("<|endoftext|>");
  if (id === undefined) {
    throw new ArgumentError({ fn, argument: "tokenizer", received: "a tokenizer with neither <s> nor <|endoftext|>", expected: "a tokenizer with a token to start documents", hint: "Pass the BOS token id explicitly (--bos)." });
  }
  return id;
}

export async function encodeCorpus(
  documents: AsyncIterable<string> | Iterable<string>,
  tokenizer: BpeTokenizer,
  sinks: { readonly train: TokenSink; readonly validation?: TokenSink },
  options: EncodeCorpusOptions,
): Promise<EncodeCorpusStats> {
  const fn = "encodeCorpus";
  const split = checkCorpusSplit(fn, options.split);
  const bos = options.bos ?? bosTokenOf(tokenizer, fn);
  checkInteger(fn, "bos", bos, 0, tokenizer.vocabSize - 1);
  const maxTokens = options.maxTokens ?? Infinity;
  if (options.maxTokens !== undefined) checkInteger(fn, "maxTokens", options.maxTokens, 1);
  if (split.validationFraction > 0 && !sinks.validation) {
    throw new ArgumentError({ fn, argument: "sinks.validation", received: "none", expected: `a sink for the validation documents (validationFraction ${split.validationFraction})` });
  }
  let index = 0;
  let trainDocuments = 0;
  let validationDocuments = 0;
  let trainTokens = 0;
  let validationTokens = 0;
  let chars = 0;
  let truncated = false;
  for await (const doc of documents) {
    const body = tokenizer.encode(doc, { addSpecialTokens: false });
    const ids = new Int32Array(body.length + 1);
    ids[0] = bos;
    ids.set(body, 1);
    if (trainTokens + validationTokens + ids.length > maxTokens) {
      truncated = true;
      break;
    }
    chars += doc.length;
    if (documentPart(index++, split) === "validation") {
      await sinks.validation!.appendDocument(ids);
      validationDocuments++;
      validationTokens += ids.length;
    } else {
      await sinks.train.appendDocument(ids);
      trainDocuments++;
      trainTokens += ids.length;
    }
    options.onDocument?.({ documents: index, tokens: trainTokens + validationTokens });
  }
  return { bos, trainDocuments, validationDocuments, trainTokens, validationTokens, chars, truncated };
}
