/**
 * The verdict of a probe site against its controls, by this rule:
 *
 *   "beyond controls" if and only if, for every control, the trained probe is
 *   better on both R^2 (higher) and belief KL (lower), each with a 95%
 *   bootstrap confidence interval of the difference (trained minus control)
 *   that excludes zero. Otherwise "not beyond controls: " and the controls
 *   (with the measure) not beaten; "undefined: ..." where a score is
 *   undefined (R^2 of targets that do not vary) or not finite.
 *
 * The interval holds both sources of chance in a difference of held-out
 * scores (docs/probes.md):
 * - the held-out sequences: resampled with replacement (sequences, not rows:
 *   rows of one sequence share a history), 1000 times by default, seeded;
 *   both scores of every predictor are recomputed on each resample from
 *   per-sequence sums (SSE, target sums and squares, KL);
 * - the fit: every predictor is refitted R times (20 by default, refit.ts)
 *   on bootstrap resamples of the training sequences, the same resample for
 *   all predictors, and scored on all held-out sequences. Resample b adds to
 *   its held-out difference the centred difference of refit (b mod R):
 *   d_b = d_test,b + (d_fit,(b mod R) - mean_j d_fit,j). Its variance is the
 *   sum of the held-out and the fit variance, and the interval stays centred
 *   on the difference of the reported fits.
 * The interval is the percentile interval of the d_b. Requiring every
 * interval to exclude zero is an intersection-union test: the verdict's
 * error rate is at most that of one interval (5%), with no correction for
 * the number of controls (Berger 1982, "Multiparameter hypothesis testing
 * and acceptance sampling"). Without refits (SequenceScores.refits absent)
 * only the held-out sequences are resampled, and the rule text says so.
 */
import { ArgumentError, checkInteger, checkNumber } from "../util/errors.js";
import { Rng } from "../util/rng.js";
import type { Rows } from "../util/rows.js";
import { r2FromSums } from "./scores.js";

export const VERDICT_RULE =
  'beyond controls iff, for every control, trained R² - control R² > 0 and control belief KL - trained belief KL > 0 ' +
  "with the 95% bootstrap confidence interval (1000 resamples of held-out sequences, percentile) of each difference excluding 0";

/** The interval's note on fit variance, appended to the rule (see the file header). */
export function fitVarianceNote(refits: number): string {
  return refits > 0
    ? `; each resample adds the centred difference of one of ${refits} refits of both predictors on resampled training sequences (fit variance)`
    : "; fitted probes held fixed (no fit variance in the interval)";
}

export const BEYOND_CONTROLS = "beyond controls";

/** Per-sequence sufficient statistics of one predictor on its targets. */
export interface SequenceScores {
  readonly sequences: number;
  /** [sequences] rows in each sequence. */
  readonly rows: Float64Array;
  /** [sequences] sum of squared errors over the sequence's rows and target coordinates. */
  readonly sse: Float64Array;
  /** [sequences] sum of the rows' KL (nats). */
  readonly kl: Float64Array;
  /** Target coordinates. */
  readonly cols: number;
  /**
   * Scores of the same predictor refitted on resampled training sequences (refit.ts), on these
   * held-out sequences: refit j of every predictor uses training resample j. Absent: no fit variance.
   */
  readonly refits?: readonly SequenceScores[];
  /** [sequences, cols] sum of the targets. */
  readonly targetSum: Float64Array;
  /** [sequences] sum of the squared targets over rows and coordinates. */
  readonly targetSumSq: Float64Array;
}

/**
 * Collect per-sequence sums for predictions `pred` of `target` (both [rows, cols]) and
 * per-row KL `klPerRow` [rows], where rows come in sequences of `nPos` consecutive rows.
 */
