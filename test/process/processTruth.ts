import { readFileSync } from "node:fs";

/** Ground truth from test/fixtures/process-truth.py (numpy; exact Cover & Thomas bounds from ../shared/reference/hmm_exact.py). */
export interface ProcessTruth {
  rate: Record<string, { transitions: number[][][]; stationary: number[]; bounds: [number, number, number][]; closedForm: number | null }>;
  catalogue: Record<string, { transitions: number[][][]; stationary: number[]; myopic: number[] }>;
  composite: Record<"mixture" | "product", { spec: string; transitions: number[][][]; initial: number[]; myopic: number[]; rateBounds: [number, number] }>;
  ghmm: Record<string, { transitions: number[][][]; initial: number[]; normalizer: number[]; myopic: number[]; minWordProbability: number }>;
}

export const processTruth: ProcessTruth = JSON.parse(readFileSync(new URL("../fixtures/process-truth.json", import.meta.url), "utf8"));
