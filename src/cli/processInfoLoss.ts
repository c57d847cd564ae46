/**
 * `process info`'s optimal-loss lines: h(t) for t = 0..n_ctx and the expected
 * optimal loss, the mean over positions 1..n_ctx (the convention every command
 * shares, process/optimalLoss.ts). Where the budget cut the enumeration the
 * listed values are midpoints of certified brackets, and the brackets are printed.
 */
import type { EntropyRateResult } from "../process/entropyRate.js";
import type { OptimalLoss } from "../process/optimalLoss.js";
import { outwardBracket, valueAtLeast } from "../process/bracketText.js";

/** A probability as a percentage with sensible digits: "100%", "41%", "4.1%", "0.012%", "3.2e-7%". */
export const pct = (m: number): string => {
  const v = 100 * m;
  if (v >= 99.5) return "100%";
  if (v >= 10) return `${v.toFixed(0)}%`;
  if (v >= 0.001) return `${Number(v.toPrecision(2))}%`;
  return `${v.toExponential(1)}%`;
};

/** The printed lower end of the rate's bracket, as rateLine prints it (10 decimals, rounded down). */
function printedRateLower(rate: EntropyRateResult): number {
  return Number(outwardBracket(rate.lower, rate.upper)[0]);
}

export function infoLossLines(o: OptimalLoss, rate: EntropyRateResult, defaultNCtx: number): string[] {
  const n = o.nCtx;
  // Proven >= the rate's lower end (stationary start): never print one below the printed end.
  const floor = o.stationary ? printedRateLower(rate) : -Infinity;
  const list = `[${Array.from(o.perPosition, (v) => valueAtLeast(v, floor)).join(", ")}]`;
  const nCtxNote = `n_ctx ${n}${n === defaultNCtx ? ", the training default" : ""}; --n-ctx`;
  if (o.exact) {
    return [
      `optimal loss per position 0..${n} (nats, exact): ${list}`,
      `expected optimal loss, mean over positions 1..${n}: ${o.mean.toFixed(5)} nats (exact; ${nCtxNote})`,
    ];
  }
  const first = o.exactThrough + 1;
  const brackets = [];
  for (let t = first; t <= n; t++) {
    const [lo, hi] = outwardBracket(o.lower[t], o.upper[t], 4);
    brackets.push(`${t}: [${lo}, ${hi}]`);
  }
  const proven = o.stationary
    ? `; tightened with what is proven: h non-increasing, h(t) >= the entropy rate's lower end${o.rate ? ` ${o.rate.lower.toFixed(5)}` : ""}`
    : "; the start is not stationary, so h need not be monotone";
  const [mlo, mhi] = outwardBracket(o.meanLower, o.meanUpper, 5);
  return [
    `optimal loss per position 0..${n} (nats; ${first > 0 ? `exact through position ${first - 1}, then ` : ""}estimates, the midpoints of certified brackets): ${list}`,
    `  certified brackets (the budget, --max-beliefs and --max-work, pruned up to ${pct(o.prunedMass[n])} of the histories${proven}): ${brackets.join(", ")}`,
    `expected optimal loss, mean over positions 1..${n}: in [${mlo}, ${mhi}] nats, estimate ${o.mean.toFixed(5)} (${nCtxNote}; raise --max-work to narrow it)`,
  ];
}

/**
 * For a bracket whose lower end is the trivial 0 (a generalized HMM): how fast the upper end
 * H(X_L | X_<L) was still falling where it stopped, so that its width is read for what it is.
 */
export function upperEndNote(rate: EntropyRateResult): string | undefined {
  const exact = rate.steps.filter((s) => s.prunedUpper === 0);
  if (exact.length < 2) return undefined;
  const [a, b] = exact.slice(-2);
  const drop = a.upper - b.upper;
  if (!(drop > rate.width * 1e-6)) return `  the upper end has settled (it moved ${drop.toExponential(1)} from L = ${a.L} to ${b.L}).`;
  return `  the upper end was still falling when the budget stopped it (by ${drop.toExponential(2)} from L = ${a.L} to L = ${b.L}, the last depths enumerated in full), so the rate may lie well below it; no cheap certified lower bound exists without a hidden state (raise --max-beliefs and --max-work for a few more depths: the beliefs of this process do not merge, so each depth costs about ${a.beliefs > 0 ? (b.beliefs / a.beliefs).toFixed(1) : "?"} times the last).`;
}
