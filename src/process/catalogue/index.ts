/**
 * The process catalogue. The registry is a mapped type over ProcessName, so a
 * process without a factory fails to compile.
 */
import { ArgumentError, describe } from "../../util/errors.js";
import { fromFlat, type Hmm } from "../hmm.js";
import { coin, type CoinParams } from "./coin.js";
import { daysOfWeek, type DaysOfWeekParams } from "./daysOfWeek.js";
import { even, type EvenParams } from "./even.js";
import { fanizza, type FanizzaParams } from "./fanizza.js";
import { goldenMean, type GoldenMeanParams } from "./goldenMean.js";
import { leakyRrxor, type LeakyRrxorParams } from "./leakyRrxor.js";
import { matchingParens, type MatchingParensParams } from "./matchingParens.js";
import { mess3, type Mess3Params } from "./mess3.js";
import { mrName, type MrNameParams } from "./mrName.js";
import { noConsecutiveOnes, type NoConsecutiveOnesParams } from "./noConsecutiveOnes.js";
import { postQuantum, type PostQuantumParams } from "./postQuantum.js";
import { randomHmm, type RandomHmmParams } from "./randomHmm.js";
import { rrxor, type RrxorParams } from "./rrxor.js";
import { sns, type SnsParams } from "./sns.js";
import { tomQuantum, type TomQuantumParams } from "./tomQuantum.js";
import { trap, type TrapParams } from "./trap.js";
import { peerProcesses, peerSources, retiredNames, sharedNameNote, type PeerProcess } from "./peerAliases.js";
import type { ParamSpec, ProcessFactory } from "./types.js";
import { z1r, type Z1rParams } from "./z1r.js";

export type { ParamSpec, ProcessFactory } from "./types.js";

export interface ProcessParams {
  mess3: Mess3Params;
  z1r: Z1rParams;
  rrxor: RrxorParams;
  "golden-mean": GoldenMeanParams;
  even: EvenParams;
  sns: SnsParams;
  "random-hmm": RandomHmmParams;
  coin: CoinParams;
  "days-of-week": DaysOfWeekParams;
  "no-consecutive-ones": NoConsecutiveOnesParams;
  "leaky-rrxor": LeakyRrxorParams;
  "matching-parens": MatchingParensParams;
  "mr-name": MrNameParams;
  trap: TrapParams;
  fanizza: FanizzaParams;
  "post-quantum": PostQuantumParams;
  "tom-quantum": TomQuantumParams;
}

export type ProcessName = keyof ProcessParams;

export const catalogue: { readonly [K in ProcessName]: ProcessFactory<ProcessParams[K]> } = {
  mess3,
  z1r,
  rrxor,
  "golden-mean": goldenMean,
  even,
  sns,
  "random-hmm": randomHmm,
  coin,
  "days-of-week": daysOfWeek,
  "no-consecutive-ones": noConsecutiveOnes,
  "leaky-rrxor": leakyRrxor,
  "matching-parens": matchingParens,
  "mr-name": mrName,
  trap,
  fanizza,
  "post-quantum": postQuantum,
  "tom-quantum": tomQuantum,
};

/** Other names users type for catalogue processes (same parameters, same matrices). */
export const processAliases: Readonly<Record<string, ProcessName>> = {
  "random-random-xor": "rrxor",
  golden: "golden-mean",
  "simple-nonunifilar-source": "sns",
  random: "random-hmm",
  // Kebab-case spelling of simplexity's even_ones, which has exactly our even process's matrices.
  "even-ones": "even",
};

export const processNames = Object.keys(catalogue) as ProcessName[];

export { peerProcesses, peerSources, retiredNames, type Peer, type PeerProcess } from "./peerAliases.js";

/**
 * Resolve a name, alias or peer name to a catalogue name, or throw listing
 * the choices. A peer name (peerProcesses) resolves to the catalogue process
 * it is built from, but takes the peer's parameters: build it with
 * makeProcess(name, ...), not with the name returned here.
 */
export function resolveProcessName(name: string, fn = "makeProcess"): ProcessName {
  if (name in catalogue) return name as ProcessName;
  const alias = processAliases[name] ?? (peerProcesses[name]?.target as ProcessName | undefined);
  if (alias) return alias;
  const retired = retiredNames[name];
  if (retired !== undefined) {
    throw new ArgumentError({ fn, argument: "name", received: `${describe(name)}, which is no longer a process name`, expected: retired });
  }
  throw new ArgumentError({
    fn,
    argument: "name",
    received: describe(name),
    expected:
      `a catalogue process: ${processNames.join(", ")} (aliases: ${Object.keys(processAliases).join(", ")}; ` +
      "the peers' names simplexity.<function>, epsilon-transformers.<Class> and simplexity's snake_case names, e.g. zero_one_random: see `beliefscope process list`)",
    hint: "Or pass the path of a process JSON file.",
  });
}

/** Every name a spec may use: catalogue names, aliases and the peers' names. */
export function knownProcessNames(): string[] {
  return [...processNames, ...Object.keys(processAliases), ...Object.keys(peerProcesses)];
}

/**
 * The names to offer as "did you mean" for a name that failed: none for a
 * retired name (its message says what to type; the nearest name, e.g.
 * zero_one_random for zero-one-random, would be the trap), else every name.
 */
export function namesToSuggest(typed: string): string[] {
  return typed in retiredNames ? [] : knownProcessNames();
}

/**
 * Where parameter p, unknown to `name`, belongs: a peer's spelling on our
 * name (mess3:a) points to the peer's name; our spelling on a peer's name
 * (post_quantum:alpha) points to ours.
 */
