/**
 * recoverHmm: a hidden Markov model that explains a trained sequence model,
 * from the model alone (its samples, its next-token distributions and its
 * activations; never the process it was trained on).
 *
 *   1. data        sample sequences from the model (modelData.ts)
 *   2. states      spectrum of the model's next-k-token predictions (stateCount.ts)
 *   3. start       belief coordinates from activations, operators, minimum-volume simplex (closedForm.ts)
 *   4. refine      match the model's next-token distributions along its samples (refine.ts)
 *   5. map         the affine map from activations to the recovered beliefs (least squares)
 *
 * Bounds: activations are kept for at most `maxActivationValues` values
 * (default 2^23, 64 MB as float64; fewer sequences get activations when the
 * site is wide); the refinement costs O(sequences * nCtx * S^2) per iteration.
 */
import { EigenvalueDecomposition, Matrix } from "ml-matrix";
import type { SequenceModel } from "../model/index.js";
import { fromFlat, type Hmm } from "../process/index.js";
import { fitLinear } from "../probe/index.js";
import { ArgumentError, checkInteger, checkNumber } from "../util/errors.js";
import type { Rows } from "../util/rows.js";
import { Rng } from "../util/rng.js";
import { warn } from "../util/warn.js";
import { applyAffine, beliefSubspace, closedFormHmm, fitOperators, rowsUpTo, type AffineMap, type OperatorData } from "./closedForm.js";
import { activationsAt, checkSite, firstTokenDistribution, futurePredictions, futureWordLength, sampleFromModel, type FirstTokenDistribution, type ModelSamples } from "./modelData.js";
import { refineHmm, refineObjective, stationaryAndFundamental } from "./refine.js";
import { presentationOfHmm, presentationPredictions, type LinearPresentation } from "./linearPresentation.js";
import { eigenvaluesNearOne, generalizedFromOperators, splitIntoComponents } from "./presentations.js";
import { centredSpectrum, chooseStateCount, type StateCount } from "./stateCount.js";
import { baumWelch } from "./baselines/baumWelch.js";

export interface RecoverOptions {
  /** Hooks whose activations (concatenated) are read; default all blocks concatenated (the model's last layer site). */
  readonly site?: readonly string[];
  /** "auto" (default): from the spectrum; or a number of states. */
  readonly states?: number | "auto";
  /** Largest state count "auto" may choose. Default 8. */
  readonly maxStates?: number;
  /**
   * With "auto": check the spectrum's count by fitting HMMs of nearby sizes to the model (see countByFit).
   * Default true.
   */
  readonly validateCount?: boolean;
  /** Tokens sampled from the model (sequences of nCtx tokens). Default 20,000. */
  readonly tokens?: number;
  /** Prefixes whose next-k-token predictions are computed. Default 1000. */
  readonly prefixes?: number;
  /**
   * Length k of the future words whose predictions count the states. Default: the longest with at most 27
   * words and k <= nCtx / 2 (futureWordLength). Longer words see states that differ only further ahead, at
   * V^(k-1) forward passes per prefix.
   */
  readonly futureLength?: number;
  readonly seed?: number;
  /** "gradient" (default): Adam on the KL to the model's predictions; "em": Baum-Welch on the model's samples from the closed-form start. */
  readonly refinement?: "gradient" | "em";
  readonly iterations?: number;
  readonly learningRate?: number;
  /** Weight of the belief-agreement term in the refinement. Default 0.1. */
  readonly beliefWeight?: number;
  /** Fit this many extra states, then prune states with stationary probability below `pruneBelow`. Default 0. */
  readonly overallocate?: number;
  /** Stationary probability below which an over-allocated state is pruned. Default 0.01. */
  readonly pruneBelow?: number;
  /** Bound on activation values held (rows * width). Default 2^23. */
  readonly maxActivationValues?: number;
  /** Process name written into the recovered HMM. Default "recovered". */
  readonly name?: string;
  /** Names of the model's tokens, written into the recovered HMM (the vocabulary, not the generator). Default "0", "1", ... */
  readonly symbolLabels?: readonly string[];
  readonly onProgress?: (stage: RecoverStage, done: number, total: number) => void;
}

export type RecoverStage = "sample" | "future" | "activations" | "closed-form" | "refine" | "map";

export interface ActivationMap {
  /** Hooks read, concatenated. */
  readonly site: readonly string[];
  /** [d_site, S]: beliefs = activations W + b. */
  readonly weights: Float64Array;
  /** [S] */
  readonly bias: Float64Array;
  /** R² and RMSE of the map on sequences held out from its fit (every other sequence). */
  readonly r2: number;
  readonly rmse: number;
}

