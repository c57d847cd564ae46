/**
 * The fixed-pattern ablation of a 1-layer attention-only transformer at the decomposed position:
 * with the residual written as direct + sum_h sum_s A_h[t, s] OV_h(input s) (decomposition.ts),
 * replacing each row A_h[t, .] by the fixed matrix's row M_h[t, .] (the mean pattern) gives the
 * residual a fixed-pattern model would compute on the same OV images; the logits are linear in the
 * residual (after ln_final when the model has LayerNorm, applied here as TransformerLens does), so
 * the ablated loss needs no forward pass. This says how much of the output, and of the loss, the
 * pattern's input dependence accounts for, which the pattern's own variance (patternFit.ts) does
 * not: a head whose pattern varies a lot may write almost nothing.
 */
import type { StateDict } from "../model/types.js";
import { ArgumentError } from "../util/errors.js";
import type { FixedPatternAblation, HeadPatternFit, ResidualDecomposition } from "./types.js";

/** TransformerLens's LayerNorm epsilon (as src/model/transformer/forward.ts). */
const LN_EPS = 1e-5;

/**
 * `next` [count, V]: the exact next-token distributions at the decomposed position for the
 * decomposed inputs. Time O(count * heads * nPos * d_model); memory O(count * d_model).
 */
export function fixedPatternAblation(d: ResidualDecomposition, heads: readonly HeadPatternFit[], stateDict: StateDict, layerNorm: boolean, next: Float64Array): FixedPatternAblation {
  const { count, nHeads: H, nPos, dModel: D, position: t } = d;
  const WU = stateDict["unembed.W_U"].data; // [d_model, d_vocab]
  const bU = stateDict["unembed.b_U"].data; // [d_vocab]
  const V = bU.length;
  const lnW = layerNorm ? stateDict["ln_final.w"].data : null; // [d_model]
  const lnB = layerNorm ? stateDict["ln_final.b"].data : null; // [d_model]
  const T = nPos;
  if (heads.length !== H || heads.some((h) => h.meanPattern.length !== T * T)) {
    throw new ArgumentError({ fn: "fixedPatternAblation", argument: "heads", received: `${heads.length} head fits`, expected: `${H} fits of [${T}, ${T}] patterns, one per head of the decomposition` });
  }
  const actual = new Float64Array(H * count * D); // [head_index, count, d_model]
  const fixed = new Float64Array(H * count * D);
  for (let b = 0; b < count; b++) {
    for (let h = 0; h < H; h++) {
      for (let s = 0; s <= t; s++) {
        const a = d.pattern[(b * H + h) * nPos + s];
        const m = heads[h].meanPattern[t * T + s];
        const at = ((b * H + h) * nPos + s) * D;
        for (let k = 0; k < D; k++) {
          actual[(h * count + b) * D + k] += a * d.values[at + k];
          fixed[(h * count + b) * D + k] += m * d.values[at + k];
        }
      }
    }
  }
  // Per head: R² of the fixed-pattern output against the actual one, and the share of variance.
  const sst = new Float64Array(H);
  const sse = new Float64Array(H);
  for (let h = 0; h < H; h++) {
    const mean = new Float64Array(D);
    for (let b = 0; b < count; b++) for (let k = 0; k < D; k++) mean[k] += actual[(h * count + b) * D + k] / count;
    for (let b = 0; b < count; b++) {
      for (let k = 0; k < D; k++) {
        const y = actual[(h * count + b) * D + k];
        sst[h] += (y - mean[k]) ** 2;
        sse[h] += (fixed[(h * count + b) * D + k] - y) ** 2;
      }
    }
  }
  const totalVariance = sst.reduce((x, y) => x + y, 0);
  const headsOut = Array.from({ length: H }, (_, h) => {
    let scale = 0;
    for (let q = h * count * D; q < (h + 1) * count * D; q++) scale += actual[q] ** 2;
    return {
      head: h,
      outputFixedFraction: sst[h] > 1e-12 * scale ? 1 - sse[h] / sst[h] : 1,
      outputVarianceShare: totalVariance > 0 ? sst[h] / totalVariance : 0,
    };
  });
  // All heads together: R² of the summed attention output with every pattern fixed.
  let sstAll = 0;
  let sseAll = 0;
  let scaleAll = 0;
  {
    const sumActual = new Float64Array(count * D);
    const sumFixed = new Float64Array(count * D);
    for (let h = 0; h < H; h++) {
      for (let q = 0; q < count * D; q++) {
        sumActual[q] += actual[h * count * D + q];
        sumFixed[q] += fixed[h * count * D + q];
      }
    }
    const mean = new Float64Array(D);
    for (let b = 0; b < count; b++) for (let k = 0; k < D; k++) mean[k] += sumActual[b * D + k] / count;
    for (let q = 0; q < count * D; q++) {
      sstAll += (sumActual[q] - mean[q % D]) ** 2;
      sseAll += (sumFixed[q] - sumActual[q]) ** 2;
      scaleAll += sumActual[q] ** 2;
    }
  }
  const outputFixedFraction = sstAll > 1e-12 * scaleAll ? 1 - sseAll / sstAll : 1;
  // Expected cross-entropy of the readout of a residual row against the exact distribution.
  const logits = new Float64Array(V);
  const x = new Float64Array(D);
  const crossEntropy = (row: Float64Array, b: number): number => {
    if (lnW && lnB) {
      let mean = 0;
      for (let k = 0; k < D; k++) mean += row[k] / D;
      let variance = 0;
      for (let k = 0; k < D; k++) variance += (row[k] - mean) ** 2 / D;
      const scale = Math.sqrt(variance + LN_EPS);
      for (let k = 0; k < D; k++) x[k] = ((row[k] - mean) / scale) * lnW[k] + lnB[k];
    } else x.set(row);
    let max = -Infinity;
    for (let v = 0; v < V; v++) {
      let z = bU[v];
      for (let k = 0; k < D; k++) z += x[k] * WU[k * V + v];
      logits[v] = z;
      max = Math.max(max, z);
    }
    let sum = 0;
    for (let v = 0; v < V; v++) sum += Math.exp(logits[v] - max);
    const lse = max + Math.log(sum);
    let ce = 0;
    for (let v = 0; v < V; v++) if (next[b * V + v] > 0) ce -= next[b * V + v] * (logits[v] - lse);
    return ce;
  };
  let loss = 0;
  let lossFixed = 0;
  let optimal = 0;
  const row = new Float64Array(D);
  for (let b = 0; b < count; b++) {
    loss += crossEntropy(d.residual.subarray(b * D, (b + 1) * D), b) / count;
    for (let k = 0; k < D; k++) {
      let v = d.direct[b * D + k];
      for (let h = 0; h < H; h++) v += fixed[(h * count + b) * D + k];
      row[k] = v;
    }
    lossFixed += crossEntropy(row, b) / count;
    for (let v = 0; v < V; v++) if (next[b * V + v] > 0) optimal -= (next[b * V + v] * Math.log(next[b * V + v])) / count;
  }
  return { heads: headsOut, outputFixedFraction, loss, lossFixedPattern: lossFixed, optimalLoss: optimal, count };
}
