/**
 * The grammar's hidden state factor by factor, for probes that ask what a
 * language model tracks: the story slot (20 positions of the sentence
 * automaton) and its phase (opening / middle / ending), which the last few
 * tokens mostly fix, and the long-range factors, the character (drawn when a
 * story starts, revealed by "girl"/"boy", the name and the pronouns, then
 * carried for the whole story) and the mood (set at the start, hinted at by
 * "smiled", "cried", "felt happy", and flipping at sentence ends with
 * probability 1 - moodPersistence).
 *
 * A factor's exact belief is the marginal of the grammar's belief over its
 * values (alignment.ts `beliefMarginals`). To probe it with the machinery of
 * src/probe, which scores a probed belief by the next-token distribution it
 * implies, each factor comes with a readout process: an HMM over the factor's
 * values whose state is emitted as itself and never changes,
 * T[x][i][j] = [x = i][i = j]. Its next-token distribution under a belief b
 * is b itself, so the probe's belief KL becomes KL(exact marginal || probed
 * marginal projected onto the simplex) (floored as in src/probe/beliefKL.ts):
 * the information the probe loses about the factor, in nats.
 */
import { fromFlat, type Hmm } from "../../process/hmm.js";
import { ArgumentError } from "../../util/errors.js";
import type { Rows } from "../../util/rows.js";
import { beliefMarginals } from "../grammar/alignment.js";
import { CHARACTERS, MOODS, PHASES, SLOTS, type StoryGrammar } from "../grammar/storyGrammar.js";

export const GRAMMAR_FACTORS = Object.freeze(["slot", "phase", "character", "mood"] as const);
export type GrammarFactor = (typeof GRAMMAR_FACTORS)[number];

/** The values of each factor, in the order of its marginal's columns. */
export const GRAMMAR_FACTOR_VALUES: Readonly<Record<GrammarFactor, readonly string[]>> = Object.freeze({
  slot: SLOTS,
  phase: PHASES,
  character: CHARACTERS.map((c) => c.name),
  mood: MOODS,
});

/** Per grammar state, the value of `factor` it has. */
export function factorOfState(grammar: StoryGrammar, factor: GrammarFactor): Int32Array {
  switch (factor) {
    case "slot": return grammar.stateSlot;
    case "phase": return grammar.statePhase;
    case "character": return grammar.stateCharacter;
    case "mood": return grammar.stateMood;
  }
}

/** [rows, values] the exact belief over each factor's values: marginals of `beliefs` [rows, n_states]. */
export function grammarFactorBeliefs(grammar: StoryGrammar, beliefs: Float64Array): Record<GrammarFactor, Rows> {
  const S = grammar.hmm.nStates;
  if (beliefs.length % S !== 0) {
    throw new ArgumentError({ fn: "grammarFactorBeliefs", argument: "beliefs", received: `${beliefs.length} numbers`, expected: `[rows, ${S}] beliefs over the grammar's states` });
  }
  const rows = beliefs.length / S;
  const m = beliefMarginals(grammar, beliefs);
  const out = {} as Record<GrammarFactor, Rows>;
  for (const f of GRAMMAR_FACTORS) out[f] = { rows, cols: GRAMMAR_FACTOR_VALUES[f].length, data: m[f] };
  return out;
}

/**
 * The readout process of a factor (see the file header): its states and symbols are the factor's
 * values, each state emits itself and stays, so P(next symbol | belief b) = b.
 */
export function factorReadoutHmm(factor: GrammarFactor): Hmm {
  const labels = GRAMMAR_FACTOR_VALUES[factor];
  const V = labels.length;
  const T = new Float64Array(V * V * V);
  for (let i = 0; i < V; i++) T[(i * V + i) * V + i] = 1; // T[x = i][i][j = i]
  return fromFlat(T, V, V, { name: `grammar ${factor}`, symbolLabels: [...labels], stateLabels: [...labels] }, "factorReadoutHmm");
}
