/**
 * docs/conventions.md, row by row: our processes against the peers' matrices
 * (test/fixtures/peer_processes.py transcribes simplexity's and
 * epsilon-transformers' definitions into numpy), and every peer name, given
 * the peer's parameters, against the same matrices.
 */
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { makeProcess, otherNamesListing, peerProcesses, processNames, resolveProcessName } from "../../src/process/catalogue/index.js";
import type { Hmm } from "../../src/process/hmm.js";
import { processFromSpec } from "../../src/process/spec.js";
import { expectAllClose } from "../helpers.js";

interface PeerCase {
  peer: string;
  name: string;
  params: Record<string, number | number[]>;
  transitions: number[][][];
}
const fixture: { cases: Record<string, PeerCase> } = JSON.parse(readFileSync(new URL("../fixtures/peer_processes.json", import.meta.url), "utf8"));

function peerCase(key: string): PeerCase {
  const c = fixture.cases[key];
  if (!c) throw new Error(`no fixture case ${key}; run test/fixtures/peer_processes.py`);
  return c;
}

/** Our T in the peer's order: peer's T[k][a][b] = our T[symbols[k]][states[a]][states[b]]. */
function permuted(hmm: Hmm, symbols?: number[], states?: number[]): number[] {
  const V = hmm.nSymbols;
  const S = hmm.nStates;
  const sym = symbols ?? [...Array(V).keys()];
  const st = states ?? [...Array(S).keys()];
  const out: number[] = [];
  for (let k = 0; k < V; k++) for (let a = 0; a < S; a++) for (let b = 0; b < S; b++) out.push(hmm.transitions[(sym[k] * S + st[a]) * S + st[b]]);
  return out;
}

const SWAP = [1, 0];
const RRXOR_STATES = [0, 1, 2, 4, 3];

/** One row of docs/conventions.md: our spec, the permutation, and the peer case it must equal. */
const rows: { row: string; ours: string; peer: string; symbols?: number[]; states?: number[] }[] = [
  { row: "z1r(p) = simplexity zero_one_random(1 - p)", ours: "z1r:p=0.7", peer: "simplexity.zero_one_random(p=0.3)" },
  { row: "z1r(p) = epsilon-transformers ZeroOneR(p)", ours: "z1r:p=0.3", peer: "epsilon-transformers.ZeroOneR(prob_of_zero_from_r_state=0.3)" },
  { row: "even(p) = simplexity even_ones(p)", ours: "even:p=0.3", peer: "simplexity.even_ones(p=0.3)" },
  { row: "even(p) = epsilon-transformers EvenProcess(1 - p)", ours: "even:p=0.7", peer: "epsilon-transformers.EvenProcess(p=0.3)" },
  { row: "sns(p, q) = simplexity sns(1 - p, 1 - q), symbols swapped", ours: "sns:p=0.7,q=0.2", peer: "simplexity.sns(p=0.3,q=0.8)", symbols: SWAP },
  { row: "golden-mean(p) = simplexity no_consecutive_ones(p), symbols swapped", ours: "golden-mean:p=0.3", peer: "simplexity.no_consecutive_ones(p=0.3)", symbols: SWAP },
  { row: "no-consecutive-ones(p) = simplexity no_consecutive_ones(p)", ours: "no-consecutive-ones:p=0.3", peer: "simplexity.no_consecutive_ones(p=0.3)" },
  { row: "rrxor(p1, p2) = simplexity rrxor(p1, p2), last two states swapped", ours: "rrxor:p1=0.3,p2=0.8", peer: "simplexity.rrxor(p1=0.3,p2=0.8)", states: RRXOR_STATES },
  { row: "rrxor(p1, p2) = epsilon-transformers RRXOR(p1, p2), last two states swapped", ours: "rrxor:p1=0.3,p2=0.8", peer: "epsilon-transformers.RRXOR(pR1=0.3,pR2=0.8)", states: RRXOR_STATES },
  {
    row: "leaky-rrxor(p1, p2, epsilon) = simplexity leaky_rrxor(p1, p2, epsilon), last two states swapped",
    ours: "leaky-rrxor:p1=0.3,p2=0.8,epsilon=0.05",
    peer: "simplexity.leaky_rrxor(p1=0.3,p2=0.8,epsilon=0.05)",
    states: RRXOR_STATES,
  },
  { row: "post-quantum(alpha, beta) = simplexity post_quantum(ln alpha, beta)", ours: `post-quantum:alpha=${Math.exp(1.3)},beta=0.4`, peer: "simplexity.post_quantum(log_alpha=1.3,beta=0.4)" },
  { row: "fanizza(alpha, lambda) = simplexity fanizza(alpha, lamb = lambda)", ours: "fanizza:alpha=1.1,lambda=0.3", peer: "simplexity.fanizza(alpha=1.1,lamb=0.3)" },
  { row: "mess3(x, alpha) = simplexity mess3(x, a = alpha)", ours: "mess3:x=0.15,alpha=0.6", peer: "simplexity.mess3(x=0.15,a=0.6)" },
  { row: "mess3(x, alpha) = epsilon-transformers Mess3(x, a = alpha)", ours: "mess3:x=0.15,alpha=0.6", peer: "epsilon-transformers.Mess3()" },
  { row: "tom-quantum(alpha, beta) = simplexity tom_quantum(alpha, beta)", ours: "tom-quantum:alpha=1,beta=4.3", peer: "simplexity.tom_quantum(alpha=1.0,beta=4.3)" },
  { row: "coin(p) = simplexity coin(p)", ours: "coin:p=0.3", peer: "simplexity.coin(p=0.3)" },
  { row: "mr-name(p, q) = simplexity mr_name(p, q)", ours: "mr-name:p=0.3,q=0.2", peer: "simplexity.mr_name(p=0.3,q=0.2)" },
  { row: "days-of-week = simplexity days_of_week()", ours: "days-of-week", peer: "simplexity.days_of_week()" },
  { row: "matching-parens(depth, p) = simplexity matching_parens([1, p, ..., p])", ours: "matching-parens:depth=3,p=0.3", peer: "simplexity.matching_parens(open_probs=[1.0, 0.3, 0.3])" },
];

