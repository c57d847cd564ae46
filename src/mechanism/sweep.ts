/**
 * Families of processes to animate: one catalogue parameter swept over a range
 * ("mess3:x=0.05..0.2", other parameters fixed: "mess3:alpha=0.6,x=0.05..0.2"), or a straight
 * line between two processes with the same alphabet and number of hidden states,
 * T(l) = (1 - l) T_A + l T_B entry by entry (every row of sum_x T(l)[x] still sums to 1, so each
 * point of the line is an HMM).
 */
import { createHmm, makeProcess, stationaryDistribution, type Hmm } from "../process/index.js";
import { ArgumentError, checkInteger, checkNumber, describe } from "../util/errors.js";

export interface ProcessSweep {
  readonly processes: readonly Hmm[];
  /** The swept value of each frame (the parameter, or l in [0, 1]). */
  readonly values: readonly number[];
  /** What is swept, e.g. "mess3 x" or "mess3 → mymess". */
  readonly label: string;
  /** Labels of the two ends, e.g. ["x = 0.05", "x = 0.2"]. */
  readonly ends: readonly [string, string];
  /** Frame title for frame k. */
  title(k: number): string;
}

const format = (v: number): string => String(Number(v.toPrecision(4)));

/** `frames` evenly spaced values from a to b inclusive. */
function linspace(a: number, b: number, frames: number): number[] {
  return Array.from({ length: frames }, (_, k) => (frames === 1 ? a : a + ((b - a) * k) / (frames - 1)));
}

/** Sweep one parameter of a catalogue process: "name:key=a..b" with optional fixed "key=value" pairs. */
export function parameterSweep(spec: string, frames: number): ProcessSweep {
  const fn = "parameterSweep";
  checkInteger(fn, "frames", frames, 1, 100_000);
  const expected = 'a catalogue process with one parameter range, e.g. "mess3:x=0.05..0.2" or "mess3:alpha=0.6,x=0.05..0.2"';
  if (typeof spec !== "string" || !spec.includes(":")) throw new ArgumentError({ fn, argument: "spec", received: describe(spec), expected });
  const [name, rest] = spec.split(/:(.*)/s, 2);
  const fixed: Record<string, number> = {};
  let swept: { key: string; from: number; to: number } | null = null;
  for (const part of rest.split(",")) {
    const [key, value] = part.split("=", 2).map((s) => s?.trim());
    if (!key || value === undefined) throw new ArgumentError({ fn, argument: "spec", received: JSON.stringify(spec), expected });
    const range = value.split("..");
    if (range.length === 2) {
      if (swept) throw new ArgumentError({ fn, argument: "spec", received: `${JSON.stringify(spec)}, which sweeps both ${swept.key} and ${key}`, expected: "exactly one parameter range a..b" });
      const [from, to] = range.map(Number);
      if (range.some((r) => r.trim() === "") || !Number.isFinite(from) || !Number.isFinite(to)) throw new ArgumentError({ fn, argument: "spec", received: JSON.stringify(spec), expected });
      swept = { key, from, to };
    } else {
      const v = Number(value);
      if (value === "" || !Number.isFinite(v)) throw new ArgumentError({ fn, argument: "spec", received: JSON.stringify(spec), expected });
      fixed[key] = v;
    }
  }
  if (!swept) throw new ArgumentError({ fn, argument: "spec", received: `${JSON.stringify(spec)}, which has no range`, expected });
  const { key, from, to } = swept;
  const values = linspace(from, to, frames);
  // makeProcess checks the name, the parameter and its range (with the catalogue's message).
  const processes = values.map((v) => makeProcess(name.trim(), { ...fixed, [key]: v }));
  const base = processes[0].name;
  const fixedText = Object.entries(fixed).map(([k, v]) => `${k} = ${format(v)}`).join(", ");
  return {
    processes,
    values,
    label: `${base} ${key}`,
    ends: [`${key} = ${format(from)}`, `${key} = ${format(to)}`],
    title: (k) => `${base}${fixedText ? ` (${fixedText})` : ""}: ${key} = ${values[k].toFixed(3)}`,
  };
}

