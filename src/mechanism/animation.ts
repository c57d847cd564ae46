/**
 * Frames of the mechanism animation along a family of processes (sweep.ts): for each process, the
 * constructed linear-attention model (construct.ts) and, on the same sampled histories, the exact
 * beliefs beside the model's estimates (plot/animationFrame.ts). Every frame samples with the same
 * seed, so neighbouring frames draw nearly the same histories and the clouds morph smoothly
 * instead of flickering. A generator: one frame is in memory at a time.
 */
import { mechanismFrameSvg } from "../plot/animationFrame.js";
import { stationaryDistribution, type Hmm } from "../process/index.js";
import { checkInteger } from "../util/errors.js";
import { applyLinearOperator } from "./bestOperator.js";
import { constructLinearAttention } from "./construct.js";
import { beliefSamples } from "./samples.js";
import type { ProcessSweep } from "./sweep.js";

export interface AnimationOptions {
  /** Context length of the constructed models. Default 10 (the anchor experiment's). */
  readonly nCtx?: number;
  /** Sequences each construction is fitted on (and scored on). Default 1000. */
  readonly nSequences?: number;
  /** Histories drawn per panel (each gives nCtx points). Default 300. */
  readonly drawSequences?: number;
  /** Frame width in px. Default 900. */
  readonly width?: number;
  readonly seed?: number;
}

export interface AnimationFrame {
  readonly index: number;
  readonly value: number;
  readonly svg: string;
  readonly r2: number;
  readonly beliefKL: number;
  readonly relativeExcess: number;
  readonly heads: number;
}

/** Defaults, with their reasons. */
export const ANIMATION_DEFAULTS = Object.freeze({
  nCtx: 10,
  /** Half the analyses' default: 40 frames stay under a minute, and R² moves by < 0.002. */
  nSequences: 1000,
  /** 3,000 points per panel show the fractal without hiding its gaps. */
  drawSequences: 300,
  width: 900,
  seed: 0,
});

function stationaryOrNull(hmm: Hmm): Float64Array | undefined {
  try {
    return hmm.initial ?? stationaryDistribution(hmm);
  } catch {
    return undefined;
  }
}

/** The frames of `sweep`, one at a time. */
export function* mechanismAnimation(sweep: ProcessSweep, options: AnimationOptions = {}): Generator<AnimationFrame> {
  const fn = "mechanismAnimation";
  const nCtx = checkInteger(fn, "options.nCtx", options.nCtx ?? ANIMATION_DEFAULTS.nCtx, 1, 64);
  const nSequences = checkInteger(fn, "options.nSequences", options.nSequences ?? ANIMATION_DEFAULTS.nSequences, 2);
  const drawSequences = checkInteger(fn, "options.drawSequences", options.drawSequences ?? ANIMATION_DEFAULTS.drawSequences, 2);
  const width = checkInteger(fn, "options.width", options.width ?? ANIMATION_DEFAULTS.width, 300, 8192);
  const seed = checkInteger(fn, "options.seed", options.seed ?? ANIMATION_DEFAULTS.seed, 0);
  const n = sweep.processes.length;
  // Every frame keeps room for the longest title of the sweep and the widest score line, so all frames have one size.
  const titles = sweep.processes.map((_, k) => sweep.title(k));
  const reserve = { title: titles.reduce((a, b) => (b.length > a.length ? b : a), ""), subtitle: "R² -0.000, loss +1000.00% vs optimal, 999 heads" };
  for (let k = 0; k < n; k++) {
    const hmm = sweep.processes[k];
    const built = constructLinearAttention(hmm, nCtx, { nSequences, seed });
    const drawn = beliefSamples(hmm, nCtx, drawSequences, seed, "animation-points", fn);
    const approx = applyLinearOperator(built.operator, drawn.tokens, nCtx);
    const rows = drawSequences * nCtx;
    const excess = built.relativeExcess;
    const svg = mechanismFrameSvg(
      {
        graph: { nStates: hmm.nStates, nSymbols: hmm.nSymbols, transitions: hmm.transitions, symbolLabels: hmm.symbolLabels, stateLabels: hmm.stateLabels, stationary: stationaryOrNull(hmm) },
        trueBeliefs: { rows, cols: hmm.nStates, data: drawn.beliefs },
        approx: { rows, cols: hmm.nStates, data: approx },
        title: sweep.title(k),
        approxSubtitle: `R² ${built.operator.r2.toFixed(3)}, loss ${excess >= 0 ? "+" : ""}${(100 * excess).toFixed(2)}% vs optimal, ${built.heads} heads`,
        progress: n === 1 ? 1 : k / (n - 1),
        progressLabels: sweep.ends as [string, string],
      },
      { width, reserve },
    );
    yield { index: k, value: sweep.values[k], svg, r2: built.operator.r2, beliefKL: built.operator.beliefKL, relativeExcess: excess, heads: built.heads };
  }
}
