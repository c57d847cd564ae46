/**
 * Baum-Welch (EM) for edge-emitting HMMs, T[x][i][j] = P(emit x, go to j | i),
 * from tokens alone: the baseline the recovery from a network is compared to.
 *
 * E-step with scaled forward-backward (Rabiner 1989, "A tutorial on hidden
 * Markov models", sec. V.A, written for labelled transitions):
 *   a_0 = pi,  c_t = a_t T[x_t] 1,  a_{t+1} = a_t T[x_t] / c_t
 *   b_L = 1,   b_t = T[x_t] b_{t+1} / c_t
 *   xi_t(i, j) = a_t(i) T[x_t](i, j) b_{t+1}(j) / c_t     (posterior of the edge i -x_t-> j)
 * M-step: T[x][i][j] = sum_t xi_t(i, j) [x_t = x] / sum_{t, x', j'} (same), pi = posterior of the first state.
 * log P(data) = sum_t ln c_t increases monotonically (Dempster, Laird & Rubin 1977).
 *
 * Cost: O(tokens * S^2) time and O(max length * S) memory per iteration.
 */
import { fromFlat, type Hmm } from "../../process/index.js";
import { ArgumentError, checkInteger, checkNumber } from "../../util/errors.js";
import { Rng } from "../../util/rng.js";

export interface BaumWelchOptions {
  readonly nStates: number;
  readonly nSymbols: number;
  /** Random restarts; the best final log-likelihood wins. Default 5. */
  readonly restarts?: number;
  /** EM iterations per restart. Default 300. */
  readonly maxIterations?: number;
  /** Stop when the log-likelihood per token improves by less than this. Default 1e-7. */
  readonly tolerance?: number;
  readonly seed?: number;
  /** Start from this HMM (the first restart) instead of a random one. */
  readonly initialHmm?: Hmm;
}

export interface BaumWelchResult {
  /** The fitted HMM (stationary start, as every process file). */
  readonly hmm: Hmm;
  /** The fitted distribution of the first state. */
  readonly initial: Float64Array;
  /** Log-likelihood per token (nats) of the training data under the fit (with its fitted initial). */
  readonly logLikelihoodPerToken: number;
  readonly iterations: number;
  /** Final log-likelihood per token of every restart. */
  readonly restartLogLikelihoods: number[];
}

/** One EM step in place: returns the log-likelihood of `tokens` under (T, pi) before the update. */
export function baumWelchStep(T: Float64Array, pi: Float64Array, S: number, V: number, tokens: Int32Array, length: number): number {
  const count = tokens.length / length;
  const counts = new Float64Array(V * S * S);
  const first = new Float64Array(S);
  const alpha = new Float64Array((length + 1) * S); // [length + 1, S]
  const scale = new Float64Array(length);
  const beta = new Float64Array(S);
  const nextBeta = new Float64Array(S);
  let logLik = 0;
  for (let n = 0; n < count; n++) {
    const seq = n * length;
    alpha.set(pi, 0);
    for (let t = 0; t < length; t++) {
      const x = tokens[seq + t];
      const a = t * S;
      const out = (t + 1) * S;
      let c = 0;
      for (let j = 0; j < S; j++) alpha[out + j] = 0;
      for (let i = 0; i < S; i++) {
        const ai = alpha[a + i];
        if (ai === 0) continue;
        const row = (x * S + i) * S;
        for (let j = 0; j < S; j++) alpha[out + j] += ai * T[row + j];
      }
      for (let j = 0; j < S; j++) c += alpha[out + j];
      if (!(c > 0)) {
        throw new ArgumentError({ fn: "baumWelch", argument: `tokens[${n}][${t}]`, received: `symbol ${x}, impossible under the current fit`, expected: "a fit that gives every token positive probability (start from a strictly positive HMM)" });
      }
      for (let j = 0; j < S; j++) alpha[out + j] /= c;
      scale[t] = c;
      logLik += Math.log(c);
    }
    beta.fill(1);
    for (let t = length - 1; t >= 0; t--) {
      const x = tokens[seq + t];
      const a = t * S;
      const c = scale[t];
      for (let i = 0; i < S; i++) {
        const ai = alpha[a + i];
        const row = (x * S + i) * S;
        let b = 0;
        for (let j = 0; j < S; j++) {
          const e = T[row + j] * beta[j];
          b += e;
          if (ai !== 0) counts[row + j] += (ai * e) / c;
        }
        nextBeta[i] = b / c;
      }
      beta.set(nextBeta);
    }
    for (let i = 0; i < S; i++) first[i] += alpha[i] * beta[i];
  }
  for (let i = 0; i < S; i++) {
    let total = 0;
    for (let x = 0; x < V; x++) for (let j = 0; j < S; j++) total += counts[(x * S + i) * S + j];
    for (let x = 0; x < V; x++) {
      for (let j = 0; j < S; j++) {
        const k = (x * S + i) * S + j;
        // A state no posterior visits keeps its row (any row is optimal for it).
        if (total > 0) T[k] = counts[k] / total;
      }
    }
  }
  let z = 0;
  for (let i = 0; i < S; i++) z += first[i];
  for (let i = 0; i < S; i++) pi[i] = first[i] / z;
  return logLik;
}

