/**
 * The optimizers of src/train/optimizer.ts over flat buffers, in wasm: global-norm
 * clipping, then Adam (AdamW) or SGD with momentum, each one pass over the flat
 * parameters, with the reference's float32 operation order. Per-step scalars come
 * from `makeOptimizer(config).scalars(t, lr)`, as for the jax-js trainer.
 */
import { ArgumentError, describe } from "../../util/errors.js";
import type { OptimizerConfig } from "../optimizer.js";
import type { FastNetwork } from "../../model/transformer/fast/network.js";

/** Flat optimizer-state buffers: Adam ["m", "v"], SGD with momentum ["momentum"], plain SGD []. */
export function optimizerStateNames(o: OptimizerConfig): string[] {
  if (o.kind === "adam") return ["m", "v"];
  return o.momentum > 0 ? ["momentum"] : [];
}

/** The per-step scalars an optimizer needs (as makeOptimizer(config).scalars(t, lr) gives them). */
export function scalarNames(o: OptimizerConfig): string[] {
  if (o.kind === "adam") return o.weightDecay > 0 ? ["stepSize", "sqrtBias2", "decay"] : ["stepSize", "sqrtBias2"];
  return ["lr"];
}

/** Throw ArgumentError unless `scalars` has every finite scalar the optimizer needs (checked before a step starts). */
export function checkScalars(fn: string, o: OptimizerConfig, scalars: Record<string, number>): void {
  for (const name of scalarNames(o)) {
    const v = scalars?.[name];
    if (typeof v !== "number" || !Number.isFinite(v)) {
      throw new ArgumentError({ fn, argument: `scalars.${name}`, received: describe(v), expected: "a finite number", hint: "Pass makeOptimizer(config).scalars(t, lr)." });
    }
  }
}

function scalar(scalars: Record<string, number>, name: string): number {
  const v = scalars[name];
  if (typeof v !== "number" || !Number.isFinite(v)) {
    throw new Error(`fast engine: optimizer scalar "${name}" is ${v}; pass optimizer.scalars(t, lr) from makeOptimizer`);
  }
  return v;
}

/**
 * Clip the gradient to the global norm (when configured) and apply one update
 * to `net`'s parameters and state.
 */
export function applyUpdate(net: FastNetwork, o: OptimizerConfig, scalars: Record<string, number>): void {
  const k = net.kernels;
  const n = net.layout.size;
  if (o.gradClip > 0) {
    // Reference: factor = min(maxNorm / (||g|| + 1e-12), 1) in float32.
    const norm = Math.fround(Math.sqrt(k.sumSquares(net.grads, n)));
    const factor = Math.min(Math.fround(Math.fround(1 / Math.fround(norm + 1e-12)) * Math.fround(o.gradClip)), 1);
    k.scaleInPlace(net.grads, n, factor);
  }
  if (o.kind === "adam") {
    k.adamUpdate(net.params, net.grads, net.state.m, net.state.v, n, o.beta1, 1 - o.beta1, o.beta2, 1 - o.beta2, o.eps,
      scalar(scalars, "stepSize"), scalar(scalars, "sqrtBias2"), o.weightDecay > 0 ? scalar(scalars, "decay") : 1, o.weightDecay > 0 ? 1 : 0);
  } else {
    k.sgdUpdate(net.params, net.grads, o.momentum > 0 ? net.state.momentum : 0, n, scalar(scalars, "lr"), o.momentum, o.weightDecay,
      o.momentum > 0 ? 1 : 0, o.weightDecay > 0 ? 1 : 0);
  }
}