export function sequenceScores(pred: Rows, target: Rows, klPerRow: Float64Array, nPos: number): SequenceScores {
  const fn = "sequenceScores";
  checkInteger(fn, "nPos", nPos, 1);
  if (pred.rows !== target.rows || pred.cols !== target.cols || klPerRow.length !== target.rows || target.rows % nPos !== 0) {
    throw new ArgumentError({ fn, argument: "pred", received: `pred ${pred.rows} x ${pred.cols}, target ${target.rows} x ${target.cols}, ${klPerRow.length} KL values`, expected: `equal shapes, one KL per row, rows a multiple of nPos = ${nPos}` });
  }
  const cols = target.cols;
  const sequences = target.rows / nPos;
  const out = {
    sequences,
    cols,
    rows: new Float64Array(sequences).fill(nPos),
    sse: new Float64Array(sequences),
    kl: new Float64Array(sequences),
    targetSum: new Float64Array(sequences * cols),
    targetSumSq: new Float64Array(sequences),
  };
  for (let r = 0; r < target.rows; r++) {
    const s = Math.floor(r / nPos);
    out.kl[s] += klPerRow[r];
    for (let c = 0; c < cols; c++) {
      const y = target.data[r * cols + c];
      out.sse[s] += (pred.data[r * cols + c] - y) ** 2;
      out.targetSum[s * cols + c] += y;
      out.targetSumSq[s] += y * y;
    }
  }
  return out;
}

/** R^2 (or null) and mean KL of a predictor over sequences weighted by `counts` (null: each once). */
function scoresOf(p: SequenceScores, counts: ArrayLike<number> | null, sum: Float64Array = new Float64Array(p.cols)): { r2: number | null; r2Undefined?: string; kl: number } {
  let n = 0;
  let sse = 0;
  let ss = 0;
  let kl = 0;
  sum.fill(0);
  const cols = p.cols;
  for (let s = 0; s < p.sequences; s++) {
    const w = counts ? counts[s] : 1;
    if (w === 0) continue;
    n += w * p.rows[s];
    sse += w * p.sse[s];
    ss += w * p.targetSumSq[s];
    kl += w * p.kl[s];
    for (let c = 0; c < cols; c++) sum[c] += w * p.targetSum[s * cols + c];
  }
  let sst = ss;
  for (let c = 0; c < cols; c++) sst -= (sum[c] * sum[c]) / n;
  return { ...r2FromSums(sse, Math.max(sst, 0), ss, n), kl: kl / n };
}

/** Each predictor's scores on every resample: [resamples] R^2 (NaN where undefined) and mean KL. */
interface Replicates {
  readonly r2: Float64Array;
  readonly kl: Float64Array;
}

/**
 * Resample counts and per-predictor replicates, shared by every verdict that uses the same
 * sequences, resamples and seed (a probe report's controls are the same objects for every site).
 * Memory: resamples * sequences counts (2 bytes each below 65,536 sequences, else 4), plus
 * 16 bytes * resamples per predictor.
 */
export class BootstrapCache {
  #key = "";
  #counts: Uint16Array | Int32Array = new Uint16Array(0);
  readonly #replicates = new WeakMap<SequenceScores, Map<string, Replicates>>();

  /** [resamples, sequences] how often each sequence is drawn in each resample. */
  counts(sequences: number, resamples: number, seed: number): Uint16Array | Int32Array {
    const key = `${sequences}/${resamples}/${seed}`;
    if (key !== this.#key) {
      const rng = new Rng(seed, "probe-bootstrap");
      const counts = sequences < 65536 ? new Uint16Array(resamples * sequences) : new Int32Array(resamples * sequences);
      for (let b = 0; b < resamples; b++) {
        const o = b * sequences;
        for (let k = 0; k < sequences; k++) counts[o + rng.int(sequences)]++;
      }
      this.#key = key;
      this.#counts = counts;
    }
    return this.#counts;
  }

  replicates(p: SequenceScores, resamples: number, seed: number): Replicates {
    const key = `${resamples}/${seed}`;
    let byKey = this.#replicates.get(p);
    if (!byKey) this.#replicates.set(p, (byKey = new Map()));
    let found = byKey.get(key);
    if (!found) {
      const counts = this.counts(p.sequences, resamples, seed);
      const r2 = new Float64Array(resamples);
      const kl = new Float64Array(resamples);
      const sum = new Float64Array(p.cols);
      for (let b = 0; b < resamples; b++) {
        const s = scoresOf(p, counts.subarray(b * p.sequences, (b + 1) * p.sequences), sum);
        r2[b] = s.r2 ?? NaN;
        kl[b] = s.kl;
      }
      byKey.set(key, (found = { r2, kl }));
    }
    return found;
  }
}

