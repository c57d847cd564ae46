/**
 * Scoring a recovery against a known process (reported, never used to fit):
 *
 * - total variation between word distributions, lengths 1..6, exact sums;
 * - on held-out sequences of the true process (nCtx + 1 tokens, as the model
 *   was trained): log-loss per token and next-token KL(true || candidate),
 *   beside the optimum (the true process's own loss);
 * - after the best state permutation (Hungarian, on the mean squared
 *   difference of beliefs along the held-out sequences), the error of T and
 *   the RMSE of the beliefs;
 * - the same numbers for the trained model itself and for baselines from
 *   tokens alone (Baum-Welch with restarts, the spectral method), fitted on
 *   the same number of true tokens as the recovery sampled from the model.
 */
import { Matrix, SingularValueDecomposition } from "ml-matrix";
import type { SequenceModel } from "../../model/index.js";
import { filterBeliefs, sampleSequences, type Hmm } from "../../process/index.js";
import { ArgumentError, checkInteger } from "../../util/errors.js";
import { baumWelch } from "../baselines/baumWelch.js";
import { spectralLearn } from "../baselines/spectral.js";
import { hungarian } from "../hungarian.js";
import { presentationOfHmm, presentationPredictions, totalVariation, wordProbabilities, type LinearPresentation } from "../linearPresentation.js";
import { hmmBeliefs, type RecoveredHmm } from "../recoverHmm.js";
import { centredSpectrum } from "../stateCount.js";
import { Rng } from "../../util/rng.js";
import { modelPredictions, modelWordDistributions } from "./modelWords.js";

export interface CandidateScore {
  /** "recovered", "closed-form start", "generalized (operators)", "mixture of classes", "model", "Baum-Welch", "Baum-Welch (true count)", "spectral". */
  readonly name: string;
  /** States (or operator dimension); NaN for the model. */
  readonly states: number;
  /** TV to the truth for word lengths 1..maxLength (index L - 1); shorter for the model when nCtx + 1 < maxLength. */
  readonly tv: number[];
  /** Mean log-loss per token on the held-out true sequences (nats). */
  readonly loss: number;
  /** Mean next-token KL(true || candidate) on the held-out sequences (nats). */
  readonly kl: number;
  /** loss / optimum - 1. */
  readonly relativeLoss: number;
  /** After the Hungarian matching (same state count as the truth only). */
  readonly transitionError?: { readonly maxAbs: number; readonly rms: number };
  readonly beliefRmse?: number;
  readonly permutation?: number[];
  /** Predictions clipped to a floor (spectral: negative "probabilities"). */
  readonly clippedPredictions?: number;
  readonly seconds?: number;
  readonly note?: string;
}

export interface RecoveryEvaluation {
  readonly truthName: string;
  readonly trueStates: number;
  /** Rank of the truth's Hankel matrix (words up to `rankWordLength` on each side). */
  readonly trueRank: number;
  readonly rankWordLength: number;
  /** The true process's centred prediction spectrum (next-k-token words after prefixes of held-out true sequences; RMS per prefix, as the state count's). */
  readonly trueSpectrum: number[];
  readonly heldOutSequences: number;
  readonly heldOutLength: number;
  /**
   * min over states i of max over held-out prefixes of the true belief in i: 1 when the process synchronises to
   * every state. Below 0.99 its beliefs stay inside the simplex, other presentations with as many states generate
   * the same words, and a T error after matching measures which presentation was found, not a wrong process.
   * NaN for a generalized truth.
   */
  readonly vertexReach: number;
  /** The optimum: the true process's mean log-loss per token on the held-out sequences. */
  readonly optimumLoss: number;
  readonly maxLength: number;
  readonly baselineTokens: number;
  readonly candidates: CandidateScore[];
  readonly notes: string[];
}

export interface EvaluateRecoveryOptions {
  /** Longest words for TV. Default 6. */
  readonly maxLength?: number;
  /** Held-out true sequences. Default 2000. */
  readonly heldOutSequences?: number;
  readonly seed?: number;
  /** Fit the baselines. Default true. */
  readonly baselines?: boolean;
  /** True tokens for the baselines. Default: the tokens the recovery sampled from the model. */
  readonly baselineTokens?: number;
  /** Baum-Welch restarts. Default 5. */
  readonly restarts?: number;
}

