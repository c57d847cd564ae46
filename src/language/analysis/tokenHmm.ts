/**
 * Hidden Markov models fitted to a token stream: which HMM description of the
 * text a model might track. Baum-Welch (src/recover/baselines/baumWelch.ts) at
 * several state counts on a subsample of training windows, each scored by its
 * held-out loss on the validation windows the transformer is scored on.
 *
 * The HMM's alphabet: the tokens of the training sample, most frequent first,
 * up to `maxSymbols - 1` of them, and one symbol "other" for every remaining
 * token (rare, or unseen in the sample). A token's probability is its
 * symbol's times, for "other", its add-one unigram share among the other
 * tokens, so the loss is a loss on tokens, comparable with the transformer's.
 * The fitted HMM is mixed with a uniform one, T' = (1 - eps) T + eps / (V S)
 * (and the initial distribution likewise), so that no held-out token has
 * probability 0.
 */
import { filterBeliefs } from "../../process/beliefs.js";
import { fromFlat, type Hmm } from "../../process/hmm.js";
import { baumWelch } from "../../recover/baselines/baumWelch.js";
import { ArgumentError, checkInteger, checkNumber } from "../../util/errors.js";

export interface TokenAlphabet {
  readonly vocabSize: number;
  /** Symbols of the HMM: mapped tokens, then "other" when some tokens map to it. */
  readonly nSymbols: number;
  /** [vocabSize] the symbol of each token. */
  readonly symbolOf: Int32Array;
  /** [nSymbols] the token of each symbol, -1 for "other". */
  readonly tokenOf: Int32Array;
  /** [vocabSize] log P(token | its symbol): 0 for mapped tokens, the add-one share within "other". */
  readonly logWithin: Float64Array;
}

/** The alphabet of a training sample of tokens (see above). */
export function tokenAlphabet(sample: ArrayLike<number>, vocabSize: number, maxSymbols = 1024): TokenAlphabet {
  const fn = "tokenAlphabet";
  checkInteger(fn, "maxSymbols", maxSymbols, 2, 1024);
  const counts = new Float64Array(vocabSize);
  for (let k = 0; k < sample.length; k++) counts[sample[k]]++;
  const seen = Array.from({ length: vocabSize }, (_, k) => k).filter((k) => counts[k] > 0);
  seen.sort((a, b) => counts[b] - counts[a] || a - b);
  const mapped = seen.slice(0, Math.min(seen.length, maxSymbols - 1));
  const hasOther = mapped.length < vocabSize;
  const nSymbols = mapped.length + (hasOther ? 1 : 0);
  const other = hasOther ? mapped.length : -1;
  const symbolOf = new Int32Array(vocabSize).fill(other);
  mapped.forEach((t, s) => (symbolOf[t] = s));
  const tokenOf = Int32Array.from({ length: nSymbols }, (_, s) => (s < mapped.length ? mapped[s] : -1));
  const logWithin = new Float64Array(vocabSize);
  if (hasOther) {
    let otherCount = 0;
    let otherTokens = 0;
    for (let t = 0; t < vocabSize; t++) if (symbolOf[t] === other) (otherCount += counts[t]), otherTokens++;
    for (let t = 0; t < vocabSize; t++) if (symbolOf[t] === other) logWithin[t] = Math.log((counts[t] + 1) / (otherCount + otherTokens));
  }
  return { vocabSize, nSymbols, symbolOf, tokenOf, logWithin };
}

/** Tokens as the alphabet's symbols. */
export function toSymbols(alphabet: TokenAlphabet, tokens: ArrayLike<number>): Int32Array {
  return Int32Array.from(tokens as ArrayLike<number>, (t) => alphabet.symbolOf[t]);
}

export interface TokenHmm {
  readonly nStates: number;
  /** The fitted HMM, mixed with the uniform one (see above), over the alphabet's symbols. */
  readonly hmm: Hmm;
  /** Its distribution of the first state of a window. */
  readonly initial: Float64Array;
  /** Log-likelihood per symbol of the training windows under the raw fit (Baum-Welch's). */
  readonly trainLogLikelihood: number;
  readonly iterations: number;
  /** Held-out cross-entropy on the validation windows' predicted tokens (nats/token). */
  readonly heldOutLoss: number;
  readonly seconds: number;
}

export interface FitTokenHmmOptions {
  readonly stateCounts: readonly number[];
  readonly restarts?: number;
  readonly maxIterations?: number;
  readonly seed?: number;
  /** Mixing weight eps of the uniform HMM. Default 1e-4. */
  readonly smoothing?: number;
  readonly onFit?: (fit: TokenHmm) => void;
}

