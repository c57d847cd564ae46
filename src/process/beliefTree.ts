/**
 * The distribution over beliefs after t symbols, pushed forward one symbol at
 * a time (the levels of the mixed-state presentation with their
 * probabilities), for K "channels" at once: each node carries one mass per
 * channel. myopicEntropy uses one channel (the start belief); the
 * entropy-rate bracket uses two (the stationary belief, and the one-hot
 * beliefs e_s weighted by pi_s) so that nodes both reach are updated once.
 *
 * Exact except where a budget binds:
 * - beliefs equal within `tolerance` (default 1e-12, i.e. equal up to
 *   roundoff) are merged, which is exact for beliefs that are truly equal;
 * - when a level would exceed maxBeliefs children, or the work budget, the
 *   least probable children (by the sum of their channel masses) are pruned.
 *   Pruned children are not dropped silently: their total mass m_c per
 *   channel, and their unnormalised belief vectors summed and pushed forward
 *   with M (rho_c), are kept so that every quantity can be bounded
 *   (see `levelBounds`).
 *
 * Bounds for the pruned part. At level t the quantity of interest is an
 * expectation over histories w of the entropy of the next symbol,
 *   Q_t = sum_{|w| = t} P(w) H[X_{t+1} | w]       (+ per channel, conditioning on S_1 too),
 * and each term is in [0, log V]. A history below a child pruned at level
 * t' <= t contributes P(w) H[X_{t+1} | w] where w extends the pruned child's
 * history u, and summing over such w:
 * - upper: sum_w P(w) H[X_{t+1} | w] <= P(u) H[X_{t+1} | u] (conditioning
 *   reduces entropy), and by concavity of H summed over all pruned u,
 *   <= m H(q / m) with q = rho E the pooled next-symbol distribution of the
 *   pruned histories at level t (Jensen). Always <= m log V.
 * - lower (stochastic HMMs): H[X_{t+1} | w] >= H[X_{t+1} | S_{t+1}, w] =
 *   sum_j P(S_{t+1} = j | w) H[X | S = j] (the state screens off the past),
 *   which is linear in the belief, so the pruned histories add
 *   rho · hS >= 0 with hS_j = H[X | S = j]. For a GHMM (no hidden state) 0.
 * So Q_t lies in [kept + rho·hS, kept + m H(rho E / m)], a bracket whose
 * width from pruning is at most m log V, as the issue asks, and usually much less.
 */
import { BeliefIndex } from "./beliefIndex.js";
import { childCost } from "./budget.js";
import type { ResolvedBudget } from "./budget.js";
import { entropyOf, prepare, symbolProbabilities, type PreparedHmm } from "./prepared.js";
import type { Hmm } from "./hmm.js";

/** A generalized HMM's symbol probabilities at or below this count as roundoff zeros (their mass is pruned, not lost). */
const GHMM_ZERO = 1e-14;

export interface TreeRoot {
  /** [S] */
  readonly belief: ArrayLike<number>;
  /** One mass per channel. */
  readonly masses: readonly number[];
}

export interface LevelBounds {
  /** Symbols seen: the level's histories have this length. */
  readonly depth: number;
  /** Beliefs held at this level. */
  readonly size: number;
  /** Per channel: sum over kept beliefs of mass * H[next symbol | belief]. */
  readonly kept: Float64Array;
  /** Per channel: probability held by kept beliefs. */
  readonly keptMass: Float64Array;
  /** Per channel: probability pruned so far (all levels). */
  readonly prunedMass: Float64Array;
  /** Per channel: certified lower and upper bounds on the level's expected next-symbol entropy. */
  readonly lower: Float64Array;
  readonly upper: Float64Array;
}