export interface RecoveredHmm {
  /** The recovered process: a valid stochastic HMM (stationary start). */
  readonly hmm: Hmm;
  readonly stateCount: StateCount;
  /**
   * The count checked by fitting: KL(model || HMM) per prediction for each size tried (a brief fit on part of
   * the samples), and the count used. Null when the count was forced or not checked.
   */
  readonly countByFit: CountByFit | null;
  /** Singular values (RMS per row) of the centred activations at the site. */
  readonly activationSpectrum: Float64Array;
  /** Singular values of the activations' linear prediction of the future (reduced-rank regression), and its R². */
  readonly fittedSpectrum: Float64Array;
  readonly futureR2: number;
  /** Length k of the future words in the prediction matrix. */
  readonly futureLength: number;
  readonly firstToken: FirstTokenDistribution;
  readonly samples: ModelSamples;
  /** Sequences (the first ones of `samples`) that have activations. */
  readonly activationSequences: number;
  /** [activationSequences * nCtx, S] recovered beliefs after each token. */
  readonly beliefs: Rows;
  /** [activationSequences * nCtx, S] the activation map's image of the activations. */
  readonly mappedActivations: Rows;
  readonly map: ActivationMap;
  /** The closed-form start (a valid HMM), its KL to the model, and the KL of its unconstrained operators (a generalized HMM of the same dimension). */
  readonly closedForm: { readonly transitions: Float64Array; readonly clippedMass: number; readonly kl: number; readonly operatorKl: number };
  readonly refinement: { readonly method: "gradient" | "em"; readonly history: number[]; readonly kl: number; readonly iterations: number; readonly beliefResidual: number };
  /**
   * Presentations offered beside the HMM when it is not the whole answer: the closed form's operators as a
   * generalized HMM (when they fit the model clearly better than any HMM found), and the non-ergodic mixture
   * of the HMM's nearly closed classes (when its chain nearly falls apart). KL as `refinement.kl`.
   */
  readonly alternatives: {
    readonly generalized?: { readonly hmm: Hmm | null; readonly kl: number; readonly problem: string | null };
    readonly mixture?: { readonly hmm: Hmm; readonly kl: number; readonly classes: number[][]; readonly weights: number[]; readonly leaks: number[] };
  };
  /** States removed by pruning (over-allocation), with their stationary probabilities. */
  readonly pruned: { readonly state: number; readonly probability: number }[];
  /** Plain statements for the report: how p(x1) was derived, rank, anything the user must know. */
  readonly notes: string[];
  readonly seconds: Record<RecoverStage, number>;
}

export interface CountByFit {
  /** Sizes tried, ascending, with the KL of the brief fit at each. */
  readonly candidates: { readonly states: number; readonly kl: number }[];
  /** The count used: the smallest size whose KL is at most best / (1 - improvement) + slack. */
  readonly states: number;
  /** The spectrum rule's count; sizes from two below it to two above were tried. */
  readonly spectrumStates: number;
  readonly improvement: number;
  readonly slack: number;
  /**
   * Sizes whose brief fit started best from the next larger size's fit with one state removed (else from the
   * closed form). When the count is one of them, the refinement starts from that brief fit.
   */
  readonly reducedFromLarger: readonly number[];
}

/** More states must lower KL(model || HMM) by this fraction of it to count (countByFit)... */
export const COUNT_IMPROVEMENT = 0.3;
/** ... and by this much (nats per prediction). */
export const COUNT_SLACK = 1e-5;

/** The first `n` sequences of the samples. */
function firstSequences(data: OperatorData, n: number): OperatorData {
  const c = Math.min(n, data.count);
  const L = data.length;
  const V = data.nSymbols;
  return { ...data, count: c, tokens: data.tokens.subarray(0, c * L), nextProbs: data.nextProbs.subarray(0, c * L * V) };
}

/** Beliefs after each token of sequences [count, length] from the stationary start: [count * length, S]. */
export function hmmBeliefs(T: Float64Array, S: number, V: number, tokens: Int32Array, length: number): Rows {
  const M = new Float64Array(S * S);
  for (let x = 0; x < V; x++) for (let k = 0; k < S * S; k++) M[k] += T[x * S * S + k];
  const { pi } = stationaryAndFundamental(M, S);
  const count = tokens.length / length;
  const out = new Float64Array(count * length * S);
  const b = new Float64Array(S);
  for (let n = 0; n < count; n++) {
    b.set(pi);
    for (let t = 0; t < length; t++) {
      const x = tokens[n * length + t];
      let s = 0;
      const o = (n * length + t) * S;
      for (let j = 0; j < S; j++) {
        let u = 0;
        for (let i = 0; i < S; i++) u += b[i] * T[(x * S + i) * S + j];
        out[o + j] = u;
        s += u;
      }
      for (let j = 0; j < S; j++) {
        out[o + j] = s > 0 ? out[o + j] / s : 1 / S;
        b[j] = out[o + j];
      }
    }
  }
  return { rows: count * length, cols: S, data: out };
}

