import { readFileSync } from "node:fs";
import { beforeAll, describe, expect, it } from "vitest";
import { numpy as np, tree, valueAndGrad } from "@jax-js/jax";
import { initEngine } from "../../src/engine/jax.js";
import { learningRateAt, makeOptimizer, makeOptimizerConfig, type OptimizerConfig } from "../../src/train/optimizer.js";
import type { Params } from "../../src/model/transformer/forward.js";

/** torch.optim on a least-squares problem: test/fixtures/torch_optim.py. */
const truth = JSON.parse(readFileSync(new URL("../fixtures/torch-optim.json", import.meta.url), "utf8"));

beforeAll(async () => {
  await initEngine();
});

function loss(params: Params): np.Array {
  const A = np.array(truth.A.flat()).reshape([4, 3]);
  const y = np.array(truth.y);
  const c = np.array([
    [1, 2],
    [3, 4],
  ]);
  const { p, W } = params;
  const r = np.matmul(A, p.ref).sub(y);
  const cross = W.ref.sum().mul(p.sum());
  return np.square(r).sum().add(np.square(W).mul(c).sum()).add(np.square(cross));
}

function run(config: Partial<OptimizerConfig>, steps: number): { p: number[]; W: number[]; losses: number[] } {
  const opt = makeOptimizer(config);
  let params: Params = { p: np.array(truth.p0), W: np.array(truth.W0.flat()).reshape([2, 2]) };
  let state = opt.init(params);
  const losses: number[] = [];
  const vg = valueAndGrad(loss);
  for (let t = 1; t <= steps; t++) {
    const [l, g] = vg(tree.ref(params));
    losses.push(l.item());
    const scalars = Object.fromEntries(Object.entries(opt.scalars(t, opt.config.learningRate)).map(([k, v]) => [k, np.array(v)]));
    [params, state] = opt.update(g, state, params, scalars);
  }
  const out = { p: Array.from(params.p.dataSync() as Float32Array), W: Array.from(params.W.dataSync() as Float32Array), losses };
  tree.dispose(state);
  return out;
}

const cases: Record<string, Partial<OptimizerConfig>> = {
  adam: { kind: "adam", learningRate: 0.1 },
  adamw: { kind: "adam", learningRate: 0.1, weightDecay: 0.1 },
  "adam-clip": { kind: "adam", learningRate: 0.05, gradClip: 1 },
  sgd: { kind: "sgd", learningRate: 0.01 },
  "sgd-momentum-wd": { kind: "sgd", learningRate: 0.01, momentum: 0.9, weightDecay: 0.01 },
};

describe("optimizers match torch.optim step for step", () => {
  for (const [name, config] of Object.entries(cases)) {
    it(name, () => {
      const got = run(config, 6);
      const want = truth.cases[name];
      for (let k = 0; k < 6; k++) expect(Math.abs(got.losses[k] - want.losses[k]) / Math.max(1, want.losses[k])).toBeLessThan(2e-5);
      const all = [...got.p, ...got.W];
      const exp = [...want.p, ...want.W.flat()];
      for (let i = 0; i < exp.length; i++) expect(Math.abs(all[i] - exp[i]), `${name} param ${i}`).toBeLessThan(2e-5);
    });
  }
});

describe("learning-rate schedules", () => {
  it("warms up linearly and decays by cosine to 10% of the peak", () => {
    const c = makeOptimizerConfig({ learningRate: 1, schedule: "cosine", warmupSteps: 10 });
    expect(learningRateAt(c, 0, 110)).toBeCloseTo(0.1, 12);
    expect(learningRateAt(c, 9, 110)).toBeCloseTo(1, 12);
    expect(learningRateAt(c, 10, 110)).toBeCloseTo(1, 12);
    expect(learningRateAt(c, 60, 110)).toBeCloseTo(0.1 + 0.9 * 0.5, 12); // halfway: cos(pi/2) = 0
    expect(learningRateAt(c, 110, 110)).toBeCloseTo(0.1, 12);
    expect(learningRateAt(makeOptimizerConfig({ learningRate: 0.3 }), 1234, 2000)).toBe(0.3);
  });

  it("rejects bad settings", () => {
    expect(() => makeOptimizerConfig({ kind: "lion" as never })).toThrow(`makeOptimizerConfig: argument 'optimizer.kind' received "lion"; expected one of "adam", "sgd".`);
    expect(() => makeOptimizerConfig({ learningRate: -1 })).toThrow("argument 'optimizer.learningRate' received -1; expected a finite number >= 0.");
    expect(() => makeOptimizerConfig({ lr: 1 } as never)).toThrow("argument 'optimizer.lr' received an unknown option");
  });
});
