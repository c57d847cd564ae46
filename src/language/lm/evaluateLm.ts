/**
 * Held-out loss of a language model on token windows: mean next-token
 * cross-entropy (nats per token) over every predicted position, perplexity
 * exp(loss), and the loss per position. Logits are read in chunks whose size
 * keeps memory near `maxLogitBytes` whatever the vocabulary (50,257 for GPT-2's).
 */
import type { SequenceModel } from "../../model/sequenceModel.js";
import { ArgumentError, checkInteger } from "../../util/errors.js";
import { nextTokenPairs } from "../../train/objective.js";

export interface LanguageModelLoss {
  /** Mean cross-entropy over windows and predicted positions (nats per token). */
  readonly loss: number;
  readonly perplexity: number;
  /** [nPos] mean loss of predicting token t + 1 at position t. */
  readonly perPosition: Float64Array;
  /** [windows, nPos] the loss of every prediction (for paired comparisons with other predictors). */
  readonly perToken: Float64Array;
  /** Predictions scored. */
  readonly tokens: number;
}

export interface EvaluateLmOptions {
  /** Bound on one chunk's logits, in bytes. Default 64 MiB. */
  readonly maxLogitBytes?: number;
}

/** -log softmax(logits)[target] over one row. */
export function crossEntropyAt(logits: Float32Array, offset: number, V: number, target: number): number {
  let max = -Infinity;
  for (let v = 0; v < V; v++) if (logits[offset + v] > max) max = logits[offset + v];
  let z = 0;
  for (let v = 0; v < V; v++) z += Math.exp(logits[offset + v] - max);
  return max + Math.log(z) - logits[offset + target];
}

/** Loss on `windows` [n, nPos + 1] (inputs tokens 0..nPos-1, targets 1..nPos). */
export async function languageModelLoss(model: SequenceModel, windows: Int32Array, nPos: number, options: EvaluateLmOptions = {}): Promise<LanguageModelLoss> {
  const fn = "languageModelLoss";
  checkInteger(fn, "nPos", nPos, 1, model.nCtx);
  const L = nPos + 1;
  if (windows.length === 0 || windows.length % L !== 0) {
    throw new ArgumentError({ fn, argument: "windows", received: `${windows.length} tokens`, expected: `a non-empty multiple of nPos + 1 = ${L}` });
  }
  const n = windows.length / L;
  const V = model.dVocab;
  const chunk = Math.max(1, Math.floor((options.maxLogitBytes ?? 64 * 2 ** 20) / (4 * nPos * V)));
  const perToken = new Float64Array(n * nPos);
  for (let start = 0; start < n; start += chunk) {
    const m = Math.min(chunk, n - start);
    const { inputs, targets } = nextTokenPairs({ batch: m, nPos, tokens: windows.subarray(start * L, (start + m) * L) }, fn);
    const { data } = await model.forward(inputs, nPos); // [batch, pos, d_vocab]
    for (let r = 0; r < m * nPos; r++) perToken[start * nPos + r] = crossEntropyAt(data, r * V, V, targets[r]);
  }
  const perPosition = new Float64Array(nPos);
  let total = 0;
  for (let s = 0; s < n; s++) {
    for (let t = 0; t < nPos; t++) {
      perPosition[t] += perToken[s * nPos + t] / n;
      total += perToken[s * nPos + t];
    }
  }
  const loss = total / (n * nPos);
  return { loss, perplexity: Math.exp(loss), perPosition, perToken, tokens: n * nPos };
}
