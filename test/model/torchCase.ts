/**
 * Shared check of an architecture against a PyTorch fixture (a case written by one of
 * test/fixtures/arch_*.py): logits, activations at hooks, loss and gradients of every parameter.
 */
import { readFileSync } from "node:fs";
import { expect, it } from "vitest";
import { tree } from "@jax-js/jax";
import { modelFromStateDict } from "../../src/model/registry.js";
import { engineAccess } from "../../src/model/sequenceModel.js";
import type { StateDict } from "../../src/model/types.js";
import { batchArrays, lossAndGrad } from "../../src/train/objective.js";

export interface TorchCase {
  /** Registered architecture (default "transformer"). */
  arch?: string;
  config: Record<string, unknown>;
  params: Record<string, { shape: number[]; data: number[] }>;
  /** [batch, nPos + 1]: the model reads the first nPos tokens of each. */
  tokens: number[][];
  logits: number[];
  acts: Record<string, number[]>;
  loss: number;
  grads: Record<string, number[]>;
}

export function readCases(file: string): Record<string, TorchCase> {
  return JSON.parse(readFileSync(new URL(`../fixtures/${file}`, import.meta.url), "utf8"));
}

export function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  expect(a.length).toBe(b.length);
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i] - b[i]));
  return m;
}

/** Two tests: forward (logits and hooks within `tol` absolute) and gradients (relative to each gradient's largest entry). */
export function checkAgainstTorch(arch: string, tc: TorchCase, tol = { forward: 2e-5, loss: 1e-5, grad: 1e-4 }): void {
  const sd: StateDict = Object.fromEntries(Object.entries(tc.params).map(([k, v]) => [k, { shape: v.shape, data: Float32Array.from(v.data) }]));
  const nPos = tc.tokens[0].length - 1;
  const inputs = Int32Array.from(tc.tokens.flatMap((row) => row.slice(0, nPos)));

  it("gives the same logits and activations as PyTorch", async () => {
    const model = await modelFromStateDict(arch, tc.config, sd);
    const names = Object.keys(tc.acts);
    const { logits, cache } = await model.runWithCache(inputs, nPos, { names });
    expect(logits.shape).toEqual([tc.tokens.length, nPos, model.dVocab]);
    expect(maxAbsDiff(logits.data, tc.logits)).toBeLessThan(tol.forward);
    for (const hook of names) expect(maxAbsDiff(cache.get(hook).data, tc.acts[hook]), hook).toBeLessThan(tol.forward);
    model.dispose();
  });

  it("gives the same loss and gradients as autograd", async () => {
    const model = await modelFromStateDict(arch, tc.config, sd);
    const arrays = batchArrays({ batch: tc.tokens.length, nPos, tokens: Int32Array.from(tc.tokens.flat()) });
    const [loss, grads] = lossAndGrad(model)(engineAccess(model).params(model), arrays.tokens, arrays.targets, arrays.weights);
    expect(Math.abs(loss.item() - tc.loss)).toBeLessThan(tol.loss);
    expect(Object.keys(grads).sort()).toEqual(Object.keys(tc.grads).sort());
    for (const [p, g] of Object.entries(grads)) {
      const expected = tc.grads[p];
      const scale = Math.max(1e-3, ...expected.map(Math.abs));
      expect(maxAbsDiff(g.ref.dataSync() as Float32Array, expected) / scale, p).toBeLessThan(tol.grad);
    }
    tree.dispose(grads);
    model.dispose();
  });
}
