/**
 * The jax-js reference path for the fast-engine tests: loss and gradients of
 * src/train/objective.ts, random models and tokens, and the error measure.
 */
import { jit, numpy as np, tree, valueAndGrad } from "@jax-js/jax";
import { initEngine } from "../../src/engine/jax.js";
import { toDevice } from "../../src/engine/hostTensor.js";
import { makeConfig, type TransformerConfig } from "../../src/model/transformer/config.js";
import { initialStateDict } from "../../src/model/transformer/params.js";
import type { StateDict } from "../../src/model/types.js";
import { forward, type Params } from "../../src/model/transformer/forward.js";
import { batchArrays, crossEntropy } from "../../src/train/objective.js";
import { learningRateAt, makeOptimizer, type OptimizerConfig, type OptState } from "../../src/train/optimizer.js";
import { Rng } from "../../src/util/rng.js";

export { initEngine };

/**
 * Initial parameters with LayerNorm weights and biases drawn away from 1 and 0, so
 * their gradients (and the paths through them) are exercised too.
 */
export function randomParams(c: TransformerConfig, seed: number): StateDict {
  const params = initialStateDict(c, seed);
  const rng = new Rng(seed, "test-ln");
  for (const [name, t] of Object.entries(params)) {
    if (/(^|\.)ln(1|2|_final)\.[wb]$/.test(name)) {
      const base = name.endsWith(".w") ? 1 : 0;
      for (let i = 0; i < t.data.length; i++) t.data[i] = base + 0.2 * rng.normal();
    }
  }
  return params;
}

/** Uniform random tokens [batch, nPos + 1]. */
export function randomTokens(seed: number, batch: number, nPos: number, dVocab: number): Int32Array {
  const rng = new Rng(seed, "test-tokens");
  const out = new Int32Array(batch * (nPos + 1));
  for (let i = 0; i < out.length; i++) out[i] = rng.int(dVocab);
  return out;
}

/** The reference next-token loss: forward.ts then objective.ts's crossEntropy (as objective.ts nextTokenLoss). */
export function referenceLoss(c: TransformerConfig) {
  return (params: Params, tokens: np.Array, targets: np.Array, weights: np.Array): np.Array =>
    crossEntropy(forward(c, params, tokens), targets, weights, c.dVocab);
}

/** jax-js valueAndGrad of the reference next-token loss. */
export async function referenceLossAndGrad(c: TransformerConfig, params: StateDict, tokens: Int32Array, batch: number, nPos: number): Promise<{ loss: number; grads: StateDict }> {
  const device: Params = Object.fromEntries(Object.entries(params).map(([k, t]) => [k, toDevice(t)]));
  const b = batchArrays({ batch, nPos, tokens });
  const [loss, grads] = valueAndGrad(referenceLoss(c))(device, b.tokens, b.targets, b.weights);
  const out: StateDict = {};
  for (const [k, g] of Object.entries(grads as Params)) out[k] = { shape: [...g.shape], data: Float32Array.from((await g.data()) as Float32Array) };
  return { loss: ((await loss.data()) as Float32Array)[0], grads: out };
}

/** ||a - b|| / ||b|| (Euclidean over the whole tensor); ||a - b|| when b is zero. */
export function relativeError(a: ArrayLike<number>, b: ArrayLike<number>): number {
  if (a.length !== b.length) throw new Error(`lengths differ: ${a.length} vs ${b.length}`);
  let d = 0, n = 0;
  for (let i = 0; i < a.length; i++) {
    d += (a[i] - b[i]) ** 2;
    n += b[i] ** 2;
  }
  return n > 0 ? Math.sqrt(d / n) : Math.sqrt(d);
}

/** Parameters whose exact gradient is zero: b_K (softmax is invariant to adding q.b_K to every score of a query). */
export const ZERO_GRADIENT = /\.attn\.b_K$/;

function norm(x: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < x.length; i++) s += x[i] * x[i];
  return Math.sqrt(s);
}

/**
 * The largest relative error over the tensors of two state dicts (ZERO_GRADIENT
 * tensors excepted), and the largest norm of a ZERO_GRADIENT tensor in either,
 * relative to the norm of all of b.
 */
export function gradientChecks(a: StateDict, b: StateDict, except: RegExp = ZERO_GRADIENT): { worst: { name: string; error: number }; zeroNoise: number } {
  let worst = { name: "", error: 0 };
  let zero = 0, total = 0;
  for (const name of Object.keys(b)) {
    if (!a[name]) throw new Error(`missing ${name}`);
    total += norm(b[name].data) ** 2;
    if (except.test(name)) {
      zero = Math.max(zero, norm(a[name].data), norm(b[name].data));
      continue;
    }
    const e = relativeError(a[name].data, b[name].data);
    if (!(e <= worst.error)) worst = { name, error: e };
  }
  return { worst, zeroNoise: zero / Math.sqrt(total) };
}

export { makeConfig, np, tree };

/**
 * `steps` updates of the jax-js path on the given token batches: valueAndGrad of
 * the reference loss and makeOptimizer(...).update in one jit, with host scalars
 * per step, as src/train/trainer.ts's train does.
 */
export async function referenceTrain(
  c: TransformerConfig,
  optimizer: OptimizerConfig,
  params: StateDict,
  batches: Int32Array[],
  batch: number,
  nPos: number,
): Promise<{ losses: number[]; params: StateDict; optimizerState: StateDict }> {
  const opt = makeOptimizer(optimizer);
  let p: Params = Object.fromEntries(Object.entries(params).map(([k, t]) => [k, toDevice(t)]));
  let state: OptState = opt.init(p);
  const loss = referenceLoss(c);
  const lossGrad = valueAndGrad((q: Params, b: Record<string, np.Array>) => loss(q, b.tokens, b.targets, b.weights));
  const step = jit((q: Params, s: OptState, b: Record<string, np.Array>, scalars: Record<string, np.Array>) => {
    const [l, grads] = lossGrad(tree.ref(q), b);
    const [next, nextState] = opt.update(grads, s, q, scalars);
    return { loss: l, params: next, state: nextState };
  });
  const losses: number[] = [];
  for (let k = 0; k < batches.length; k++) {
    const lr = learningRateAt(opt.config, k, batches.length);
    const scalars = Object.fromEntries(Object.entries(opt.scalars(k + 1, lr)).map(([n, v]) => [n, np.array(v, { dtype: np.float32 })]));
    const out = step(p, state, batchArrays({ batch, nPos, tokens: batches[k] }), scalars);
    p = out.params;
    state = out.state;
    losses.push(((await out.loss.data()) as Float32Array)[0]);
  }
  step.dispose();
  const read = async (arr: np.Array) => ({ shape: [...arr.shape], data: Float32Array.from((await arr.data()) as Float32Array) });
  const outParams: StateDict = {};
  for (const [k, a] of Object.entries(p)) outParams[k] = await read(a);
  const outState: StateDict = {};
  for (const [s, tree_] of Object.entries(state)) for (const [k, a] of Object.entries(tree_)) outState[`${s}/${k}`] = await read(a);
  return { losses, params: outParams, optimizerState: outState };
}
