/**
 * Result and option types of the mechanism analyses (single-layer linear attention and the
 * belief fractal), shared by the files of src/mechanism. Plain records over Float64Array.
 */
import type { StateDict } from "../model/types.js";

/** Which positions a belief map or an analysis covers. */
export type PositionChoice = "last" | "all";

/** How token histories are embedded for the best linear operator (mirrors the transformer's tokenEmbedding). */
export type OperatorEmbedding = "shared" | "per-position";

/** Where the inputs of an analysis come from: sequences sampled from the process (seeded). */
export interface SampleInputOptions {
  /** Sequences sampled from the process for fitting. Default 2000. Memory is O(nSequences * nCtx * (V + S)). */
  readonly nSequences?: number;
  /** Seeds the samples (fit and held-out sets are drawn from streams derived from it). Default 0. */
  readonly seed?: number;
}

// ---------------------------------------------------------------- attention pattern

/** How far one head's attention pattern is one fixed query-by-key matrix. */
export interface HeadPatternFit {
  readonly layer: number;
  readonly head: number;
  /**
   * Fraction of the pattern's variance across inputs (over causal entries, all inputs) explained by
   * one fixed query-by-key matrix fitted by least squares (which is the mean pattern):
   * 1 - sum_b sum_{q>=k} (A_b[q,k] - M[q,k])^2 / sum_b sum_{q>=k} (A_b[q,k] - mean)^2. 1 when the pattern
   * does not vary at all.
   */
  readonly fixedFraction: number;
  /** The same restricted to the last query position (the row that forms the last position's residual). */
  readonly fixedFractionLastQuery: number;
  /** [query_pos, key_pos] the fitted fixed matrix M (the mean pattern; 0 above the diagonal). */
  readonly meanPattern: Float64Array;
  /** [query_pos, key_pos] standard deviation of each entry across inputs. */
  readonly stdPattern: Float64Array;
}

// ---------------------------------------------------------------- residual decomposition

/**
 * The last position's residual of a 1-layer attention-only transformer written as a sum of
 * terms, for each input:
 *   resid_post[t] = direct[t] + b_O + sum_h sum_{s<=t} A_h[t,s] (tokenOV_h[s] + positionOV_h[s] + biasOV_h)
 * with direct = embed[t] + pos_embed[t] (absent without skip connections), tokenOV_h[s] = W_E[x_s] W_V^h W_O^h
 * (TransformerLens's OV circuit), positionOV_h[s] = W_pos[s] W_V^h W_O^h, biasOV_h = b_V^h W_O^h.
 */
export interface ResidualDecomposition {
  /** Number of inputs decomposed. */
  readonly count: number;
  readonly nPos: number;
  readonly dModel: number;
  readonly nHeads: number;
  /** The query position decomposed (nPos - 1). */
  readonly position: number;
  /** [count, d_model] the residual the model computed (hook_resid_post at `position`). */
  readonly residual: Float64Array;
  /** [count, d_model] the sum of the terms. */
  readonly reconstruction: Float64Array;
  /** [count, nHeads, nPos, d_model] A_h[t,s] times the OV image of position s's input (token + position + bias terms). */
  readonly contributions: Float64Array;
  /** [count, nHeads, nPos, d_model] the OV images themselves (unscaled): contributions = pattern * values. */
  readonly values: Float64Array;
  /** [count, nHeads, nPos] the attention row of the decomposed query, A_h[t, s]. */
  readonly pattern: Float64Array;
  /** [count, d_model] the direct path (embedding + position embedding at t) plus b_O. */
  readonly direct: Float64Array;
  /**
   * Where the OV inputs came from: "weights" (embedding rows W_E[x_s], W_pos[s], exactly the formula
   * above) or "activations" (with LayerNorm the value input is ln1.hook_normalized[s], which depends
   * on the whole embedding at s, so there is no separate token and position term).
   */
  readonly source: "weights" | "activations";
  /** The OV circuit per head, for drawing and for reuse: every term above is A times one of these. */
  readonly circuits: OvCircuits;
  /** max over inputs of ||residual - reconstruction|| / ||residual|| (Euclidean). */
  readonly relativeError: number;
  /** max |residual - reconstruction| over all entries. */
  readonly maxAbsError: number;
}

/** TransformerLens's OV circuit images (W_V^h W_O^h applied to embeddings), float64. */
export interface OvCircuits {
  /**
   * [head_index, embedPositions, d_vocab, d_model]: (W_E[x] W_V^h) W_O^h, or with a per-position
   * embedding (W_E_pos[s, x] W_V^h) W_O^h; embedPositions is 1 for a shared embedding.
   */
  readonly token: Float64Array;
  readonly embedPositions: number;
  /** [head_index, pos, d_model]: (W_pos[s] W_V^h) W_O^h; null with a per-position embedding (no W_pos). */
  readonly position: Float64Array | null;
  /** [head_index, d_model]: b_V^h W_O^h. */
  readonly bias: Float64Array;
  /** [d_model] b_O. */
  readonly outputBias: Float64Array;
}

// ---------------------------------------------------------------- best linear operator

export interface BestLinearOperatorOptions extends SampleInputOptions {
  /** "per-position": a free vector per (key position, token); "shared": one vector per token scaled by a per-position weight (rank `rank`). */
  readonly embedding: OperatorEmbedding;
  /** Fit the map at the last position only, or at every position (one map per query position). Default "all". */
  readonly positions?: PositionChoice;
  /** Shared embedding only: number of scaled copies (heads) summed. Default 1. */
  readonly rank?: number;
  /** Shared embedding only: alternating least-squares sweeps. Default 50. */
  readonly iterations?: number;
}

