/**
 * Presentations the recovery offers beside its stationary, ergodic HMM when
 * that HMM is not the whole answer (the report says which and why):
 *
 * - `generalizedFromOperators`: the closed form's observable operators B_x
 *   (closedForm.ts) as a generalized HMM (Upper 1997; Jaeger 2000,
 *   "Observable operator models"): P(w) = initial B[w_1] ... B[w_n] r, with
 *   M = sum_x B_x rescaled to Perron root 1, r its right and initial its left
 *   fixed vector. A process with no finite HMM presentation of its rank
 *   (fanizza, post-quantum) has one of these, and the HMM fit does worse.
 * - `splitIntoComponents`: a fitted HMM whose hidden chain nearly falls apart
 *   into classes that do not communicate, as the non-ergodic mixture of those
 *   classes: cross-class mass cut, rows renormalised, initial = each class's
 *   stationary distribution weighted by the class's stationary mass. The
 *   classes are found by single linkage on the chain's symmetric flow
 *   pi_i M_ij + pi_j M_ji (Kruskal), stopping at as many classes as M has
 *   eigenvalues near 1.
 */
import { EigenvalueDecomposition, Matrix, solve } from "ml-matrix";
import { createGeneralizedHmm, createHmm, stationaryDistribution, toNested, type Hmm } from "../process/index.js";
import { ArgumentError } from "../util/errors.js";

export interface GeneralizedPresentation {
  /** The valid generalized HMM, or null when the operators give some short word a negative probability. */
  readonly hmm: Hmm | null;
  /** Why there is none (the validity check's message), else null. */
  readonly problem: string | null;
  /** The Perron root of sum_x B_x before rescaling (1 for exact operators). */
  readonly perronRoot: number;
}

/** Eigenvalue of a real matrix closest to 1 (real part), and the decomposition. */
function perron(M: Matrix): number {
  const e = new EigenvalueDecomposition(M);
  let best = 0;
  for (let k = 1; k < e.realEigenvalues.length; k++) {
    const d = Math.hypot(e.realEigenvalues[k] - 1, e.imaginaryEigenvalues[k]);
    if (d < Math.hypot(e.realEigenvalues[best] - 1, e.imaginaryEigenvalues[best])) best = k;
  }
  return e.realEigenvalues[best];
}

/** Fixed vector of M (M v = v for "right", v M = v for "left") by inverse iteration near 1. */
function fixedVector(M: Matrix, side: "left" | "right"): Float64Array {
  const S = M.rows;
  const shifted = side === "right" ? M.clone() : M.transpose();
  for (let i = 0; i < S; i++) shifted.set(i, i, shifted.get(i, i) - (1 + 1e-9));
  let v = Matrix.ones(S, 1);
  for (let it = 0; it < 6; it++) {
    v = solve(shifted, v);
    const n = Math.hypot(...v.getColumn(0));
    v = v.div(n || 1);
  }
  return Float64Array.from(v.getColumn(0));
}

/**
 * The observable operators B ([V, S, S], homogeneous coordinates) as a
 * generalized HMM, checked for nonnegative word probabilities up to
 * `validationDepth` (within `tolerance`).
 */
export function generalizedFromOperators(B: Float64Array, S: number, V: number, options: { name?: string; symbolLabels?: readonly string[]; validationDepth?: number; tolerance?: number } = {}): GeneralizedPresentation {
  const M = new Matrix(S, S);
  for (let x = 0; x < V; x++) for (let i = 0; i < S; i++) for (let j = 0; j < S; j++) M.set(i, j, M.get(i, j) + B[(x * S + i) * S + j]);
  const root = perron(M);
  if (!(Math.abs(root) > 1e-12)) return { hmm: null, problem: "the operators' sum has no eigenvalue near 1", perronRoot: root };
  const scaled = Float64Array.from(B, (v) => v / root);
  const Ms = M.div(root);
  const r = fixedVector(Ms, "right");
  const initial = fixedVector(Ms, "left");
  let z = 0;
  for (let i = 0; i < S; i++) z += initial[i] * r[i];
  const nested = Array.from({ length: V }, (_, x) => Array.from({ length: S }, (_, i) => Array.from(scaled.subarray((x * S + i) * S, (x * S + i + 1) * S))));
  try {
    const hmm = createGeneralizedHmm(nested, {
      name: options.name ?? "recovered-generalized",
      initial: Array.from(initial, (v) => v / z),
      normalizer: Array.from(r),
      validationDepth: options.validationDepth ?? 6,
      ...(options.symbolLabels ? { symbolLabels: [...options.symbolLabels] } : {}),
      tolerance: options.tolerance ?? 1e-6,
    });
    return { hmm, problem: null, perronRoot: root };
  } catch (err) {
    if (err instanceof ArgumentError) return { hmm: null, problem: err.message, perronRoot: root };
    throw err;
  }
}

