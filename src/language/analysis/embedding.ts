/**
 * The geometry of a token embedding: cosine similarity between token vectors
 * (rows of embed.W_E [d_vocab, d_model]) for tokens in a given order (by
 * frequency, most frequent first), and its coarse-grained version: the
 * tokens cut into `blocks` equal groups of consecutive ranks and the mean
 * similarity of each pair of groups, without the diagonal (a token with
 * itself, always 1), so a block on the diagonal is the mean over distinct
 * pairs of its tokens.
 */
import { ArgumentError, checkInteger } from "../../util/errors.js";
import type { HostTensor } from "../../util/hostTensor.js";

/** [n, n] cosine similarity of the rows `order` of `embedding` [d_vocab, d_model] (a zero row has similarity 0). */
export function cosineSimilarity(embedding: HostTensor, order: ArrayLike<number>): Float64Array {
  const fn = "cosineSimilarity";
  if (embedding.shape.length !== 2) throw new ArgumentError({ fn, argument: "embedding", received: `shape [${embedding.shape.join(", ")}]`, expected: "[d_vocab, d_model]" });
  const [V, D] = embedding.shape;
  const n = order.length;
  const unit = new Float64Array(n * D);
  for (let a = 0; a < n; a++) {
    const id = order[a];
    if (!(id >= 0 && id < V)) throw new ArgumentError({ fn, argument: `order[${a}]`, received: String(id), expected: `a token id in [0, ${V})` });
    let norm = 0;
    for (let d = 0; d < D; d++) norm += embedding.data[id * D + d] ** 2;
    norm = Math.sqrt(norm);
    for (let d = 0; d < D; d++) unit[a * D + d] = norm > 0 ? embedding.data[id * D + d] / norm : 0;
  }
  const sim = new Float64Array(n * n);
  for (let a = 0; a < n; a++) {
    for (let b = a; b < n; b++) {
      let dot = 0;
      for (let d = 0; d < D; d++) dot += unit[a * D + d] * unit[b * D + d];
      sim[a * n + b] = dot;
      sim[b * n + a] = dot;
    }
  }
  return sim;
}

/**
 * [blocks, blocks] block means of a similarity matrix [n, n] over consecutive groups of
 * floor/ceil(n / blocks) indices, excluding the diagonal entries (i, i).
 */
export function blockMeans(sim: Float64Array, n: number, blocks = 8, excludeDiagonal = true): Float64Array {
  const fn = "blockMeans";
  checkInteger(fn, "blocks", blocks, 1, n);
  if (sim.length !== n * n) throw new ArgumentError({ fn, argument: "sim", received: `${sim.length} values`, expected: `n * n = ${n * n}` });
  const edge = (k: number) => Math.round((k * n) / blocks);
  const out = new Float64Array(blocks * blocks);
  for (let I = 0; I < blocks; I++) {
    for (let J = 0; J < blocks; J++) {
      let sum = 0;
      let count = 0;
      for (let a = edge(I); a < edge(I + 1); a++) {
        for (let b = edge(J); b < edge(J + 1); b++) {
          if (excludeDiagonal && a === b) continue;
          sum += sim[a * n + b];
          count++;
        }
      }
      out[I * blocks + J] = count > 0 ? sum / count : NaN;
    }
  }
  return out;
}