function now(): number {
  return typeof performance !== "undefined" ? performance.now() : Date.now();
}

/** Recover an HMM from a trained model. See the file header. */
export async function recoverHmm(model: SequenceModel, options: RecoverOptions = {}): Promise<RecoveredHmm> {
  const fn = "recoverHmm";
  const V = model.dVocab;
  const L = model.nCtx;
  const seed = options.seed ?? 0;
  const site = options.site ?? model.layerSites().at(-1)?.hooks;
  if (!site) throw new ArgumentError({ fn, argument: "site", received: "nothing (the model has no layer sites)", expected: "hooks to read activations from" });
  checkSite(fn, model, site);
  const maxStates = checkInteger(fn, "maxStates", options.maxStates ?? 8, 1, 64);
  const forced = options.states === undefined || options.states === "auto" ? null : checkInteger(fn, "states", options.states, 1, 64);
  const tokens = checkInteger(fn, "tokens", options.tokens ?? 20_000, L);
  const prefixes = checkInteger(fn, "prefixes", options.prefixes ?? 1000, 2);
  const overallocate = checkInteger(fn, "overallocate", options.overallocate ?? 0, 0, 16);
  const pruneBelow = checkNumber(fn, "pruneBelow", options.pruneBelow ?? 0.01, 0, 1);
  const beliefWeight = checkNumber(fn, "beliefWeight", options.beliefWeight ?? 0.1, 0);
  const method = options.refinement ?? "gradient";
  if (method !== "gradient" && method !== "em") throw new ArgumentError({ fn, argument: "refinement", received: JSON.stringify(method), expected: '"gradient" or "em"' });
  const maxValues = checkInteger(fn, "maxActivationValues", options.maxActivationValues ?? 1 << 23, 1);
  // Length of the future words the state count reads (checked here, before any work).
  const k = options.futureLength === undefined ? futureWordLength(V, L) : checkInteger(fn, "futureLength", options.futureLength, 1, Math.max(1, L - 1));
  if (V ** k > 4096) throw new ArgumentError({ fn, argument: "futureLength", received: `${k} (${V}^${k} = ${V ** k} words)`, expected: "at most 4096 future words" });
  const progress = options.onProgress ?? (() => {});
  const seconds = { sample: 0, future: 0, activations: 0, "closed-form": 0, refine: 0, map: 0 } as Record<RecoverStage, number>;
  const notes: string[] = [];
  let clock = now();
  const lap = (stage: RecoverStage) => {
    const t = now();
    seconds[stage] += (t - clock) / 1000;
    clock = t;
  };

  // 1. Data from the model.
  const count = Math.ceil(tokens / L);
  const firstToken = await firstTokenDistribution(model);
  notes.push(
    `The model has no BOS token, so it does not give the first token's distribution; it was derived under stationarity as the fixed point p(x1) = sum_x0 p(x0) p_model(x1 | x0) (residual ${firstToken.residual.toExponential(1)}): [${Array.from(firstToken.probs, (v) => v.toFixed(4)).join(", ")}].`,
  );
  const samples = await sampleFromModel(model, firstToken.probs, { count, seed, onProgress: (d, t) => progress("sample", d, t) });
  lap("sample");

  // Activations for as many sequences as the memory bound allows.
  const { activations: acts, sequences: activationSequences } = await activationsAt(model, samples.tokens, L, site, maxValues);
  if (activationSequences < count) notes.push(`Activations were kept for ${activationSequences} of ${count} sampled sequences (memory bound ${maxValues} values).`);
  progress("activations", 1, 1);
  lap("activations");

  // 2. Future predictions after prefixes of the sequences that have activations.
  const withActivations: ModelSamples = { ...samples, count: activationSequences, tokens: samples.tokens.subarray(0, activationSequences * L), nextProbs: samples.nextProbs.subarray(0, activationSequences * L * V) };
  const future = await futurePredictions(model, withActivations, { prefixes, k, seed });
  const F: Rows = { rows: future.rows.length, cols: V ** k, data: future.probs };
  progress("future", 1, 1);
  lap("future");
  const spectrum = centredSpectrum(F);
  const stateCount = chooseStateCount(spectrum, { maxStates });
  const activationSpectrum = centredSpectrum(subsampleRows(acts, 4000, seed));
  const Fa: Rows = { rows: F.rows, cols: acts.cols, data: new Float64Array(F.rows * acts.cols) };
  future.rows.forEach((row, m) => Fa.data.set(acts.data.subarray(row * acts.cols, (row + 1) * acts.cols), m * acts.cols));
  const opData: OperatorData = withActivations;
  // The map to z is fitted on prefixes at positions <= nCtx - k (those with k-token futures); used there only.
  const lastPosition = L - k;
  /** The closed-form start with `states` states: belief coordinates, operators, minimum-volume simplex (each size computed once). */
  const closedForms = new Map<number, { subspace: ReturnType<typeof beliefSubspace>; z: Rows; B: Float64Array; closed: ReturnType<typeof closedFormHmm> }>();
  const closedFormAt = (states: number) => {
    let form = closedForms.get(states);
    if (!form) {
      const subspace = beliefSubspace(Fa, F, Math.max(0, states - 1));
      const z = applyAffine(subspace.map, acts); // [activationSequences * L, states - 1]
      const B = fitOperators(z, opData, lastPosition);
      form = { subspace, z, B, closed: closedFormHmm(rowsUpTo(z, L, lastPosition), B, V, seed) };
      closedForms.set(states, form);
    }
    return form;
  };

  // The count, checked by fitting: the spectrum's floor holds the model's own error, and a direction in it can be
  // a weak state or a systematic error of the model (and a weak state can hide under it). Brief fits (600 Adam
  // steps on 500 sampled sequences) at sizes from two below the spectrum's count to two above; the count is the
  // smallest size whose KL(model || HMM) is within a factor 1 / (1 - 0.3) of the best size's, plus 1e-5 nats
  // (measured on trained models: a real state lowers the KL by 45-99%, an extra one by under 20%; an exact
  // model's KL is ~1e-8 at its true count).
  let countByFit: CountByFit | null = null;
  // The brief fit at each size, kept to start the refinement when it beat the closed form's.
  const briefFits = new Map<number, { kl: number; transitions: Float64Array; fromLarger: boolean }>();
  if (forced === null && overallocate === 0 && (options.validateCount ?? true) && method === "gradient") {
    const lo = Math.max(1, stateCount.states - 2);
    const hi = Math.min(maxStates, stateCount.states + 2);
    const sub = firstSequences(samples, 500);
    // From the largest size down: each size starts from the closed form and, as a second start, from the
    // next larger size's fit with the one state removed whose removal costs least; the better fit counts.
    // A closed-form start can end in a poor local optimum (rrxor at 5 states: KL 2.9e-2, where 6 states
    // reach 5.2e-4), and a count that rests on it would be too high.
    for (let c = hi; c >= lo; c--) {
      let fit = { ...refineHmm(closedFormAt(c).closed.transitions, c, sub, { iterations: 600, learningRate: options.learningRate }), fromLarger: false };
      const larger = briefFits.get(c + 1);
      if (larger) {
        let reduced: Float64Array | null = null;
        let reducedKl = Infinity;
        for (let drop = 0; drop <= c; drop++) {
          const T = keepStates(larger.transitions, c + 1, V, [...Array(c + 1).keys()].filter((i) => i !== drop));
          const kl = refineObjective(T, c, sub, 0, null).kl;
          if (kl < reducedKl) [reduced, reducedKl] = [T, kl];
        }
        const fromLarger = refineHmm(reduced!, c, sub, { iterations: 600, learningRate: options.learningRate });
        if (fromLarger.kl < fit.kl) fit = { ...fromLarger, fromLarger: true };
      }
      briefFits.set(c, { kl: fit.kl, transitions: fit.transitions, fromLarger: fit.fromLarger });
      progress("closed-form", hi - c + 1, hi - lo + 1);
    }
    const candidates = [...briefFits.entries()].map(([states, f]) => ({ states, kl: f.kl })).sort((a, b) => a.states - b.states);
    const best = Math.min(...candidates.map((c) => c.kl));
    const chosen = candidates.find((c) => c.kl <= best / (1 - COUNT_IMPROVEMENT) + COUNT_SLACK)!.states;
    const reducedFromLarger = candidates.filter((c) => briefFits.get(c.states)!.fromLarger).map((c) => c.states);
    countByFit = { candidates, states: chosen, spectrumStates: stateCount.states, improvement: COUNT_IMPROVEMENT, slack: COUNT_SLACK, reducedFromLarger };
    if (chosen !== stateCount.states) {
      notes.push(
        `The spectrum rule gives ${stateCount.states} states; fitted briefly to the model, HMMs of ${candidates.map((c) => `${c.states} states reach KL ${c.kl.toExponential(2)}`).join(", ")} nats per prediction, and ${chosen} is the smallest size within ${Math.round(100 / (1 - COUNT_IMPROVEMENT)) - 100}% (+${COUNT_SLACK}) of the best: ${chosen} states are used.`,
      );
    }
  }
  const counted = countByFit?.states ?? stateCount.states;
  lap("closed-form");

  let S = forced ?? counted;
  if (forced === null && stateCount.gapIndex === 0 && stateCount.states > 1) {
    notes.push(
      `The prediction spectrum has no clear drop (no singular value ${stateCount.gap}x its successor above the floor ${stateCount.floor}): the ${stateCount.states} states are the count of directions above the floor${stateCount.states === maxStates ? `, capped at maxStates = ${maxStates}` : ""}, not a gap. Either the process's states differ by less than the model's error (the recovery is then the minimal presentation at that resolution) or the model's predictions are not those of a small HMM (it may not have learned the process; compare its loss with the optimum): read the recovered HMM as an approximation of the model, not as its generator.`,
    );
  }
  if (forced !== null && forced !== stateCount.states) notes.push(`The state count was forced to ${forced}; the spectrum rule gives ${stateCount.states}.`);
  if (V ** k < S) notes.push(`Words of length ${k} (${V ** k}) are fewer than the states (${S}); the prediction matrix cannot show more than ${V ** k - 1} dimensions.`);

  // 3. Closed-form start, at the state count the data's dimension supports; extra states (forced above
  // the spectrum's count, or over-allocated) are added by splitting states, which leaves the process unchanged.
  const SFit = S + overallocate;
  const SStart = Math.min(SFit, Math.max(counted, stateCount.states));
  const { subspace, z, B, closed } = closedFormAt(SStart);
  // The count was checked only when nothing is forced or over-allocated, so then SStart = SFit = the count.
  const fromBrief = countByFit?.reducedFromLarger.includes(SStart) ? briefFits.get(SStart)!.transitions : null;
  const start = SStart < SFit ? { ...closed, transitions: splitStates(closed.transitions, SStart, V, SFit - SStart, seed) } : fromBrief ? { ...closed, transitions: fromBrief } : closed;
  if (SStart < SFit) notes.push(`The closed-form start has ${SStart} states (the dimension the model's predictions show); ${SFit - SStart} more were added by splitting states (the process is unchanged) for the refinement to use.`);
  const fullData: OperatorData = samples;
  const startKl = refineObjective(start.transitions, SFit, fullData, 0, null).kl;
  // The operators themselves are a linear (observable-operator) model of the same dimension, with no
  // nonnegativity: start = the empty prefix's coordinates, end = the homogeneous coordinate.
  // Their dimension is the spectrum's (the linear dimension of the model's predictions), whatever the HMM's count.
  const operators = SStart === stateCount.states ? { B, z } : closedFormAt(stateCount.states);
  const operatorDim = stateCount.states;
  const operatorKl = operatorModelKl(operators.B, operatorDim, V, operators.z, L, lastPosition, fullData);
  progress("closed-form", 1, 1);
  lap("closed-form");
  if (start.clippedMass > 0.05 * V * SFit) notes.push(`The closed-form operators needed ${start.clippedMass.toFixed(3)} of negative mass clipped: the activations' image is not a simplex the operators keep; the refinement had to do the work.`);

  // 4. Refinement.
  const refineWith = (T0: Float64Array, nStates: number) => {
    if (method === "em") {
      const bw = baumWelch(samples.tokens, L, { nStates, nSymbols: V, restarts: 1, maxIterations: options.iterations ?? 300, seed, initialHmm: fromFlat(T0, V, nStates, { tolerance: 1e-6 }) });
      const kl = refineObjective(bw.hmm.transitions, nStates, fullData, 0, null).kl;
      return { transitions: Float64Array.from(bw.hmm.transitions), history: [], kl, iterations: bw.iterations, beliefResidual: NaN };
    }
    const coords = beliefWeight > 0 && nStates === SStart ? z : undefined;
    const data = coords ? opData : fullData;
    return refineHmm(T0, nStates, data, {
      iterations: options.iterations,
      learningRate: options.learningRate,
      beliefWeight: coords ? beliefWeight : 0,
      coordinates: coords,
      coordinatesLastPosition: lastPosition,
      onProgress: (i, v) => progress("refine", i, options.iterations ?? 1500),
    });
  };
  let refined = refineWith(start.transitions, SFit);
  const pruned: { state: number; probability: number }[] = [];
  if (overallocate > 0) {
    const kept = pruneStates(refined.transitions, SFit, V, pruneBelow, pruned);
    S = kept.states;
    refined = refineWith(kept.transitions, S);
    notes.push(`Fitted ${SFit} states and pruned ${pruned.length} whose stationary probability was below ${pruneBelow}${pruned.length ? ` (${pruned.map((p) => `state ${p.state}: ${p.probability.toExponential(1)}`).join(", ")})` : ""}.`);
  }
  lap("refine");
  const T = refined.transitions;
  normalise(T, S, V);
  const hmm = fromFlat(T, V, S, { name: options.name ?? "recovered", tolerance: 1e-9, ...(options.symbolLabels ? { symbolLabels: options.symbolLabels } : {}) });
  // KL along the samples as the operators and the other presentations are scored (positions 0..nCtx-1).
  const hmmKl = presentationKl(presentationOfHmm(hmm), fullData);
  // A generalized HMM? The operators are the same dimension with no sign constraint; an HMM that fits clearly
  // worse than they do (beyond the model's own noise, which both fit alike) means no HMM of this size was found.
  const alternatives: { generalized?: { hmm: Hmm | null; kl: number; problem: string | null }; mixture?: { hmm: Hmm; kl: number; classes: number[][]; weights: number[]; leaks: number[] } } = {};
  if (hmmKl > 3 * operatorKl + 1e-5) {
    const g = generalizedFromOperators(operators.B, operatorDim, V, { name: `${options.name ?? "recovered"}-generalized`, symbolLabels: hmm.symbolLabels });
    const gKl = g.hmm ? presentationKl(presentationOfHmm(g.hmm), fullData) : NaN;
    alternatives.generalized = { hmm: g.hmm, kl: gKl, problem: g.problem };
    notes.push(
      `No ${S}-state HMM found matches the model's predictions as well as the closed form's unconstrained operators do (HMM: KL ${hmmKl.toExponential(2)}; operators, an observable operator model of dimension ${operatorDim}: KL ${operatorKl.toExponential(2)} nats per prediction). ` +
        `The process may be a generalized HMM (no ${S}-state HMM presentation, e.g. fanizza or post-quantum), or need more states: try --overallocate or --states. ` +
        (g.hmm ? `The operators are written as a generalized HMM (generalized.json; KL ${gKl.toExponential(2)}): that is the minimal presentation found.` : `The operators are not a valid generalized HMM themselves (${g.problem}), so none is written.`),
    );
  }

  const lambda2 = secondEigenvalue(T, S, V);
  if (lambda2 > 0.98) {
    const Mfit = new Float64Array(S * S);
    for (let x = 0; x < V; x++) for (let k = 0; k < S * S; k++) Mfit[k] += T[x * S * S + k];
    const classes = Math.max(2, eigenvaluesNearOne(Mfit, S, 0.98));
    const split = splitIntoComponents(hmm, classes, `${options.name ?? "recovered"}-mixture`);
    if (split) {
      const kl = presentationKl(presentationOfHmm(split.hmm), fullData);
      alternatives.mixture = { hmm: split.hmm, kl, classes: split.classes, weights: split.weights, leaks: split.leaks };
    }
    notes.push(
      `The recovered state chain nearly splits into parts that do not communicate (second eigenvalue of sum_x T[x]: ${lambda2.toFixed(4)}): the model's data may be a mixture of processes (a non-ergodic source), which a stationary ergodic HMM can only approximate (by switching between the parts rarely); the first token's distribution was derived assuming one stationary process. ` +
        (split && alternatives.mixture
          ? `Cut into ${split.classes.length} classes (${split.classes.map((c, k) => `{${c.join(", ")}} weight ${split.weights[k].toFixed(3)}, leak ${split.leaks[k].toExponential(1)} per step`).join("; ")}), it is a mixture that never switches (mixture.json, with its initial distribution; KL ${alternatives.mixture.kl.toExponential(2)} vs ${hmmKl.toExponential(2)} for the ergodic HMM). Within the model's context of ${L} tokens the two are nearly the same process; the mixture is the non-ergodic presentation.`
          : "No clean split into classes was found."),
    );
  }

  // 5. The affine map from activations to the recovered beliefs (fit on even sequences, scored on odd ones).
  const beliefs = hmmBeliefs(T, S, V, withActivations.tokens, L);
  const map = activationMap(acts, beliefs, L, site);
  const mapped = applyAffine({ inputs: acts.cols, outputs: S, mean: new Float64Array(acts.cols), weights: map.weights, bias: map.bias } satisfies AffineMap, acts);
  lap("map");
  if (stateCount.states === maxStates && forced === null) warn(`recoverHmm: the spectrum rule reached maxStates = ${maxStates}; the process may need more states`);
  return {
    hmm,
    stateCount,
    countByFit,
    activationSpectrum,
    fittedSpectrum: subspace.fittedSpectrum,
    futureR2: subspace.r2,
    futureLength: k,
    firstToken,
    samples,
    activationSequences,
    beliefs,
    mappedActivations: mapped,
    map,
    closedForm: { transitions: start.transitions, clippedMass: start.clippedMass, kl: startKl, operatorKl },
    alternatives,
    refinement: { method, history: refined.history, kl: refined.kl, iterations: refined.iterations, beliefResidual: refined.beliefResidual },
    pruned,
    notes,
    seconds,
  };
}

