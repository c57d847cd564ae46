/**
 * Processes built from processes.
 *
 * mixture: one of the components is chosen once, with probability
 *   weights[k], and runs forever (the non-ergodic case). Its presentation is
 *   block-diagonal: T[x] = diag(T_1[x], ..., T_K[x]), with initial
 *   distribution (w_1 pi_1, ..., w_K pi_K) (pi_k: component k's initial
 *   distribution, stationary by default). Symbols are shared by index: symbol
 *   x of every component is the same token (components with fewer symbols
 *   never emit the higher ones), so which component runs is hidden.
 *   Entropy rate: sum_k w_k h_k.
 * product: the components run independently side by side and each step
 *   emits the tuple of their symbols (the factored case):
 *   T[(x_1, x_2)][(i_1, i_2)][(j_1, j_2)] = T_1[x_1][i_1][j_1] T_2[x_2][i_2][j_2],
 *   a Kronecker product, with symbols labelled "A|0" and initial
 *   distribution pi_1 ⊗ pi_2. Entropy rate: sum_k h_k (entropyRate uses
 *   Hmm.factors to bracket each component on its own).
 *
 * A composite of generalized HMMs is a generalized HMM (normalizers
 * concatenate or multiply the same way). Both set `initial`, so mixtures
 * (several closed classes) and products of periodic chains (a product of
 * two period-3 chains has 3 closed classes) have a well-defined start.
 */
import { ArgumentError, describe } from "../util/errors.js";
import { initialDistribution } from "./distribution.js";
import { fromFlat, type Hmm } from "./hmm.js";

export type CompositeKind = "mixture" | "product";

/** For `process list`: what each composite does and how to write it. */
export const compositeKinds: Readonly<Record<CompositeKind, { readonly description: string; readonly example: string }>> = {
  mixture: {
    description: "one component, drawn once with probability weights[k], runs forever (non-ergodic; block-diagonal T; symbols shared by index)",
    example: "mixture:mess3(x=0.1),rrxor;weights=0.3,0.7",
  },
  product: {
    description: "independent components emitting symbol tuples like \"A|0\" (factored; Kronecker-product T)",
    example: "product:mess3,even",
  },
};

/** Most entries V * S * S a composite may have: 2^24 float64 = 128 MiB. */
export const MAX_COMPOSITE_ENTRIES = 2 ** 24;

function checkComponents(fn: string, components: readonly Hmm[]): void {
  if (!Array.isArray(components) || components.length < 2) {
    throw new ArgumentError({ fn, argument: "components", received: describe(components), expected: "at least 2 processes" });
  }
}

function uniqueNames(components: readonly Hmm[]): string[] {
  const names = components.map((c) => c.name);
  return names.map((n, k) => (names.indexOf(n) !== names.lastIndexOf(n) ? `${n}[${k}]` : n));
}

function componentInitial(hmm: Hmm, fn: string): Float64Array {
  return initialDistribution(hmm, undefined, fn);
}

function normalizerOf(hmm: Hmm): Float64Array {
  return hmm.generalized ? hmm.normalizer! : new Float64Array(hmm.nStates).fill(1);
}

function checkSize(fn: string, V: number, S: number): void {
  if (V * S * S > MAX_COMPOSITE_ENTRIES) {
    throw new ArgumentError({
      fn,
      argument: "components",
      received: `processes whose composite has ${S} states and ${V} symbols (${V * S * S} matrix entries)`,
      expected: `at most ${MAX_COMPOSITE_ENTRIES} entries (V * S * S)`,
    });
  }
}

export interface MixtureOptions {
  /** Probability of each component; default uniform. Positive; normalised to sum 1. */
  readonly weights?: readonly number[];
  /** Default "mixture(<names>)". */
  readonly name?: string;
}

