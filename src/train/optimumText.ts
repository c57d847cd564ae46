/**
 * The expected optimal loss as every command prints it: the mean over
 * positions 1..n_ctx with n_ctx named, exact, or (where the budget cut the
 * enumeration of beliefs) its certified bracket with the estimate, and a
 * model's excess over it against both ends.
 */
import { outwardBracket } from "../process/bracketText.js";
import type { OptimalLoss } from "../process/optimalLoss.js";

const percent = (x: number) => `${(100 * x).toFixed(2)}%`;

/**
 * "expected optimal 0.8025, mean over positions 1..10 at n_ctx 10", or
 * "expected optimal in [2.77246, 2.77247], mean over positions 1..10 at n_ctx 10,
 * a certified bracket: the budget cut the enumeration of beliefs (estimate 2.77247)".
 */
export function expectedOptimumText(o: OptimalLoss, digits = 4): string {
  const where = `mean over positions 1..${o.nCtx} at n_ctx ${o.nCtx}`;
  if (o.exact) return `expected optimal ${o.mean.toFixed(digits)}, ${where}`;
  const [lo, hi] = outwardBracket(o.meanLower, o.meanUpper, digits + 1);
  return `expected optimal in [${lo}, ${hi}], ${where}, a certified bracket: the budget cut the enumeration of beliefs (estimate ${o.mean.toFixed(digits + 1)})`;
}

/**
 * The model's excess over the expected optimum: "1.23% above it", or against
 * both ends of its bracket, "1.20% to 1.25% above it (against its upper and lower ends)".
 */
export function excessOverOptimumText(modelLoss: number, o: OptimalLoss): string {
  if (o.exact) return `${percent(modelLoss / o.mean - 1)} above it`;
  const [a, b] = [percent(modelLoss / o.meanUpper - 1), percent(modelLoss / o.meanLower - 1)];
  if (a === b) return `${a} above it (against either end of its bracket)`;
  return `${percent(modelLoss / o.meanUpper - 1)} to ${percent(modelLoss / o.meanLower - 1)} above it (against its upper and lower ends)`;
}

/** The expected optimum and, where it is a bracket, the model's excess over both ends: for a parenthesis after a loss. */
export function optimumClause(modelLoss: number, o: OptimalLoss, digits = 4): string {
  return o.exact ? expectedOptimumText(o, digits) : `${expectedOptimumText(o, digits)}; the model ${excessOverOptimumText(modelLoss, o)}`;
}

/** The optimum's numbers for a JSON report: the mean over 1..nCtx, its bracket, and whether it is exact. */
export function optimumJson(o: OptimalLoss): { nCtx: number; exact: boolean; mean: number; lower: number; upper: number; perPositionLower: number[]; perPositionUpper: number[] } {
  return { nCtx: o.nCtx, exact: o.exact, mean: o.mean, lower: o.meanLower, upper: o.meanUpper, perPositionLower: Array.from(o.lower), perPositionUpper: Array.from(o.upper) };
}
