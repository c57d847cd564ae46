/**
 * The rungs of the minimal-model ladder (issue 9): the anchor transformer, then simpler and
 * simpler transformers down to one layer of linear or fixed attention, then recurrent networks
 * and state-space models of about the 1-layer transformer's parameter count (~51k for d_vocab 3),
 * and the constructed linear-attention model (weights computed from the HMM, no training).
 *
 * Every trained rung uses the same data (batches are a function of the seed and step), the same
 * steps, batch size and seed. A rung may set its own learning rate where the shared one does not
 * suit it (none needs to today: Adam at 1e-3 throughout).
 */
import { ArgumentError, describe } from "../util/errors.js";

/**
 * How a rung mixes information across positions, for reading the table:
 * - "transformer": softmax attention (and MLPs), which can pick out the last marker token;
 * - "linear": one layer of linear or fixed attention (trained or constructed): a mix of earlier
 *   positions whose weights do not depend on the tokens in between, which can only forget
 *   through decay;
 * - "recurrent": a nonlinear, gated recurrence (Elman, GRU, LSTM);
 * - "state-space": a diagonal recurrence, time-invariant (linear RNN: forgets through decay, with
 *   a GELU after it) or token-dependent (selective SSM).
 */
export type RungGroup = "transformer" | "linear" | "recurrent" | "state-space";

export interface LadderRung {
  /** Identifier for --rungs, folder names and the table. */
  readonly name: string;
  /** What it is, in words, for the report. */
  readonly title: string;
  /** Registered architecture. */
  readonly architecture: string;
  /** Preset of the architecture (config fields come from it, then `model`). */
  readonly preset?: string;
  /** Config fields over the preset. */
  readonly model?: Readonly<Record<string, unknown>>;
  readonly group: RungGroup;
  /** Adam learning rate for this rung; default the ladder's. */
  readonly learningRate?: number;
  /** Built from the HMM by src/mechanism (no training) instead of trained. */
  readonly constructed?: boolean;
}

/** The ladder, in order. */
export const LADDER_RUNGS: readonly LadderRung[] = Object.freeze([
  { name: "4l", title: "transformer, 4 layers (the anchor model)", architecture: "transformer", preset: "shai-4l", group: "transformer" },
  { name: "2l", title: "transformer, 2 layers", architecture: "transformer", preset: "2l", group: "transformer" },
  { name: "1l", title: "transformer, 1 layer", architecture: "transformer", preset: "1l", group: "transformer" },
  { name: "attn-only-1l", title: "1 layer, attention-only, no LayerNorm", architecture: "transformer", preset: "attn-only-1l", group: "transformer" },
  { name: "no-skip", title: "1 layer without skip connections", architecture: "transformer", preset: "no-skip", group: "transformer" },
  { name: "no-ln", title: "1 layer without LayerNorm", architecture: "transformer", preset: "no-ln", group: "transformer" },
  { name: "linear-attn-1l", title: "1 layer, attention-only, linear attention (normalised by position)", architecture: "transformer", preset: "linear-attn-1l", group: "linear" },
  { name: "fixed-attn-1l", title: "1 layer, attention-only, a learned fixed attention pattern", architecture: "transformer", preset: "fixed-attn-1l", group: "linear" },
  { name: "rnn", title: "Elman RNN (tanh), 1 layer of 160", architecture: "rnn", preset: "like-1l", group: "recurrent" },
  { name: "gru", title: "GRU, 1 layer of 88", architecture: "gru", preset: "like-1l", group: "recurrent" },
  { name: "lstm", title: "LSTM, 1 layer of 80", architecture: "lstm", preset: "like-1l", group: "recurrent" },
  { name: "linear-rnn", title: "linear RNN / diagonal SSM (complex, time-invariant decay), d_model 112, d_state 112", architecture: "linear-rnn", preset: "like-1l", group: "state-space" },
  { name: "selective-ssm", title: "selective SSM (Mamba-style, token-dependent decay), d_model 80", architecture: "selective-ssm", preset: "like-1l", group: "state-space" },
  { name: "constructed", title: "1-layer linear attention with weights computed from the HMM (no training)", architecture: "transformer", group: "linear", constructed: true },
] satisfies LadderRung[]);

/** The rung whose mechanism numbers the report gives (src/mechanism analyses 1-layer linear attention). */
export const MECHANISM_RUNG = "linear-attn-1l";

export const LADDER_RUNG_NAMES = LADDER_RUNGS.map((r) => r.name);

/** The rungs named in `names` (in ladder order), or every rung; unknown or repeated names throw listing the choices. */
export function selectRungs(names: readonly string[] | undefined, fn = "runLadder"): LadderRung[] {
  if (names === undefined) return [...LADDER_RUNGS];
  if (!Array.isArray(names) || names.length === 0) {
    throw new ArgumentError({ fn, argument: "rungs", received: describe(names), expected: `a non-empty list of rungs: ${LADDER_RUNG_NAMES.join(", ")}` });
  }
  const seen = new Set<string>();
  for (const name of names) {
    if (typeof name !== "string" || !LADDER_RUNG_NAMES.includes(name)) {
      throw new ArgumentError({ fn, argument: "rungs", received: describe(name), expected: `one of the ladder's rungs: ${LADDER_RUNG_NAMES.join(", ")}` });
    }
    if (seen.has(name)) throw new ArgumentError({ fn, argument: "rungs", received: `${JSON.stringify(name)} twice`, expected: "each rung at most once" });
    seen.add(name);
  }
  return LADDER_RUNGS.filter((r) => seen.has(r.name));
}
