/**
 * The main job: the belief-state-geometry experiment end to end on a
 * process (default mess3). Train a transformer, compare its held-out loss
 * with the optimal loss, probe every layer for the belief states with
 * controls, and write figures and a report to a folder.
 */
import { join } from "node:path";
import { writeFileAtomically, writeJsonAtomically } from "../util/atomicWrite.js";
import { HookedTransformer } from "../model/transformer.js";
import { parameterCount, type PresetName, type TransformerConfig } from "../model/config.js";
import type { Hmm } from "../process/hmm.js";
import { makeProcess } from "../process/catalogue/index.js";
import { entropyRate } from "../process/entropy.js";
import { mixedStatePresentation } from "../process/msp.js";
import { probeBeliefs, type ProbeReport } from "../probe/beliefProbe.js";
import { beliefFigureSvg } from "../plot/beliefFigure.js";
import { lossCurveSvg } from "../plot/lossCurve.js";
import { svgToPng } from "../plot/png.js";
import { evaluateLoss, type LossEvaluation } from "../train/evaluate.js";
import type { OptimizerConfig } from "../train/optimizer.js";
import { trainOnProcess, type TrainingConfig } from "../train/run.js";
import type { TrainerEvents } from "../train/trainer.js";
import { renderReport } from "./report.js";

export interface DemoOptions {
  /** Output folder. Default "beliefscope-demo". */
  readonly outDir?: string;
  /** Default mess3(0.05, 0.85). */
  readonly process?: Hmm;
  readonly model?: Partial<TransformerConfig>;
  readonly preset?: PresetName;
  readonly training?: Partial<Omit<TrainingConfig, "optimizer"> & { optimizer: Partial<OptimizerConfig> }>;
  /** Held-out sequences for the loss evaluation. Default 5000. */
  readonly evalSequences?: number;
  /** Sequences for the probes (half train, half test). Default 4000. */
  readonly probeSequences?: number;
  readonly resume?: boolean;
  readonly events?: Pick<TrainerEvents, "onStart" | "onStep">;
  /** Progress lines ("probing...") for the command line. */
  readonly log?: (line: string) => void;
}

/**
 * Defaults chosen so that on a 2-core CPU the anchor model (4 layers,
 * d_model 64, batch 64, Adam at 1e-3, as torch_ref.py) gets within 1% of the
 * optimal loss with a final-layer probe R^2 >= 0.99 (npm run bench checks it).
 */
export const DEMO_DEFAULTS = Object.freeze({ steps: 2000, batchSize: 64, seed: 0, evalSequences: 5000, probeSequences: 4000 });

export interface DemoResult {
  readonly outDir: string;
  readonly process: Hmm;
  readonly config: TransformerConfig;
  readonly parameters: number;
  readonly training: TrainingConfig;
  readonly trainSeconds: number;
  readonly tokensPerSecond: number;
  readonly evaluation: LossEvaluation;
  readonly probes: ProbeReport;
  readonly entropyRate: number;
  readonly mspNodesDepth8: number;
  readonly files: string[];
}

