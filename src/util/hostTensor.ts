/** Host tensors: plain float32 data with a shape, the currency between engines, models and files. */

/** A host tensor: row-major float32 data and its shape. */
export interface HostTensor {
  readonly shape: readonly number[];
  readonly data: Float32Array;
}

/** Parameters (or optimizer state) by name, e.g. "blocks.0.attn.W_Q". */
export type StateDict = Record<string, HostTensor>;