export interface Interval {
  /** On the held-out sequences as drawn. */
  readonly estimate: number;
  readonly lower: number;
  readonly upper: number;
}

export interface ControlComparison {
  readonly control: string;
  /** trained R^2 - control R^2 (positive favours the trained probe); null if an R^2 is undefined. */
  readonly r2Gain: Interval | null;
  /** control belief KL - trained belief KL, nats (positive favours the trained probe). */
  readonly klGain: Interval | null;
  /** Whether each interval lies above 0. */
  readonly beatsR2: boolean;
  readonly beatsKL: boolean;
}

export interface Verdict {
  /** "beyond controls", "not beyond controls: <control> (<measure>), ...", or "undefined: <reason>". */
  readonly verdict: string;
  readonly beyondControls: boolean;
  readonly rule: string;
  readonly confidence: number;
  readonly resamples: number;
  /** Refits whose fit variance is in the intervals (0: fits held fixed). */
  readonly fitResamples: number;
  readonly comparisons: readonly ControlComparison[];
}

export interface VerdictOptions {
  /** Bootstrap resamples. Default 1000. */
  readonly resamples?: number;
  /** Confidence level of each interval. Default 0.95. */
  readonly confidence?: number;
  readonly seed?: number;
  /** Reuse resamples and replicates across calls (probeFeatures shares one across sites). */
  readonly cache?: BootstrapCache;
}

/** Quantile q of sorted values (linear interpolation between order statistics, numpy's default). */
function quantile(sorted: Float64Array, q: number): number {
  const h = (sorted.length - 1) * q;
  const lo = Math.floor(h);
  const hi = Math.min(lo + 1, sorted.length - 1);
  return sorted[lo] + (h - lo) * (sorted[hi] - sorted[lo]);
}

/**
 * Compare the trained probe with every control by a bootstrap over sequences and give the
 * verdict (see the file header). All predictors must be scored on the same held-out sequences.
 */
