/**
 * Floating-point operations of one training step of the transformer, for GFLOP/s
 * figures: 2 per multiply-add of every matrix product of the forward pass
 * (embedding lookups and elementwise work not counted), the causal attention
 * products over the key <= query pairs actually needed, and backward = 2 x forward
 * (the usual 3x rule). For the anchor model at batch 64: 0.766 GFLOP.
 */
import type { TransformerConfig } from "../src/model/transformer/config.js";

export function trainingFlopsPerStep(c: TransformerConfig, batch: number, nPos: number): number {
  const D = c.dModel, HE = c.nHeads * c.dHead, F = c.dMlp, V = c.dVocab;
  const tokens = batch * nPos;
  const perTokenLayer = D * 3 * HE + HE * D + (c.attnOnly ? 0 : 2 * D * F);
  const dense = tokens * (c.nLayers * perTokenLayer + D * V);
  const pairs = (nPos * (nPos + 1)) / 2;
  const attention = c.nLayers * batch * c.nHeads * pairs * c.dHead * 2; // q.k and pattern v
  return 3 * 2 * (dense + attention);
}