function otherSpelling(name: string, p: string): string | undefined {
  const peer = peerProcesses[name];
  if (peer) {
    const ours = catalogue[peer.target as ProcessName].params as Record<string, ParamSpec>;
    return p in ours ? `${p} is our ${peer.target}'s name: ${peer.target}:${p}=... takes it (${peer.mapping}).` : undefined;
  }
  const match = Object.entries(peerProcesses).find(([n, d]) => d.target === name && n.includes(".") && p in d.params);
  return match ? `${p} is ${match[1].peer}'s name: ${match[0]}:${p}=... takes it (${match[1].mapping}).` : undefined;
}

/** Missing parameters take their defaults; unknown or out-of-range ones throw. */
function completeParams(key: string, specs: Readonly<Record<string, ParamSpec>>, params: Record<string, number>, fn: string): Record<string, number> {
  for (const p of Object.keys(params)) {
    if (!(p in specs)) {
      const hint = otherSpelling(key, p);
      throw new ArgumentError({
        fn,
        argument: `params.${p}`,
        received: "an unknown parameter",
        expected: `a parameter of ${key}: ${Object.keys(specs).join(", ") || "(none)"}`,
        ...(hint ? { hint } : {}),
      });
    }
  }
  const full: Record<string, number> = {};
  for (const [p, spec] of Object.entries(specs)) {
    const v = params[p] ?? spec.default;
    if (typeof v !== "number" || !Number.isFinite(v) || v < spec.min || v > spec.max || (spec.integer && !Number.isInteger(v))) {
      throw new ArgumentError({
        fn,
        argument: `params.${p}`,
        received: describe(v),
        expected: `${spec.integer ? "an integer" : "a number"} in [${spec.min}, ${spec.max}] (${spec.doc})`,
      });
    }
    full[p] = v;
  }
  return full;
}

/**
 * Build a catalogue process. Missing parameters take their documented
 * defaults; unknown or out-of-range parameters throw. A peer's name
 * (peerProcesses: "zero_one_random", "simplexity.sns", ...) takes that
 * peer's parameters and builds its matrices exactly, in its symbol and
 * state order (docs/conventions.md).
 */
export function makeProcess<K extends ProcessName>(name: K, params?: Partial<ProcessParams[K]>): Hmm;
export function makeProcess(name: string, params?: Record<string, number>): Hmm;
export function makeProcess(name: string, params: Record<string, number> = {}): Hmm {
  const fn = "makeProcess";
  const peer = peerProcesses[name];
  if (peer) {
    const full = completeParams(name, peer.params, params, fn);
    return asPeerProcess(makeProcess(peer.target, peer.toCatalogue(full)), name, full, peer);
  }
  const key = resolveProcessName(name, fn);
  const factory = catalogue[key] as unknown as ProcessFactory<Record<string, number>>;
  return factory.build(completeParams(key, factory.params as Record<string, ParamSpec>, params, fn));
}

/** Our process in the peer's symbol and state order, named as the peer's. */
function asPeerProcess(ours: Hmm, name: string, params: Record<string, number>, peer: PeerProcess): Hmm {
  const frozenParams = Object.freeze({ ...params });
  if (!peer.symbols && !peer.states) return Object.freeze({ ...ours, name, params: frozenParams });
  const V = ours.nSymbols;
  const S = ours.nStates;
  const sym = peer.symbols ?? Array.from({ length: V }, (_, k) => k);
  const st = peer.states ?? Array.from({ length: S }, (_, k) => k);
  // [V, S, S] peer's T[k][a][b] = our T[sym[k]][st[a]][st[b]]
  const T = new Float64Array(V * S * S);
  for (let k = 0; k < V; k++) for (let a = 0; a < S; a++) for (let b = 0; b < S; b++) T[(k * S + a) * S + b] = ours.transitions[(sym[k] * S + st[a]) * S + st[b]];
  return fromFlat(T, V, S, {
    name,
    params: frozenParams,
    stateLabels: st.map((i) => ours.stateLabels[i]),
    ...(peer.symbols ? {} : { symbolLabels: ours.symbolLabels }),
    ...(ours.initial ? { initial: st.map((i) => ours.initial![i]) } : {}),
  });
}

/**
 * The names besides the catalogue's, as `beliefscope process list` prints
 * them: aliases, the peers' names with their parameters and mappings, and
 * the names refused because they would mislead.
 */
export function otherNamesListing(): string[] {
  const lines = ["aliases (the same process, the same parameters):"];
  for (const [alias, target] of Object.entries(processAliases)) lines.push(`${alias} = ${target}`);
  lines.push(
    "",
    "the peers' names: each takes that toolkit's parameters and builds its matrices exactly, in its symbol and state order",
    "(zero_one_random:p=0.3 is simplexity's zero_one_random(0.3), which is z1r:p=0.7; docs/conventions.md):",
  );
  const byDef = new Map<PeerProcess, string[]>();
  for (const [name, def] of Object.entries(peerProcesses)) byDef.set(def, [...(byDef.get(def) ?? []), name]);
  for (const [def, names] of byDef) {
    lines.push(`${names.join(", ")}: ${def.mapping}`);
    for (const [p, s] of Object.entries(def.params)) lines.push(`    ${p} = ${s.default}  in [${s.min}, ${s.max}]${s.integer ? " (integer)" : ""}  ${s.doc}`);
  }
  lines.push("sources: " + Object.entries(peerSources).map(([peer, src]) => `${peer}: ${src}`).join("; "));
  lines.push("", sharedNameNote);
  lines.push("refused (they would mislead): " + Object.keys(retiredNames).join(", "));
  return lines;
}

/** The parameter names a name takes: the peer's for a peer's name, else the catalogue process's. */
export function processParamNames(name: string): string[] {
  const peer = peerProcesses[name];
  if (peer) return Object.keys(peer.params);
  return Object.keys(catalogue[resolveProcessName(name)].params);
}
