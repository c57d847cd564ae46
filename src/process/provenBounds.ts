/**
 * What is proven about the optimal loss per position h(t) = H[X_t | X_0..X_{t-1}]
 * of a stationary process, applied to its certified per-position bounds and
 * its point estimates:
 *
 * - h is non-increasing in t (conditioning reduces entropy, and by
 *   stationarity H[X_{t+1} | X_0..X_t] = H[X_t | X_{-1}..X_{t-1}]
 *   <= H[X_t | X_0..X_{t-1}]; Cover & Thomas, "Elements of Information
 *   Theory", 2nd ed., Thm 4.2.1). So an upper bound at s <= t bounds h(t) too,
 *   and a lower bound at s >= t bounds h(t) too.
 * - h(t) >= h_mu (the entropy rate) for every t, so any certified lower end
 *   of the rate's bracket is a lower bound on every h(t).
 *
 * A process started away from its stationary distribution has neither
 * property; its bounds are left as they are.
 *
 * The point estimate where the budget pruned histories is the midpoint of
 * the tightened bracket: its error is at most half the bracket's width (the
 * least worst case), and since both tightened ends are non-increasing so are
 * the midpoints, so the estimates respect both facts and stay inside their
 * bounds. Exact values (lower = upper) are kept.
 */

export interface ProvenBoundsInput {
  /** [n]: point values; only the exact ones (where lower = upper) are used. */
  readonly values: ArrayLike<number>;
  /** [n]: certified bounds. */
  readonly lower: ArrayLike<number>;
  readonly upper: ArrayLike<number>;
  /** True when the sequence comes from a stationary start (the two facts above hold). */
  readonly stationary: boolean;
  /** A certified lower bound on the entropy rate (used only when stationary). */
  readonly rateLower?: number;
  /** [<= n]: further certified upper bounds on h(t) (e.g. the rate bracket's H(X_L | X_<L) at L = t + 1). */
  readonly extraUpper?: ArrayLike<number>;
}

export interface ProvenBounds {
  readonly values: Float64Array;
  readonly lower: Float64Array;
  readonly upper: Float64Array;
}

/** Tighten the bounds with what is proven and clamp the estimates into them (see the module comment). */
export function applyProvenBounds(input: ProvenBoundsInput): ProvenBounds {
  const n = input.values.length;
  const lower = Float64Array.from(input.lower);
  const upper = Float64Array.from(input.upper);
  if (input.stationary) {
    const extra = input.extraUpper;
    for (let t = 0; t < n; t++) {
      if (extra && t < extra.length && extra[t] < upper[t]) upper[t] = extra[t];
      if (t > 0 && upper[t - 1] < upper[t]) upper[t] = upper[t - 1];
    }
    const floor = input.rateLower ?? -Infinity;
    for (let t = n - 1; t >= 0; t--) {
      if (floor > lower[t]) lower[t] = floor;
      if (t < n - 1 && lower[t + 1] > lower[t]) lower[t] = lower[t + 1];
    }
    // Exact values carry roundoff (~1e-16): where the ends cross by that much, meet at the upper end.
    for (let t = 0; t < n; t++) if (lower[t] > upper[t]) lower[t] = upper[t];
  }
  const values = new Float64Array(n);
  for (let t = 0; t < n; t++) {
    // An exact value (its bounds equal) is kept unless roundoff put it outside the tightened ends.
    const raw = input.lower[t] === input.upper[t] ? input.values[t] : (lower[t] + upper[t]) / 2;
    values[t] = Math.min(upper[t], Math.max(lower[t], raw));
  }
  return { values, lower, upper };
}
