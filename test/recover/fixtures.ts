import { readFileSync } from "node:fs";
import { createHmm, type Hmm } from "../../src/process/index.js";

/** Ground truth from test/fixtures/recover_truth.py (numpy, brute force). */
export interface RecoverTruth {
  processes: Record<string, { transitions: number[][][]; stationary: number[]; words: number[][]; hankelRank: number; hankelWordLength: number }>;
  tv: { a: string; b: string; tv: number[] }[];
  em: { name: string; nStates: number; nSymbols: number; T0: number[][][]; pi0: number[]; sequences: number[][]; T1: number[][][]; pi1: number[]; logLikelihood: number }[];
}

export const truth: RecoverTruth = JSON.parse(readFileSync(new URL("../fixtures/recover_truth.json", import.meta.url), "utf8"));

export function fixtureHmm(name: string): Hmm {
  return createHmm(truth.processes[name].transitions, { name, tolerance: 1e-9 });
}

export const flat = (nested: number[][][]): Float64Array => Float64Array.from(nested.flat(2));
