/**
 * The `activations` file (tokens, exact beliefs, optimal loss, logits and hooks as safetensors),
 * written a chunk of sequences at a time at the tensors' known offsets: memory stays flat as the
 * count grows, and the file is the one encodeSafetensors would make of the whole batch.
 */
import type { SequenceModel } from "../model/sequenceModel.js";
import { filterBeliefs } from "../process/beliefs.js";
import type { Hmm } from "../process/hmm.js";
import { safetensorsLayout, DTYPE_BYTES, type TensorSpec } from "../util/safetensorsLayout.js";
import { checkFreeSpace, writeFileInPlaces } from "./streamWrite.js";

/** Token sequences [count, length], handed out a chunk at a time in order. */
export interface TokenSource {
  readonly count: number;
  readonly length: number;
  draw(count: number): Int32Array;
}

export interface ActivationsFileOptions {
  readonly model: SequenceModel;
  readonly hmm: Hmm;
  readonly hooks: readonly string[];
  readonly source: TokenSource;
  readonly metadata: Record<string, string>;
  /** Bytes of tensors per chunk of sequences. Default 32 MiB. */
  readonly chunkBytes?: number;
  readonly onProgress?: (done: number, total: number) => void;
}

/** Write the file; returns each tensor's shape. Refuses (before any work) a file larger than the free disk. */
export async function writeActivationsFile(path: string, o: ActivationsFileOptions): Promise<Record<string, readonly number[]>> {
  const { model, hmm, hooks, source } = o;
  const L = source.length;
  const n = source.count;
  // Each tensor's shape after the batch dimension, from the model run on one sequence.
  const one = await model.runWithCache(new Int32Array(L), L, { names: [...hooks] });
  const per: Record<string, TensorSpec> = {
    tokens: { dtype: "I32", shape: [L] },
    beliefs: { dtype: "F64", shape: [L, hmm.nStates] },
    optimal_loss: { dtype: "F64", shape: [L] },
    logits: { dtype: "F32", shape: one.logits.shape.slice(1) },
  };
  for (const h of hooks) per[h] = { dtype: "F32", shape: one.cache.get(h).shape.slice(1) };
  const seqBytes = (name: string) => per[name].shape.reduce((a, b) => a * b, 1) * DTYPE_BYTES[per[name].dtype];
  const specs = Object.fromEntries(Object.entries(per).map(([k, t]) => [k, { dtype: t.dtype, shape: [n, ...t.shape] }]));
  const layout = safetensorsLayout(specs, o.metadata);
  const perSequence = Object.keys(per).reduce((a, k) => a + seqBytes(k), 0);
  await checkFreeSpace(path, layout.totalBytes, { fn: "beliefscope activations", flag: "--out", formula: `${n} sequences x ${perSequence} bytes of tensors`, lower: "lower --sequences or ask for fewer --hooks" });
  const chunk = Math.max(1, Math.floor((o.chunkBytes ?? 32 << 20) / perSequence));
  await writeFileInPlaces(path, layout.header, async (writeAt) => {
    for (let start = 0; start < n; ) {
      const c = Math.min(chunk, n - start);
      const tokens = source.draw(c); // [c, L]
      const b = filterBeliefs(hmm, tokens, L); // [c, L, S]
      const { logits, cache } = await model.runWithCache(tokens, L, { names: [...hooks] });
      const put = (name: string, data: ArrayBufferView) => writeAt(data, layout.offsets[name] + start * seqBytes(name));
      await put("tokens", tokens);
      await put("beliefs", b.beliefs);
      await put("optimal_loss", b.optimalLoss);
      await put("logits", logits.data);
      for (const h of hooks) await put(h, cache.get(h).data);
      start += c;
      o.onProgress?.(start, n);
    }
  });
  return Object.fromEntries(Object.entries(specs).map(([k, t]) => [k, t.shape]));
}
