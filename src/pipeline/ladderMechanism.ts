/**
 * The ladder's link to src/mechanism: the constructed linear-attention model (a rung with no
 * training) and the mechanism numbers of the 1-layer linear-attention rung (how far each head's
 * pattern is one fixed query-by-key matrix; how well the residual decomposition reconstructs the
 * last position's residual). The ladder talks to these two functions only, so a caller (or a
 * test) can pass its own; the default is src/mechanism's.
 */
import { analyzeLinearAttention, constructLinearAttention, type LinearAttentionAnalysis } from "../mechanism/index.js";
import type { SequenceModel } from "../model/sequenceModel.js";
import type { StateDict } from "../model/types.js";
import type { Hmm } from "../process/hmm.js";

/** The mechanism numbers the ladder reports, plain and JSON-ready. */
export interface MechanismNumbers {
  /** Per head: the fraction of the pattern's variance across inputs explained by one fixed query-by-key matrix. */
  readonly heads: readonly { readonly head: number; readonly fixedFraction: number; readonly fixedFractionLastQuery: number }[];
  /** max over inputs of ||residual - reconstruction|| / ||residual|| of the last position's decomposition. */
  readonly decompositionRelativeError: number;
  readonly decompositionMaxAbsError: number;
  /** Where the decomposition's OV inputs came from ("weights" or "activations"). */
  readonly decompositionSource: string;
  /** Held-out R² and belief KL of a probe of the model's residual, and of the best linear operators from token histories. */
  readonly probe?: { readonly r2: number; readonly beliefKL: number };
  readonly bestOperator?: { readonly shared: { readonly r2: number; readonly beliefKL: number }; readonly perPosition: { readonly r2: number; readonly beliefKL: number } };
}

export interface LadderMechanisms {
  /** Weights of the constructed 1-layer linear-attention transformer for `hmm`; throws ArgumentError for a process it cannot build (saying why). */
  readonly construct?: (hmm: Hmm, nCtx: number, seed: number) => Promise<{ readonly config: Readonly<Record<string, unknown>>; readonly stateDict: StateDict }>;
  /** Mechanism numbers of a trained 1-layer attention-only linear-attention model. */
  readonly analyse?: (model: SequenceModel, hmm: Hmm, seed: number) => Promise<MechanismNumbers>;
  /** Why construct / analyse are missing, for the report. */
  readonly unavailable?: string;
}

/** The numbers the ladder reports, from src/mechanism's analysis. */
export function mechanismNumbers(a: LinearAttentionAnalysis): MechanismNumbers {
  return {
    heads: a.heads.map((h) => ({ head: h.head, fixedFraction: h.fixedFraction, fixedFractionLastQuery: h.fixedFractionLastQuery })),
    decompositionRelativeError: a.decomposition.relativeError,
    decompositionMaxAbsError: a.decomposition.maxAbsError,
    decompositionSource: a.decomposition.source,
    probe: { r2: a.model.r2, beliefKL: a.model.beliefKL },
    ...(a.operators
      ? {
          bestOperator: {
            shared: { r2: a.operators.shared.r2, beliefKL: a.operators.shared.beliefKL },
            perPosition: { r2: a.operators.perPosition.r2, beliefKL: a.operators.perPosition.beliefKL },
          },
        }
      : {}),
  };
}

/** src/mechanism's construction (the best per-position linear operator as attention heads) and analyses. */
export const defaultLadderMechanisms: LadderMechanisms = {
  construct: async (hmm, nCtx, seed) => {
    const built = constructLinearAttention(hmm, nCtx, { seed });
    return { config: built.config, stateDict: built.stateDict };
  },
  analyse: async (model, hmm, seed) => mechanismNumbers(await analyzeLinearAttention(model, hmm, { seed })),
};