export async function runDemo(options: DemoOptions = {}): Promise<DemoResult> {
  const log = options.log ?? (() => {});
  const outDir = options.outDir ?? "beliefscope-demo";
  const hmm = options.process ?? makeProcess("mess3");
  const training = { steps: DEMO_DEFAULTS.steps, batchSize: DEMO_DEFAULTS.batchSize, seed: DEMO_DEFAULTS.seed, ...options.training };

  const t0 = performance.now();
  const run = await trainOnProcess(hmm, {
    model: options.model,
    preset: options.preset,
    training,
    outDir: join(outDir, "run"),
    resume: options.resume,
    events: options.events,
  });
  const trainSeconds = (performance.now() - t0) / 1000;
  // Throughput after the first step, which compiles the training step.
  const timed = run.metrics.slice(1);
  const tokens = timed.reduce((a, m) => a + m.tokensPerSecond * m.seconds, 0);
  const tokensPerSecond = tokens / timed.reduce((a, m) => a + m.seconds, 0);

  log("evaluating held-out loss");
  const evaluation = await evaluateLoss(run.model, run.process, { sequences: options.evalSequences ?? DEMO_DEFAULTS.evalSequences });
  log("probing beliefs (trained model, shuffled control, untrained control)");
  const untrained = await HookedTransformer.create(run.model.config, run.training.seed);
  const probes = await probeBeliefs(run.model, run.process, {
    sequences: options.probeSequences ?? DEMO_DEFAULTS.probeSequences,
    untrainedModel: untrained,
  });
  untrained.dispose();

  log("writing figures and report");
  const files: string[] = [];
  const write = async (name: string, data: string | Uint8Array) => {
    await writeFileAtomically(join(outDir, name), data);
    files.push(join(outDir, name));
  };
  const lastLayer = `layer ${run.model.config.nLayers - 1}`;
  for (const site of probes.sites.filter((s) => s.label === lastLayer || s.label === "concat")) {
    const svg = beliefFigureSvg(probes.testBeliefs, probes.testPredictions[site.label], {
      title: `${run.process.name}: belief states and their linear image in the residual stream`,
      rightTitle: `Probe of ${site.label === "concat" ? "all layers" : site.label} (test R² ${site.test.r2.toFixed(3)})`,
    });
    const base = site.label === "concat" ? "beliefs-concat" : "beliefs-final-layer";
    await write(`${base}.svg`, svg);
    await write(`${base}.png`, svgToPng(svg));
  }
  const allMetrics = run.metrics;
  if (allMetrics.length > 1) {
    const curve = lossCurveSvg(allMetrics, run.optimalLoss, { title: `Training loss on ${run.process.name}` });
    await write("loss-curve.svg", curve);
    await write("loss-curve.png", svgToPng(curve));
  }
  const result: DemoResult = {
    outDir,
    process: run.process,
    config: run.model.config,
    parameters: parameterCount(run.model.config),
    training: run.training,
    trainSeconds,
    tokensPerSecond,
    evaluation,
    probes,
    entropyRate: entropyRate(run.process).value,
    mspNodesDepth8: mixedStatePresentation(run.process, { depth: 8 }).nNodes,
    files,
  };
  await write("report.md", renderReport(result));
  await write("report.json", JSON.stringify(reportJson(result), null, 2) + "\n");
  run.model.dispose();
  return result;
}

/** The machine-readable report: every number in report.md. */
export function reportJson(r: DemoResult): Record<string, unknown> {
  return {
    process: { name: r.process.name, params: r.process.params, entropyRate: r.entropyRate, mspNodesDepth8: r.mspNodesDepth8 },
    model: { config: r.config, parameters: r.parameters },
    training: { ...r.training, seconds: r.trainSeconds, tokensPerSecond: r.tokensPerSecond },
    loss: {
      heldOutSequences: r.evaluation.sequences,
      model: r.evaluation.modelLoss,
      optimal: r.evaluation.optimalLoss,
      optimalSameSequences: r.evaluation.optimalLossSameSequences,
      relativeExcess: r.evaluation.relativeExcess,
      relativeToExpected: r.evaluation.relativeToExpected,
      excessSameSequences: r.evaluation.excessSameSequences,
      modelPerPosition: Array.from(r.evaluation.modelLossPerPosition),
      optimalPerPosition: Array.from(r.evaluation.optimalLossPerPosition),
    },
    probes: {
      sequences: r.probes.sequences,
      trainRows: r.probes.trainRows,
      testRows: r.probes.testRows,
      sites: r.probes.sites.map((s) => ({
        label: s.label,
        hooks: s.hooks,
        features: s.features,
        r2: s.test.r2,
        rmse: s.test.rmse,
        r2PerState: Array.from(s.test.r2PerOutput),
        trainR2: s.train.r2,
        shuffledR2: s.shuffled?.r2,
        shuffledRmse: s.shuffled?.rmse,
        untrainedR2: s.untrained?.r2,
        untrainedRmse: s.untrained?.rmse,
      })),
    },
    files: r.files,
  };
}
