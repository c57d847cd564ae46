/**
 * Messages between the page and its two workers. The training worker owns the
 * run (model, optimizer, MemoryRunStore); the analysis worker owns everything
 * computed from a process or from a snapshot of weights (exact beliefs, probes,
 * held-out loss, recovery), on wasm, so it never competes with training for the
 * GPU and runs on the other core.
 */
import type { ProcessJson, StateDict, StepMetrics } from "../../src/index.js";

export type DeviceChoice = "auto" | "wasm" | "webgpu";
/** "auto": the fused wasm-SIMD trainer when it supports the model (wasm only), else jax-js; "jax": always jax-js. */
export type EngineSetting = "auto" | "jax";

/** Everything that defines a run (the page's settings, as in the URL). */
export interface RunSettings {
  readonly process: ProcessJson;
  /** Transformer preset and overrides (TransformerConfig fields). */
  readonly preset: string;
  readonly model: Readonly<Record<string, number | string | boolean>>;
  readonly steps: number;
  readonly batchSize: number;
  readonly learningRate: number;
  readonly seed: number;
  readonly device: "wasm" | "webgpu";
  /** Training engine on wasm; WebGPU always trains on jax-js. */
  readonly engine: EngineSetting;
  /** Snapshots for the live probe every this many steps. */
  readonly probeEvery: number;
}

// ---- page -> training worker
export type TrainRequest =
  | { readonly type: "start"; readonly settings: RunSettings }
  /** Continue the current run (after pause, or after it finished) up to `steps` in total. */
  | { readonly type: "resume"; readonly steps: number }
  | { readonly type: "pause" }
  | { readonly type: "stop" }
  /** The run as files in the command line's run-folder layout. */
  | { readonly type: "export"; readonly id: number }
  /** Ping for latency measurements (answered between steps). */
  | { readonly type: "ping"; readonly id: number };

// ---- training worker -> page
export type TrainEvent =
  | { readonly type: "started"; readonly device: string; readonly engine: string; readonly startStep: number; readonly totalSteps: number }
  | { readonly type: "steps"; readonly metrics: StepMetrics[] }
  /** Weights after `step` updates (step 0: the initial weights, the untrained control). */
  | { readonly type: "snapshot"; readonly step: number; readonly params: StateDict; readonly modelConfig: Record<string, unknown>; readonly architecture: string }
  | { readonly type: "ended"; readonly reason: "finished" | "paused" | "stopped"; readonly step: number; readonly seconds: number; readonly engine: string }
  /** run.zip (the run folder), and model.safetensors + config.json of the model/ folder when there is one. */
  | { readonly type: "exported"; readonly id: number; readonly files: Record<string, Uint8Array> }
  | { readonly type: "pong"; readonly id: number }
  | { readonly type: "error"; readonly message: string };

// ---- page -> process worker
export type ProcessRequest =
  /** Parse and check a process from a catalogue spec ("mess3:x=0.05") or JSON text; nCtx for the optimal loss. */
  | { readonly type: "process"; readonly id: number; readonly spec?: string; readonly json?: string; readonly nCtx: number }
  | { readonly type: "figure"; readonly id: number; readonly name: "msp" };

// ---- process worker -> page
export type ProcessEvent =
  | { readonly type: "process"; readonly id: number; readonly summary: ProcessSummary }
  /** The command line's message; `argument` is the ArgumentError's argument (a JSON path) when there is one. */
  | { readonly type: "processError"; readonly id: number; readonly message: string; readonly argument: string | null }
  | { readonly type: "figure"; readonly id: number; readonly name: FigureName; readonly svg: string | null };

/** SVG figures the workers draw with the command line's code: "msp", "probe:<site label>", "recovery-beliefs", "recovery-graph". */
export type FigureName = "msp" | `probe:${string}` | "recovery-beliefs" | "recovery-graph";

// ---- page -> analysis worker
export type AnalysisRequest =
  /** A new run: its process and untrained weights (the untrained-model control). */
  | { readonly type: "untrained"; readonly runId: number; readonly process: ProcessJson; readonly architecture: string; readonly modelConfig: Record<string, unknown>; readonly params: StateDict }
  /** Probe the final layer of a snapshot against its controls and score its held-out loss (the live panel). */
  | { readonly type: "probe"; readonly runId: number; readonly step: number; readonly params: StateDict; readonly sequences: number }
  /** After training: every probe site with the full controls, held-out loss per position, then recovery. */
  | { readonly type: "final"; readonly runId: number; readonly step: number; readonly params: StateDict; readonly recover: boolean }
  /** Beliefs of (1 - t) T_true + t T_recovered (states matched). */
  | { readonly type: "interpolate"; readonly id: number; readonly t: number }
  | { readonly type: "figure"; readonly id: number; readonly name: FigureName };