/**
 * KL(model || operator model) per prediction along the samples, for the
 * operators B_x in homogeneous coordinates: start = the empty prefix's
 * coordinates (mean of z over valid positions, 1), end = e_S (the homogeneous
 * coordinate: p(x | h) = (h B_x)_S / h_S). Predictions <= 0 are clipped.
 */
function operatorModelKl(B: Float64Array, S: number, V: number, z: Rows, L: number, lastPosition: number, data: OperatorData): number {
  const r = S - 1;
  const start = new Float64Array(S);
  const count = z.rows / L;
  const keep = Math.min(L, lastPosition + 1);
  for (let n = 0; n < count; n++) for (let t = 0; t < keep; t++) for (let j = 0; j < r; j++) start[j] += z.data[(n * L + t) * r + j] / (count * keep);
  start[r] = 1;
  const end = new Float64Array(S);
  end[r] = 1;
  return presentationKl({ nSymbols: V, dim: S, start, operators: B, end }, data);
}

/** Mean KL(model || presentation) per prediction along the model's samples (predictions below 1e-6 clipped). */
export function presentationKl(p: LinearPresentation, data: OperatorData): number {
  const V = data.nSymbols;
  const { probs } = presentationPredictions(p, data.tokens, data.length);
  let kl = 0;
  for (let row = 0; row < data.count * data.length; row++) {
    const t = row % data.length;
    for (let x = 0; x < V; x++) {
      // prediction of token t vs the model's distribution for it (p(x1) at t = 0, else the model after t - 1)
      const q = t === 0 ? data.firstProbs[x] : data.nextProbs[(row - 1) * V + x];
      if (q > 0) kl += q * Math.log(q / probs[row * V + x]);
    }
  }
  return kl / (data.count * data.length);
}

