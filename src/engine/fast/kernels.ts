/**
 * The fused training kernels: one wasm module (AssemblyScript, scripts/kernels/),
 * compiled once per process and instantiated once per network. Two builds are
 * embedded: relaxed SIMD (fused multiply-add) and plain SIMD, picked by feature
 * detection with WebAssembly.validate. Browser-safe: no Node built-ins.
 */
import { KERNELS_RELAXED_SIMD_BASE64, KERNELS_SIMD_BASE64 } from "./kernels.generated.js";

/** Which build runs: relaxed SIMD where the runtime has it, else plain SIMD. */
export type KernelFlavour = "relaxed-simd" | "simd";

type Ptr = number;
/** The module's exports; pointers are byte offsets into `memory`, sizes are element counts. */
export interface KernelExports {
  readonly memory: WebAssembly.Memory;
  matmul(A: Ptr, rsA: number, csA: number, B: Ptr, ldb: number, C: Ptr, ldc: number, M: number, N: number, K: number, bias: Ptr, S: Ptr, lds: number): void;
  transpose(src: Ptr, rows: number, cols: number, lds: number, dst: Ptr, ldd: number): void;
  colSum(Y: Ptr, M: number, N: number, ldy: number, out: Ptr): void;
  layerNormForward(X: Ptr, Y: Ptr, M: number, D: number, w: Ptr, b: Ptr, stats: Ptr, eps: number): void;
  layerNormBackward(X: Ptr, dY: Ptr, dX: Ptr, M: number, D: number, w: Ptr, stats: Ptr, dw: Ptr, db: Ptr): void;
  attentionForward(QKV: Ptr, Z: Ptr, nSeq: number, T: number, H: number, E: number, scale: number, scratch: Ptr): void;
  attentionBackward(QKV: Ptr, dZ: Ptr, dQKV: Ptr, nSeq: number, T: number, H: number, E: number, scale: number, scratch: Ptr): void;
  /** Floats of scratch the attention kernels need. */
  attentionScratch(T: number, E: number): number;
  activationForward(kind: number, X: Ptr, Y: Ptr, G: Ptr, n: number): void;
  activationBackward(G: Ptr, dY: Ptr, dX: Ptr, n: number): void;
  embedForward(tokens: Ptr, nSeq: number, T: number, tokStride: number, WE: Ptr, Wpos: Ptr, D: number, X: Ptr): void;
  embedBackward(tokens: Ptr, nSeq: number, T: number, tokStride: number, dX: Ptr, D: number, dWE: Ptr, V: number, dWpos: Ptr, nCtx: number): void;
  crossEntropy(logits: Ptr, nSeq: number, T: number, V: number, tokens: Ptr, tokStride: number, dLogits: Ptr, gradScale: number): number;
  addInto(dst: Ptr, src: Ptr, n: number): void;
  sumSquares(G: Ptr, n: number): number;
  scaleInPlace(G: Ptr, n: number, factor: number): void;
  adamUpdate(P: Ptr, G: Ptr, M: Ptr, V: Ptr, n: number, beta1: number, oneMinusBeta1: number, beta2: number, oneMinusBeta2: number,
    eps: number, stepSize: number, sqrtBias2: number, decay: number, useDecay: number): void;
  sgdUpdate(P: Ptr, G: Ptr, Buf: Ptr, n: number, lr: number, momentum: number, weightDecay: number, useMomentum: number, useDecay: number): void;
}

/** A compiled kernel module and its flavour; structured-cloneable to workers. */
export interface CompiledKernels {
  readonly module: WebAssembly.Module;
  readonly flavour: KernelFlavour;
}

function decodeBase64(s: string): Uint8Array {
  const bin = atob(s);
  const out = new Uint8Array(bin.length);
  for (let i = 0; i < bin.length; i++) out[i] = bin.charCodeAt(i);
  return out;
}

/** The wasm bytes of one flavour. */
export function kernelBytes(flavour: KernelFlavour): Uint8Array {
  return decodeBase64(flavour === "relaxed-simd" ? KERNELS_RELAXED_SIMD_BASE64 : KERNELS_SIMD_BASE64);
}

/** The flavours this runtime can run, best first (relaxed SIMD needs `--experimental-wasm-relaxed-simd` in Node 20). */
export function supportedFlavours(): KernelFlavour[] {
  if (typeof WebAssembly === "undefined") return [];
  const out: KernelFlavour[] = [];
  for (const f of ["relaxed-simd", "simd"] as const) if (WebAssembly.validate(kernelBytes(f) as BufferSource)) out.push(f);
  return out;
}

const cache = new Map<KernelFlavour, Promise<CompiledKernels>>();

/**
 * Compile the kernels once per process (per flavour). `flavour` defaults to the
 * best one this runtime validates; throws when wasm SIMD is missing.
 */
export function compileKernels(flavour?: KernelFlavour): Promise<CompiledKernels> {
  const chosen = flavour ?? supportedFlavours()[0];
  if (!chosen) return Promise.reject(new Error("fast engine: this runtime has no WebAssembly SIMD; use the jax-js engine"));
  let p = cache.get(chosen);
  if (!p) {
    p = WebAssembly.compile(kernelBytes(chosen) as BufferSource).then((module) => ({ module, flavour: chosen }));
    p.catch(() => cache.delete(chosen));
    cache.set(chosen, p);
  }
  return p;
}

/** A fresh instance (its own memory) of compiled kernels. */
export async function instantiateKernels(compiled: CompiledKernels): Promise<KernelExports> {
  const instance = await WebAssembly.instantiate(compiled.module, {});
  return instance.exports as unknown as KernelExports;
}

/** The engine name for a kernel flavour, e.g. "fast-wasm-relaxed-simd". */
export function engineName(flavour: KernelFlavour): string {
  return `fast-wasm-${flavour}`;
}