/** Rank of the Hankel matrix [P(u v)] for u, v all words of length <= m (numerical rank, tolerance 1e-9 relative). */
export function hankelRank(p: LinearPresentation, m: number): number {
  const V = p.nSymbols;
  const D = p.dim;
  const forward: Float64Array[] = [Float64Array.from(p.start)];
  const backward: Float64Array[] = [Float64Array.from(p.end)];
  let fLevel: Float64Array[] = [Float64Array.from(p.start)];
  let bLevel: Float64Array[] = [Float64Array.from(p.end)];
  for (let len = 1; len <= m; len++) {
    const fNext: Float64Array[] = [];
    const bNext: Float64Array[] = [];
    for (const f of fLevel) {
      for (let x = 0; x < V; x++) {
        const v = new Float64Array(D);
        for (let i = 0; i < D; i++) for (let j = 0; j < D; j++) v[j] += f[i] * p.operators[(x * D + i) * D + j];
        fNext.push(v);
      }
    }
    for (const b of bLevel) {
      for (let x = 0; x < V; x++) {
        const v = new Float64Array(D);
        for (let i = 0; i < D; i++) for (let j = 0; j < D; j++) v[i] += p.operators[(x * D + i) * D + j] * b[j];
        bNext.push(v);
      }
    }
    forward.push(...fNext);
    backward.push(...bNext);
    fLevel = fNext;
    bLevel = bNext;
  }
  const H = new Matrix(forward.length, backward.length);
  forward.forEach((f, a) => backward.forEach((b, c) => {
    let s = 0;
    for (let i = 0; i < D; i++) s += f[i] * b[i];
    H.set(a, c, s);
  }));
  const sv = new SingularValueDecomposition(H, { computeLeftSingularVectors: false, computeRightSingularVectors: false, autoTranspose: true }).diagonal;
  return sv.filter((s) => s > 1e-9 * Math.max(1e-300, sv[0])).length;
}

/**
 * The centred spectrum (RMS per prefix) of a process's exact predictions of
 * the next k tokens after up to 1000 prefixes of the given sequences: the
 * quantity the state count reads from the model, without the model's error.
 */
export function predictionSpectrum(p: LinearPresentation, tokens: Int32Array, length: number, k: number, seed: number): Float64Array {
  const count = tokens.length / length;
  const V = p.nSymbols;
  const D = p.dim;
  const rng = new Rng(seed, "true-spectrum");
  const M = Math.min(1000, count * length);
  const order = rng.permutation(count * length).subarray(0, M);
  const rows = new Float64Array(M * V ** k);
  order.forEach((c, m) => {
    const n = Math.floor(c / length);
    const t = c % length;
    let s = Float64Array.from(p.start);
    for (let u = 0; u <= t; u++) {
      const x = tokens[n * length + u];
      const next = new Float64Array(D);
      for (let i = 0; i < D; i++) for (let j = 0; j < D; j++) next[j] += s[i] * p.operators[(x * D + i) * D + j];
      let z = 0;
      for (let i = 0; i < D; i++) z += next[i] * p.end[i];
      s = next.map((v) => v / z);
    }
    rows.set(wordProbabilities({ ...p, start: s }, k), m * V ** k);
  });
  return centredSpectrum({ rows: M, cols: V ** k, data: rows });
}

/** Mean log-loss and mean KL(true || candidate) from predictive distributions [rows, V]. */
function lossAndKl(tokens: Int32Array, truth: Float64Array, candidate: Float64Array, V: number): { loss: number; kl: number } {
  let loss = 0;
  let kl = 0;
  for (let r = 0; r < tokens.length; r++) {
    loss -= Math.log(Math.max(candidate[r * V + tokens[r]], 1e-300));
    for (let x = 0; x < V; x++) {
      const p = truth[r * V + x];
      if (p > 0) kl += p * Math.log(p / Math.max(candidate[r * V + x], 1e-300));
    }
  }
  return { loss: loss / tokens.length, kl: kl / tokens.length };
}

/** Permutation of candidate states matching the true ones by beliefs, and the errors after it. */
export function matchStates(truth: Hmm, candidate: Hmm, tokens: Int32Array, length: number): { perm: number[]; beliefRmse: number; transitionError: { maxAbs: number; rms: number } } | null {
  const S = truth.nStates;
  if (candidate.nStates !== S || truth.generalized) return null;
  const V = truth.nSymbols;
  const tb = filterBeliefs(truth, tokens, length).beliefs; // [rows, S]
  const cb = hmmBeliefs(candidate.transitions, S, V, tokens, length).data;
  const rows = tokens.length;
  // cost[i][k] = mean over rows of (eta_true_i - eta_cand_k)^2
  const cost = new Float64Array(S * S);
  for (let r = 0; r < rows; r++) for (let i = 0; i < S; i++) for (let k = 0; k < S; k++) cost[i * S + k] += (tb[r * S + i] - cb[r * S + k]) ** 2 / rows;
  const { perm, cost: total } = hungarian(cost, S);
  let maxAbs = 0;
  let sq = 0;
  for (let x = 0; x < V; x++) {
    for (let i = 0; i < S; i++) {
      for (let j = 0; j < S; j++) {
        const d = Math.abs(truth.transitions[(x * S + i) * S + j] - candidate.transitions[(x * S + perm[i]) * S + perm[j]]);
        maxAbs = Math.max(maxAbs, d);
        sq += d * d;
      }
    }
  }
  return { perm: Array.from(perm), beliefRmse: Math.sqrt(total), transitionError: { maxAbs, rms: Math.sqrt(sq / (V * S * S)) } };
}

