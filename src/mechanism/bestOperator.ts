/**
 * The best linear operator: the least-squares best map from one-hot token histories to exact
 * beliefs, the most a single layer of attention with a fixed pattern can compute (there the
 * output at query t is a sum over key positions s of a weight times a vector that depends on
 * the token x_s). Two embeddings, as the transformer's tokenEmbedding:
 *
 * - "per-position": a free vector per (query t, key s, token x):
 *     b_t ≈ c_t + sum_{s<=t} W_t[s, x_s]
 *   (ordinary least squares on the one-hot features of tokens 0..t, one fit per query position);
 * - "shared": one vector per token, scaled by a weight per (query, key) position, `rank` such
 *   copies (heads), plus the direct path of the residual stream (the token at t itself):
 *     b_t ≈ c_t + U_direct[x_t] + sum_k sum_{s<=t} a_k[t, s] U_k[x_s]
 *   with U shared across positions. This is bilinear; it is fitted by alternating least squares
 *   (each half-step an exact least-squares solve, so the training error never increases),
 *   started from uniform averaging and geometric decays.
 *
 * Either way the result is stored as one tensor weights[t, s, x, :] with the constants folded in
 * (every position holds exactly one token, so c_t = sum_{s<=t} c_t / (t + 1)). Scores are on a
 * held-out sample: pooled R² over the fitted positions and belief KL (src/probe/beliefKL.ts).
 * Memory O(nSequences * nCtx * V + nCtx^2 V S); time O(nSequences nCtx^4 V^2) for "per-position" and
 * O(iterations nSequences nCtx^2 (rank + 1)^2 (V + nCtx) S) for "shared".
 */
import { beliefKL, fitLinear, nextTokenMap, regressionScores, type Rows } from "../probe/index.js";
import type { Hmm } from "../process/index.js";
import { ArgumentError, checkChoice, checkInteger, describe } from "../util/errors.js";
import { beliefSamples, DEFAULT_SEQUENCES, type BeliefSamples } from "./samples.js";
import type { BestLinearOperator, BestLinearOperatorOptions, OperatorEmbedding, PositionChoice } from "./types.js";

/** Singular values below this relative cut-off are dropped: one-hot features are exactly collinear (each position's indicators sum to 1), nothing else is. */
const RCOND = 1e-10;

/** Default alternating least-squares sweeps for the shared embedding, and the relative improvement that stops them earlier. */
const DEFAULT_ITERATIONS = 50;
const ALS_TOLERANCE = 1e-9;

/** Largest nCtx * nSymbols (one-hot features per row) accepted; bounds the per-position fit's memory. */
const MAX_FEATURES = 8192;

const OPERATOR_EMBEDDINGS = ["shared", "per-position"] as const;
const POSITION_CHOICES = ["last", "all"] as const;

/** Fit the best linear operator from one-hot histories of nCtx tokens to exact beliefs of `hmm`. */
export function bestLinearOperator(hmm: Hmm, nCtx: number, options: BestLinearOperatorOptions): BestLinearOperator {
  const fn = "bestLinearOperator";
  if (typeof options !== "object" || options === null) {
    throw new ArgumentError({ fn, argument: "options", received: describe(options), expected: '{ embedding: "shared" | "per-position", ... }' });
  }
  const embedding = checkChoice(fn, "options.embedding", options.embedding, OPERATOR_EMBEDDINGS) as OperatorEmbedding;
  const positions = checkChoice(fn, "options.positions", options.positions ?? "all", POSITION_CHOICES) as PositionChoice;
  checkInteger(fn, "nCtx", nCtx, 1, 4096);
  if (nCtx * hmm.nSymbols > MAX_FEATURES) {
    throw new ArgumentError({ fn, argument: "nCtx", received: `${nCtx} with ${hmm.nSymbols} symbols (${nCtx * hmm.nSymbols} one-hot features)`, expected: `nCtx * nSymbols <= ${MAX_FEATURES}` });
  }
  const rank = checkInteger(fn, "options.rank", options.rank ?? 1, 1, 64);
  const iterations = checkInteger(fn, "options.iterations", options.iterations ?? DEFAULT_ITERATIONS, 1, 10_000);
  const n = options.nSequences ?? DEFAULT_SEQUENCES;
  const seed = options.seed ?? 0;
  const fit = beliefSamples(hmm, nCtx, n, seed, "operator-fit", fn);
  const test = beliefSamples(hmm, nCtx, n, seed, "operator-test", fn);
  const fitted = positions === "all" ? Array.from({ length: nCtx }, (_, t) => t) : [nCtx - 1];
  const weights = embedding === "per-position" ? fitPerPosition(fit, fitted) : fitShared(fit, fitted, rank, iterations);
  const op = { embedding, positions, nCtx, nSymbols: hmm.nSymbols, nStates: hmm.nStates, rank: embedding === "shared" ? rank : 0, weights };
  return { ...op, ...scoreOperator(hmm, op, test, fitted) };
}

