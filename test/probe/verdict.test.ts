import { describe, expect, it } from "vitest";
import { BEYOND_CONTROLS, bootstrapVerdict, sequenceScores, type SequenceScores } from "../../src/probe/verdict.js";
import { Rng } from "../../src/util/rng.js";
import type { Rows } from "../../src/util/rows.js";

const nPos = 5;

/** Targets [seqs * nPos, 2] and predictions = targets + N(0, sigma^2) noise; KL per row = squared error (a stand-in). */
function synthetic(seqs: number, seed: number) {
  const rng = new Rng(seed);
  const rows = seqs * nPos;
  const target: Rows = { rows, cols: 2, data: Float64Array.from({ length: rows * 2 }, () => rng.normal()) };
  const predict = (sigma: number, noiseSeed: number): SequenceScores => {
    const r = new Rng(noiseSeed);
    const pred: Rows = { rows, cols: 2, data: target.data.map((y) => y + sigma * r.normal()) };
    const kl = new Float64Array(rows);
    for (let k = 0; k < rows; k++) kl[k] = (pred.data[2 * k] - target.data[2 * k]) ** 2 + (pred.data[2 * k + 1] - target.data[2 * k + 1]) ** 2;
    return sequenceScores(pred, target, kl, nPos);
  };
  return { target, predict };
}

describe("bootstrapVerdict", () => {
  it("a predictor compared with itself: every difference is 0, the interval includes 0, not beyond controls", () => {
    const { predict } = synthetic(100, 1);
    const p = predict(0.3, 2);
    const v = bootstrapVerdict(p, { copy: p }, { resamples: 200 });
    expect(v.verdict).toBe("not beyond controls: copy (R², belief KL)");
    expect(v.beyondControls).toBe(false);
    const c = v.comparisons[0];
    expect([c.r2Gain!.lower, c.r2Gain!.estimate, c.r2Gain!.upper]).toEqual([0, 0, 0]);
    expect([c.klGain!.lower, c.klGain!.upper]).toEqual([0, 0]);
  });

  it("a clearly better predictor is beyond every control, with intervals around the true gain", () => {
    const { predict } = synthetic(300, 3);
    const good = predict(0.1, 4);
    const v = bootstrapVerdict(good, { worse: predict(0.5, 5), "much worse": predict(1, 6) }, { resamples: 500 });
    expect(v.verdict).toBe(BEYOND_CONTROLS);
    // Targets have unit variance: R^2 ~ 1 - sigma^2, so the gain over sigma 0.5 is ~ 0.25 - 0.01 = 0.24;
    // the KL stand-in is the squared error, mean 2 sigma^2: gain ~ 2 (0.25 - 0.01) = 0.48.
    const [w] = v.comparisons;
    expect(w.r2Gain!.lower).toBeGreaterThan(0.2);
    expect(w.r2Gain!.upper).toBeLessThan(0.28);
    expect(w.klGain!.lower).toBeGreaterThan(0.42);
    expect(w.klGain!.upper).toBeLessThan(0.54);
  });

  it("covers a zero difference about 95% of the time when two predictors are equally good", () => {
    // Two predictors with independent noise of the same size: the true gain is 0 on both measures.
    let covered = 0;
    const trials = 60;
    for (let t = 0; t < trials; t++) {
      const { predict } = synthetic(60, 100 + t);
      const v = bootstrapVerdict(predict(0.5, 1000 + t), { twin: predict(0.5, 2000 + t) }, { resamples: 300, seed: t });
      const c = v.comparisons[0];
      if (c.r2Gain!.lower <= 0 && c.r2Gain!.upper >= 0) covered++;
    }
    // Binomial(60, 0.95): P(fewer than 50 covered) < 0.3%.
    expect(covered).toBeGreaterThanOrEqual(50);
    expect(covered).toBeLessThanOrEqual(60);
  });

  it("names each control and measure not beaten", () => {
    const { predict } = synthetic(200, 7);
    const trained = predict(0.2, 8);
    // Better R^2 but worse KL: same predictions as a sigma-0.5 control, KL replaced by zeros for the control.
    const worse = predict(0.5, 9);
    const lowKL: SequenceScores = { ...worse, kl: new Float64Array(worse.sequences) };
    const v = bootstrapVerdict(trained, { shuffled: predict(2, 10), "2-gram": lowKL, twin: trained });
    expect(v.verdict).toBe("not beyond controls: 2-gram (belief KL), twin (R², belief KL)");
  });

  it("is the same for the same seed and says undefined when the trained R^2 is", () => {
    const { predict } = synthetic(50, 11);
    const a = predict(0.3, 1);
    const b = predict(0.6, 2);
    expect(bootstrapVerdict(a, { b }, { seed: 4, resamples: 100 })).toEqual(bootstrapVerdict(a, { b }, { seed: 4, resamples: 100 }));
    const constant: Rows = { rows: 50 * nPos, cols: 2, data: new Float64Array(100 * nPos).fill(0.5) };
    const flat = sequenceScores(constant, constant, new Float64Array(50 * nPos), nPos);
    expect(bootstrapVerdict(flat, { b }).verdict).toMatch(/^undefined: R² of the trained probe is undefined \(the targets do not vary/);
  });

  it("rejects controls scored on other sequences", () => {
    const a = synthetic(10, 1).predict(0.1, 1);
    const b = synthetic(12, 1).predict(0.1, 1);
    expect(() => bootstrapVerdict(a, { b })).toThrow(`bootstrapVerdict: argument 'controls["b"]' received 12 sequences; expected 10, the trained probe's held-out sequences.`);
  });
});
