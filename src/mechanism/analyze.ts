/**
 * The whole single-layer analysis of a trained (or constructed) model on a process: how fixed
 * each head's attention pattern is, the last residual decomposed into attention-weighted OV
 * images (with its reconstruction error), a linear probe from the residual to exact beliefs, and
 * beside it the best linear operators fitted on the same samples, so the model's R² and belief
 * KL can be read against the best any fixed-pattern linear mechanism could do.
 * Memory: the activations of 2 * nSequences sequences at two hooks, plus
 * decompositionSequences * nHeads * nCtx * d_model doubles twice (terms and OV images);
 * 2,000 + 500 sequences of the 4-head d_model-64 rung take about 60 MB.
 */
import type { SequenceModel } from "../model/index.js";
import { beliefKL, fitLinear, nextTokenMap, predictLinear, regressionScores, type Rows } from "../probe/index.js";
import type { Hmm } from "../process/index.js";
import { ArgumentError, checkInteger } from "../util/errors.js";
import { bestLinearOperator } from "./bestOperator.js";
import { decomposeResidual, singleLayerAttentionConfig } from "./decomposition.js";
import { fitFixedPattern } from "./patternFit.js";
import { fixedPatternAblation } from "./fixedPatternAblation.js";
import { beliefSamples, DEFAULT_SEQUENCES } from "./samples.js";
import type { LinearAttentionAnalysis, LinearAttentionOptions } from "./types.js";
import { transformerOptions } from "../model/index.js";

/** Analyse a 1-layer attention-only transformer `model` on `hmm`; see the file header. */
export async function analyzeLinearAttention(model: SequenceModel, hmm: Hmm, options: LinearAttentionOptions = {}): Promise<LinearAttentionAnalysis> {
  const fn = "analyzeLinearAttention";
  const c = singleLayerAttentionConfig(model, fn);
  if (model.dVocab !== hmm.nSymbols) {
    throw new ArgumentError({ fn, argument: "hmm", received: `${hmm.name} with ${hmm.nSymbols} symbols`, expected: `a process with the model's d_vocab = ${model.dVocab} symbols` });
  }
  const n = checkInteger(fn, "options.nSequences", options.nSequences ?? DEFAULT_SEQUENCES, 2, 1_000_000);
  const seed = checkInteger(fn, "options.seed", options.seed ?? 0, 0);
  const batchSize = checkInteger(fn, "options.batchSize", options.batchSize ?? 512, 1);
  const nDecompose = checkInteger(fn, "options.decompositionSequences", options.decompositionSequences ?? 500, 1);
  const T = model.nCtx;
  const S = hmm.nStates;
  const fit = beliefSamples(hmm, T, n, seed, "operator-fit", fn);
  const test = beliefSamples(hmm, T, n, seed, "operator-test", fn);
  const names = ["blocks.0.attn.hook_pattern", "blocks.0.hook_resid_post"];
  const onFit = await model.runWithCache(fit.tokens, T, { names, batchSize });
  const onTest = await model.runWithCache(test.tokens, T, { names: names.slice(1), batchSize });
  const heads = fitFixedPattern(onFit.cache.get("blocks.0.attn.hook_pattern").data, n, c.nHeads, T);

  // Probe: every position's residual to its belief, fitted on `fit`, scored on `test`.
  const X = onFit.cache.features(["blocks.0.hook_resid_post"]);
  const probe = fitLinear(X, { rows: n * T, cols: S, data: fit.beliefs });
  const Xt = onTest.cache.features(["blocks.0.hook_resid_post"]);
  const predicted = predictLinear(probe, Xt);
  const truth: Rows = { rows: n * T, cols: S, data: test.beliefs };
  const last = Int32Array.from({ length: n }, (_, r) => r * T + T - 1);
  const pick = (m: Rows): Rows => {
    const data = new Float64Array(n * S);
    last.forEach((row, k) => data.set(m.data.subarray(row * S, (row + 1) * S), k * S));
    return { rows: n, cols: S, data };
  };
  const map = nextTokenMap(hmm);
  const modelScores = {
    r2: regressionScores(predicted, truth).r2 ?? 1,
    beliefKL: beliefKL(map, truth, predicted).mean,
    r2LastPosition: regressionScores(pick(predicted), pick(truth)).r2 ?? 1,
    probeWeights: probe.weights,
    probeIntercept: probe.intercept,
  };

  const count = Math.min(nDecompose, n);
  const decomposition = await decomposeResidual(model, test.tokens.subarray(0, count * T), T, { batchSize });
  const V = hmm.nSymbols;
  const nextAtLast = new Float64Array(count * V); // [count, d_vocab] exact distribution of the token after the last position
  for (let b = 0; b < count; b++) nextAtLast.set(test.next.subarray((b * T + T - 1) * V, (b * T + T) * V), b * V);
  const fixedPattern = fixedPatternAblation(decomposition, heads, await model.stateDict(), c.layerNorm, nextAtLast);
  const operators =
    options.operators === false
      ? undefined
      : {
          shared: bestLinearOperator(hmm, T, { embedding: "shared", nSequences: n, seed, rank: c.nHeads }),
          perPosition: bestLinearOperator(hmm, T, { embedding: "per-position", nSequences: n, seed }),
        };
  const o = transformerOptions(c);
  const attention = o.attention === "linear" ? `linear${o.linearNormalize ? " (normalised by position)" : ""}` : o.attention;
  return {
    summary: model.summary,
    attention,
    heads,
    decomposition,
    fixedPattern,
    model: modelScores,
    inputs: { count: n, nCtx: T, tokens: test.tokens, beliefs: test.beliefs },
    ...(operators ? { operators } : {}),
  };
}
