/** Copies between host tensors (Float32Array + shape) and jax-js device arrays. */
import { numpy as np } from "@jax-js/jax";
import type { HostTensor } from "../model/params.js";

/** A device array holding a copy of `t` (the host data stays the caller's). */
export function toDevice(t: HostTensor): np.Array {
  return np.array(t.data.slice(), { dtype: np.float32 }).reshape([...t.shape]);
}

/** A host copy of `arr`; `arr` stays alive (its reference is not consumed). */
export function toHost(arr: np.Array): HostTensor {
  return { shape: [...arr.shape], data: Float32Array.from(arr.ref.dataSync() as Float32Array) };
}
