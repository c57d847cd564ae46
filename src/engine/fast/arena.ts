/**
 * A bump allocator over one wasm memory: every buffer of a network (parameters,
 * gradients, optimizer state, activations, scratch) is reserved once, up front,
 * so memory is bounded by the shapes and nothing is allocated per step.
 */

/** Bytes below this offset belong to the kernels' own static data. */
const HEAP_BASE = 65536;
/** Buffers start on cache-line boundaries and hold a multiple of 4 floats (SIMD tails). */
const ALIGN = 64;

export class Arena {
  private top = HEAP_BASE;

  /** Reserve `floats` 4-byte elements (rounded up to a multiple of 4); returns the byte offset. */
  alloc(floats: number): number {
    const at = this.top;
    const bytes = Math.ceil(Math.max(floats, 1) / 4) * 16;
    this.top = Math.ceil((at + bytes) / ALIGN) * ALIGN;
    return at;
  }

  /** Bytes reserved so far (including the kernels' static area). */
  get bytes(): number {
    return this.top;
  }

  /** Grow `memory` to hold everything reserved. Throws beyond wasm32's 4 GiB. */
  commit(memory: WebAssembly.Memory): void {
    const needPages = Math.ceil(this.top / 65536);
    const havePages = memory.buffer.byteLength / 65536;
    if (needPages > 65536) {
      throw new Error(`fast engine: needs ${(this.top / 2 ** 30).toFixed(2)} GiB of wasm memory, above wasm32's 4 GiB; use fewer sequences per thread or the jax-js engine`);
    }
    if (needPages > havePages) {
      try {
        memory.grow(needPages - havePages);
      } catch (err) {
        throw new Error(`fast engine: could not grow wasm memory to ${(this.top / 2 ** 20).toFixed(0)} MiB (${(err as Error).message}); use fewer sequences per thread or the jax-js engine`);
      }
    }
  }
}

/** Round up to a multiple of 4 floats (the length of padded flat buffers). */
export function padded(n: number): number {
  return Math.ceil(n / 4) * 4;
}
