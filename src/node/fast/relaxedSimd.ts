/**
 * Node 20 ships relaxed SIMD (fused multiply-add) behind a V8 flag. Setting it
 * at run time works even after other wasm has compiled (measured on Node 20.20);
 * the flag is process-wide, so worker threads see it too.
 */
import v8 from "node:v8";
import { supportedFlavours } from "../../engine/fast/kernels.js";

/** Turn on relaxed SIMD where the runtime has it behind a flag; returns whether the relaxed kernels validate now. */
export function enableRelaxedSimd(): boolean {
  if (supportedFlavours().includes("relaxed-simd")) return true;
  try {
    v8.setFlagsFromString("--experimental-wasm-relaxed-simd");
  } catch {
    return false;
  }
  return supportedFlavours().includes("relaxed-simd");
}