export function mixture(components: readonly Hmm[], options: MixtureOptions = {}): Hmm {
  const fn = "mixture";
  checkComponents(fn, components);
  const K = components.length;
  const raw = options.weights ?? components.map(() => 1);
  if (!Array.isArray(raw) || raw.length !== K) {
    throw new ArgumentError({ fn, argument: "weights", received: describe(raw), expected: `${K} weights, one per component` });
  }
  raw.forEach((w, k) => {
    if (typeof w !== "number" || !Number.isFinite(w) || !(w > 0)) {
      throw new ArgumentError({ fn, argument: `weights[${k}]`, received: describe(w), expected: "a positive number (weights are normalised to sum 1)" });
    }
  });
  // Scale by the largest first, so that weights near the float64 maximum (1e308) do not overflow the sum.
  const largest = Math.max(...raw);
  const scaled = raw.map((w) => w / largest);
  const total = scaled.reduce((a, b) => a + b, 0);
  const weights = scaled.map((w) => w / total);
  const vanished = weights.findIndex((w) => !(w > 0));
  if (vanished >= 0) {
    throw new ArgumentError({
      fn,
      argument: `weights[${vanished}]`,
      received: `${describe(raw[vanished])} beside a largest weight of ${describe(largest)}`,
      expected: "weights whose ratios to the largest stay above float64's smallest number (about 5e-324): this component's share rounds to 0",
    });
  }
  const S = components.reduce((a, c) => a + c.nStates, 0);
  const V = Math.max(...components.map((c) => c.nSymbols));
  checkSize(fn, V, S);
  const flat = new Float64Array(V * S * S);
  const initial = new Float64Array(S);
  const normalizer = new Float64Array(S);
  const names = uniqueNames(components);
  const stateLabels: string[] = [];
  let offset = 0;
  components.forEach((c, k) => {
    const s = c.nStates;
    for (let x = 0; x < c.nSymbols; x++) {
      for (let i = 0; i < s; i++) {
        for (let j = 0; j < s; j++) flat[(x * S + offset + i) * S + offset + j] = c.transitions[(x * s + i) * s + j];
      }
    }
    const pi = componentInitial(c, fn);
    const r = normalizerOf(c);
    for (let i = 0; i < s; i++) {
      initial[offset + i] = weights[k] * pi[i];
      normalizer[offset + i] = r[i];
      stateLabels.push(`${names[k]}:${c.stateLabels[i]}`);
    }
    offset += s;
  });
  const symbolLabels = Array.from({ length: V }, (_, x) => {
    const labels = [...new Set(components.filter((c) => x < c.nSymbols).map((c) => c.symbolLabels[x]))];
    return labels.join("/");
  });
  const name = options.name ?? `mixture(${names.join(",")})`;
  const params = Object.fromEntries(weights.map((w, k) => [`weight${k}`, w]));
  if (components.some((c) => c.generalized)) {
    return Object.freeze({
      name,
      params: Object.freeze(params),
      nSymbols: V,
      nStates: S,
      transitions: flat,
      symbolLabels: Object.freeze(symbolLabels),
      stateLabels: Object.freeze(stateLabels),
      initial,
      generalized: true,
      normalizer,
    });
  }
  return fromFlat(flat, V, S, { name, params, symbolLabels, stateLabels, initial, tolerance: 1e-6 }, fn);
}

/** Kronecker product of vectors. */
function kron(a: Float64Array, b: Float64Array): Float64Array {
  const out = new Float64Array(a.length * b.length);
  for (let i = 0; i < a.length; i++) for (let j = 0; j < b.length; j++) out[i * b.length + j] = a[i] * b[j];
  return out;
}

/** The product of two processes (product() folds this over its components). */
function product2(a: Hmm, b: Hmm, fn: string, aInitial: Float64Array, bInitial: Float64Array): Hmm {
  const Sa = a.nStates;
  const Sb = b.nStates;
  const Va = a.nSymbols;
  const Vb = b.nSymbols;
  const S = Sa * Sb;
  const V = Va * Vb;
  checkSize(fn, V, S);
  const flat = new Float64Array(V * S * S);
  for (let xa = 0; xa < Va; xa++) {
    for (let xb = 0; xb < Vb; xb++) {
      const x = xa * Vb + xb;
      for (let ia = 0; ia < Sa; ia++) {
        for (let ja = 0; ja < Sa; ja++) {
          const ta = a.transitions[(xa * Sa + ia) * Sa + ja];
          if (ta === 0) continue;
          for (let ib = 0; ib < Sb; ib++) {
            const row = (x * S + ia * Sb + ib) * S + ja * Sb;
            const rowB = (xb * Sb + ib) * Sb;
            for (let jb = 0; jb < Sb; jb++) flat[row + jb] = ta * b.transitions[rowB + jb];
          }
        }
      }
    }
  }
  const symbolLabels = a.symbolLabels.flatMap((la) => b.symbolLabels.map((lb) => `${la}|${lb}`));
  const stateLabels = a.stateLabels.flatMap((la) => b.stateLabels.map((lb) => `${la}|${lb}`));
  const initial = kron(aInitial, bInitial);
  const base = { name: `${a.name}|${b.name}`, params: {}, nSymbols: V, nStates: S, transitions: flat, symbolLabels, stateLabels, initial };
  if (a.generalized || b.generalized) {
    return { ...base, generalized: true, normalizer: kron(normalizerOf(a), normalizerOf(b)) };
  }
  return base;
}

export interface ProductOptions {
  /** Default "product(<names>)". */
  readonly name?: string;
}

export function product(components: readonly Hmm[], options: ProductOptions = {}): Hmm {
  const fn = "product";
  checkComponents(fn, components);
  const names = uniqueNames(components);
  let acc = components[0];
  let accInitial = componentInitial(acc, fn);
  for (let k = 1; k < components.length; k++) {
    const c = components[k];
    acc = product2(acc, c, fn, accInitial, componentInitial(c, fn));
    accInitial = acc.initial!;
  }
  const name = options.name ?? `product(${names.join(",")})`;
  // Remember the factors (flattened, for products of products): the entropy rate adds over them.
  const factors = Object.freeze(components.flatMap((c) => (c.factors ? [...c.factors] : [c])));
  if (acc.generalized) {
    return Object.freeze({
      ...acc,
      name,
      params: Object.freeze({}),
      symbolLabels: Object.freeze([...acc.symbolLabels]),
      stateLabels: Object.freeze([...acc.stateLabels]),
      factors,
    });
  }
  const hmm = fromFlat(acc.transitions, acc.nSymbols, acc.nStates, {
    name,
    params: {},
    symbolLabels: acc.symbolLabels,
    stateLabels: acc.stateLabels,
    initial: acc.initial,
    tolerance: 1e-6,
  }, fn);
  return Object.freeze({ ...hmm, factors });
}
