/**
 * Optimizers on jax-js parameter trees (there is no optax on npm). Each is a
 * pure update that runs inside the jitted training step; per-step scalars
 * (learning rate, bias corrections) are computed on the host in float64 and
 * passed in as arrays, so changing them never recompiles.
 */
import { numpy as np, tree } from "@jax-js/jax";
import { ArgumentError, checkChoice, checkKnownKeys, checkNumber, describe } from "../util/errors.js";
import type { Params } from "../model/transformer/forward.js";

export type OptimizerKind = "adam" | "sgd";

export interface OptimizerConfig {
  readonly kind: OptimizerKind;
  /** Peak learning rate. Default 1e-3 (torch_ref.py). */
  readonly learningRate: number;
  /** Adam: first-moment decay. Default 0.9 (PyTorch). */
  readonly beta1: number;
  /** Adam: second-moment decay. Default 0.999 (PyTorch). */
  readonly beta2: number;
  /** Adam: denominator epsilon. Default 1e-8 (PyTorch). */
  readonly eps: number;
  /** SGD: momentum. Default 0 (plain SGD). */
  readonly momentum: number;
  /** Decoupled weight decay (AdamW; for SGD added to the gradient, as torch.optim.SGD). Default 0. */
  readonly weightDecay: number;
  /** Clip the global gradient norm to this; 0 disables. Default 0. */
  readonly gradClip: number;
  /** "constant", or "cosine" decay to 10% of the peak after linear warmup. Default "constant". */
  readonly schedule: "constant" | "cosine";
  /** Linear warmup steps. Default 0. */
  readonly warmupSteps: number;
}

export const DEFAULT_OPTIMIZER: OptimizerConfig = Object.freeze({
  kind: "adam",
  learningRate: 1e-3,
  beta1: 0.9,
  beta2: 0.999,
  eps: 1e-8,
  momentum: 0,
  weightDecay: 0,
  gradClip: 0,
  schedule: "constant",
  warmupSteps: 0,
});

export function makeOptimizerConfig(overrides: Partial<OptimizerConfig> = {}): OptimizerConfig {
  const fn = "makeOptimizerConfig";
  checkKnownKeys(fn, "optimizer", overrides, Object.keys(DEFAULT_OPTIMIZER));
  const c = { ...DEFAULT_OPTIMIZER, ...overrides };
  checkChoice(fn, "optimizer.kind", c.kind, ["adam", "sgd"] as const);
  checkNumber(fn, "optimizer.learningRate", c.learningRate, 0);
  checkNumber(fn, "optimizer.beta1", c.beta1, 0, 0.999999);
  checkNumber(fn, "optimizer.beta2", c.beta2, 0, 0.99999999);
  checkNumber(fn, "optimizer.eps", c.eps, 0);
  checkNumber(fn, "optimizer.momentum", c.momentum, 0, 1);
  checkNumber(fn, "optimizer.weightDecay", c.weightDecay, 0);
  checkNumber(fn, "optimizer.gradClip", c.gradClip, 0);
  checkChoice(fn, "optimizer.schedule", c.schedule, ["constant", "cosine"] as const);
  checkNumber(fn, "optimizer.warmupSteps", c.warmupSteps, 0);
  return Object.freeze(c);
}

/** Learning rate at (0-based) step `step` of `totalSteps`. */
export function learningRateAt(c: OptimizerConfig, step: number, totalSteps: number): number {
  if (c.warmupSteps > 0 && step < c.warmupSteps) return (c.learningRate * (step + 1)) / c.warmupSteps;
  if (c.schedule === "constant") return c.learningRate;
  const span = Math.max(1, totalSteps - c.warmupSteps);
  const progress = Math.min(1, (step - c.warmupSteps) / span);
  const floor = 0.1;
  return c.learningRate * (floor + (1 - floor) * 0.5 * (1 + Math.cos(Math.PI * progress)));
}

/** Optimizer state: named trees shaped like the parameters (Adam: m, v). */
export type OptState = Record<string, Params>;

export interface Optimizer {
  readonly config: OptimizerConfig;
  /** Names of the state trees, e.g. ["m", "v"]. */
  readonly stateNames: readonly string[];
  /** Zero state for these parameters (consumes nothing). */
  init(params: Params): OptState;
  /** Host-side scalars for update number `t` (1-based) at learning rate `lr`. */
  scalars(t: number, lr: number): Record<string, number>;
  /** One update; consumes grads, state, params and scalars. */
  update(grads: Params, state: OptState, params: Params, scalars: Record<string, np.Array>): [Params, OptState];
}

