/**
 * A hash set of beliefs: beliefs whose coordinates round to the same
 * multiples of `tolerance` are one entry. Beliefs are stored contiguously in
 * a Float64Array ([size, S]) and looked up by open addressing on an
 * Int32Array of ids, so memory is capacity * (S * 8 + 16) bytes and nothing
 * else (no string keys). Two beliefs within the tolerance can straddle a
 * rounding boundary and keep separate entries: for beliefs equal up to
 * roundoff (1e-16 apart, on a 1e-12 grid) that needs a coordinate within
 * 1e-16 of a boundary, and its only cost is a duplicate entry.
 */

/** Returned by `findOrAdd` when the belief is new and the index is full. */
export const FULL = -1;

export class BeliefIndex {
  readonly nStates: number;
  readonly tolerance: number;
  readonly maxSize: number;
  /** [capacity, S]: the first `size` rows are the beliefs, in insertion order. */
  beliefs: Float64Array;
  size = 0;
  #table: Int32Array;
  #mask: number;

  /** `initialCapacity` grows by doubling up to `maxSize`; past it, new beliefs are refused. */
  constructor(nStates: number, tolerance: number, maxSize: number, initialCapacity = Math.min(maxSize, 1024)) {
    this.nStates = nStates;
    this.tolerance = tolerance;
    this.maxSize = maxSize;
    const capacity = Math.max(1, Math.min(maxSize, initialCapacity));
    this.beliefs = new Float64Array(capacity * nStates);
    const tableSize = tableSizeFor(capacity);
    this.#table = new Int32Array(tableSize).fill(-1);
    this.#mask = tableSize - 1;
  }

  #hash(b: ArrayLike<number>, offset: number): number {
    let h = 0x811c9dc5 | 0;
    const inv = 1 / this.tolerance;
    for (let i = 0; i < this.nStates; i++) {
      const q = Math.round(b[offset + i] * inv);
      const lo = q % 4294967296 | 0;
      const hi = Math.floor(q / 4294967296) | 0;
      h = Math.imul(h ^ lo, 0x01000193);
      h = Math.imul(h ^ hi, 0x5bd1e995);
      h ^= h >>> 15;
    }
    return h;
  }

  #equal(id: number, b: ArrayLike<number>, offset: number): boolean {
    const S = this.nStates;
    const inv = 1 / this.tolerance;
    const base = id * S;
    for (let i = 0; i < S; i++) {
      if (Math.round(this.beliefs[base + i] * inv) !== Math.round(b[offset + i] * inv)) return false;
    }
    return true;
  }

  /** Id of the belief b[offset .. offset + S), adding it if new; FULL if new and the index is full. */
  findOrAdd(b: ArrayLike<number>, offset = 0): number {
    let slot = this.#hash(b, offset) & this.#mask;
    for (;;) {
      const id = this.#table[slot];
      if (id < 0) break;
      if (this.#equal(id, b, offset)) return id;
      slot = (slot + 1) & this.#mask;
    }
    if (this.size >= this.maxSize) return FULL;
    const S = this.nStates;
    if ((this.size + 1) * S > this.beliefs.length) {
      this.#grow();
      return this.findOrAdd(b, offset);
    }
    const id = this.size++;
    for (let i = 0; i < S; i++) this.beliefs[id * S + i] = b[offset + i];
    this.#table[slot] = id;
    return id;
  }

  #grow(): void {
    const S = this.nStates;
    const capacity = Math.min(this.maxSize, Math.max(1, 2 * (this.beliefs.length / S)));
    const beliefs = new Float64Array(capacity * S);
    beliefs.set(this.beliefs.subarray(0, this.size * S));
    this.beliefs = beliefs;
    const tableSize = tableSizeFor(capacity);
    this.#table = new Int32Array(tableSize).fill(-1);
    this.#mask = tableSize - 1;
    for (let id = 0; id < this.size; id++) {
      let slot = this.#hash(beliefs, id * S) & this.#mask;
      while (this.#table[slot] >= 0) slot = (slot + 1) & this.#mask;
      this.#table[slot] = id;
    }
  }
}

/** A power of two at least twice the capacity: load factor <= 1/2. */
function tableSizeFor(capacity: number): number {
  let n = 2;
  while (n < 2 * capacity) n *= 2;
  return n;
}