/** The process a fraction `l` of the way from `a` to `b` (same alphabet and state count). */
export function interpolateProcesses(a: Hmm, b: Hmm, l: number): Hmm {
  const fn = "interpolateProcesses";
  checkNumber(fn, "l", l, 0, 1);
  checkInterpolable(fn, a, b);
  const V = a.nSymbols;
  const S = a.nStates;
  const T = Array.from({ length: V }, (_, x) =>
    Array.from({ length: S }, (_, i) => Array.from({ length: S }, (_, j) => (1 - l) * a.transitions[(x * S + i) * S + j] + l * b.transitions[(x * S + i) * S + j])),
  );
  // A fixed start interpolates too; otherwise each end starts stationary and so does every point.
  const start = (h: Hmm) => h.initial ?? stationaryDistribution(h);
  const initial = a.initial || b.initial ? Array.from(start(a), (p, i) => (1 - l) * p + l * start(b)[i]) : undefined;
  return createHmm(T, { name: `${a.name}→${b.name}`, params: { lambda: l }, symbolLabels: a.symbolLabels, stateLabels: a.stateLabels, ...(initial ? { initial } : {}) }, fn);
}

function checkInterpolable(fn: string, a: Hmm, b: Hmm): void {
  if (a.nSymbols !== b.nSymbols) {
    throw new ArgumentError({
      fn,
      argument: "b",
      received: `${b.name} with ${b.nSymbols} symbols, while ${a.name} has ${a.nSymbols}`,
      expected: "two processes over the same alphabet (the same number of symbols): the frames compare predictions of the same tokens",
      hint: `Animate along one process's parameter instead, e.g. --param "${a.name}:…=a..b".`,
    });
  }
  if (a.nStates !== b.nStates) {
    throw new ArgumentError({
      fn,
      argument: "b",
      received: `${b.name} with ${b.nStates} hidden states, while ${a.name} has ${a.nStates}`,
      expected: "two processes with the same number of hidden states (the path between them mixes their transition matrices entry by entry)",
      hint: "Animate along one process's parameter instead (--param).",
    });
  }
  if (a.generalized || b.generalized) {
    throw new ArgumentError({ fn, argument: a.generalized ? "a" : "b", received: `${(a.generalized ? a : b).name}, a generalized HMM`, expected: "stochastic HMMs (a mix of two GHMMs' matrices need not define a process)" });
  }
}

const GREEK: Readonly<Record<string, string>> = { alpha: "α", beta: "β", gamma: "γ", lambda: "λ", sigma: "σ" };

/** An end of a line between processes: its name with the parameters that differ from the other end's, e.g. "mess3(x=0.05, α=0.85)". */
export function endLabel(h: Hmm, other: Hmm): string {
  const differ = Object.keys(h.params).filter((k) => h.params[k] !== other.params[k]);
  if (differ.length === 0) return h.name;
  return `${h.name}(${differ.map((k) => `${GREEK[k] ?? k}=${format(h.params[k])}`).join(", ")})`;
}

/** `frames` processes on the line from a to b, both ends included. */
export function interpolationSweep(a: Hmm, b: Hmm, frames: number): ProcessSweep {
  const fn = "interpolationSweep";
  checkInteger(fn, "frames", frames, 1, 100_000);
  checkInterpolable(fn, a, b);
  const values = linspace(0, 1, frames);
  // Two ends of one process differ only in their parameters: name them.
  const [na, nb] = [endLabel(a, b), endLabel(b, a)];
  return {
    processes: values.map((l) => interpolateProcesses(a, b, l)),
    values,
    label: `${na} → ${nb}`,
    ends: [na, nb],
    title: (k) => `${na} → ${nb}: ${(100 * values[k]).toFixed(0)}% of the way`,
  };
}
