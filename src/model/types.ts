/**
 * Plain host-side types shared by every architecture: tensors as Float32Array
 * with a shape, state dicts keyed by TransformerLens-style parameter names,
 * parameter specs, and activation sites. No jax-js here.
 */

export type { HostTensor, StateDict } from "../util/hostTensor.js";

/** How a parameter is initialised. */
export type ParamInit =
  | { readonly kind: "uniform"; readonly fanIn: number }
  | { readonly kind: "uniformRange"; readonly low: number; readonly high: number }
  | { readonly kind: "normal"; readonly std: number }
  | { readonly kind: "ones" | "zeros" }
  | { readonly kind: "constant"; readonly value: number };

export interface ParameterSpec {
  readonly name: string;
  /** Shape, with TransformerLens dimension names in a comment where the spec is made. */
  readonly shape: readonly number[];
  readonly init: ParamInit;
}

/** Fields every architecture's config has. */
export interface ModelConfigBase {
  /** Context length: the most positions a forward pass takes. */
  readonly nCtx: number;
  /** Vocabulary size (a process's number of symbols). */
  readonly dVocab: number;
}

/**
 * A place to read activations for a probe: one hook, or several whose
 * activations are concatenated feature-wise. Every hook of a site has shape
 * [batch, pos, ...].
 */
export interface ActivationSite {
  readonly label: string;
  readonly hooks: readonly string[];
}

/** Number of values in a tensor of this shape. */
export function sizeOf(shape: readonly number[]): number {
  return shape.reduce((a, b) => a * b, 1);
}