/** Fit an S-state edge-emitting HMM to sequences [count, length] by EM with restarts. */
export function baumWelch(tokens: Int32Array, length: number, options: BaumWelchOptions): BaumWelchResult {
  const fn = "baumWelch";
  const S = checkInteger(fn, "nStates", options.nStates, 1, 64);
  const V = checkInteger(fn, "nSymbols", options.nSymbols, 1, 1024);
  checkInteger(fn, "length", length, 1);
  if (tokens.length === 0 || tokens.length % length !== 0) {
    throw new ArgumentError({ fn, argument: "tokens", received: `${tokens.length} tokens`, expected: `a non-empty multiple of length ${length}` });
  }
  for (let k = 0; k < tokens.length; k++) {
    if (!(tokens[k] >= 0 && tokens[k] < V)) throw new ArgumentError({ fn, argument: `tokens[${k}]`, received: String(tokens[k]), expected: `a symbol in [0, ${V})` });
  }
  const restarts = checkInteger(fn, "restarts", options.restarts ?? 5, 1);
  const maxIterations = checkInteger(fn, "maxIterations", options.maxIterations ?? 300, 1);
  const tolerance = checkNumber(fn, "tolerance", options.tolerance ?? 1e-7, 0);
  const seed = options.seed ?? 0;
  const nTokens = tokens.length;
  let best: { T: Float64Array; pi: Float64Array; ll: number; iterations: number } | null = null;
  const all: number[] = [];
  for (let r = 0; r < restarts; r++) {
    const rng = new Rng(seed, "baum-welch", r);
    const T = new Float64Array(V * S * S);
    if (r === 0 && options.initialHmm) {
      // Mix in a little uniform mass so that transitions the start forbids can still be learned.
      const t0 = options.initialHmm.transitions;
      for (let k = 0; k < T.length; k++) T[k] = 0.98 * t0[k] + 0.02 / (V * S);
    } else {
      const row = new Float64Array(V * S);
      for (let i = 0; i < S; i++) {
        rng.dirichlet(1, V * S, row);
        for (let x = 0; x < V; x++) for (let j = 0; j < S; j++) T[(x * S + i) * S + j] = row[x * S + j];
      }
    }
    const pi = new Float64Array(S).fill(1 / S);
    let previous = -Infinity;
    let ll = -Infinity;
    let it = 0;
    for (; it < maxIterations; it++) {
      ll = baumWelchStep(T, pi, S, V, tokens, length) / nTokens;
      if (ll - previous < tolerance) break;
      previous = ll;
    }
    all.push(ll);
    if (!best || ll > best.ll) best = { T: Float64Array.from(T), pi: Float64Array.from(pi), ll, iterations: it + 1 };
  }
  const b = best!;
  normaliseRows(b.T, S, V);
  return {
    hmm: fromFlat(b.T, V, S, { name: "baum-welch", tolerance: 1e-9 }),
    initial: b.pi,
    logLikelihoodPerToken: b.ll,
    iterations: b.iterations,
    restartLogLikelihoods: all,
  };
}

/** Make every row of sum_x T[x] sum to 1 exactly (roundoff from the M-step). */
export function normaliseRows(T: Float64Array, S: number, V: number): void {
  for (let i = 0; i < S; i++) {
    let total = 0;
    for (let x = 0; x < V; x++) for (let j = 0; j < S; j++) total += T[(x * S + i) * S + j];
    for (let x = 0; x < V; x++) for (let j = 0; j < S; j++) T[(x * S + i) * S + j] /= total;
  }
}
