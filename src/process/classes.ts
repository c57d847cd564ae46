/**
 * Communicating classes of the hidden chain M = sum_x T[x] (Kemeny & Snell,
 * "Finite Markov Chains", ch. 2): the strongly connected components of the
 * graph i -> j whenever M[i][j] > 0. A class with no edge leaving it is
 * closed (recurrent); the others are transient. A finite chain has exactly
 * one stationary distribution per closed class, so it has a unique one iff
 * it has exactly one closed class.
 */
import type { Hmm } from "./hmm.js";
import { stateTransitionMatrix } from "./hmm.js";

export interface ChainClasses {
  /** The closed classes, each a sorted list of state indices, ordered by their smallest state. */
  readonly closed: readonly (readonly number[])[];
  /** States in no closed class, sorted. */
  readonly transient: readonly number[];
}

/** Strongly connected components by Tarjan's algorithm (iterative, so deep chains do not overflow the stack). */
function stronglyConnected(S: number, M: Float64Array): number[][] {
  const index = new Int32Array(S).fill(-1);
  const low = new Int32Array(S);
  const onStack = new Uint8Array(S);
  const stack: number[] = [];
  const components: number[][] = [];
  let counter = 0;
  for (let root = 0; root < S; root++) {
    if (index[root] >= 0) continue;
    // Each frame: the state and the next successor to look at.
    const frames: [number, number][] = [[root, 0]];
    index[root] = low[root] = counter++;
    stack.push(root);
    onStack[root] = 1;
    while (frames.length > 0) {
      const frame = frames[frames.length - 1];
      const v = frame[0];
      let pushed = false;
      while (frame[1] < S) {
        const w = frame[1]++;
        if (!(M[v * S + w] > 0)) continue;
        if (index[w] < 0) {
          index[w] = low[w] = counter++;
          stack.push(w);
          onStack[w] = 1;
          frames.push([w, 0]);
          pushed = true;
          break;
        }
        if (onStack[w]) low[v] = Math.min(low[v], index[w]);
      }
      if (pushed) continue;
      frames.pop();
      if (frames.length > 0) {
        const parent = frames[frames.length - 1][0];
        low[parent] = Math.min(low[parent], low[v]);
      }
      if (low[v] === index[v]) {
        const component: number[] = [];
        let w: number;
        do {
          w = stack.pop()!;
          onStack[w] = 0;
          component.push(w);
        } while (w !== v);
        components.push(component.sort((a, b) => a - b));
      }
    }
  }
  return components;
}

/** Closed and transient classes of a stochastic HMM's hidden chain. */
export function chainClasses(hmm: Hmm): ChainClasses {
  const S = hmm.nStates;
  const M = stateTransitionMatrix(hmm);
  const closed: number[][] = [];
  const transient: number[] = [];
  for (const component of stronglyConnected(S, M)) {
    const inside = new Set(component);
    const leaks = component.some((i) => {
      for (let j = 0; j < S; j++) if (M[i * S + j] > 0 && !inside.has(j)) return true;
      return false;
    });
    if (leaks) transient.push(...component);
    else closed.push(component);
  }
  closed.sort((a, b) => a[0] - b[0]);
  return { closed, transient: transient.sort((a, b) => a - b) };
}

/** "{A, B} and {C}" with the states' labels, for error messages. */
export function describeClasses(hmm: Hmm, classes: readonly (readonly number[])[]): string {
  const shown = classes.map((c) => `{${c.map((i) => hmm.stateLabels[i]).join(", ")}}`);
  return shown.length <= 1 ? shown.join("") : `${shown.slice(0, -1).join(", ")} and ${shown[shown.length - 1]}`;
}