/**
 * Belief estimates [count, nCtx, nStates] of an operator for tokens [count, nPos] (nPos <= nCtx):
 * estimate[n, t] = sum_{s<=t} weights[t, s, tokens[n, s], :].
 */
export function applyLinearOperator(op: Pick<BestLinearOperator, "weights" | "nCtx" | "nSymbols" | "nStates">, tokens: Int32Array, nPos: number): Float64Array {
  const fn = "applyLinearOperator";
  checkInteger(fn, "nPos", nPos, 1, op.nCtx);
  if (tokens.length % nPos !== 0) throw new ArgumentError({ fn, argument: "tokens", received: `${tokens.length} tokens`, expected: `a multiple of nPos = ${nPos}` });
  const { nCtx: T, nSymbols: V, nStates: S, weights } = op;
  const count = tokens.length / nPos;
  const out = new Float64Array(count * nPos * S); // [count, pos, n_states]
  for (let r = 0; r < count; r++) {
    for (let t = 0; t < nPos; t++) {
      const o = (r * nPos + t) * S;
      for (let s = 0; s <= t; s++) {
        const x = tokens[r * nPos + s];
        if (!(x >= 0 && x < V)) throw new ArgumentError({ fn, argument: `tokens[${r}][${s}]`, received: String(x), expected: `a symbol in [0, ${V})` });
        const w = ((t * T + s) * V + x) * S; // weights[t, s, x, :]
        for (let i = 0; i < S; i++) out[o + i] += weights[w + i];
      }
    }
  }
  return out;
}

function scoreOperator(hmm: Hmm, op: Pick<BestLinearOperator, "weights" | "nCtx" | "nSymbols" | "nStates">, test: BeliefSamples, fitted: readonly number[]): Pick<BestLinearOperator, "r2" | "beliefKL" | "r2PerPosition" | "rows"> {
  const { nCtx: T, nStates: S } = op;
  const estimate = applyLinearOperator(op, test.tokens, T); // [count, pos, n_states]
  const select = (src: Float64Array, ts: readonly number[]): Rows => {
    const data = new Float64Array(test.count * ts.length * S);
    let k = 0;
    for (let r = 0; r < test.count; r++) for (const t of ts) data.set(src.subarray((r * T + t) * S, (r * T + t + 1) * S), k++ * S);
    return { rows: test.count * ts.length, cols: S, data };
  };
  const pred = select(estimate, fitted);
  const truth = select(test.beliefs, fitted);
  const r2 = regressionScores(pred, truth).r2 ?? 1; // constant beliefs (one state) are matched exactly
  const kl = beliefKL(nextTokenMap(hmm), truth, pred).mean;
  const r2PerPosition: (number | null)[] = Array.from({ length: T }, () => null);
  for (const t of fitted) r2PerPosition[t] = regressionScores(select(estimate, [t]), select(test.beliefs, [t])).r2 ?? 1;
  return { r2, beliefKL: kl, r2PerPosition, rows: pred.rows };
}

/** Ordinary least squares per query position on the one-hot features of tokens 0..t. */
function fitPerPosition(data: BeliefSamples, fitted: readonly number[]): Float64Array {
  const { count: N, nCtx: T, nSymbols: V, nStates: S } = data;
  const weights = new Float64Array(T * T * V * S); // [query_pos, key_pos, d_vocab, n_states]
  for (const t of fitted) {
    const d = (t + 1) * V;
    const X = new Float64Array(N * d); // [count, (key_pos, d_vocab)] one-hot
    const Y = new Float64Array(N * S); // [count, n_states]
    for (let r = 0; r < N; r++) {
      for (let s = 0; s <= t; s++) X[r * d + s * V + data.tokens[r * T + s]] = 1;
      Y.set(data.beliefs.subarray((r * T + t) * S, (r * T + t + 1) * S), r * S);
    }
    const f = fitLinear({ rows: N, cols: d, data: X }, { rows: N, cols: S, data: Y }, { rcond: RCOND });
    for (let s = 0; s <= t; s++) {
      for (let x = 0; x < V; x++) {
        for (let i = 0; i < S; i++) weights[((t * T + s) * V + x) * S + i] = f.weights[(s * V + x) * S + i] + f.intercept[i] / (t + 1);
      }
    }
  }
  return weights;
}

