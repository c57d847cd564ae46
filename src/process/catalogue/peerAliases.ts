/**
 * Names from the peer toolkits, with their parameters and conventions.
 *
 * A name that carries a peer's name builds the peer's matrices exactly:
 * the peer's parameter names and meanings, its symbol order and its state
 * order. `zero_one_random:p=0.3` is simplexity's zero_one_random(0.3), which
 * is our z1r(0.7). The mapping of every entry is in docs/conventions.md and
 * is tested against the peers' matrices (test/fixtures/peer_processes.py).
 *
 *   simplexity.<function>            Astera-org/simplexity,
 *                                    simplexity/generative_processes/transition_matrices.py
 *   <function> (snake_case)          the same, where it is not also one of our names
 *                                    (our sns, mess3, rrxor, coin, fanizza keep our conventions)
 *   epsilon-transformers.<Class>     adamimos/epsilon-transformers,
 *                                    epsilon_transformers/process/processes.py
 *
 * simplexity's functions have no defaults: their defaults here are ours,
 * converted. epsilon-transformers' classes have defaults: those are used.
 */
import type { ParamSpec } from "./types.js";

export type Peer = "simplexity" | "epsilon-transformers";

/** One peer process, built from a catalogue process. */
export interface PeerProcess {
  readonly peer: Peer;
  /** The peer's function or class name. */
  readonly peerName: string;
  /** The catalogue process it is built from. */
  readonly target: string;
  /** The peer's parameters: its names, its meanings. */
  readonly params: Readonly<Record<string, ParamSpec>>;
  /** Our parameters from the peer's. */
  toCatalogue(peer: Readonly<Record<string, number>>): Record<string, number>;
  /** Peer symbol k is our symbol symbols[k]; absent: the same order. */
  readonly symbols?: readonly number[];
  /** Peer state k is our state states[k]; absent: the same order. */
  readonly states?: readonly number[];
  /** The mapping in one line, as docs/conventions.md states it. */
  readonly mapping: string;
}

const SIMPLEXITY = "Astera-org/simplexity simplexity/generative_processes/transition_matrices.py";
const EPSILON = "adamimos/epsilon-transformers epsilon_transformers/process/processes.py";

/** Where each peer's definitions are. */
export const peerSources: Readonly<Record<Peer, string>> = { simplexity: SIMPLEXITY, "epsilon-transformers": EPSILON };

const prob = (def: number, doc: string): ParamSpec => ({ default: def, min: 0, max: 1, doc });
const same = (p: Readonly<Record<string, number>>) => ({ ...p });
const SWAP_SYMBOLS = [1, 0];
/** simplexity's rrxor states S, 0, 1, T, F are our A, B0, B1, C1, C0. */
const RRXOR_STATES = [0, 1, 2, 4, 3];
const LN_MAX_ALPHA = Math.log(1e6);

function simplexity(peerName: string, rest: Omit<PeerProcess, "peer" | "peerName">): PeerProcess {
  return { peer: "simplexity", peerName, ...rest };
}

