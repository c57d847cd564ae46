import { it } from "vitest";
import { probeFeatures } from "../../src/probe/beliefProbe.js";
import { makeProcess } from "../../src/process/catalogue/index.js";
import { filterBeliefs } from "../../src/process/beliefs.js";
import { sampleSequences } from "../../src/process/sample.js";
import { Rng } from "../../src/util/rng.js";

it("experiment", () => {
  const hmm = makeProcess("mess3");
  const sequences = 400, nPos = 10, d = 48;
  for (const fr of [0, 20]) {
    let beaten = 0, beatenKL = 0;
    const trials = 12;
    const t0 = performance.now();
    for (let t = 0; t < trials; t++) {
      const s = sampleSequences(hmm, { count: sequences, length: nPos, seed: 100 + t });
      const beliefs = { rows: sequences * nPos, cols: 3, data: filterBeliefs(hmm, s.tokens, nPos).beliefs };
      const rng = new Rng(t);
      const M = Float64Array.from({ length: 3 * d }, () => rng.normal());
      const copy = () => {
        const data = new Float64Array(beliefs.rows * d);
        for (let r = 0; r < beliefs.rows; r++) for (let j = 0; j < d; j++) {
          let v = 0.3 * rng.normal();
          for (let i = 0; i < 3; i++) v += beliefs.data[r * 3 + i] * M[i * d + j];
          data[r * d + j] = v;
        }
        return { rows: beliefs.rows, cols: d, data };
      };
      const rep = probeFeatures({ features: { a: copy() }, untrainedFeatures: { a: copy() }, beliefs, tokens: s.tokens, hmm, sequences, nPos }, [{ label: "a", hooks: [] }], { kgramOrders: [], shuffledControl: false, testFraction: 0.8, fitResamples: fr, resamples: 500, seed: t });
      const c = rep.sites[0].verdict.comparisons[0];
      if (c.beatsR2 || (c.r2Gain!.upper < 0)) beaten++;
      if (c.beatsKL || (c.klGain!.upper < 0)) beatenKL++;
      if (t < 3) console.log(fr, rep.sites[0].r2, c.r2Gain, c.klGain);
    }
    console.log("fitResamples", fr, "R2 excludes 0:", beaten, "KL excludes 0:", beatenKL, "of", trials, ((performance.now() - t0) / 1000).toFixed(1), "s");
  }
}, 600000);