export class BeliefTree {
  readonly hmm: Hmm;
  readonly p: PreparedHmm;
  readonly channels: number;
  readonly tolerance: number;
  readonly budget: ResolvedBudget;
  depth = 0;
  size = 0;
  /** [size, S] */
  beliefs: Float64Array;
  /** [channels][size] */
  masses: Float64Array[];
  /** [channels] */
  readonly prunedMass: Float64Array;
  /** [channels, S]: pruned unnormalised beliefs, pushed forward to the current level. */
  readonly prunedVector: Float64Array;
  workSpent = 0;
  /** Most beliefs held in one level so far. */
  maxHeld = 0;
  /** True once a step had to prune for lack of budget. */
  budgetBound = false;

  constructor(hmm: Hmm, roots: readonly TreeRoot[], budget: ResolvedBudget, tolerance: number) {
    this.hmm = hmm;
    this.p = prepare(hmm);
    this.channels = roots.length > 0 ? roots[0].masses.length : 1;
    this.budget = budget;
    this.tolerance = tolerance;
    const S = this.p.S;
    const K = this.channels;
    this.prunedMass = new Float64Array(K);
    this.prunedVector = new Float64Array(K * S);
    // Roots: merge equal ones; keep the heaviest maxBeliefs, prune the rest.
    const order = roots.map((_, k) => k).sort((a, b) => sum(roots[b].masses) - sum(roots[a].masses));
    const index = new BeliefIndex(S, tolerance, budget.maxBeliefs, Math.min(budget.maxBeliefs, roots.length));
    const masses = Array.from({ length: K }, () => new Float64Array(Math.min(budget.maxBeliefs, roots.length)));
    for (const k of order) {
      const root = roots[k];
      const id = index.findOrAdd(root.belief);
      if (id < 0) {
        this.#prune(root.belief, root.masses);
        this.budgetBound = true;
        continue;
      }
      for (let c = 0; c < K; c++) masses[c][id] += root.masses[c];
    }
    this.size = index.size;
    this.beliefs = index.beliefs.subarray(0, index.size * S);
    this.masses = masses.map((m) => m.subarray(0, index.size));
    this.maxHeld = this.size;
  }

