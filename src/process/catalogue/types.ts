import type { Hmm } from "../hmm.js";

/** One numeric parameter of a catalogue process. */
export interface ParamSpec {
  readonly default: number;
  readonly min: number;
  readonly max: number;
  readonly integer?: boolean;
  /** What it means, shown by `beliefscope process list`. */
  readonly doc: string;
}

/** A catalogue entry: documented parameters and a builder. */
export interface ProcessFactory<P extends Record<string, number>> {
  readonly description: string;
  /** Where the definition comes from. */
  readonly source: string;
  /** "ghmm" for a generalized HMM (real-valued T); default "hmm". */
  readonly kind?: "hmm" | "ghmm";
  readonly params: { readonly [K in keyof P]: ParamSpec };
  build(params: P): Hmm;
}
