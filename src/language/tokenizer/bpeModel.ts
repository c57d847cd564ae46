/**
 * Applying BPE merges to one pre-token (Sennrich et al. 2016; GPT-2): start
 * from its bytes and repeatedly merge the adjacent pair with the lowest merge
 * rank, the leftmost first among equals, until no pair has a merge. This is the
 * order of Hugging Face tokenizers' `Word::merge_all` (a priority queue over
 * (rank, position)) and of tokenizers.js, so the ids agree with both.
 *
 * Cost: O(n log n) for a pre-token of n bytes (a linked list over the symbols
 * and a binary heap of candidate merges), so a megabyte without spaces is fine.
 */

/** Largest vocabulary: pair keys left * 2^22 + right stay exact in a float64. */
const PAIR_SHIFT = 4_194_304;
export const MAX_BPE_VOCAB = PAIR_SHIFT;

/** A heap score that orders by rank, then position: rank * 2^31 + position. */
const POSITION_SHIFT = 2_147_483_648;

export class BpeMerges {
  /** pair key -> rank (index in the merge list). */
  readonly #rank = new Map<number, number>();
  /** rank -> id of the merged token. */
  readonly #result: Int32Array;
  readonly nMerges: number;

  // Scratch space reused across calls (grown on demand).
  #sym = new Int32Array(64);
  #len = new Int32Array(64);
  #prev = new Int32Array(64);
  #next = new Int32Array(64);
  #heap = new Float64Array(64);

  /** Key base: ids below 46,341 give keys below 2^31, which V8 keeps unboxed (much faster Map lookups). */
  readonly #base: number;

  /** Merges in rank order: left[k] + right[k] -> result[k] (token ids). */
  constructor(left: ArrayLike<number>, right: ArrayLike<number>, result: ArrayLike<number>) {
    this.nMerges = left.length;
    this.#result = Int32Array.from(result);
    let maxId = 0;
    for (let k = 0; k < left.length; k++) maxId = Math.max(maxId, left[k], right[k]);
    this.#base = maxId < 46_340 ? 46_340 : PAIR_SHIFT;
    for (let k = 0; k < left.length; k++) {
      const key = left[k] * this.#base + right[k];
      // A duplicate merge can never fire after the first: keep the lowest rank.
      if (!this.#rank.has(key)) this.#rank.set(key, k);
    }
  }

  /** Rank of merging left+right, or -1. */
  rankOf(left: number, right: number): number {
    if (left >= this.#base || right >= this.#base) return -1;
    return this.#rank.get(left * this.#base + right) ?? -1;
  }

  #grow(n: number): void {
    if (this.#sym.length >= n) return;
    const size = Math.max(n, this.#sym.length * 2);
    this.#sym = new Int32Array(size);
    this.#len = new Int32Array(size);
    this.#prev = new Int32Array(size);
    this.#next = new Int32Array(size);
    this.#heap = new Float64Array(2 * size);
  }

  /**
   * Merge a pre-token given as initial symbol ids (one per byte). Appends the
   * resulting ids to `ids` and, for each, the number of bytes it covers to `byteLengths`.
   */
  apply(initial: ArrayLike<number>, ids: number[], byteLengths: number[]): void {
    const n = initial.length;
    if (n === 0) return;
    if (n === 1) {
      ids.push(initial[0]);
      byteLengths.push(1);
      return;
    }
    this.#grow(n);
    const sym = this.#sym;
    const len = this.#len;
    const prev = this.#prev;
    const next = this.#next;
    for (let i = 0; i < n; i++) {
      sym[i] = initial[i];
      len[i] = 1;
      prev[i] = i - 1;
      next[i] = i + 1 < n ? i + 1 : -1;
    }
    // Min-heap of scores rank * 2^31 + position.
    let heap = this.#heap;
    let size = 0;
    const push = (score: number) => {
      if (size === heap.length) {
        const bigger = new Float64Array(heap.length * 2);
        bigger.set(heap);
        heap = this.#heap = bigger;
      }
      let i = size++;
      while (i > 0) {
        const parent = (i - 1) >> 1;
        if (heap[parent] <= score) break;
        heap[i] = heap[parent];
        i = parent;
      }
      heap[i] = score;
    };
    const pop = (): number => {
      const top = heap[0];
      const last = heap[--size];
      let i = 0;
      for (;;) {
        const l = 2 * i + 1;
        if (l >= size) break;
        const r = l + 1;
        const c = r < size && heap[r] < heap[l] ? r : l;
        if (heap[c] >= last) break;
        heap[i] = heap[c];
        i = c;
      }
      heap[i] = last;
      return top;
    };
    const base = this.#base;
    const ranks = this.#rank;
    const consider = (i: number) => {
      const j = next[i];
      if (j < 0) return;
      // Ids at or above the base (added tokens beyond the merges' range) are in no merge.
      if (sym[i] >= base || sym[j] >= base) return;
      const rank = ranks.get(sym[i] * base + sym[j]);
      if (rank !== undefined) push(rank * POSITION_SHIFT + i);
    };
    for (let i = 0; i < n - 1; i++) consider(i);
    while (size > 0) {
      const score = pop();
      const rank = Math.floor(score / POSITION_SHIFT);
      const i = score - rank * POSITION_SHIFT;
      // Stale entries: the left symbol was merged away (len 0), or the pair at i changed.
      if (len[i] === 0) continue;
      const j = next[i];
      if (j < 0 || sym[i] >= base || sym[j] >= base || ranks.get(sym[i] * base + sym[j]) !== rank) continue;
      sym[i] = this.#result[rank];
      len[i] += len[j];
      len[j] = 0;
      const k = next[j];
      next[i] = k;
      if (k >= 0) prev[k] = i;
      if (prev[i] >= 0) consider(prev[i]);
      consider(i);
    }
    for (let i = 0; i >= 0; i = next[i]) {
      ids.push(sym[i]);
      byteLengths.push(len[i]);
    }
  }
}