/**
 * The largest real part among the eigenvalues of M = sum_x T[x] other than
 * the Perron root 1: near 1 when the chain nearly splits into parts that do
 * not communicate. (A periodic chain's other unit-modulus eigenvalues are
 * complex or -1, with real parts below 1, so periodicity does not count.)
 */
export function secondEigenvalue(T: Float64Array, S: number, V: number): number {
  if (S < 2) return 0;
  const M = new Matrix(S, S);
  for (let x = 0; x < V; x++) for (let i = 0; i < S; i++) for (let j = 0; j < S; j++) M.set(i, j, M.get(i, j) + T[(x * S + i) * S + j]);
  const e = new EigenvalueDecomposition(M);
  const all = e.realEigenvalues.map((re, k) => ({ re, dist: Math.hypot(re - 1, e.imaginaryEigenvalues[k]) }));
  const perron = all.reduce((best, v, k) => (v.dist < all[best].dist ? k : best), 0);
  return Math.max(...all.filter((_, k) => k !== perron).map((v) => v.re));
}

function subsampleRows(X: Rows, max: number, seed: number): Rows {
  if (X.rows <= max) return X;
  const step = X.rows / max;
  const data = new Float64Array(max * X.cols);
  for (let k = 0; k < max; k++) data.set(X.data.subarray(Math.floor(k * step) * X.cols, (Math.floor(k * step) + 1) * X.cols), k * X.cols);
  void seed;
  return { rows: max, cols: X.cols, data };
}

