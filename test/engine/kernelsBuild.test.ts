/**
 * src/engine/fast/kernels.generated.ts is committed (so clones, tests and browser
 * bundles need no AssemblyScript compiler); rebuilding it from scripts/kernels/
 * with the locked AssemblyScript must reproduce it byte for byte.
 */
import { execFileSync } from "node:child_process";
import { describe, expect, it } from "vitest";
import { kernelBytes } from "../../src/engine/fast/kernels.js";

describe("fused kernels build", () => {
  it("rebuilding from scripts/kernels reproduces the committed module", () => {
    const out = execFileSync(process.execPath, ["scripts/build-kernels.mjs", "--check"], { cwd: new URL("../..", import.meta.url), encoding: "utf8" });
    expect(out).toContain("kernels up to date");
  }, 120_000);

  it("both builds are valid wasm with the same exports, and only the relaxed one uses relaxed SIMD", async () => {
    const plain = kernelBytes("simd"), relaxed = kernelBytes("relaxed-simd");
    expect(WebAssembly.validate(plain as BufferSource)).toBe(true);
    const names = (b: Uint8Array) => WebAssembly.Module.exports(new WebAssembly.Module(b as BufferSource)).map((e) => e.name).sort();
    expect(names(plain)).toContain("matmul");
    // relaxed_madd is opcode 0xfd 0x85 0x02; its bytes appear only in the relaxed build.
    const has = (b: Uint8Array) => b.some((x, i) => x === 0xfd && b[i + 1] === 0x85 && b[i + 2] === 0x02);
    expect(has(relaxed)).toBe(true);
    expect(has(plain)).toBe(false);
    if (WebAssembly.validate(relaxed as BufferSource)) expect(names(relaxed)).toEqual(names(plain));
  });
});
