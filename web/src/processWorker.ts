/**
 * The process worker: parses and checks a process as the user types (the
 * command line's errors), and computes what is exact about it: the belief
 * fractal (mixed-state presentation), the optimal loss per position and the
 * entropy-rate bracket. Pure TypeScript over Float64Array (no jax-js), bounded
 * by the enumeration budgets below; a newer request replaces a queued one.
 */
import { ArgumentError } from "../../src/util/errors.js";
import type { Rows } from "../../src/util/rows.js";
import { entropyRate, mixedStatePresentation, optimalLoss as optimalLossOf, processFromJsonText, processFromSpec, processToJson, type Hmm } from "../../src/process/index.js";
import { mspFigureSvg } from "./figures.js";
import { pointSet, transfers } from "./points.js";
import type { ProcessEvent, ProcessRequest, ProcessSummary } from "./protocol.js";

const scope = self as unknown as {
  postMessage(message: ProcessEvent, transfer?: Transferable[]): void;
  onmessage: ((event: MessageEvent<ProcessRequest>) => void) | null;
};
const post = (event: ProcessEvent, transfer: Transferable[] = []) => scope.postMessage(event, transfer);

/** Most MSP nodes held and drawn: the fractal shows long before, and drawing stays fast. */
export const MSP_MAX_NODES = 40_000;
/** Work bound of each exact computation (~0.2 s at 2.5e8 units/s). */
const MAX_WORK = 5e7;

let current: { hmm: Hmm; beliefs: Rows } | null = null;

function analyse(id: number, spec: string | undefined, json: string | undefined, nCtx: number): void {
  const t0 = performance.now();
  try {
    const hmm = spec !== undefined ? processFromSpec(spec) : processFromJsonText(json ?? "", "process.json");
    // Optimal loss of a model that reads nCtx tokens: the mean of h(1..nCtx), exact or a certified bracket (src/process/optimalLoss.ts).
    const rate = entropyRate(hmm, { maxWork: MAX_WORK });
    const optimum = optimalLossOf(hmm, nCtx, { maxWork: MAX_WORK, rate });
    const perPosition = optimum.perPosition;
    const optimalLoss = optimum.mean;
    const msp = mixedStatePresentation(hmm, { depth: Math.max(nCtx, 8), maxBeliefs: MSP_MAX_NODES, maxWork: MAX_WORK });
    const beliefs: Rows = { rows: msp.nNodes, cols: hmm.nStates, data: msp.beliefs.slice(0, msp.nNodes * hmm.nStates) };
    current = { hmm, beliefs };
    const summary: ProcessSummary = {
      name: hmm.name,
      json: processToJson(hmm),
      spec: spec ?? null,
      nStates: hmm.nStates,
      nSymbols: hmm.nSymbols,
      generalized: hmm.generalized === true,
      optimalLossPerPosition: perPosition,
      optimalLoss,
      optimalLossBracket: { exact: optimum.exact, lower: optimum.meanLower, upper: optimum.meanUpper },
      entropyRate: { lower: rate.lower, upper: rate.upper, converged: rate.converged, method: rate.method },
      msp: { nodes: msp.nNodes, depth: msp.levels.length - 1, closed: msp.closed, truncated: msp.truncated },
      points: pointSet(beliefs),
      seconds: (performance.now() - t0) / 1000,
    };
    post({ type: "process", id, summary }, transfers(summary.points));
  } catch (err) {
    post({ type: "processError", id, message: (err as Error)?.message ?? String(err), argument: err instanceof ArgumentError ? err.argument : null });
  }
}

function mspFigure(id: number): void {
  const svg = current
    ? mspFigureSvg(current.beliefs, `Exact beliefs of ${current.hmm.name}: ${current.beliefs.rows} mixed states`)
    : null;
  post({ type: "figure", id, name: "msp", svg });
}

// Only the newest request matters while typing: keep one queued, run it after the current one.
let queued: ProcessRequest | null = null;
let scheduled = false;
function schedule(): void {
  if (scheduled) return;
  scheduled = true;
  setTimeout(() => {
    scheduled = false;
    const m = queued;
    queued = null;
    if (m?.type === "process") analyse(m.id, m.spec, m.json, m.nCtx);
  }, 0);
}

scope.onmessage = (event) => {
  const m = event.data;
  if (m.type === "process") {
    queued = m;
    schedule();
  } else if (m.type === "figure") {
    mspFigure(m.id);
  }
};