function normalise(T: Float64Array, S: number, V: number): void {
  for (let i = 0; i < S; i++) {
    let total = 0;
    for (let x = 0; x < V; x++) for (let j = 0; j < S; j++) total += T[(x * S + i) * S + j];
    // A row left with no mass (its state led only to removed states) becomes uniform.
    for (let x = 0; x < V; x++) for (let j = 0; j < S; j++) T[(x * S + i) * S + j] = total > 0 ? T[(x * S + i) * S + j] / total : 1 / (V * S);
  }
}

/**
 * Add `extra` states by splitting the most probable state, one at a time: the
 * copy has the same outgoing row, and each incoming edge's mass is divided
 * between the two (unevenly, seeded, so that the refinement can tell them
 * apart). The word distribution is unchanged (the two are lumpable).
 */
export function splitStates(T: Float64Array, S: number, V: number, extra: number, seed: number): Float64Array {
  const rng = new Rng(seed, "split-states");
  let cur = T;
  let n = S;
  for (let e = 0; e < extra; e++) {
    const M = new Float64Array(n * n);
    for (let x = 0; x < V; x++) for (let k = 0; k < n * n; k++) M[k] += cur[x * n * n + k];
    const { pi } = stationaryAndFundamental(M, n);
    let k = 0;
    for (let i = 1; i < n; i++) if (pi[i] > pi[k]) k = i;
    const m = n + 1;
    const next = new Float64Array(V * m * m);
    for (let x = 0; x < V; x++) for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) next[(x * m + i) * m + j] = cur[(x * n + i) * n + j];
    for (let x = 0; x < V; x++) for (let j = 0; j < n; j++) next[(x * m + n) * m + j] = cur[(x * n + k) * n + j];
    for (let x = 0; x < V; x++) {
      for (let i = 0; i < m; i++) {
        const share = 0.5 + 0.2 * (rng.uniform() - 0.5);
        const mass = next[(x * m + i) * m + k];
        next[(x * m + i) * m + k] = mass * share;
        next[(x * m + i) * m + n] = mass * (1 - share);
      }
    }
    cur = next;
    n = m;
  }
  return cur;
}

