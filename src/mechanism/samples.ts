/**
 * Inputs of the mechanism analyses: token sequences sampled from a process (seeded) with their
 * exact beliefs and next-token distributions. Fit and held-out sets come from independent
 * streams of one seed, so the same seed gives the same analysis.
 */
import { filterBeliefs, sampleSequences, type Hmm } from "../process/index.js";
import { nextTokenDistributions, nextTokenMap } from "../probe/index.js";
import { checkInteger } from "../util/errors.js";
import { deriveSeed } from "../util/rng.js";

/** Default sequences per set: enough that an operator with nCtx^2 V S / 2 weights (1,350 for mess3 at n_ctx 10) is fitted many times over. */
export const DEFAULT_SEQUENCES = 2000;

export interface BeliefSamples {
  readonly count: number;
  readonly nCtx: number;
  readonly nStates: number;
  readonly nSymbols: number;
  /** [count, nCtx] */
  readonly tokens: Int32Array;
  /** [count, nCtx, nStates] belief after tokens 0..t at position t. */
  readonly beliefs: Float64Array;
  /** [count, nCtx, nSymbols] exact distribution of token t + 1 given tokens 0..t. */
  readonly next: Float64Array;
}

/** `count` sequences of length nCtx from stream `label` of `seed`. O(count * nCtx * (S + V)) memory. */
export function beliefSamples(hmm: Hmm, nCtx: number, count: number, seed: number, label: string, fn = "beliefSamples"): BeliefSamples {
  checkInteger(fn, "nCtx", nCtx, 1, 4096);
  checkInteger(fn, "nSequences", count, 2);
  checkInteger(fn, "seed", seed, 0);
  const { tokens } = sampleSequences(hmm, { count, length: nCtx, seed: deriveSeed(seed, "mechanism", label) });
  const { beliefs } = filterBeliefs(hmm, tokens, nCtx);
  const map = nextTokenMap(hmm);
  const next = nextTokenDistributions(map, { rows: count * nCtx, cols: hmm.nStates, data: beliefs }).data;
  return { count, nCtx, nStates: hmm.nStates, nSymbols: hmm.nSymbols, tokens, beliefs, next };
}