const simplexityProcesses: readonly PeerProcess[] = [
  simplexity("zero_one_random", {
    target: "z1r",
    params: { p: prob(0.5, "probability that the random bit is 1 (simplexity's p; z1r's p is 1 - this)") },
    toCatalogue: ({ p }) => ({ p: 1 - p }),
    mapping: "zero_one_random(p) = z1r(1 - p)",
  }),
  simplexity("even_ones", {
    target: "even",
    params: { p: prob(0.5, "probability of starting a pair of 1s (the same as even's p)") },
    toCatalogue: same,
    mapping: "even_ones(p) = even(p)",
  }),
  simplexity("sns", {
    target: "sns",
    params: {
      p: prob(0.5, "probability that A emits 0 and moves to B (simplexity's p; our sns's p is 1 - this)"),
      q: prob(0.5, "probability that B emits 1 and moves to A (simplexity's q; our sns's q is 1 - this)"),
    },
    toCatalogue: ({ p, q }) => ({ p: 1 - p, q: 1 - q }),
    symbols: SWAP_SYMBOLS,
    mapping: "simplexity.sns(p, q) = sns(1 - p, 1 - q) with symbols 0 and 1 swapped",
  }),
  simplexity("no_consecutive_ones", {
    target: "no-consecutive-ones",
    params: { p: prob(0.5, "probability of emitting 1 from state A") },
    toCatalogue: same,
    mapping: "no_consecutive_ones(p) = no-consecutive-ones(p) = golden-mean(p) with symbols 0 and 1 swapped",
  }),
  simplexity("rrxor", {
    target: "rrxor",
    params: { p1: prob(0.5, "probability that the first bit is 0"), p2: prob(0.5, "probability that the second bit is 0") },
    toCatalogue: same,
    states: RRXOR_STATES,
    mapping: "simplexity.rrxor(p1, p2) = rrxor(p1, p2) with the last two states swapped (S, 0, 1, T, F = A, B0, B1, C1, C0)",
  }),
  simplexity("leaky_rrxor", {
    target: "leaky-rrxor",
    params: {
      p1: prob(0.5, "probability that the first bit is 0"),
      p2: prob(0.5, "probability that the second bit is 0"),
      epsilon: prob(0.1, "leak: weight of the uniform transition over (symbol, next state)"),
    },
    toCatalogue: same,
    states: RRXOR_STATES,
    mapping: "leaky_rrxor(p1, p2, epsilon) = leaky-rrxor(p1, p2, epsilon) with the last two states swapped",
  }),
  simplexity("post_quantum", {
    target: "post-quantum",
    params: {
      log_alpha: { default: Math.log(2.7), min: 0, max: LN_MAX_ALPHA, doc: "ln(alpha) > 0; default ln 2.7 (post-quantum's alpha is exp(log_alpha))" },
      beta: { default: 0.5, min: 0, max: 1, doc: "0 < beta < 1" },
    },
    toCatalogue: ({ log_alpha, beta }) => ({ alpha: Math.exp(log_alpha), beta }),
    mapping: "post_quantum(log_alpha, beta) = post-quantum(alpha = exp(log_alpha), beta)",
  }),
  simplexity("fanizza", {
    target: "fanizza",
    params: {
      alpha: { default: 2000, min: -1e6, max: 1e6, doc: "rotation angle of T[b] in radians" },
      lamb: { default: 0.49, min: 0, max: 0.999, doc: "damping of T[b] (fanizza's lambda)" },
    },
    toCatalogue: ({ alpha, lamb }) => ({ alpha, lambda: lamb }),
    mapping: "simplexity.fanizza(alpha, lamb) = fanizza(alpha, lambda = lamb)",
  }),
  simplexity("mess3", {
    target: "mess3",
    params: {
      x: { default: 0.05, min: 0, max: 0.5, doc: "probability of moving to each other state" },
      a: prob(0.85, "probability that state j emits symbol j (mess3's alpha)"),
    },
    toCatalogue: ({ x, a }) => ({ x, alpha: a }),
    mapping: "simplexity.mess3(x, a) = mess3(x, alpha = a)",
  }),
  simplexity("tom_quantum", {
    target: "tom-quantum",
    params: {
      alpha: { default: 1, min: -1e6, max: 1e6, doc: "rotation parameter (with beta, sets the measurement angle)" },
      beta: { default: 4.3, min: -1e6, max: 1e6, doc: "rotation parameter; alpha^2 + beta^2 > 0, beta != 0" },
    },
    toCatalogue: same,
    mapping: "tom_quantum(alpha, beta) = tom-quantum(alpha, beta)",
  }),
  simplexity("coin", {
    target: "coin",
    params: { p: prob(0.5, "probability of symbol 0") },
    toCatalogue: same,
    mapping: "simplexity.coin(p) = coin(p)",
  }),
  simplexity("mr_name", {
    target: "mr-name",
    params: {
      p: prob(0.4, "probability of switching filler word (p + q <= 1)"),
      q: prob(0.25, "probability of \"Mr.\" after a filler word (p + q <= 1)"),
    },
    toCatalogue: same,
    mapping: "mr_name(p, q) = mr-name(p, q)",
  }),
  simplexity("days_of_week", { target: "days-of-week", params: {}, toCatalogue: same, mapping: "days_of_week() = days-of-week" }),
  simplexity("matching_parens", {
    target: "matching-parens",
    params: {
      depth: { default: 3, min: 1, max: 64, integer: true, doc: "len(open_probs): largest nesting depth" },
      p: prob(0.5, "open_probs[1:] (simplexity's open_probs = [1, p, ..., p], a list a spec cannot hold)"),
    },
    toCatalogue: same,
    mapping: "matching_parens(open_probs = [1, p, ..., p] of length depth) = matching-parens(depth, p)",
  }),
];