/** Remove states with stationary probability below `below`; mass into removed states is redistributed proportionally. */
export function pruneStates(T: Float64Array, S: number, V: number, below: number, pruned: { state: number; probability: number }[]): { transitions: Float64Array; states: number } {
  const M = new Float64Array(S * S);
  for (let x = 0; x < V; x++) for (let k = 0; k < S * S; k++) M[k] += T[x * S * S + k];
  const { pi } = stationaryAndFundamental(M, S);
  const keep: number[] = [];
  for (let i = 0; i < S; i++) {
    if (pi[i] < below) pruned.push({ state: i, probability: pi[i] });
    else keep.push(i);
  }
  if (keep.length === S || keep.length === 0) return { transitions: T, states: S };
  return { transitions: keepStates(T, S, V, keep), states: keep.length };
}

/** The HMM restricted to the states `keep` ([V, S, S] -> [V, K, K]), rows renormalised. */
export function keepStates(T: Float64Array, S: number, V: number, keep: readonly number[]): Float64Array {
  const K = keep.length;
  const out = new Float64Array(V * K * K);
  keep.forEach((i, a) => keep.forEach((j, b) => {
    for (let x = 0; x < V; x++) out[(x * K + a) * K + b] = T[(x * S + i) * S + j];
  }));
  normalise(out, K, V);
  return out;
}

