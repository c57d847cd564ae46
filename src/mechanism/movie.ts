/**
 * Belief geometry forming over training: one frame per kept checkpoint of a run (the trainer keeps
 * log-spaced weight snapshots, src/train/runStore.ts), each with a linear probe from the residual
 * to the exact beliefs (fitted and scored on fixed samples, the same for every checkpoint, so only
 * the model changes) and the held-out loss. An async generator: one checkpoint's model is in
 * memory at a time.
 */
import { modelFromStateDict, type SequenceModel } from "../model/index.js";
import { trainingFrameSvg, trainingView } from "../plot/trainingFrame.js";
import { beliefKL, fitLinear, nextTokenMap, predictLinear, regressionScores } from "../probe/index.js";
import { processFromJson, type Hmm } from "../process/index.js";
import type { RunStore } from "../train/runStore.js";
import { evaluateLoss } from "../train/evaluate.js";
import { ArgumentError, checkInteger } from "../util/errors.js";
import { beliefSamples } from "./samples.js";

export interface MovieOptions {
  /** Sequences per probe set (fit and held out). Default 1000. */
  readonly nSequences?: number;
  /** Held-out sequences for each checkpoint's loss. Default 1000. */
  readonly evalSequences?: number;
  /** Probe site label (one of the model's layerSites). Default the last one (all layers concatenated, when there are several). */
  readonly site?: string;
  readonly seed?: number;
  /** Frame width in px. Default 900. */
  readonly width?: number;
  /** The process to probe on; default the run's. */
  readonly process?: Hmm;
  /** Called after each checkpoint is measured (progress). */
  readonly onCheckpoint?: (index: number, step: number, total: number) => void;
}

export interface MovieFrame {
  readonly index: number;
  readonly step: number;
  readonly svg: string;
  readonly loss: number;
  readonly optimalLoss: number;
  readonly relativeExcess: number;
  readonly r2: number;
  readonly beliefKL: number;
}

export interface MoviePlan {
  readonly steps: readonly number[];
  readonly process: Hmm;
  readonly site: string;
  frames(): AsyncGenerator<MovieFrame>;
}

