/**
 * Seeded randomness. Every random choice in the toolkit goes through `Rng`, so
 * the same seed gives the same result. Streams are derived by hashing
 * (seed, ...labels), so that, e.g., the batch for training step s is a pure
 * function of (seed, s) and a resumed run sees exactly the batches it would
 * have seen without the interruption.
 */
import { uniformFloat64 } from "pure-rand/distribution/uniformFloat64";
import { uniformInt } from "pure-rand/distribution/uniformInt";
import { xoroshiro128plus } from "pure-rand/generator/xoroshiro128plus";
import { ArgumentError, describe } from "./errors.js";

type Generator = ReturnType<typeof xoroshiro128plus>;

/** 32-bit mix (murmur3 finalizer), used to derive independent stream seeds. */
function mix32(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

/** Hash a seed and a path of stream labels into a 32-bit seed. */
export function deriveSeed(seed: number, ...labels: (number | string)[]): number {
  let h = mix32(seed >>> 0) ^ mix32(Math.floor(seed / 2 ** 32) >>> 0);
  for (const label of labels) {
    if (typeof label === "number") {
      h = mix32(h ^ mix32((label >>> 0) + 0x9e3779b9));
      h = mix32(h ^ (Math.floor(label / 2 ** 32) >>> 0));
    } else {
      for (let i = 0; i < label.length; i++) h = mix32(h ^ (label.charCodeAt(i) + 0x9e3779b9));
      h = mix32(h ^ label.length);
    }
  }
  return h;
}

export function checkSeed(fn: string, seed: unknown): number {
  if (typeof seed !== "number" || !Number.isSafeInteger(seed) || seed < 0) {
    throw new ArgumentError({ fn, argument: "seed", received: describe(seed), expected: "a non-negative safe integer" });
  }
  return seed;
}

export class Rng {
  readonly #gen: Generator;
  #spareNormal: number | null = null;

  /** A generator for `seed`, optionally on an independent stream named by `labels`. */
  constructor(seed: number, ...labels: (number | string)[]) {
    checkSeed("Rng", seed);
    this.#gen = xoroshiro128plus(deriveSeed(seed, ...labels));
  }

  /** Uniform in [0, 1), 53 random bits. */
  uniform(): number {
    return uniformFloat64(this.#gen);
  }

  /** Uniform integer in [0, n). */
  int(n: number): number {
    return uniformInt(this.#gen, 0, n - 1);
  }

  /** Standard normal (Marsaglia polar method). */
  normal(): number {
    if (this.#spareNormal !== null) {
      const s = this.#spareNormal;
      this.#spareNormal = null;
      return s;
    }
    for (;;) {
      const u = 2 * this.uniform() - 1;
      const v = 2 * this.uniform() - 1;
      const s = u * u + v * v;
      if (s > 0 && s < 1) {
        const f = Math.sqrt((-2 * Math.log(s)) / s);
        this.#spareNormal = v * f;
        return u * f;
      }
    }
  }

  /**
   * Gamma(shape, 1). Marsaglia & Tsang (2000), "A simple method for generating
   * gamma variables", with the u^(1/shape) boost for shape < 1.
   */
  gamma(shape: number): number {
    if (shape < 1) {
      const u = this.uniform();
      return this.gamma(shape + 1) * Math.pow(u === 0 ? Number.MIN_VALUE : u, 1 / shape);
    }
    const d = shape - 1 / 3;
    const c = 1 / Math.sqrt(9 * d);
    for (;;) {
      let x: number;
      let v: number;
      do {
        x = this.normal();
        v = 1 + c * x;
      } while (v <= 0);
      v = v * v * v;
      const u = this.uniform();
      if (u < 1 - 0.0331 * x ** 4) return d * v;
      if (Math.log(u) < 0.5 * x * x + d * (1 - v + Math.log(v))) return d * v;
    }
  }

  /** A Dirichlet(concentration, ..., concentration) sample of length n, written into `out`. */
  dirichlet(concentration: number, n: number, out: Float64Array = new Float64Array(n)): Float64Array {
    let total = 0;
    for (let i = 0; i < n; i++) {
      out[i] = this.gamma(concentration);
      total += out[i];
    }
    if (total === 0) {
      // All gammas underflowed (tiny concentration): put the mass on one coordinate, which is the limit.
      out[this.int(n)] = 1;
      return out;
    }
    for (let i = 0; i < n; i++) out[i] /= total;
    return out;
  }

  /** In-place Fisher-Yates shuffle. */
  shuffle<T extends { length: number; [i: number]: unknown }>(items: T): T {
    for (let i = items.length - 1; i > 0; i--) {
      const j = this.int(i + 1);
      const tmp = items[i];
      items[i] = items[j];
      items[j] = tmp;
    }
    return items;
  }

  /** A random permutation of 0..n-1. */
  permutation(n: number): Int32Array {
    const p = new Int32Array(n);
    for (let i = 0; i < n; i++) p[i] = i;
    return this.shuffle(p);
  }
}
