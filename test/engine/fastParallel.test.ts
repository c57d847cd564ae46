/**
 * The multi-threaded trainer (worker_threads, gradients summed in a
 * SharedArrayBuffer) equals the single-threaded one: loss and gradients within
 * 1e-6 relative (only the float summation order of the batch differs), and
 * parameters after several Adam steps within 1e-5 of their change, per tensor
 * (attn.b_K excepted as in fastTrain.test.ts). Also both kernel builds
 * (relaxed SIMD and plain SIMD) give the same gradients.
 */
import { afterAll, describe, expect, it } from "vitest";
import { createFastTrainer, supportedFlavours, type FastTrainer } from "../../src/train/fast/index.js";
import { createParallelFastTrainer } from "../../src/node/fast/parallelTrainer.js";
import { enableRelaxedSimd } from "../../src/node/fast/relaxedSimd.js";
import { makeOptimizer, makeOptimizerConfig } from "../../src/train/optimizer.js";
import { gradientChecks, makeConfig, randomParams, randomTokens, relativeError, ZERO_GRADIENT } from "./reference.js";

const config = makeConfig({ nLayers: 2, dModel: 24, nHeads: 3, dHead: 8, dMlp: 48, nCtx: 6, dVocab: 4 });
const optimizer = makeOptimizerConfig({ kind: "adam", learningRate: 2e-3, gradClip: 1 });
const B = 5, T = 6;
const open: FastTrainer[] = [];
afterAll(() => open.forEach((t) => t.dispose()));

describe("multi-threaded fast trainer", () => {
  it("equals the single-threaded trainer on 2 and 3 threads (uneven slices)", async () => {
    const params = randomParams(config, 8);
    const single = await createFastTrainer({ config, optimizer, batchSize: B, nPos: T, params });
    const multi = [2, 3].map((threads) => createParallelFastTrainer({ config, optimizer, batchSize: B, nPos: T, params, threads, flavour: single.engine.endsWith("relaxed-simd") ? "relaxed-simd" : "simd" }));
    const trainers = await Promise.all(multi);
    open.push(single, ...trainers);
    const tokens = randomTokens(1, B, T, config.dVocab);
    const want = await single.lossAndGrad(tokens);
    for (const t of trainers) {
      expect(t.threads).toBeGreaterThan(1);
      const got = await t.lossAndGrad(tokens);
      expect(Math.abs(got.loss / want.loss - 1)).toBeLessThan(1e-6);
      expect(gradientChecks(got.grads, want.grads).worst.error).toBeLessThan(1e-6);
    }
    const opt = makeOptimizer(optimizer);
    const p0 = single.stateDict();
    for (let k = 1; k <= 4; k++) {
      const batch = randomTokens(20 + k, B, T, config.dVocab);
      const a = await single.step(batch, opt.scalars(k, 2e-3));
      for (const t of trainers) expect(Math.abs((await t.step(batch, opt.scalars(k, 2e-3))) / a - 1)).toBeLessThan(1e-6);
    }
    // The ranks' parameter copies stay bitwise identical: a fresh trainer built from rank 0's
    // parameters gives bitwise the same gradients as the trained one (whose rank 1 uses its own copy).
    const probe = Int32Array.from({ length: B * (T + 1) }, (_, i) => (i * 7) % config.dVocab); // every token in every slice
    const fresh = await createParallelFastTrainer({ config, optimizer, batchSize: B, nPos: T, params: trainers[0].stateDict(), threads: 2, flavour: single.engine.endsWith("relaxed-simd") ? "relaxed-simd" : "simd" });
    open.push(fresh);
    const [x, y] = [await trainers[0].lossAndGrad(probe), await fresh.lossAndGrad(probe)];
    expect(y.loss).toBe(x.loss);
    for (const k of Object.keys(x.grads)) expect(Array.from(y.grads[k].data), k).toEqual(Array.from(x.grads[k].data));
    const want4 = single.stateDict();
    for (const t of trainers) {
      const got4 = t.stateDict();
      for (const k of Object.keys(want4)) {
        if (ZERO_GRADIENT.test(k)) continue;
        const d = (x: Float32Array) => x.map((v, i) => v - p0[k].data[i]);
        expect(relativeError(d(got4[k].data), d(want4[k].data)), k).toBeLessThan(1e-5);
      }
    }
  });

  it("rejects a second step before the first has finished, and steps after dispose", async () => {
    const params = randomParams(config, 9);
    const t = await createParallelFastTrainer({ config, optimizer, batchSize: B, nPos: T, params, threads: 2 });
    const tokens = randomTokens(2, B, T, config.dVocab);
    const s = makeOptimizer(optimizer).scalars(1, 1e-3);
    const first = t.step(tokens, s);
    await expect(Promise.resolve(t.step(tokens, s))).rejects.toThrow(/previous step has not finished/);
    await first;
    t.dispose();
    await expect(Promise.resolve(t.step(tokens, s))).rejects.toThrow(/disposed/);
  });

  it("relaxed-SIMD and plain-SIMD kernels give the same gradients", async () => {
    enableRelaxedSimd();
    const flavours = supportedFlavours();
    expect(flavours).toContain("simd");
    const params = randomParams(config, 10);
    const tokens = randomTokens(3, B, T, config.dVocab);
    const results = [];
    for (const flavour of flavours) {
      const t = await createFastTrainer({ config, optimizer, batchSize: B, nPos: T, params, flavour });
      expect(t.engine).toBe(`fast-wasm-${flavour}`);
      results.push(await t.lossAndGrad(tokens));
      t.dispose();
    }
    for (const r of results.slice(1)) {
      expect(Math.abs(r.loss / results[0].loss - 1)).toBeLessThan(1e-6);
      expect(gradientChecks(r.grads, results[0].grads).worst.error).toBeLessThan(1e-5);
    }
  });
});
