/**
 * Budgets for enumerating beliefs (mixed-state presentation, myopic
 * entropy, entropy-rate bracket). Every enumeration honours both:
 *
 * - maxBeliefs: the most beliefs held at once. Memory is about
 *     maxBeliefs * (2 S + 3 V + 8) * 8 bytes
 *   (two levels of S float64 coordinates; probability, weight and a sorted
 *   copy per (belief, symbol) candidate; masses and a hash table), plus a constant.
 *   The default fits in DEFAULT_MEMORY_BYTES (96 MiB).
 * - maxWork: the most "work units" spent, one unit about one multiply-add:
 *   a child belief costs S^2 + V S + 3 S + 64 (the product eta T[x], its
 *   next-symbol entropy, normalising, hashing), scoring a parent's V
 *   children V S. V8 runs 1.5e8 to 3e8 units a second on one core; the
 *   default 4e8 answers in about 1.5-3 s.
 *
 * When a budget binds, the enumeration keeps the most probable beliefs and
 * prunes the rest, reporting the pruned probability and what it can change;
 * nothing is silently approximated.
 */
import { checkInteger } from "../util/errors.js";

export interface EnumerationBudget {
  /** Most beliefs held at once (memory bound above). Default: as many as fit in 96 MiB. */
  readonly maxBeliefs?: number;
  /** Most work units (~multiply-adds) to spend (time bound above). Default 4e8. */
  readonly maxWork?: number;
}

export const DEFAULT_MEMORY_BYTES = 96 * 1024 * 1024;
export const DEFAULT_MAX_WORK = 4e8;

/** Approximate bytes per belief held (see the module comment). */
export function bytesPerBelief(nStates: number, nSymbols: number): number {
  return (2 * nStates + 3 * nSymbols + 8) * 8;
}

/** Work units to compute, score and store one child belief. */
export function childCost(nStates: number, nSymbols: number): number {
  return nStates * nStates + nSymbols * nStates + 3 * nStates + 64;
}

export interface ResolvedBudget {
  readonly maxBeliefs: number;
  readonly maxWork: number;
}

/** The budget with defaults filled in for a process of this size; throws on bad values. */
export function resolveBudget(fn: string, budget: EnumerationBudget, nStates: number, nSymbols: number): ResolvedBudget {
  const defaultBeliefs = Math.max(1, Math.floor(DEFAULT_MEMORY_BYTES / bytesPerBelief(nStates, nSymbols)));
  return {
    maxBeliefs: checkInteger(fn, "maxBeliefs", budget.maxBeliefs ?? defaultBeliefs, 1, 2 ** 30),
    maxWork: checkInteger(fn, "maxWork", budget.maxWork ?? DEFAULT_MAX_WORK, 0),
  };
}