/** Mix an HMM (flat T) and initial distribution with uniform ones: (1 - eps) x + eps u. */
function smooth(T: Float64Array, initial: Float64Array, S: number, V: number, eps: number): { T: Float64Array; initial: Float64Array } {
  return { T: Float64Array.from(T, (t) => (1 - eps) * t + eps / (V * S)), initial: Float64Array.from(initial, (p) => (1 - eps) * p + eps / S) };
}

/**
 * Per-token loss of an HMM on windows [n, L] of tokens: token t (t >= 1) predicted from
 * tokens 0..t-1, the filter starting from `initial` at token 0. Returns [n, L - 1] losses.
 */
export function hmmTokenLosses(hmm: Hmm, initial: Float64Array, alphabet: TokenAlphabet, windows: Int32Array, L: number): Float64Array {
  const fn = "hmmTokenLosses";
  if (windows.length % L !== 0) throw new ArgumentError({ fn, argument: "windows", received: `${windows.length} tokens`, expected: `a multiple of L = ${L}` });
  const { nStates: S, transitions: T } = hmm;
  const n = windows.length / L;
  const out = new Float64Array(n * (L - 1));
  const belief = new Float64Array(S);
  const next = new Float64Array(S);
  for (let w = 0; w < n; w++) {
    belief.set(initial);
    for (let t = 0; t < L; t++) {
      const token = windows[w * L + t];
      const x = alphabet.symbolOf[token];
      next.fill(0);
      for (let i = 0; i < S; i++) {
        const b = belief[i];
        if (b === 0) continue;
        const row = (x * S + i) * S;
        for (let j = 0; j < S; j++) next[j] += b * T[row + j];
      }
      let p = 0;
      for (let j = 0; j < S; j++) p += next[j];
      if (t > 0) out[w * (L - 1) + t - 1] = -Math.log(p) - alphabet.logWithin[token];
      for (let j = 0; j < S; j++) belief[j] = next[j] / p;
    }
  }
  return out;
}

/** Fit one HMM per state count to training windows [n, L] and score each on validation windows [m, L]. */
export function fitTokenHmms(trainWindows: Int32Array, validationWindows: Int32Array, L: number, alphabet: TokenAlphabet, options: FitTokenHmmOptions): TokenHmm[] {
  const fn = "fitTokenHmms";
  const eps = checkNumber(fn, "smoothing", options.smoothing ?? 1e-4, 0, 0.5);
  const symbols = toSymbols(alphabet, trainWindows);
  const V = alphabet.nSymbols;
  const out: TokenHmm[] = [];
  for (const S of options.stateCounts) {
    checkInteger(fn, "stateCounts[]", S, 1, 64);
    const t0 = globalThis.performance.now();
    const fit = baumWelch(symbols, L, { nStates: S, nSymbols: V, restarts: options.restarts ?? 2, maxIterations: options.maxIterations ?? 60, tolerance: 1e-5, seed: options.seed ?? 0 });
    const s = smooth(fit.hmm.transitions, fit.initial, S, V, eps);
    const hmm = fromFlat(s.T, V, S, { name: `baum-welch-${S}`, tolerance: 1e-6, initial: s.initial }, fn);
    const losses = hmmTokenLosses(hmm, s.initial, alphabet, validationWindows, L);
    const r: TokenHmm = {
      nStates: S,
      hmm,
      initial: s.initial,
      trainLogLikelihood: fit.logLikelihoodPerToken,
      iterations: fit.iterations,
      heldOutLoss: losses.reduce((a, b) => a + b, 0) / losses.length,
      seconds: (globalThis.performance.now() - t0) / 1000,
    };
    options.onFit?.(r);
    out.push(r);
  }
  return out;
}

/** [n * nPos, S] the belief of an HMM after tokens 0..t of each window [n, nPos], from `initial`. */
export function tokenHmmBeliefs(fit: Pick<TokenHmm, "hmm" | "initial">, alphabet: TokenAlphabet, windows: Int32Array, nPos: number): Float64Array {
  return filterBeliefs(fit.hmm, toSymbols(alphabet, windows), nPos, { initial: fit.initial }).beliefs;
}

/** Held-out loss of the add-one unigram of a training sample, on windows [n, L] (tokens 1..L-1): the floor any context must beat. */
export function unigramLoss(sample: ArrayLike<number>, vocabSize: number, windows: Int32Array, L: number): number {
  const counts = new Float64Array(vocabSize);
  for (let k = 0; k < sample.length; k++) counts[sample[k]]++;
  const z = sample.length + vocabSize;
  let total = 0;
  let n = 0;
  for (let k = 0; k < windows.length; k++) {
    if (k % L === 0) continue;
    total -= Math.log((counts[windows[k]] + 1) / z);
    n++;
  }
  return total / n;
}