describe("conventions against the peers (docs/conventions.md)", () => {
  for (const r of rows) {
    it(r.row, () => {
      const c = peerCase(r.peer);
      const hmm = processFromSpec(r.ours);
      expect([hmm.nSymbols, hmm.nStates]).toEqual([c.transitions.length, c.transitions[0].length]);
      expectAllClose(permuted(hmm, r.symbols, r.states), c.transitions.flat(2), 1e-12);
    });
  }

  it("the unconverted alias is the trap the docs warn of: z1r:p=0.3 is not zero_one_random(0.3)", () => {
    const c = peerCase("simplexity.zero_one_random(p=0.3)");
    const diff = Math.max(...processFromSpec("z1r:p=0.3").transitions.map((v, i) => Math.abs(v - c.transitions.flat(2)[i])));
    expect(diff).toBeCloseTo(0.4, 12);
  });
});

/** Every peer name with the fixture's parameters, as a user types it. */
const aliasCases: { spec: string; peer: string }[] = [
  { spec: "zero_one_random:p=0.3", peer: "simplexity.zero_one_random(p=0.3)" },
  { spec: "simplexity.zero_one_random:p=0.3", peer: "simplexity.zero_one_random(p=0.3)" },
  { spec: "even_ones:p=0.3", peer: "simplexity.even_ones(p=0.3)" },
  { spec: "simplexity.sns:p=0.3,q=0.8", peer: "simplexity.sns(p=0.3,q=0.8)" },
  { spec: "no_consecutive_ones:p=0.3", peer: "simplexity.no_consecutive_ones(p=0.3)" },
  { spec: "simplexity.rrxor:p1=0.3,p2=0.8", peer: "simplexity.rrxor(p1=0.3,p2=0.8)" },
  { spec: "leaky_rrxor:p1=0.3,p2=0.8,epsilon=0.05", peer: "simplexity.leaky_rrxor(p1=0.3,p2=0.8,epsilon=0.05)" },
  { spec: "post_quantum:log_alpha=1.3,beta=0.4", peer: "simplexity.post_quantum(log_alpha=1.3,beta=0.4)" },
  { spec: "post_quantum", peer: `simplexity.post_quantum(log_alpha=${Math.log(2.7)},beta=0.5)` },
  { spec: "simplexity.fanizza:alpha=1.1,lamb=0.3", peer: "simplexity.fanizza(alpha=1.1,lamb=0.3)" },
  { spec: "simplexity.mess3:x=0.15,a=0.6", peer: "simplexity.mess3(x=0.15,a=0.6)" },
  { spec: "tom_quantum:alpha=1,beta=4.3", peer: "simplexity.tom_quantum(alpha=1.0,beta=4.3)" },
  { spec: "simplexity.coin:p=0.3", peer: "simplexity.coin(p=0.3)" },
  { spec: "mr_name:p=0.3,q=0.2", peer: "simplexity.mr_name(p=0.3,q=0.2)" },
  { spec: "days_of_week", peer: "simplexity.days_of_week()" },
  { spec: "matching_parens:depth=3,p=0.3", peer: "simplexity.matching_parens(open_probs=[1.0, 0.3, 0.3])" },
  { spec: "epsilon-transformers.ZeroOneR:prob_of_zero_from_r_state=0.3", peer: "epsilon-transformers.ZeroOneR(prob_of_zero_from_r_state=0.3)" },
  { spec: "epsilon-transformers.EvenProcess:p=0.3", peer: "epsilon-transformers.EvenProcess(p=0.3)" },
  { spec: "epsilon-transformers.RRXOR:pR1=0.3,pR2=0.8", peer: "epsilon-transformers.RRXOR(pR1=0.3,pR2=0.8)" },
  { spec: "epsilon-transformers.Mess3", peer: "epsilon-transformers.Mess3()" },
];

