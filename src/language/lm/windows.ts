/**
 * Training windows from a token stream: batch k is [batch, nPos + 1] tokens
 * (the model reads nPos and predicts the next token at each, objective.ts),
 * a pure function of (seed, k), so a resumed run sees the same data.
 *
 *   "random"    each window starts at a uniformly random token (nanoGPT, GPT-2):
 *               every part of every document is trained, windows cross
 *               document boundaries, where BOS marks the new document
 *   "document"  each window starts at the BOS of a uniformly random document
 *               and runs on into the following documents when it is shorter:
 *               position 0 is always BOS and the context is always complete
 */
import { ArgumentError, checkChoice, checkInteger } from "../../util/errors.js";
import { Rng } from "../../util/rng.js";
import type { TokenStream } from "./tokenStream.js";

export const WINDOW_STARTS = ["random", "document"] as const;
export type WindowStart = (typeof WINDOW_STARTS)[number];

export interface WindowOptions {
  readonly batchSize: number;
  /** Positions the model reads; each window holds nPos + 1 tokens. */
  readonly nPos: number;
  readonly seed: number;
  readonly start: WindowStart;
}

/** Windows of nPos + 1 tokens can be read: the stream is long enough. */
export function checkWindowable(stream: TokenStream, nPos: number, fn: string, what: string): void {
  if (stream.nTokens < nPos + 1) {
    throw new ArgumentError({
      fn,
      argument: what,
      received: `${stream.nTokens} tokens (${stream.nDocuments} documents)`,
      expected: `at least n_ctx + 1 = ${nPos + 1} tokens, one training window`,
      hint: "Use a larger corpus or a smaller --n-ctx.",
    });
  }
}

/** Documents whose BOS can start a full window: those starting at or before nTokens - (nPos + 1). */
function documentsWithRoom(stream: TokenStream, nPos: number): number {
  const last = stream.nTokens - (nPos + 1);
  let lo = 0;
  let hi = stream.nDocuments; // first document that starts after `last`
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (stream.documentStart(mid) <= last) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

const roomCache = new WeakMap<TokenStream, Map<number, number>>();

function cachedRoom(stream: TokenStream, nPos: number): number {
  let m = roomCache.get(stream);
  if (!m) roomCache.set(stream, (m = new Map()));
  let n = m.get(nPos);
  if (n === undefined) m.set(nPos, (n = documentsWithRoom(stream, nPos)));
  return n;
}

/** The first token of each window of batch `step`: [batchSize]. */
export function windowStarts(stream: TokenStream, o: WindowOptions, step: number): Float64Array {
  const fn = "windowStarts";
  checkInteger(fn, "batchSize", o.batchSize, 1);
  checkInteger(fn, "nPos", o.nPos, 1);
  checkChoice(fn, "start", o.start, WINDOW_STARTS);
  checkWindowable(stream, o.nPos, fn, "stream");
  const rng = new Rng(o.seed, "lm-windows", step);
  const out = new Float64Array(o.batchSize);
  const span = stream.nTokens - o.nPos; // starts 0 .. nTokens - (nPos + 1)
  const docs = o.start === "document" ? cachedRoom(stream, o.nPos) : 0;
  for (let b = 0; b < o.batchSize; b++) {
    if (o.start === "document" && docs > 0) out[b] = stream.documentStart(Math.floor(rng.uniform() * docs));
    else out[b] = Math.min(span - 1, Math.floor(rng.uniform() * span));
  }
  return out;
}

/** Batch `step`: [batchSize, nPos + 1] tokens. */
export function windowBatch(stream: TokenStream, o: WindowOptions, step: number): Int32Array {
  const starts = windowStarts(stream, o, step);
  const L = o.nPos + 1;
  const out = new Int32Array(o.batchSize * L);
  for (let b = 0; b < o.batchSize; b++) stream.read(starts[b], L, out, b * L);
  return out;
}