/** Check the run and plan its movie: the checkpoints to draw and the process. */
export async function trainingMovie(store: RunStore, options: MovieOptions = {}): Promise<MoviePlan> {
  const fn = "trainingMovie";
  const run = await store.readRun();
  if (!run) throw new ArgumentError({ fn, argument: "run", received: `${store.location}, which has no run.json`, expected: "a run folder written by `beliefscope train`" });
  if (!run.process && !options.process) throw new ArgumentError({ fn, argument: "run", received: `${store.location}, a run on ${run.data?.kind ?? "other data"}`, expected: "a run trained on a process (the probe needs exact beliefs)" });
  const hmm = options.process ?? processFromJson(run.process, `${store.location} run.json`);
  const steps = await store.checkpointSteps();
  if (steps.length === 0) {
    throw new ArgumentError({
      fn,
      argument: "run",
      received: `${store.location}, which has no saved checkpoints`,
      expected: "a run folder with weight checkpoints (checkpoints/step-*)",
      hint: "Runs from `beliefscope train` keep log-spaced checkpoints; train (or resume) the run to make some.",
    });
  }
  const nSequences = checkInteger(fn, "options.nSequences", options.nSequences ?? 1000, 2);
  const evalSequences = checkInteger(fn, "options.evalSequences", options.evalSequences ?? 1000, 1);
  const seed = checkInteger(fn, "options.seed", options.seed ?? 0, 0);
  const width = checkInteger(fn, "options.width", options.width ?? 900, 300, 8192);
  const load = (step: number): Promise<SequenceModel> => store.loadCheckpointWeights(step).then((sd) => modelFromStateDict(run.architecture, run.model, sd));
  const probeModel = await load(steps[0]);
  const sites = probeModel.layerSites();
  probeModel.dispose();
  const site = sites.find((s) => s.label === (options.site ?? sites[sites.length - 1].label));
  if (!site) throw new ArgumentError({ fn, argument: "options.site", received: JSON.stringify(options.site), expected: `a probe site of this model: ${sites.map((s) => s.label).join(", ")}` });
  if (hmm.nSymbols !== (run.model.dVocab as number)) throw new ArgumentError({ fn, argument: "options.process", received: `${hmm.name} with ${hmm.nSymbols} symbols`, expected: `a process with the model's ${String(run.model.dVocab)} symbols` });

  async function* frames(): AsyncGenerator<MovieFrame> {
    const T = run!.model.nCtx as number;
    const S = hmm.nStates;
    const fit = beliefSamples(hmm, T, nSequences, seed, "movie-fit", fn);
    const test = beliefSamples(hmm, T, nSequences, seed, "movie-test", fn);
    const truth = { rows: nSequences * T, cols: S, data: test.beliefs };
    const view = trainingView(truth);
    const map = nextTokenMap(hmm);
    const metrics = await store.readMetrics();
    // Thin the curve to at most 400 points (mean of each chunk) so frames stay small.
    const chunk = Math.max(1, Math.ceil(metrics.length / 400));
    const curve: { step: number; loss: number }[] = [];
    for (let i = 0; i < metrics.length; i += chunk) {
      const part = metrics.slice(i, i + chunk);
      curve.push({ step: part[part.length - 1].step, loss: part.reduce((a, m) => a + m.loss, 0) / part.length });
    }
    const done: { step: number; loss: number }[] = [];
    const measured: { step: number; loss: number; optimal: number; excess: number; r2: number; kl: number; probed: Float64Array }[] = [];
    // Measure every checkpoint first (the loss axis must be fixed before the first frame is drawn).
    for (const step of steps) {
      const model = await load(step);
      try {
        const a = await model.runWithCache(fit.tokens, T, { names: [...site!.hooks] });
        const probe = fitLinear(a.cache.features(site!.hooks), { rows: nSequences * T, cols: S, data: fit.beliefs });
        const b = await model.runWithCache(test.tokens, T, { names: [...site!.hooks] });
        const predicted = predictLinear(probe, b.cache.features(site!.hooks));
        const e = await evaluateLoss(model, hmm, { sequences: evalSequences, seed: 1 });
        measured.push({ step, loss: e.modelLoss, optimal: e.optimalLossSameSequences, excess: e.relativeExcess, r2: regressionScores(predicted, truth).r2 ?? 1, kl: beliefKL(map, truth, predicted).mean, probed: predicted.data });
      } finally {
        model.dispose();
      }
      options.onCheckpoint?.(measured.length - 1, step, steps.length);
    }
    const losses = [...measured.map((m) => m.loss), ...curve.map((c) => c.loss)];
    const optimal = measured[0].optimal;
    const lo = Math.min(optimal, ...losses);
    const hi = Math.min(Math.max(...losses), lo + 4 * Math.max(measured[0].loss - lo, 0.05));
    const maxStep = Math.max(steps[steps.length - 1], curve.length ? curve[curve.length - 1].step : 1, 1);
    // Every frame keeps room for the widest title and probe line any frame could carry, so all frames have one size.
    const reserve = { title: `${hmm.name}: step ${maxStep}, loss 00.0000 (+1000.00% vs optimal), probe R² -0.000`, subtitle: `${site!.label}: R² -0.000, belief KL 0.00e-00` };
    for (let k = 0; k < measured.length; k++) {
      const m = measured[k];
      done.push({ step: m.step, loss: m.loss });
      const svg = trainingFrameSvg(
        {
          trueBeliefs: truth,
          probed: { rows: truth.rows, cols: S, data: m.probed },
          title: `${hmm.name}: step ${m.step}, loss ${m.loss.toFixed(4)} (${m.excess >= 0 ? "+" : ""}${(100 * m.excess).toFixed(2)}% vs optimal), probe R² ${m.r2.toFixed(3)}`,
          probeSubtitle: `${site!.label}: R² ${m.r2.toFixed(3)}, belief KL ${m.kl.toExponential(2)}`,
          curve,
          checkpoints: done,
          step: m.step,
          optimalLoss: optimal,
          lossRange: [lo - 0.02 * (hi - lo), hi],
          maxStep,
        },
        { width, view, reserve },
      );
      yield { index: k, step: m.step, svg, loss: m.loss, optimalLoss: m.optimal, relativeExcess: m.excess, r2: m.r2, beliefKL: m.kl };
    }
  }
  return { steps, process: hmm, site: site.label, frames };
}