function zerosLike(params: Params): Params {
  return Object.fromEntries(Object.entries(params).map(([k, p]) => [k, np.zeros(p.shape, { dtype: p.dtype })]));
}

/** Scale grads by min(1, maxNorm / ||g||) (global norm over all parameters). Consumes grads. */
function clipByGlobalNorm(grads: Params, maxNorm: number): Params {
  const sq = Object.values(grads).map((g) => np.square(g.ref).sum());
  const norm = np.sqrt(sq.reduce((a, b) => a.add(b)));
  const factor = np.minimum(np.reciprocal(norm.add(1e-12)).mul(maxNorm), 1);
  const out = tree.map((g: np.Array) => g.mul(factor.ref), grads) as Params;
  factor.dispose();
  return out;
}

/**
 * Adam (Kingma & Ba 2015) exactly as torch.optim.Adam:
 *   m <- b1 m + (1 - b1) g;  v <- b2 v + (1 - b2) g^2
 *   p <- p - (lr / (1 - b1^t)) m / (sqrt(v) / sqrt(1 - b2^t) + eps)
 * with decoupled weight decay p <- p (1 - lr wd) first (AdamW, Loshchilov & Hutter 2019).
 */
function adam(c: OptimizerConfig): Optimizer {
  return {
    config: c,
    stateNames: ["m", "v"],
    init: (params) => ({ m: zerosLike(params), v: zerosLike(params) }),
    scalars: (t, lr) => ({
      stepSize: lr / (1 - c.beta1 ** t),
      sqrtBias2: Math.sqrt(1 - c.beta2 ** t),
      decay: 1 - lr * c.weightDecay,
    }),
    update(grads, state, params, s) {
      if (c.gradClip > 0) grads = clipByGlobalNorm(grads, c.gradClip);
      const m: Params = {};
      const v: Params = {};
      const out: Params = {};
      for (const name of Object.keys(params)) {
        const g = grads[name];
        m[name] = state.m[name].mul(c.beta1).add(g.ref.mul(1 - c.beta1));
        v[name] = state.v[name].mul(c.beta2).add(np.square(g).mul(1 - c.beta2));
        const denom = np.sqrt(v[name].ref).div(s.sqrtBias2.ref).add(c.eps);
        const p = c.weightDecay > 0 ? params[name].mul(s.decay.ref) : params[name];
        out[name] = p.sub(m[name].ref.mul(s.stepSize.ref).div(denom));
      }
      tree.dispose(s);
      return [out, { m, v }];
    },
  };
}

/** SGD as torch.optim.SGD: g <- g + wd p; b <- mu b + g; p <- p - lr b. */
function sgd(c: OptimizerConfig): Optimizer {
  const withMomentum = c.momentum > 0;
  return {
    config: c,
    stateNames: withMomentum ? ["momentum"] : [],
    init: (params): OptState => (withMomentum ? { momentum: zerosLike(params) } : {}),
    scalars: (_t, lr) => ({ lr }),
    update(grads, state, params, s) {
      if (c.gradClip > 0) grads = clipByGlobalNorm(grads, c.gradClip);
      const out: Params = {};
      const buf: Params = {};
      for (const name of Object.keys(params)) {
        let g = grads[name];
        if (c.weightDecay > 0) g = g.add(params[name].ref.mul(c.weightDecay));
        if (withMomentum) {
          // torch.optim.SGD: the first step sets the buffer to g; later steps b = mu b + g. With b
          // initialised to zero, mu * 0 + g gives the same first step.
          buf[name] = state.momentum[name].mul(c.momentum).add(g);
          g = buf[name].ref;
        }
        out[name] = params[name].sub(g.mul(s.lr.ref));
      }
      tree.dispose(s);
      const next: OptState = withMomentum ? { momentum: buf } : {};
      return [out, next];
    },
  };
}

export function makeOptimizer(config: Partial<OptimizerConfig> | OptimizerConfig = {}): Optimizer {
  const c = makeOptimizerConfig(config);
  if (c.kind === "adam") return adam(c);
  if (c.kind === "sgd") return sgd(c);
  throw new ArgumentError({ fn: "makeOptimizer", argument: "kind", received: describe(c.kind), expected: '"adam" or "sgd"' });
}