describe("a peer's name takes the peer's parameters and builds the peer's matrices", () => {
  for (const a of aliasCases) {
    it(a.spec, () => {
      const c = peerCase(a.peer);
      const hmm = processFromSpec(a.spec);
      expect([hmm.nSymbols, hmm.nStates]).toEqual([c.transitions.length, c.transitions[0].length]);
      expectAllClose(hmm.transitions, c.transitions.flat(2), 1e-12);
      expect(hmm.name).toBe(a.spec.split(":")[0]);
    });
  }

  it("every peer name is tested above, and names a catalogue process", () => {
    const tested = new Set(aliasCases.map((a) => a.spec.split(":")[0]));
    for (const [name, def] of Object.entries(peerProcesses)) {
      expect(processNames).toContain(def.target);
      expect(resolveProcessName(name)).toBe(def.target);
      // the bare and the simplexity.-prefixed names share one definition, so one of them suffices
      expect(tested.has(name) || tested.has(`simplexity.${def.peerName}`) || tested.has(def.peerName)).toBe(true);
    }
  });

  it("records the peer's parameters, so a saved spec rebuilds the same process", () => {
    const hmm = makeProcess("zero_one_random", { p: 0.3 });
    expect(hmm.params).toEqual({ p: 0.3 });
    expectAllClose(makeProcess(hmm.name, { ...hmm.params }).transitions, hmm.transitions, 0);
  });

  it("our shared names keep our conventions, and a peer's parameter name points to the peer's spelling", () => {
    expect(processFromSpec("sns:p=0.3").params).toEqual({ p: 0.3, q: 0.5 });
    expect(() => makeProcess("mess3", { a: 0.6 })).toThrow(
      "makeProcess: argument 'params.a' received an unknown parameter; expected a parameter of mess3: x, alpha. a is simplexity's name: simplexity.mess3:a=... takes it (simplexity.mess3(x, a) = mess3(x, alpha = a)).",
    );
    expect(() => makeProcess("post-quantum", { log_alpha: 1 })).toThrow(/log_alpha is simplexity's name: simplexity.post_quantum:log_alpha=\.\.\. takes it/);
  });

  it("checks the peer's parameters against the peer's ranges", () => {
    expect(() => makeProcess("zero_one_random", { p: 1.5 })).toThrow(/'params.p' received 1.5; expected a number in \[0, 1\] \(probability that the random bit is 1/);
    expect(() => makeProcess("zero_one_random", { q: 0.5 })).toThrow("expected a parameter of zero_one_random: p.");
  });

  it("refuses the names that would mislead, saying what to type", () => {
    expect(() => makeProcess("zero-one-random")).toThrow(
      /argument 'name' received "zero-one-random", which is no longer a process name; expected z1r \(p = probability that the random bit is 0\) or simplexity's zero_one_random/,
    );
    expect(() => processFromSpec("golden_mean:p=0.3")).toThrow(/"golden_mean", which is no longer a process name; expected golden-mean \(no two consecutive 0s\) or no_consecutive_ones/);
  });
});

describe("names typed slightly wrong", () => {
  it("a peer's name given our parameter name points to our name", () => {
    expect(() => processFromSpec("post_quantum:alpha=3")).toThrow(
      "makeProcess: argument 'params.alpha' received an unknown parameter; expected a parameter of post_quantum: log_alpha, beta. alpha is our post-quantum's name: post-quantum:alpha=... takes it (post_quantum(log_alpha, beta) = post-quantum(alpha = exp(log_alpha), beta)).",
    );
  });

  it("a misspelt peer name is offered the peer's name; a retired name is offered nothing near it", () => {
    expect(() => processFromSpec("zero_one_randm:p=0.3")).toThrow(/Did you mean zero_one_random\?/);
    let message = "";
    try {
      processFromSpec("zero-one-random");
    } catch (err) {
      message = (err as Error).message;
    }
    expect(message).toMatch(/no longer a process name/);
    expect(message).not.toMatch(/Did you mean/);
  });
});

describe("process list", () => {
  it("says that a peer's name takes the peer's parameters, with each mapping and parameter", () => {
    const text = otherNamesListing().join("\n");
    expect(text).toContain("zero_one_random:p=0.3 is simplexity's zero_one_random(0.3), which is z1r:p=0.7");
    expect(text).toContain("simplexity.zero_one_random, zero_one_random: zero_one_random(p) = z1r(1 - p)");
    expect(text).toContain("    p = 0.5  in [0, 1]  probability that the random bit is 1 (simplexity's p; z1r's p is 1 - this)");
    expect(text).toContain("epsilon-transformers.EvenProcess: EvenProcess(p) = even(1 - p)");
    expect(text).toContain("refused (they would mislead): zero-one-random, golden_mean");
    for (const name of Object.keys(peerProcesses)) expect(text).toContain(name);
  });
});