/** Least-squares map from activations to beliefs, fitted on even sequences and scored on odd ones, then refitted on all. */
function activationMap(acts: Rows, beliefs: Rows, L: number, site: readonly string[]): ActivationMap {
  const count = acts.rows / L;
  const S = beliefs.cols;
  const pick = (parity: number): Int32Array => {
    const rows: number[] = [];
    for (let n = parity; n < count; n += 2) for (let t = 0; t < L; t++) rows.push(n * L + t);
    return Int32Array.from(rows);
  };
  const select = (X: Rows, rows: Int32Array): Rows => {
    const data = new Float64Array(rows.length * X.cols);
    rows.forEach((r, k) => data.set(X.data.subarray(r * X.cols, (r + 1) * X.cols), k * X.cols));
    return { rows: rows.length, cols: X.cols, data };
  };
  let r2 = NaN;
  let rmse = NaN;
  if (count >= 2) {
    const train = pick(0);
    const test = pick(1);
    const fit = fitLinear(select(acts, train), select(beliefs, train), { ridge: 1e-6 });
    const Xt = select(acts, test);
    const Yt = select(beliefs, test);
    let sse = 0;
    let sst = 0;
    const mean = new Float64Array(S);
    for (let r = 0; r < Yt.rows; r++) for (let j = 0; j < S; j++) mean[j] += Yt.data[r * S + j] / Yt.rows;
    for (let r = 0; r < Xt.rows; r++) {
      for (let j = 0; j < S; j++) {
        let p = fit.intercept[j];
        for (let c = 0; c < Xt.cols; c++) p += Xt.data[r * Xt.cols + c] * fit.weights[c * S + j];
        sse += (p - Yt.data[r * S + j]) ** 2;
        sst += (Yt.data[r * S + j] - mean[j]) ** 2;
      }
    }
    r2 = sst > 0 ? 1 - sse / sst : NaN;
    rmse = Math.sqrt(sse / Yt.rows);
  }
  const fit = fitLinear(acts, beliefs, { ridge: 1e-6 });
  return { site, weights: Float64Array.from(fit.weights), bias: Float64Array.from(fit.intercept), r2, rmse };
}
