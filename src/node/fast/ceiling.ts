/**
 * The machine's ceiling for the fast engine: the engine's own matrix-product
 * kernel (4x8 register tile of f32x4) on operands that stay in cache, on every
 * thread at once, in GFLOP/s. Training throughput is reported as a fraction of
 * it, measured in the same run, so contention from other processes shows in both.
 */
import { compileKernels, instantiateKernels, type CompiledKernels, type KernelExports } from "../../engine/fast/kernels.js";
import { enableRelaxedSimd } from "./relaxedSimd.js";
import { startWorker } from "./spawn.js";

/** In-cache operands: A [128, 128], B [128, 64], C [128, 64]: 2 MFLOP a call. */
const M = 128, K = 128, N = 64;
export const CEILING_FLOP_PER_CALL = 2 * M * N * K;

/** Run the kernel from wall-clock time startAt to stopAt (Date.now() ms, shared by the threads); returns the calls made and their seconds. */
export function ceilingLoop(k: KernelExports, startAt: number, stopAt: number): { calls: number; seconds: number } {
  if (k.memory.buffer.byteLength < 1 << 20) k.memory.grow(16);
  const f = new Float32Array(k.memory.buffer);
  const A = 65536, B = A + M * K * 4, C = B + K * N * 4;
  for (let i = 0; i < M * K + K * N; i++) f[A / 4 + i] = ((i * 7919) % 1000) / 1000 - 0.5;
  while (Date.now() < startAt);
  const t0 = performance.now();
  let calls = 0;
  while (Date.now() < stopAt) {
    for (let r = 0; r < 16; r++) k.matmul(A, K, 1, B, N, C, N, M, N, K, 0, 0, 0);
    calls += 16;
  }
  return { calls, seconds: (performance.now() - t0) / 1000 };
}

export interface Ceiling {
  /** Summed over threads. */
  readonly gflops: number;
  readonly threads: number;
  readonly perThread: readonly number[];
  readonly flavour: string;
}

/** Measure the ceiling on `threads` threads (this one included) for `seconds`. */
export async function measureCeiling(threads: number, seconds = 1.5): Promise<Ceiling> {
  enableRelaxedSimd();
  const compiled: CompiledKernels = await compileKernels();
  const workers = Array.from({ length: threads - 1 }, () => startWorker("ceilingWorker", { module: compiled.module }));
  try {
    // Every thread ready first (a worker from sources takes a while to load), then one shared window.
    await Promise.all(workers.map((w) => new Promise((resolve, reject) => (w.once("message", resolve), w.once("error", reject)))));
    const startAt = Date.now() + 100;
    const stopAt = startAt + seconds * 1000;
    const results = workers.map((w) => new Promise<{ calls: number; seconds: number }>((resolve, reject) => (w.once("message", resolve), w.once("error", reject))));
    for (const w of workers) w.postMessage({ startAt, stopAt });
    const mine = ceilingLoop(await instantiateKernels(compiled), startAt, stopAt);
    const all = [mine, ...(await Promise.all(results))];
    const perThread = all.map((r) => (r.calls * CEILING_FLOP_PER_CALL) / r.seconds / 1e9);
    return { gflops: perThread.reduce((a, b) => a + b, 0), threads, perThread, flavour: compiled.flavour };
  } finally {
    for (const w of workers) void w.terminate();
  }
}
