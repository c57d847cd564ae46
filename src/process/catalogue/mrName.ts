import { ArgumentError } from "../../util/errors.js";
import { createHmm } from "../hmm.js";
import type { ProcessFactory } from "./types.js";

export type MrNameParams = { p: number; q: number };

const VOCAB = ["Mr.", "Something", "Blah", "name"];

/**
 * "Mr. Dursley" (Astera simplexity `mr_name`): after "Mr." always a name;
 * after the name "Something" or "Blah" (1/2 each); then "Mr." with
 * probability q, the other filler word with p, the same filler again with
 * 1 - p - q. Each state is the last word. Unifilar; stationary
 * (q, 1/2, 1/2, q) / (1 + 2q) over (Mr., Something, Blah, name).
 */
export const mrName: ProcessFactory<MrNameParams> = {
  description: "toy language: \"Mr.\" is always followed by a name, fillers in between",
  source: "Astera simplexity transition_matrices.mr_name (defaults from its tests)",
  params: {
    p: { default: 0.4, min: 0, max: 1, doc: "probability of switching filler word (p + q <= 1)" },
    q: { default: 0.25, min: 0, max: 1, doc: "probability of \"Mr.\" after a filler word (p + q <= 1)" },
  },
  build({ p, q }) {
    if (p + q > 1 + 1e-12) {
      throw new ArgumentError({ fn: "makeProcess", argument: "params.p + params.q", received: String(p + q), expected: "at most 1 (1 - p - q is the probability of repeating the filler word)" });
    }
    const [MR, SOMETHING, BLAH, NAME] = [0, 1, 2, 3];
    const T = VOCAB.map(() => VOCAB.map(() => new Array<number>(4).fill(0)));
    T[NAME][MR][NAME] = 1;
    T[SOMETHING][NAME][SOMETHING] = 0.5;
    T[BLAH][NAME][BLAH] = 0.5;
    T[MR][SOMETHING][MR] = q;
    T[SOMETHING][SOMETHING][SOMETHING] = 1 - p - q;
    T[BLAH][SOMETHING][BLAH] = p;
    T[MR][BLAH][MR] = q;
    T[SOMETHING][BLAH][SOMETHING] = p;
    T[BLAH][BLAH][BLAH] = 1 - p - q;
    return createHmm(T, { name: "mr-name", params: { p, q }, symbolLabels: VOCAB, stateLabels: VOCAB });
  },
};
