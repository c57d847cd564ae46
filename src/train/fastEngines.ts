/**
 * Fused training engines by architecture. The jax-js path (trainer.ts) runs
 * every architecture and is the reference; an engine registered here runs
 * one architecture faster behind the same loop, and is chosen when it
 * supports the config and optimizer (engine "auto"), or asked for ("fast").
 * beliefscope/node registers a multi-threaded engine over the core one.
 */
import { ArgumentError } from "../util/errors.js";
import type { HostTensor, ModelConfigBase, StateDict } from "../model/types.js";
import type { OptimizerConfig } from "./optimizer.js";
import type { FastStepper } from "./trainer.js";
import { singleThreadFastEngine } from "./fast/engine.js";

export interface FastEngineRequest {
  readonly config: ModelConfigBase;
  readonly optimizer: OptimizerConfig;
  readonly batchSize: number;
  readonly nPos: number;
  readonly params: StateDict;
  readonly optimizerState?: Record<string, HostTensor>;
}

export interface FastEngine {
  /** e.g. "fast-wasm" */
  readonly name: string;
  /** Whether it runs this config and optimizer, and if not, why. */
  supports(config: ModelConfigBase, optimizer: OptimizerConfig): { ok: true } | { ok: false; reason: string };
  create(request: FastEngineRequest): Promise<FastStepper>;
}

export type EngineChoice = "auto" | "jax" | "fast";

// The core registers its single-threaded fused transformer; beliefscope/node adds a multi-threaded one.
const engines = new Map<string, FastEngine[]>([["transformer", [singleThreadFastEngine]]]);

/** Register a fast engine for an architecture; later registrations are preferred. */
export function registerFastEngine(architecture: string, engine: FastEngine): void {
  engines.set(architecture, [engine, ...(engines.get(architecture) ?? []).filter((e) => e.name !== engine.name)]);
}

/**
 * The engine to use: for "jax", none; for "auto", the first registered engine
 * that supports the request, else none; for "fast", that engine or an error
 * saying why none applies.
 */
export function chooseFastEngine(choice: EngineChoice, architecture: string, config: ModelConfigBase, optimizer: OptimizerConfig): FastEngine | null {
  if (choice === "jax") return null;
  const reasons: string[] = [];
  for (const e of engines.get(architecture) ?? []) {
    const s = e.supports(config, optimizer);
    if (s.ok) return e;
    reasons.push(`${e.name}: ${s.reason}`);
  }
  if (choice === "fast") {
    throw new ArgumentError({
      fn: "train",
      argument: "engine",
      received: `"fast" for a ${architecture}`,
      expected: "a model and optimizer a fast engine supports, or engine \"auto\" / \"jax\"",
      hint: reasons.length ? reasons.join("; ") : `No fast engine is registered for ${architecture}.`,
    });
  }
  return null;
}
