/**
 * Train/validation split by document, seeded and streaming: document k goes
 * to validation when a hash of (seed, k) falls below the fraction, so the
 * split needs no memory, is the same on every pass, and never cuts a document.
 */
import { checkNumber } from "../../util/errors.js";
import { checkSeed, deriveSeed } from "../../util/rng.js";

export type CorpusPart = "train" | "validation" | "all";

export interface CorpusSplit {
  /** Share of documents held out for validation, in [0, 1). */
  readonly validationFraction: number;
  readonly seed: number;
}

export function checkCorpusSplit(fn: string, split: CorpusSplit): CorpusSplit {
  checkNumber(fn, "split.validationFraction", split.validationFraction, 0, 0.999999);
  checkSeed(fn, split.seed);
  return split;
}

/** The part document `index` (0-based, in corpus order) belongs to. */
export function documentPart(index: number, split: CorpusSplit): "train" | "validation" {
  return deriveSeed(split.seed, "corpus-split", index) / 4294967296 < split.validationFraction ? "validation" : "train";
}