function epsilon(peerName: string, rest: Omit<PeerProcess, "peer" | "peerName">): PeerProcess {
  return { peer: "epsilon-transformers", peerName, ...rest };
}

const epsilonProcesses: readonly PeerProcess[] = [
  epsilon("ZeroOneR", {
    target: "z1r",
    params: { prob_of_zero_from_r_state: prob(0.5, "probability that the random bit is 0 (z1r's p)") },
    toCatalogue: ({ prob_of_zero_from_r_state }) => ({ p: prob_of_zero_from_r_state }),
    mapping: "ZeroOneR(prob_of_zero_from_r_state = p) = z1r(p)",
  }),
  epsilon("EvenProcess", {
    target: "even",
    params: { p: prob(0.5, "probability that E emits 0 and stays (even's p is 1 - this)") },
    toCatalogue: ({ p }) => ({ p: 1 - p }),
    mapping: "EvenProcess(p) = even(1 - p)",
  }),
  epsilon("RRXOR", {
    target: "rrxor",
    params: { pR1: prob(0.5, "probability that the first bit is 0"), pR2: prob(0.5, "probability that the second bit is 0") },
    toCatalogue: ({ pR1, pR2 }) => ({ p1: pR1, p2: pR2 }),
    states: RRXOR_STATES,
    mapping: "RRXOR(pR1, pR2) = rrxor(p1 = pR1, p2 = pR2) with the last two states swapped",
  }),
  epsilon("Mess3", {
    target: "mess3",
    params: {
      x: { default: 0.15, min: 0, max: 0.5, doc: "probability of moving to each other state" },
      a: prob(0.6, "probability that state j emits symbol j (mess3's alpha)"),
    },
    toCatalogue: ({ x, a }) => ({ x, alpha: a }),
    mapping: "Mess3(x, a) = mess3(x, alpha = a) (its defaults x = 0.15, a = 0.6; ours 0.05, 0.85)",
  }),
];

/** Our catalogue names that are also simplexity's: these keep our conventions. */
const SHARED_NAMES = new Set(["sns", "mess3", "rrxor", "coin", "fanizza"]);

/** Every peer name a spec may use, to its definition. */
export const peerProcesses: Readonly<Record<string, PeerProcess>> = Object.freeze(
  Object.fromEntries([
    ...simplexityProcesses.flatMap((d) => [
      [`simplexity.${d.peerName}`, d] as const,
      ...(SHARED_NAMES.has(d.peerName) ? [] : [[d.peerName, d] as const]),
    ]),
    ...epsilonProcesses.map((d) => [`epsilon-transformers.${d.peerName}`, d] as const),
  ]),
);

/** Our names that a peer uses with other conventions, for `process list`. */
export const sharedNameNote =
  "our names keep our conventions where a peer uses the same name differently: sns (simplexity's is simplexity.sns), " +
  "even (epsilon-transformers' even is epsilon-transformers.EvenProcess), mess3 (the peers' a is our alpha), " +
  "rrxor (the peers' state order: simplexity.rrxor), fanizza (simplexity's lamb is our lambda)";

/** Names that used to be aliases and would now mislead: each refused with what to type instead. */
export const retiredNames: Readonly<Record<string, string>> = {
  "zero-one-random":
    "z1r (p = probability that the random bit is 0) or simplexity's zero_one_random (p = probability that it is 1); " +
    "zero-one-random meant z1r and differs from zero_one_random by one character",
  golden_mean:
    "golden-mean (no two consecutive 0s) or no_consecutive_ones (simplexity's: no two consecutive 1s); " +
    "simplexity has no golden_mean and epsilon-transformers' golden_mean is another process (R, k)",
};