/** Score a recovery (and the model, and the baselines) against a known process. */
export async function evaluateRecovery(model: SequenceModel, recovered: RecoveredHmm, truth: Hmm, options: EvaluateRecoveryOptions = {}): Promise<RecoveryEvaluation> {
  const fn = "evaluateRecovery";
  const V = truth.nSymbols;
  const maxLength = checkInteger(fn, "maxLength", options.maxLength ?? 6, 1, 12);
  const nHeld = checkInteger(fn, "heldOutSequences", options.heldOutSequences ?? 2000, 1);
  const seed = options.seed ?? 0;
  const length = model.nCtx + 1;
  const notes: string[] = [];
  if (recovered.hmm.nSymbols !== V) {
    throw new ArgumentError({ fn, argument: "truth", received: `a process with ${V} symbols`, expected: `${recovered.hmm.nSymbols} symbols, as the model` });
  }
  const truthP = presentationOfHmm(truth);
  const trueWords = Array.from({ length: maxLength }, (_, k) => wordProbabilities(truthP, k + 1));
  const held = sampleSequences(truth, { count: nHeld, length, seed: seed + 7919 });
  const truePred = presentationPredictions(truthP, held.tokens, length, 0).probs;
  const optimum = lossAndKl(held.tokens, truePred, truePred, V).loss;
  const candidates: CandidateScore[] = [];

  const scorePresentation = (name: string, p: LinearPresentation, states: number, hmm: Hmm | null, seconds?: number, note?: string): CandidateScore => {
    const tv = trueWords.map((w, k) => totalVariation(w, wordProbabilities(p, k + 1)));
    const pred = presentationPredictions(p, held.tokens, length);
    const { loss, kl } = lossAndKl(held.tokens, truePred, pred.probs, V);
    const match = hmm ? matchStates(truth, hmm, held.tokens, length) : null;
    return {
      name,
      states,
      tv,
      loss,
      kl,
      relativeLoss: loss / optimum - 1,
      ...(match ? { transitionError: match.transitionError, beliefRmse: match.beliefRmse, permutation: match.perm } : {}),
      ...(pred.clipped ? { clippedPredictions: pred.clipped } : {}),
      ...(seconds !== undefined ? { seconds } : {}),
      ...(note ? { note } : {}),
    };
  };

  candidates.push(scorePresentation("recovered", presentationOfHmm(recovered.hmm), recovered.hmm.nStates, recovered.hmm));
  const S = recovered.hmm.nStates;
  const startStates = Math.round(Math.sqrt(recovered.closedForm.transitions.length / V));
  if (startStates === S) {
    const startAsHmm: Hmm = { ...recovered.hmm, nStates: S, transitions: recovered.closedForm.transitions };
    candidates.push(scorePresentation("closed-form start", presentationOfHmm(startAsHmm), S, startAsHmm));
  }

  // The other presentations the recovery offered (generalized HMM from the operators, mixture of classes).
  const generalized = recovered.alternatives.generalized?.hmm;
  if (generalized) candidates.push(scorePresentation("generalized (operators)", presentationOfHmm(generalized), generalized.nStates, null));
  const mixtureHmm = recovered.alternatives.mixture?.hmm;
  if (mixtureHmm) candidates.push(scorePresentation("mixture of classes", presentationOfHmm(mixtureHmm), mixtureHmm.nStates, null));

  // The model itself.
  const modelLen = Math.min(maxLength, model.nCtx + 1);
  const modelWords = await modelWordDistributions(model, recovered.firstToken.probs, modelLen);
  const modelPred = await modelPredictions(model, recovered.firstToken.probs, held.tokens, length);
  const ml = lossAndKl(held.tokens, truePred, modelPred, V);
  candidates.push({ name: "model", states: NaN, tv: modelWords.map((w, k) => totalVariation(trueWords[k], w)), loss: ml.loss, kl: ml.kl, relativeLoss: ml.loss / optimum - 1 });
  if (modelLen < maxLength) notes.push(`The model's word distribution stops at length ${modelLen} (nCtx + 1).`);

  // Baselines from tokens alone.
  const baselineTokens = options.baselineTokens ?? recovered.samples.count * recovered.samples.length;
  if (options.baselines ?? true) {
    const count = Math.max(1, Math.ceil(baselineTokens / length));
    const train = sampleSequences(truth, { count, length, seed: seed + 104729 });
    let t0 = Date.now();
    const bw = baumWelch(train.tokens, length, { nStates: S, nSymbols: V, restarts: options.restarts ?? 5, seed });
    candidates.push(scorePresentation("Baum-Welch", presentationOfHmm(bw.hmm), S, bw.hmm, (Date.now() - t0) / 1000, `${options.restarts ?? 5} restarts, ${count * length} true tokens`));
    if (S !== truth.nStates && !truth.generalized) {
      // The recovery's count differs from the truth's: Baum-Welch with the true count too, so that a wrong count
      // is not excused by a baseline that shares it.
      t0 = Date.now();
      const bwTrue = baumWelch(train.tokens, length, { nStates: truth.nStates, nSymbols: V, restarts: options.restarts ?? 5, seed });
      candidates.push(scorePresentation("Baum-Welch (true count)", presentationOfHmm(bwTrue.hmm), truth.nStates, bwTrue.hmm, (Date.now() - t0) / 1000, `${truth.nStates} states, ${options.restarts ?? 5} restarts, ${count * length} true tokens`));
    }
    t0 = Date.now();
    const sp = spectralLearn(train.tokens, length, { rank: S, nSymbols: V });
    candidates.push(scorePresentation("spectral", sp.presentation, S, null, (Date.now() - t0) / 1000, `basis words up to length ${sp.basisLength}, ${count * length} true tokens`));
  }

  let vertexReach = NaN;
  if (!truth.generalized) {
    const tb = filterBeliefs(truth, held.tokens, length).beliefs; // [rows, S]
    const St = truth.nStates;
    const best = new Float64Array(St);
    for (let r = 0; r < held.tokens.length; r++) for (let i = 0; i < St; i++) best[i] = Math.max(best[i], tb[r * St + i]);
    vertexReach = Math.min(...best);
  }
  const rankWordLength = Math.max(1, Math.min(4, Math.floor(Math.log(256) / Math.log(Math.max(2, V)))));
  const trueRank = hankelRank(truthP, rankWordLength);
  const trueSpectrum = Array.from(predictionSpectrum(truthP, held.tokens, length, recovered.futureLength, seed));
  const floor = recovered.stateCount.spectrum[recovered.stateCount.states - 1] ?? 0;
  const hidden = trueSpectrum.slice(0, Math.max(0, trueRank - 1)).filter((v) => v > 1e-12 && v < Math.max(floor, recovered.stateCount.floor));
  if (hidden.length > 0 && S < trueRank) {
    notes.push(`The true process's prediction spectrum (exact, same units) is [${trueSpectrum.slice(0, trueRank).map((v) => v.toExponential(1)).join(", ")}]: ${hidden.length} of its directions move predictions by less than the model's error floor (${Math.max(floor, recovered.stateCount.floor).toExponential(1)}), so states that differ only along them cannot be told apart from this model; the recovery is the minimal presentation at the model's resolution.`);
  }
  const predictionRank = 1 + trueSpectrum.filter((v) => v > 1e-7 * Math.max(1e-300, trueSpectrum[0] ?? 0)).length;
  if (predictionRank < trueRank) {
    notes.push(`The true process has rank ${trueRank}, but its exact predictions of the next ${recovered.futureLength} tokens span only ${predictionRank - 1} dimensions (${predictionRank} states): states that differ only in what comes later cannot be counted from ${recovered.futureLength}-token predictions. Try --future-length ${recovered.futureLength + 1} (or more).`);
  }
  if (trueRank < truth.nStates) {
    notes.push(`The true process has ${truth.nStates} states but rank ${trueRank} (Hankel matrix of words up to length ${rankWordLength}): its minimal linear presentation has ${trueRank} dimensions, so a minimal recovery has ${trueRank} states (or needs a generalized HMM), not ${truth.nStates}.`);
  }
  if (S !== truth.nStates) notes.push(`States found ${S}, true ${truth.nStates}: no state matching, so no T error or belief RMSE.`);
  return {
    truthName: truth.name,
    trueStates: truth.nStates,
    trueRank,
    rankWordLength,
    trueSpectrum,
    heldOutSequences: nHeld,
    heldOutLength: length,
    vertexReach,
    optimumLoss: optimum,
    maxLength,
    baselineTokens: options.baselines === false ? 0 : Math.max(1, Math.ceil(baselineTokens / length)) * length,
    candidates,
    notes,
  };
}