  /** Add `scale` * belief (unnormalised) with these channel masses to the pruned accumulators. */
  #prune(vector: ArrayLike<number>, masses: readonly number[]): void {
    const S = this.p.S;
    for (let c = 0; c < this.channels; c++) {
      const m = masses[c];
      if (!(m > 0)) continue;
      this.prunedMass[c] += m;
      for (let i = 0; i < S; i++) this.prunedVector[c * S + i] += m * vector[i];
    }
  }

  /** Work units the next step costs before any child is computed. */
  #parentCost(): number {
    const { S, V } = this.p;
    return this.size * (V * S + S) + this.channels * S * S;
  }

  /**
   * Push the distribution forward one symbol. Keeps at most maxBeliefs
   * children and what the remaining work allows, the most probable first.
   * Returns false (and changes nothing) when the remaining work cannot pay
   * for even one child while some child has positive probability.
   */
  step(): boolean {
    const { S, V, T, M, r } = this.p;
    const K = this.channels;
    const n = this.size;
    const workLeft = this.budget.maxWork - this.workSpent;
    const perChild = childCost(S, V);

    // Score every (parent, symbol) candidate: its probability and its weight (summed channel mass).
    const probs = new Float64Array(n * V); // [n, V]
    const weights = new Float64Array(n * V); // [n, V]
    const scratch = new Float64Array(V);
    let candidates = 0;
    for (let k = 0; k < n; k++) {
      symbolProbabilities(this.p, this.beliefs, k * S, scratch);
      let total = 0;
      for (let c = 0; c < K; c++) total += this.masses[c][k];
      for (let x = 0; x < V; x++) {
        const q = scratch[x];
        probs[k * V + x] = q;
        if (q > 0) {
          weights[k * V + x] = total * q;
          if (total * q > 0) candidates++;
        }
      }
    }
    // What the work budget allows: if not every candidate fits, each parent with a pruned child
    // also pays S^2 to account for it (see below), so reserve that first.
    let allowedByWork = Math.floor((workLeft - this.#parentCost()) / perChild);
    if (candidates > Math.min(this.budget.maxBeliefs, allowedByWork)) {
      allowedByWork = Math.floor((workLeft - this.#parentCost() - n * S * S) / perChild);
    }
    const allowed = Math.max(0, Math.min(this.budget.maxBeliefs, allowedByWork));
    if (candidates > 0 && allowed === 0 && allowedByWork <= 0) return false;

    // Threshold: keep weights above it, and ties at it in order, up to `allowed`.
    let threshold = 0;
    let tiesLeft = Infinity;
    if (candidates > allowed) {
      const sorted = Float64Array.from(weights).sort(); // ascending
      threshold = sorted[sorted.length - allowed] ?? Infinity;
      if (allowed === 0) threshold = Infinity;
      let above = 0;
      for (let k = sorted.length - 1; k >= 0 && sorted[k] > threshold; k--) above++;
      tiesLeft = allowed - above;
      this.budgetBound = true;
    }

    // Push the earlier pruned mass forward: rho <- rho M.
    if (this.prunedMass.some((m) => m > 0)) {
      const pushed = new Float64Array(S);
      for (let c = 0; c < K; c++) {
        pushed.fill(0);
        for (let i = 0; i < S; i++) {
          const v = this.prunedVector[c * S + i];
          if (v === 0) continue;
          for (let j = 0; j < S; j++) pushed[j] += v * M[i * S + j];
        }
        this.prunedVector.set(pushed, c * S);
      }
    }

    const keep = Math.min(allowed, candidates);
    const index = new BeliefIndex(S, this.tolerance, Math.max(1, keep), Math.max(1, keep));
    const masses = Array.from({ length: K }, () => new Float64Array(Math.max(1, keep)));
    const child = new Float64Array(S);
    const keptVector = new Float64Array(S);
    const rowSum = new Float64Array(S);
    let work = this.#parentCost();
    for (let k = 0; k < n; k++) {
      const base = k * S;
      keptVector.fill(0);
      let prunedHere = 0;
      let prunedProbability = 0;
      for (let x = 0; x < V; x++) {
        const q = probs[k * V + x];
        if (!(q > 0)) continue;
        const w = weights[k * V + x];
        const tiny = this.p.generalized && q <= GHMM_ZERO;
        let kept = !tiny && w > threshold;
        if (!kept && !tiny && w === threshold && tiesLeft > 0 && w > 0) {
          kept = true;
          tiesLeft--;
        }
        if (!kept) {
          prunedHere++;
          prunedProbability += q;
          continue;
        }
        child.fill(0);
        for (let i = 0; i < S; i++) {
          const bi = this.beliefs[base + i];
          if (bi === 0) continue;
          const row = (x * S + i) * S;
          for (let j = 0; j < S; j++) child[j] += bi * T[row + j];
        }
        for (let j = 0; j < S; j++) keptVector[j] += child[j];
        let z = 0;
        for (let j = 0; j < S; j++) z += child[j] * r[j];
        for (let j = 0; j < S; j++) child[j] /= z;
        const id = index.findOrAdd(child);
        // Cannot be full: at most `keep` children are kept and merging only lowers the count.
        for (let c = 0; c < K; c++) masses[c][id] += this.masses[c][k] * q;
        work += perChild;
      }
      if (prunedHere > 0) {
        // The pruned children's unnormalised beliefs sum to eta M - (kept children's eta T[x]).
        rowSum.fill(0);
        for (let i = 0; i < S; i++) {
          const bi = this.beliefs[base + i];
          if (bi === 0) continue;
          for (let j = 0; j < S; j++) rowSum[j] += bi * M[i * S + j];
        }
        for (let j = 0; j < S; j++) rowSum[j] -= keptVector[j];
        for (let c = 0; c < K; c++) {
          const m = this.masses[c][k];
          if (!(m > 0)) continue;
          this.prunedMass[c] += m * prunedProbability;
          for (let j = 0; j < S; j++) this.prunedVector[c * S + j] += m * rowSum[j];
        }
        work += S * S;
      }
    }
    this.workSpent += work;
    this.depth++;
    this.size = index.size;
    this.beliefs = index.beliefs.subarray(0, index.size * S);
    this.masses = masses.map((m) => m.subarray(0, index.size));
    this.maxHeld = Math.max(this.maxHeld, this.size);
    return true;
  }

  /**
   * Advance one symbol with nothing kept (when the work budget is spent):
   * every belief joins the pruned accumulators, which are pushed forward.
   * Costs S per belief plus S^2 per channel.
   */
  pruneAll(): void {
    const { S, M } = this.p;
    const K = this.channels;
    for (let k = 0; k < this.size; k++) {
      for (let c = 0; c < K; c++) {
        const m = this.masses[c][k];
        if (!(m > 0)) continue;
        this.prunedMass[c] += m;
        for (let i = 0; i < S; i++) this.prunedVector[c * S + i] += m * this.beliefs[k * S + i];
      }
    }
    const pushed = new Float64Array(S);
    for (let c = 0; c < K; c++) {
      pushed.fill(0);
      for (let i = 0; i < S; i++) {
        const v = this.prunedVector[c * S + i];
        if (v !== 0) for (let j = 0; j < S; j++) pushed[j] += v * M[i * S + j];
      }
      this.prunedVector.set(pushed, c * S);
    }
    this.workSpent += this.size * S * K + K * S * S;
    this.size = 0;
    this.beliefs = new Float64Array(0);
    this.masses = this.masses.map(() => new Float64Array(0));
    this.depth++;
    this.budgetBound = true;
  }

  /** Bounds on each channel's expected next-symbol entropy at this level (see the module comment). */
  levelBounds(): LevelBounds {
    const { S, V, E, stateEntropy, generalized } = this.p;
    const K = this.channels;
    const kept = new Float64Array(K);
    const keptMass = new Float64Array(K);
    const scratch = new Float64Array(V);
    for (let k = 0; k < this.size; k++) {
      symbolProbabilities(this.p, this.beliefs, k * S, scratch);
      let total = 0;
      for (let x = 0; x < V; x++) total += scratch[x];
      // Normalise away roundoff (and a GHMM's clamped negatives) before taking the entropy.
      for (let x = 0; x < V; x++) scratch[x] /= total;
      const h = entropyOf(scratch, V);
      for (let c = 0; c < K; c++) {
        kept[c] += this.masses[c][k] * h;
        keptMass[c] += this.masses[c][k];
      }
    }
    // (Its cost, V S per belief, was paid in advance as part of childCost when the belief was made.)
    const lower = new Float64Array(K);
    const upper = new Float64Array(K);
    for (let c = 0; c < K; c++) {
      const m = this.prunedMass[c];
      lower[c] = kept[c];
      upper[c] = kept[c];
      if (!(m > 0)) continue;
      const rho = this.prunedVector.subarray(c * S, (c + 1) * S);
      if (!generalized) {
        let add = 0;
        // rho >= 0 in exact arithmetic; a roundoff negative only lowers this bound.
        for (let i = 0; i < S; i++) add += rho[i] * stateEntropy[i];
        lower[c] += add;
      }
      // Pooled next-symbol distribution of the pruned histories; its entropy is at most log V.
      let total = 0;
      for (let x = 0; x < V; x++) {
        let q = 0;
        for (let i = 0; i < S; i++) q += rho[i] * E[x * S + i];
        scratch[x] = q > 0 ? q : 0;
        total += scratch[x];
      }
      let h = Math.log(V);
      if (total > 0) {
        for (let x = 0; x < V; x++) scratch[x] /= total;
        h = Math.min(h, entropyOf(scratch, V));
      }
      upper[c] += m * h;
    }
    return { depth: this.depth, size: this.size, kept, keptMass, prunedMass: Float64Array.from(this.prunedMass), lower, upper };
  }
}

function sum(values: readonly number[]): number {
  return values.reduce((a, b) => a + b, 0);
}
