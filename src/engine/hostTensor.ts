/**
 * Copies between host tensors (Float32Array + shape) and jax-js device
 * arrays. Reads are asynchronous: WebGPU can only be read that way (a
 * synchronous read there returns zeros and breaks the device).
 */
import { numpy as np } from "@jax-js/jax";
import type { HostTensor } from "../util/hostTensor.js";

/** A device array holding a copy of `t` (the host data stays the caller's). */
export function toDevice(t: HostTensor): np.Array {
  return np.array(t.data.slice(), { dtype: np.float32 }).reshape([...t.shape]);
}

/** A host copy of `arr`, which stays alive (its reference is not consumed). */
export async function toHost(arr: np.Array): Promise<HostTensor> {
  return { shape: [...arr.shape], data: Float32Array.from((await arr.ref.data()) as Float32Array) };
}

/** Read and consume `arr` as float32 values. */
export async function readFloat32(arr: np.Array): Promise<Float32Array> {
  return (await arr.data()) as Float32Array;
}

/** Read and consume a scalar array. */
export async function readScalar(arr: np.Array): Promise<number> {
  return ((await arr.data()) as Float32Array)[0];
}
