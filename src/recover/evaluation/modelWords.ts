/**
 * The trained model as a process: its word distribution
 *
 *   P(w_1 .. w_L) = p(x1 = w_1) prod_t p_model(w_{t+1} | w_1 .. w_t)
 *
 * with p(x1) the stationary fixed point (modelData.ts), for words up to
 * nCtx + 1 long, and its predictions on given sequences. Exact sums over all
 * words: V^(L-1) forward passes for words of length L.
 */
import type { SequenceModel } from "../../model/index.js";
import { ArgumentError, checkInteger } from "../../util/errors.js";
import { wordCount } from "../linearPresentation.js";
import { forwardFixedShape } from "../modelData.js";

function softmaxAt(logits: Float32Array, offset: number, V: number, out: Float64Array): void {
  let max = -Infinity;
  for (let x = 0; x < V; x++) max = Math.max(max, logits[offset + x]);
  let z = 0;
  for (let x = 0; x < V; x++) z += out[x] = Math.exp(logits[offset + x] - max);
  for (let x = 0; x < V; x++) out[x] /= z;
}

/** Word distributions of the model for lengths 1..maxLength (index L - 1), maxLength <= nCtx + 1. */
export async function modelWordDistributions(model: SequenceModel, firstProbs: Float64Array, maxLength: number): Promise<Float64Array[]> {
  const fn = "modelWordDistributions";
  const V = model.dVocab;
  const n = model.nCtx;
  checkInteger(fn, "maxLength", maxLength, 1, n + 1);
  const m = maxLength - 1; // prefix length needed
  wordCount(fn, V, maxLength);
  const out: Float64Array[] = [Float64Array.from(firstProbs)];
  if (m === 0) return out;
  const nSeq = V ** m;
  const tokens = new Int32Array(nSeq * n); // every word of length m, padded to nCtx
  for (let w = 0; w < nSeq; w++) for (let t = 0; t < m; t++) tokens[w * n + t] = Math.floor(w / V ** (m - 1 - t)) % V;
  const logits = await forwardFixedShape(model, tokens); // [V^m, nCtx, V]
  const q = new Float64Array(V);
  for (let len = 1; len <= m; len++) {
    const prev = out[len - 1];
    const next = new Float64Array(prev.length * V);
    const stride = V ** (m - len); // sequence index of prefix w (length len) is w * stride
    for (let w = 0; w < prev.length; w++) {
      softmaxAt(logits, ((w * stride) * n + len - 1) * V, V, q);
      for (let x = 0; x < V; x++) next[w * V + x] = prev[w] * q[x];
    }
    out.push(next);
  }
  return out;
}

/**
 * The model's predictive distributions on sequences [count, nCtx + 1] (or
 * shorter): [count, length, V], position 0 from p(x1), position t + 1 from
 * the model after tokens 0..t.
 */
export async function modelPredictions(model: SequenceModel, firstProbs: Float64Array, tokens: Int32Array, length: number): Promise<Float64Array> {
  const fn = "modelPredictions";
  const V = model.dVocab;
  const n = model.nCtx;
  if (length > n + 1 || tokens.length % length !== 0) {
    throw new ArgumentError({ fn, argument: "length", received: String(length), expected: `at most nCtx + 1 = ${n + 1}, dividing the token count` });
  }
  const count = tokens.length / length;
  const input = new Int32Array(count * n);
  for (let s = 0; s < count; s++) for (let t = 0; t < Math.min(n, length); t++) input[s * n + t] = tokens[s * length + t];
  const logits = await forwardFixedShape(model, input); // [count, nCtx, V]
  const out = new Float64Array(count * length * V);
  const q = new Float64Array(V);
  for (let s = 0; s < count; s++) {
    out.set(firstProbs, s * length * V);
    for (let t = 0; t + 1 < length; t++) {
      softmaxAt(logits, (s * n + t) * V, V, q);
      out.set(q, (s * length + t + 1) * V);
    }
  }
  return out;
}
