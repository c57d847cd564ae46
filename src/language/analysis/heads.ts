/**
 * Attention heads of a transformer, from its weights and from its patterns:
 *
 * - OV circuit W_OV = W_V[h] W_O[h] [d_model, d_model] (TransformerLens's
 *   `model.OV`, a FactoredMatrix: what a head writes to the residual stream
 *   for what it reads), and its singular values (rank <= d_head);
 * - attention patterns averaged over inputs, [head_index, query_pos, key_pos];
 * - how fixed a head's pattern is across inputs: the fraction of the
 *   pattern's variance (over inputs and causal entries (q, k <= q), q >= 1)
 *   explained by one position-by-position matrix, the mean pattern:
 *     1 - sum_b |A_b - mean|^2 / sum_b |A_b - grand mean|^2.
 *   1 means the head attends the same way whatever the input (a fixed
 *   pattern such as previous-token or uniform averaging, what a linear belief
 *   mechanism uses); 0 means all its variation is input-dependent.
 */
import { Matrix, QrDecomposition, SingularValueDecomposition } from "ml-matrix";
import { ArgumentError } from "../../util/errors.js";
import type { StateDict } from "../../util/hostTensor.js";

export interface OvMatrix {
  readonly layer: number;
  readonly head: number;
  /** [d_model, d_model] W_V[h] W_O[h], row-major. */
  readonly matrix: Float64Array;
  /** Singular values, largest first (d_model of them; at most d_head non-zero, the rest 0). */
  readonly singularValues: Float64Array;
  /** Frobenius norm. */
  readonly norm: number;
}

/** W_OV of every head of a transformer state dict (blocks.{l}.attn.W_V [H, D, E], W_O [H, E, D]). */
export function ovMatrices(stateDict: StateDict, nLayers: number): OvMatrix[] {
  const out: OvMatrix[] = [];
  for (let l = 0; l < nLayers; l++) {
    const V = stateDict[`blocks.${l}.attn.W_V`];
    const O = stateDict[`blocks.${l}.attn.W_O`];
    if (!V || !O) throw new ArgumentError({ fn: "ovMatrices", argument: `stateDict (layer ${l})`, received: "no W_V / W_O", expected: "a transformer's attention weights" });
    const [H, D, E] = V.shape;
    for (let h = 0; h < H; h++) {
      const m = new Float64Array(D * D);
      for (let i = 0; i < D; i++) {
        for (let e = 0; e < E; e++) {
          const v = V.data[(h * D + i) * E + e];
          if (v === 0) continue;
          for (let j = 0; j < D; j++) m[i * D + j] += v * O.data[(h * E + e) * D + j];
        }
      }
      // As TransformerLens's FactoredMatrix: W_V = Q_V R_V and W_O^T = Q_O R_O (thin QR), so
      // W_V W_O = Q_V (R_V R_O^T) Q_O^T has the singular values of the d_head x d_head R_V R_O^T.
      const wv = new Matrix(Array.from({ length: D }, (_, i) => Array.from(V.data.subarray((h * D + i) * E, (h * D + i + 1) * E)))); // [d_model, d_head]
      const woT = new Matrix(Array.from({ length: D }, (_, j) => Array.from({ length: E }, (_, e) => O.data[(h * E + e) * D + j]))); // [d_model, d_head]
      const small = new QrDecomposition(wv).upperTriangularMatrix.mmul(new QrDecomposition(woT).upperTriangularMatrix.transpose()); // [d_head, d_head]
      const s = new SingularValueDecomposition(small, { computeLeftSingularVectors: false, computeRightSingularVectors: false }).diagonal;
      const singularValues = new Float64Array(D);
      Float64Array.from(s).sort().reverse().forEach((v, k) => (singularValues[k] = Math.abs(v)));
      let norm = 0;
      for (const x of m) norm += x * x;
      out.push({ layer: l, head: h, matrix: m, singularValues, norm: Math.sqrt(norm) });
    }
  }
  return out;
}

export interface PatternStats {
  /** [head_index, query_pos, key_pos] mean pattern over inputs. */
  readonly mean: Float64Array;
  /** [head_index] fraction of pattern variance explained by the mean pattern (see above). */
  readonly fixedness: Float64Array;
  readonly heads: number;
  readonly nPos: number;
  readonly inputs: number;
}

/** Mean pattern and fixedness of one layer's patterns [batch, head_index, query_pos, key_pos]. */
export function patternStats(pattern: Float32Array | Float64Array, shape: readonly number[]): PatternStats {
  if (shape.length !== 4 || shape[2] !== shape[3]) throw new ArgumentError({ fn: "patternStats", argument: "shape", received: `[${shape.join(", ")}]`, expected: "[batch, head_index, query_pos, key_pos]" });
  const [B, H, P] = shape;
  const mean = new Float64Array(H * P * P);
  for (let b = 0; b < B; b++) for (let k = 0; k < H * P * P; k++) mean[k] += pattern[b * H * P * P + k] / B;
  const fixedness = new Float64Array(H);
  for (let h = 0; h < H; h++) {
    let grand = 0;
    let count = 0;
    for (let q = 1; q < P; q++) for (let k = 0; k <= q; k++) (grand += mean[(h * P + q) * P + k]), count++;
    grand /= Math.max(1, count);
    let within = 0;
    let total = 0;
    for (let b = 0; b < B; b++) {
      for (let q = 1; q < P; q++) {
        for (let k = 0; k <= q; k++) {
          const i = (h * P + q) * P + k;
          const a = pattern[b * H * P * P + i];
          within += (a - mean[i]) ** 2;
          total += (a - grand) ** 2;
        }
      }
    }
    fixedness[h] = total > 0 ? 1 - within / total : 1;
  }
  return { mean, fixedness, heads: H, nPos: P, inputs: B };
}
