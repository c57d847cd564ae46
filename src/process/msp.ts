/**
 * The mixed-state presentation (MSP; Crutchfield, Riechers & Ellison 2016;
 * Shai et al. 2024): the graph of Bayesian beliefs reachable from the initial
 * belief, with edges eta --x--> eta T[x] / P(x | eta) of probability
 * P(x | eta) = eta T[x] r. Beliefs equal within `tolerance` are merged.
 *
 * Bounded: at most maxBeliefs nodes (memory ~ maxBeliefs * (S + 3 V) * 8
 * bytes for beliefs and edges, plus the per-depth distributions) and maxWork
 * work units (budget.ts; expanding a node costs V (S^2 + V S + 3 S + 264)). Each
 * depth expands its nodes most probable first; when a budget binds, the rest
 * are not expanded (or their new children not added) and their probability
 * is reported in prunedProbability, with `truncated` set.
 */
import { checkInteger, checkNumber } from "../util/errors.js";
import { updateBelief } from "./beliefs.js";
import { BeliefIndex } from "./beliefIndex.js";
import { childCost, resolveBudget, type EnumerationBudget } from "./budget.js";
import { initialDistribution } from "./distribution.js";
import type { Hmm } from "./hmm.js";

export interface MspOptions extends EnumerationBudget {
  /** Number of symbols to expand from the root (depth 0). */
  readonly depth: number;
  /** Beliefs within this (max-norm, on a grid) are the same node. Default 1e-9. */
  readonly tolerance?: number;
  /** Words whose probability falls below this are dropped (not expanded). Default 0: keep all. */
  readonly minProbability?: number;
  /** Root belief; default the process's initial distribution (Hmm.initial, else stationary). */
  readonly initial?: ArrayLike<number>;
}

export interface MspLevel {
  /** Node ids present at this depth. */
  readonly nodes: Int32Array;
  /** Probability of reaching each node after exactly `depth` symbols. */
  readonly probabilities: Float64Array;
}

export interface MixedStatePresentation {
  readonly nStates: number;
  readonly nSymbols: number;
  readonly nNodes: number;
  /** [nNodes, nStates]: the belief at each node; node 0 is the root. */
  readonly beliefs: Float64Array;
  /** [nNodes]: depth at which each node was first reached. */
  readonly firstDepth: Int32Array;
  /** Edges of the expanded nodes (all symbols of positive probability). */
  readonly edges: {
    readonly from: Int32Array;
    readonly symbol: Int32Array;
    readonly to: Int32Array;
    readonly probability: Float64Array;
  };
  /** Distribution over nodes at each depth 0..depth. */
  readonly levels: readonly MspLevel[];
  /** True when every node's successors are in the graph: the MSP is finite and complete. */
  readonly closed: boolean;
  /** Total probability of words dropped by `minProbability` or a budget, summed over depths. */
  readonly prunedProbability: number;
  /** True when maxBeliefs or maxWork stopped the expansion early. */
  readonly truncated: boolean;
  /** Work units spent (budget.ts). */
  readonly work: number;
}