export interface ComponentSplit {
  /** The mixture of the classes (an HMM with an initial distribution and several closed classes). */
  readonly hmm: Hmm;
  /** States of each class, in the fitted HMM's numbering. */
  readonly classes: number[][];
  /** Stationary mass of each class (the mixture's weights). */
  readonly weights: number[];
  /** Per class: the stationary-weighted probability per step of leaving it in the fitted HMM. */
  readonly leaks: number[];
}

/** Number of eigenvalues of M with real part above `near` (the Perron root included). */
export function eigenvaluesNearOne(M: Float64Array, S: number, near: number): number {
  const m = new Matrix(S, S);
  for (let i = 0; i < S; i++) for (let j = 0; j < S; j++) m.set(i, j, M[i * S + j]);
  const e = new EigenvalueDecomposition(m);
  return e.realEigenvalues.filter((re, k) => re > near && Math.abs(e.imaginaryEigenvalues[k]) < 1 - near).length;
}

/**
 * Split a stochastic HMM into `classes` nearly closed classes (see the file
 * header). Returns null when classes < 2 or some class would be empty.
 */
export function splitIntoComponents(hmm: Hmm, classes: number, name = "recovered-mixture"): ComponentSplit | null {
  const S = hmm.nStates;
  const V = hmm.nSymbols;
  if (classes < 2 || classes > S || hmm.generalized) return null;
  const T = hmm.transitions;
  const M = new Float64Array(S * S);
  for (let x = 0; x < V; x++) for (let k = 0; k < S * S; k++) M[k] += T[x * S * S + k];
  const pi = stationaryDistribution(hmm);
  // Kruskal: merge the pair with the largest flow until `classes` groups remain.
  const pairs: { i: number; j: number; flow: number }[] = [];
  for (let i = 0; i < S; i++) for (let j = i + 1; j < S; j++) pairs.push({ i, j, flow: pi[i] * M[i * S + j] + pi[j] * M[j * S + i] });
  pairs.sort((a, b) => b.flow - a.flow);
  const parent = Array.from({ length: S }, (_, i) => i);
  const find = (i: number): number => (parent[i] === i ? i : (parent[i] = find(parent[i])));
  let groups = S;
  for (const { i, j } of pairs) {
    if (groups === classes) break;
    const a = find(i);
    const b = find(j);
    if (a !== b) {
      parent[a] = b;
      groups--;
    }
  }
  const byRoot = new Map<number, number[]>();
  for (let i = 0; i < S; i++) byRoot.set(find(i), [...(byRoot.get(find(i)) ?? []), i]);
  const parts = [...byRoot.values()].sort((a, b) => a[0] - b[0]);
  const classOf = new Int32Array(S);
  parts.forEach((states, c) => states.forEach((i) => (classOf[i] = c)));
  const cut = new Float64Array(V * S * S);
  for (let x = 0; x < V; x++) for (let i = 0; i < S; i++) for (let j = 0; j < S; j++) if (classOf[i] === classOf[j]) cut[(x * S + i) * S + j] = T[(x * S + i) * S + j];
  const leaks = parts.map(() => 0);
  const weights = parts.map(() => 0);
  for (let i = 0; i < S; i++) {
    let inside = 0;
    for (let x = 0; x < V; x++) for (let j = 0; j < S; j++) inside += cut[(x * S + i) * S + j];
    if (!(inside > 0)) return null;
    for (let x = 0; x < V; x++) for (let j = 0; j < S; j++) cut[(x * S + i) * S + j] /= inside;
    weights[classOf[i]] += pi[i];
    leaks[classOf[i]] += pi[i] * (1 - inside);
  }
  for (let c = 0; c < parts.length; c++) leaks[c] /= weights[c] || 1;
  // initial: each class's own stationary distribution (of the cut chain), weighted by the class's mass.
  const initial = new Float64Array(S);
  parts.forEach((states, c) => {
    const n = states.length;
    const sub = Array.from({ length: V }, (_, x) => states.map((i) => states.map((j) => cut[(x * S + i) * S + j])));
    const part = createHmm(sub, { tolerance: 1e-9 });
    const p = stationaryDistribution(part);
    for (let a = 0; a < n; a++) initial[states[a]] = weights[c] * p[a];
  });
  const total = initial.reduce((a, b) => a + b, 0);
  const mixtureHmm = createHmm(toNested({ ...hmm, transitions: cut }), { name, tolerance: 1e-9, initial: Array.from(initial, (v) => v / total), symbolLabels: hmm.symbolLabels });
  return { hmm: mixtureHmm, classes: parts, weights, leaks };
}