export interface BestLinearOperator {
  readonly embedding: OperatorEmbedding;
  readonly positions: PositionChoice;
  readonly nCtx: number;
  readonly nSymbols: number;
  readonly nStates: number;
  readonly rank: number;
  /**
   * [nCtx (query t), nCtx (key s), nSymbols, nStates]: the belief estimate at query t is
   * sum_{s<=t} weights[t, s, x_s, :] (constants folded in: every position holds exactly one token).
   * Entries with s > t are 0. With positions "last" only row t = nCtx - 1 is fitted (others 0).
   */
  readonly weights: Float64Array;
  /** Held-out pooled R² of the estimate against the exact beliefs. */
  readonly r2: number;
  /** Held-out mean belief KL (nats per token; src/probe/beliefKL.ts). */
  readonly beliefKL: number;
  /** R² per query position (null where not fitted). */
  readonly r2PerPosition: readonly (number | null)[];
  /** Held-out rows scored. */
  readonly rows: number;
}

// ---------------------------------------------------------------- constructed model

export interface ConstructOptions extends SampleInputOptions {
  /** The linear operator the attention implements. Default "per-position" (the best one; needs V * S heads). */
  readonly operator?: OperatorEmbedding;
  /** Most heads the construction may use (V * S for the per-position operator). Default 64. */
  readonly maxHeads?: number;
}

export interface ConstructedModel {
  /** Registry name: "transformer". */
  readonly architecture: "transformer";
  /** A complete transformer config (1 layer, attention-only, linear attention, no LayerNorm). */
  readonly config: Readonly<Record<string, unknown>>;
  /** Weights by TransformerLens parameter name. */
  readonly stateDict: StateDict;
  /** The operator the attention implements, with its held-out scores. */
  readonly operator: BestLinearOperator;
  /** Residual layout: [token one-hot | position one-hot | belief estimate]. */
  readonly layout: { readonly token: readonly [number, number]; readonly position: readonly [number, number]; readonly belief: readonly [number, number] };
  /** Heads used: the rank of the operator. */
  readonly heads: number;
  /**
   * Expected cross-entropy (nats/token, mean over positions 0..n_ctx-1 predicting tokens 1..n_ctx)
   * of the constructed model on held-out samples against the exact next-token distributions, the
   * optimal (their entropy) and loss / optimal - 1.
   */
  readonly loss: number;
  readonly optimalLoss: number;
  readonly relativeExcess: number;
  /** These are sample means over `sampledSequences` sequences: their standard errors (relativeExcess's from the paired per-sequence excess). */
  readonly sampledSequences: number;
  readonly lossStandardError: number;
  readonly optimalLossStandardError: number;
  readonly relativeExcessStandardError: number;
}

// ---------------------------------------------------------------- the whole analysis

export interface FixedPatternAblation {
  readonly heads: readonly {
    readonly head: number;
    /** R² of the head's output at the last position under the fixed pattern against its actual output (1: the input dependence changes nothing). */
    readonly outputFixedFraction: number;
    /** The head's share of the summed variance (across inputs) of all heads' outputs at the last position. */
    readonly outputVarianceShare: number;
  }[];
  /** R² of all heads' summed output at the last position with every pattern fixed, against the actual output. */
  readonly outputFixedFraction: number;
  /** Expected cross-entropy at the last position (nats, against the exact next-token distribution): the model as it is, with every pattern fixed, and optimal. */
  readonly loss: number;
  readonly lossFixedPattern: number;
  readonly optimalLoss: number;
  /** Inputs (the decomposed ones). */
  readonly count: number;
}

export interface LinearAttentionOptions extends SampleInputOptions {
  /** Inputs per forward call. Default 512. */
  readonly batchSize?: number;
  /** Also fit the best linear operators (both embeddings) for comparison. Default true. */
  readonly operators?: boolean;
  /** Held-out inputs decomposed (memory nHeads * nCtx * d_model doubles each). Default 500. */
  readonly decompositionSequences?: number;
}

export interface LinearAttentionAnalysis {
  readonly summary: string;
  readonly attention: string;
  /** Per head of the (single) layer. */
  readonly heads: readonly HeadPatternFit[];
  /** The last position's residual decomposed; errors are the check. */
  readonly decomposition: ResidualDecomposition;
  /** Held-out R² and belief KL of a linear probe from the last layer's residual to beliefs (all positions). */
  readonly model: {
    readonly r2: number;
    readonly beliefKL: number;
    readonly r2LastPosition: number;
    /** The probe: beliefs ≈ resid_post W + b; W [d_model, n_states], b [n_states]. Maps decomposition terms into belief coordinates. */
    readonly probeWeights: Float64Array;
    readonly probeIntercept: Float64Array;
  };
  /** The held-out inputs analysed: tokens [count, nCtx] and exact beliefs [count, nCtx, nStates]. */
  readonly inputs: { readonly count: number; readonly nCtx: number; readonly tokens: Int32Array; readonly beliefs: Float64Array };
  /**
   * What the input dependence of the pattern buys, at the decomposed (last) position: each
   * pattern row replaced by the fixed matrix (the mean pattern), the residual rebuilt from the
   * OV images and read out through the model's own unembedding.
   */
  readonly fixedPattern: FixedPatternAblation;
  /** The best linear operators on the same samples (absent with operators: false). */
  readonly operators?: { readonly shared: BestLinearOperator; readonly perPosition: BestLinearOperator };
}