export function mixedStatePresentation(hmm: Hmm, options: MspOptions): MixedStatePresentation {
  const fn = "mixedStatePresentation";
  const depth = checkInteger(fn, "depth", options.depth, 0);
  const tolerance = checkNumber(fn, "tolerance", options.tolerance ?? 1e-9, 1e-15, 0.5);
  const minProbability = checkNumber(fn, "minProbability", options.minProbability ?? 0, 0, 1);
  const { maxBeliefs, maxWork } = resolveBudget(fn, options, hmm.nStates, hmm.nSymbols);
  const S = hmm.nStates;
  const V = hmm.nSymbols;
  const root = initialDistribution(hmm, options.initial, fn);

  const index = new BeliefIndex(S, tolerance, maxBeliefs);
  const firstDepth: number[] = [];
  interface Edge {
    readonly symbol: number;
    readonly to: number;
    readonly probability: number;
  }
  // Per node: its outgoing edges once expanded, and the word probability it was expanded at.
  // With minProbability > 0 (or a full index) some edges may have been skipped; a node reached
  // again with more probability is expanded again so that it keeps every edge it deserves.
  const edgesOf: (Edge[] | null)[] = [];
  const expandedAt: number[] = [];
  const complete: boolean[] = [];
  let work = 0;
  let truncated = false;
  // Each edge is a small object plus a Map update per depth: about 200 units on top of the belief update.
  const perExpansion = V * (childCost(S, V) + 200);

  /** Node id of a belief, or -1 when it is new and the node budget is spent. */
  const addNode = (belief: ArrayLike<number>, d: number): number => {
    const before = index.size;
    const id = index.findOrAdd(belief);
    if (id >= 0 && index.size > before) {
      firstDepth.push(d);
      edgesOf.push(null);
      expandedAt.push(0);
      complete.push(false);
    }
    return id;
  };

  const next = new Float64Array(S);
  const eta = new Float64Array(S);
  const expand = (id: number, d: number, mass: number): void => {
    eta.set(index.beliefs.subarray(id * S, (id + 1) * S));
    const edges: Edge[] = [];
    let all = true;
    for (let x = 0; x < V; x++) {
      const p = updateBelief(hmm, eta, x, next);
      if (!(p > 0)) continue;
      if (mass * p < minProbability) {
        all = false;
        continue;
      }
      const to = addNode(next, d + 1);
      if (to < 0) {
        all = false;
        truncated = true;
        continue;
      }
      edges.push({ symbol: x, to, probability: p });
    }
    edgesOf[id] = edges;
    expandedAt[id] = mass;
    complete[id] = all;
    work += perExpansion;
  };

  addNode(root, 0);
  const levels: MspLevel[] = [{ nodes: Int32Array.of(0), probabilities: Float64Array.of(1) }];
  let pruned = 0;
  for (let d = 0; d < depth; d++) {
    const level = levels[d];
    const mass = new Map<number, number>();
    // Most probable first, so that a budget cuts the rarest words.
    const order = Array.from(level.nodes.keys()).sort((a, b) => level.probabilities[b] - level.probabilities[a]);
    for (const k of order) {
      const id = level.nodes[k];
      const m = level.probabilities[k];
      const needs = edgesOf[id] === null || (!complete[id] && m > expandedAt[id]);
      if (needs) {
        if (work + perExpansion > maxWork) {
          truncated = true;
          if (edgesOf[id] === null) {
            pruned += m;
            continue;
          }
        } else {
          expand(id, d, m);
        }
      }
      let kept = 0;
      for (const e of edgesOf[id]!) {
        const pm = m * e.probability;
        if (pm < minProbability) continue;
        mass.set(e.to, (mass.get(e.to) ?? 0) + pm);
        kept += pm;
      }
      pruned += m - kept;
    }
    const nodes = Int32Array.from(mass.keys());
    levels.push({ nodes, probabilities: Float64Array.from(nodes, (id) => mass.get(id)!) });
  }
  // Closed: every node was expanded with all its edges, so the graph holds all successors.
  const closed = !truncated && edgesOf.every((e) => e !== null) && complete.every(Boolean);
  const from: number[] = [];
  const symbol: number[] = [];
  const to: number[] = [];
  const probability: number[] = [];
  edgesOf.forEach((edges, id) => {
    for (const e of edges ?? []) {
      from.push(id);
      symbol.push(e.symbol);
      to.push(e.to);
      probability.push(e.probability);
    }
  });
  return {
    nStates: S,
    nSymbols: V,
    nNodes: index.size,
    beliefs: index.beliefs.slice(0, index.size * S),
    firstDepth: Int32Array.from(firstDepth),
    edges: {
      from: Int32Array.from(from),
      symbol: Int32Array.from(symbol),
      to: Int32Array.from(to),
      probability: Float64Array.from(probability),
    },
    levels,
    closed,
    prunedProbability: Math.max(0, pruned),
    truncated,
    work,
  };
}