/** Alternating least squares for b_t ≈ c_t + U_direct[x_t] + sum_k sum_{s<=t} a_k[t, s] U_k[x_s]; see the file header. */
function fitShared(data: BeliefSamples, fitted: readonly number[], rank: number, iterations: number): Float64Array {
  const { count: N, nCtx: T, nSymbols: V, nStates: S, tokens, beliefs } = data;
  const P = fitted.length;
  // Start: head 0 averages uniformly, head k > 0 decays geometrically with ratio 0.6^k.
  const a = new Float64Array(rank * T * T); // [head, query_pos, key_pos]
  for (let k = 0; k < rank; k++) for (const t of fitted) for (let s = 0; s <= t; s++) a[(k * T + t) * T + s] = k === 0 ? 1 / (t + 1) : 0.6 ** (k * (t - s));
  const U = new Float64Array(rank * V * S); // [head, d_vocab, n_states]
  const direct = new Float64Array(V * S); // [d_vocab, n_states]
  const c = new Float64Array(T * S); // [query_pos, n_states]
  let previous = Infinity;
  for (let it = 0; it < iterations; it++) {
    // (1) Fix a: linear in U, U_direct and c over rows (sequence, fitted query position).
    const d1 = rank * V + V + P;
    const X = new Float64Array(N * P * d1);
    const Y = new Float64Array(N * P * S);
    for (let r = 0; r < N; r++) {
      for (let p = 0; p < P; p++) {
        const t = fitted[p];
        const row = (r * P + p) * d1;
        for (let k = 0; k < rank; k++) for (let s = 0; s <= t; s++) X[row + k * V + tokens[r * T + s]] += a[(k * T + t) * T + s];
        X[row + rank * V + tokens[r * T + t]] = 1;
        X[row + rank * V + V + p] = 1;
        Y.set(beliefs.subarray((r * T + t) * S, (r * T + t + 1) * S), (r * P + p) * S);
      }
    }
    const f1 = fitLinear({ rows: N * P, cols: d1, data: X }, { rows: N * P, cols: S, data: Y }, { rcond: RCOND });
    U.set(f1.weights.subarray(0, rank * V * S));
    direct.set(f1.weights.subarray(rank * V * S, (rank * V + V) * S));
    for (let p = 0; p < P; p++) for (let i = 0; i < S; i++) c[fitted[p] * S + i] = f1.weights[(rank * V + V + p) * S + i] + f1.intercept[i];
    // (2) Fix U and U_direct: per query position, linear in a_k[t, .] and c_t over rows (sequence, state).
    let sse = 0;
    for (const t of fitted) {
      const d2 = rank * (t + 1) + S;
      const X2 = new Float64Array(N * S * d2);
      const Y2 = new Float64Array(N * S);
      for (let r = 0; r < N; r++) {
        const xt = tokens[r * T + t];
        for (let i = 0; i < S; i++) {
          const row = (r * S + i) * d2;
          for (let k = 0; k < rank; k++) for (let s = 0; s <= t; s++) X2[row + k * (t + 1) + s] = U[(k * V + tokens[r * T + s]) * S + i];
          X2[row + rank * (t + 1) + i] = 1;
          Y2[r * S + i] = beliefs[(r * T + t) * S + i] - direct[xt * S + i];
        }
      }
      const f2 = fitLinear({ rows: N * S, cols: d2, data: X2 }, { rows: N * S, cols: 1, data: Y2 }, { rcond: RCOND });
      for (let k = 0; k < rank; k++) for (let s = 0; s <= t; s++) a[(k * T + t) * T + s] = f2.weights[k * (t + 1) + s];
      for (let i = 0; i < S; i++) c[t * S + i] = f2.weights[rank * (t + 1) + i] + f2.intercept[0];
      for (let q = 0; q < N * S; q++) {
        let y = f2.intercept[0];
        for (let j = 0; j < d2; j++) y += X2[q * d2 + j] * f2.weights[j];
        sse += (y - Y2[q]) ** 2;
      }
    }
    if (previous - sse <= ALS_TOLERANCE * previous) break;
    previous = sse;
  }
  const weights = new Float64Array(T * T * V * S); // [query_pos, key_pos, d_vocab, n_states]
  for (const t of fitted) {
    for (let s = 0; s <= t; s++) {
      for (let x = 0; x < V; x++) {
        for (let i = 0; i < S; i++) {
          let w = c[t * S + i] / (t + 1) + (s === t ? direct[x * S + i] : 0);
          for (let k = 0; k < rank; k++) w += a[(k * T + t) * T + s] * U[(k * V + x) * S + i];
          weights[((t * T + s) * V + x) * S + i] = w;
        }
      }
    }
  }
  return weights;
}