/** Points to draw: beliefs [rows, S] flat, with the projection computed in the worker. */
export interface PointSet {
  readonly rows: number;
  /** [rows, 2] plane coordinates. */
  readonly xy: Float32Array;
  /** [rows, 3] RGB colours (0..255). */
  readonly rgb: Uint8Array;
  /** "simplex" (3 states: the triangle) or "pca". */
  readonly kind: "simplex" | "pca";
}

export interface ProcessSummary {
  readonly name: string;
  readonly json: ProcessJson;
  readonly spec: string | null;
  readonly nStates: number;
  readonly nSymbols: number;
  readonly generalized: boolean;
  readonly optimalLossPerPosition: Float64Array;
  /** Mean of h(1..nCtx): the loss a perfect model reaches (exact, or an estimate inside optimalLossBracket). */
  readonly optimalLoss: number;
  /** Its certified bracket (lower = upper when exact; else the budget cut the enumeration of beliefs). */
  readonly optimalLossBracket: { readonly exact: boolean; readonly lower: number; readonly upper: number };
  readonly entropyRate: { readonly lower: number; readonly upper: number; readonly converged: boolean; readonly method: string };
  readonly msp: { readonly nodes: number; readonly depth: number; readonly closed: boolean; readonly truncated: boolean };
  readonly points: PointSet;
  readonly seconds: number;
}

/** What the page shows of a probe site. */
export interface SiteSummary {
  readonly label: string;
  readonly r2: number | null;
  readonly rmse: number;
  readonly beliefKL: number;
  readonly beyondControls: boolean;
  /** Controls not beaten, e.g. ["3-gram (R²)"], or why the verdict is undefined. */
  readonly notBeaten: readonly string[];
  readonly undefinedReason: string | null;
  /** The memory the site is equivalent to: "as informative as the last 3 tokens" (null when not computed). */
  readonly memory: string | null;
  readonly controls: Readonly<Record<string, { readonly r2: number | null; readonly beliefKL: number }>>;
  readonly predicted: PointSet;
}

export interface ProbeSummary {
  readonly step: number;
  readonly truth: PointSet;
  readonly sites: SiteSummary[];
  readonly heldOut: { readonly loss: number; readonly optimal: number; readonly relative: number; readonly perPosition?: Float64Array; readonly optimalPerPosition?: Float64Array };
  readonly seconds: number;
}

export interface RecoverySummary {
  readonly states: number;
  readonly truthGraphSvg: string | null;
  readonly recoveredGraphSvg: string;
  readonly truthPoints: PointSet | null;
  readonly recoveredPoints: PointSet;
  readonly klModel: number;
  readonly tv: number | null;
  readonly relativeLoss: number | null;
  readonly modelRelativeLoss: number | null;
  readonly beliefRmse: number | null;
  readonly mapR2: number;
  readonly notes: readonly string[];
  /** Interpolation truth -> recovered is possible (same state count, matched). */
  readonly interpolable: boolean;
  readonly recoveredJson: ProcessJson;
  readonly reportJson: Record<string, unknown>;
  /** probe.safetensors: the activation map to the recovered beliefs (the one probe-file layout, src/probe/probeFile.ts). */
  readonly probeFile: Uint8Array;
  readonly seconds: number;
}

// ---- analysis worker -> page
export type AnalysisEvent =
  | { readonly type: "probe"; readonly runId: number; readonly summary: ProbeSummary }
  | { readonly type: "progress"; readonly runId: number; readonly stage: string; readonly done: number; readonly total: number }
  | { readonly type: "final"; readonly runId: number; readonly summary: ProbeSummary; readonly reportJson: unknown; readonly probeFile: Uint8Array }
  | { readonly type: "recovery"; readonly runId: number; readonly summary: RecoverySummary }
  | { readonly type: "recoveryError"; readonly runId: number; readonly message: string }
  | { readonly type: "interpolated"; readonly id: number; readonly t: number; readonly points: PointSet }
  | { readonly type: "figure"; readonly id: number; readonly name: FigureName; readonly svg: string | null }
  | { readonly type: "error"; readonly message: string };