export function bootstrapVerdict(trained: SequenceScores, controls: Readonly<Record<string, SequenceScores>>, options: VerdictOptions = {}): Verdict {
  const fn = "bootstrapVerdict";
  const resamples = checkInteger(fn, "resamples", options.resamples ?? 1000, 10);
  const confidence = checkNumber(fn, "confidence", options.confidence ?? 0.95, 0.5, 0.9999);
  const seed = checkInteger(fn, "seed", options.seed ?? 0, 0);
  const names = Object.keys(controls);
  for (const name of names) {
    if (controls[name].sequences !== trained.sequences) {
      throw new ArgumentError({ fn, argument: `controls["${name}"]`, received: `${controls[name].sequences} sequences`, expected: `${trained.sequences}, the trained probe's held-out sequences` });
    }
  }
  const fitResamples = names.length > 0 && names.every((n) => refitCount(trained, controls[n]) > 0) ? refitCount(trained, controls[names[0]]) : 0;
  const rule =
    VERDICT_RULE.replace("95%", `${Math.round(confidence * 1000) / 10}%`).replace("1000 resamples", `${resamples} resamples`) + fitVarianceNote(fitResamples);
  const base = { rule, confidence, resamples, fitResamples };
  const whole = scoresOf(trained, null);
  if (whole.r2 === null) {
    return { ...base, verdict: `undefined: R² of the trained probe is undefined (${whole.r2Undefined})`, beyondControls: false, comparisons: [] };
  }
  const cache = options.cache ?? new BootstrapCache();
  const t = cache.replicates(trained, resamples, seed);
  const controlWhole = names.map((n) => scoresOf(controls[n], null));
  const fit = names.map((n) => fitDeviations(trained, controls[n]));
  const r2Diffs = names.map((n, i) => {
    const c = cache.replicates(controls[n], resamples, seed);
    const dev = fit[i]?.r2;
    return t.r2.map((v, b) => v - c.r2[b] + (dev ? dev[b % dev.length] : 0));
  });
  const klDiffs = names.map((n, i) => {
    const c = cache.replicates(controls[n], resamples, seed);
    const dev = fit[i]?.kl;
    return c.kl.map((v, b) => v - t.kl[b] + (dev ? dev[b % dev.length] : 0));
  });
  const alpha = (1 - confidence) / 2;
  const interval = (estimate: number, diffs: Float64Array): Interval | null => {
    if (!Number.isFinite(estimate) || diffs.some((v) => !Number.isFinite(v))) return null;
    const sorted = Float64Array.from(diffs).sort();
    return { estimate, lower: quantile(sorted, alpha), upper: quantile(sorted, 1 - alpha) };
  };
  const comparisons: ControlComparison[] = names.map((name, c) => {
    const cw = controlWhole[c];
    const r2Gain = cw.r2 === null ? null : interval(whole.r2! - cw.r2, r2Diffs[c]);
    const klGain = interval(cw.kl - whole.kl, klDiffs[c]);
    return { control: name, r2Gain, klGain, beatsR2: r2Gain !== null && r2Gain.lower > 0, beatsKL: klGain !== null && klGain.lower > 0 };
  });
  const undefinedParts = comparisons.flatMap((c) => [
    ...(c.r2Gain === null ? [`R² gain over ${c.control} is undefined`] : []),
    ...(c.klGain === null ? [`belief KL gain over ${c.control} is not finite`] : []),
  ]);
  if (undefinedParts.length > 0) return { ...base, verdict: `undefined: ${undefinedParts.join("; ")}`, beyondControls: false, comparisons };
  const notBeaten = comparisons
    .filter((c) => !c.beatsR2 || !c.beatsKL)
    .map((c) => `${c.control} (${[...(c.beatsR2 ? [] : ["R²"]), ...(c.beatsKL ? [] : ["belief KL"])].join(", ")})`);
  if (notBeaten.length === 0) return { ...base, verdict: BEYOND_CONTROLS, beyondControls: true, comparisons };
  return { ...base, verdict: `not beyond controls: ${notBeaten.join(", ")}`, beyondControls: false, comparisons };
}

/** Refits both predictors have (paired by training resample), 0 when either has none. */
function refitCount(a: SequenceScores, b: SequenceScores): number {
  const n = Math.min(a.refits?.length ?? 0, b.refits?.length ?? 0);
  return n >= 2 ? n : 0;
}

/**
 * The centred fit deviations of a difference: for refit j, (trained - control) R^2 and
 * (control - trained) KL on all held-out sequences, minus their mean over refits; null without
 * refits. NaN where a refit's R^2 is undefined (the interval is then undefined too).
 */
function fitDeviations(trained: SequenceScores, control: SequenceScores): { r2: Float64Array; kl: Float64Array } | null {
  const n = refitCount(trained, control);
  if (n === 0) return null;
  const r2 = new Float64Array(n);
  const kl = new Float64Array(n);
  for (let j = 0; j < n; j++) {
    const t = scoresOf(trained.refits![j], null);
    const c = scoresOf(control.refits![j], null);
    r2[j] = t.r2 === null || c.r2 === null ? NaN : t.r2 - c.r2;
    kl[j] = c.kl - t.kl;
  }
  const centre = (a: Float64Array) => {
    const mean = a.reduce((x, y) => x + y, 0) / n;
    return a.map((v) => v - mean);
  };
  return { r2: centre(r2), kl: centre(kl) };
}

/** Whole-sample scores of a predictor (R^2 or null, mean KL): for callers that compare predictors. */
export function wholeScores(p: SequenceScores): { r2: number | null; kl: number } {
  const s = scoresOf(p, null);
  return { r2: s.r2, kl: s.kl };
}
