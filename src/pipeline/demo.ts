/**
 * The main job: the belief-state-geometry experiment end to end on a
 * process (default mess3). Train a model, compare its held-out loss with the
 * optimal loss, probe every layer for the belief states against controls,
 * and write figures and a report through an ArtifactSink (a folder on disk
 * from beliefscope/node, downloads in the browser).
 */
import { makeProcess } from "../process/catalogue/index.js";
import { entropyRate } from "../process/entropy.js";
import type { Hmm } from "../process/hmm.js";
import { mixedStatePresentation } from "../process/msp.js";
import type { EngineDevice } from "../engine/jax.js";
import { createModel, modelFromStateDict } from "../model/registry.js";
import type { SequenceModel } from "../model/sequenceModel.js";
import { probeBeliefs, type ProbeReport } from "../probe/beliefProbe.js";
import { encodeProbeFile, probeFileFromReport } from "../probe/probeFile.js";
import { beliefFigureSvg } from "../plot/beliefFigure.js";
import { lossCurveSvg } from "../plot/lossCurve.js";
import { evaluateLoss, type LossEvaluation } from "../train/evaluate.js";
import type { EngineChoice } from "../train/fastEngines.js";
import type { TrainingConfig, TrainingOverrides } from "../train/runConfig.js";
import type { RunStore } from "../train/runStore.js";
import type { TrainerEvents } from "../train/trainer.js";
import { trainOnProcess } from "../train/trainOnProcess.js";
import { renderReport, reportJson } from "./report.js";

/** Where a pipeline's outputs go: files on disk, downloads, or memory. */
export interface ArtifactSink {
  /** Human name for messages, e.g. the folder. */
  readonly location: string;
  write(name: string, data: string | Uint8Array): Promise<void>;
  /** SVG to PNG, where the platform can (resvg in Node); without it only SVGs are written. */
  readonly renderPng?: (svg: string) => Uint8Array;
}

export interface DemoOptions {
  /** Where figures and the report go. */
  readonly sink: ArtifactSink;
  /** Where the run lives (checkpoints, metrics, model); without one nothing is kept but the report. */
  readonly store?: RunStore;
  /** Default mess3(0.05, 0.85). */
  readonly process?: Hmm;
  /** Registered architecture; default "transformer". */
  readonly arch?: string;
  readonly model?: Readonly<Record<string, unknown>>;
  readonly preset?: string;
  readonly training?: TrainingOverrides;
  /** Held-out sequences for the loss evaluation. Default 5000. */
  readonly evalSequences?: number;
  /** Sequences for the probes (half train, half test). Default 4000. */
  readonly probeSequences?: number;
  readonly resume?: boolean;
  readonly device?: EngineDevice;
  readonly engine?: EngineChoice;
  readonly events?: Pick<TrainerEvents, "onStart" | "onStep" | "shouldStop">;
  /** Progress lines ("probing...") for the command line. */
  readonly log?: (line: string) => void;
}

/**
 * Defaults chosen so that on a 2-core CPU the anchor model (4 layers,
 * d_model 64, batch 64, Adam at 1e-3, as torch_ref.py) gets within 1% of the
 * optimal loss with a final-layer probe beyond its controls (npm run bench checks it).
 */
export const DEMO_DEFAULTS = Object.freeze({ steps: 2000, batchSize: 64, seed: 0, evalSequences: 5000, probeSequences: 4000 });

export interface DemoResult {
  readonly location: string;
  readonly process: Hmm;
  readonly architecture: string;
  readonly summary: string;
  readonly config: Readonly<Record<string, unknown>>;
  readonly parameters: number;
  readonly training: TrainingConfig;
  readonly engine: string;
  readonly trainSeconds: number;
  readonly tokensPerSecond: number;
  readonly evaluation: LossEvaluation;
  readonly probes: ProbeReport;
  /** Certified bracket [lower, upper] of the entropy rate (nats/symbol). */
  readonly entropyRate: { readonly lower: number; readonly upper: number };
  readonly mspNodesDepth8: number;
  readonly files: string[];
}

export async function runDemo(options: DemoOptions): Promise<DemoResult> {
  const log = options.log ?? (() => {});
  const sink = options.sink;
  const hmm = options.process ?? makeProcess("mess3");
  const training = { steps: DEMO_DEFAULTS.steps, batchSize: DEMO_DEFAULTS.batchSize, seed: DEMO_DEFAULTS.seed, ...options.training };

  const run = await trainOnProcess(options.resume ? null : hmm, {
    arch: options.resume ? undefined : options.arch,
    model: options.model,
    preset: options.preset,
    training: options.resume ? { steps: training.steps } : training,
    store: options.store,
    resume: options.resume,
    device: options.device,
    engine: options.engine,
    events: options.events,
  });
  // Throughput of this call after its first step, which compiles.
  const timed = run.metrics.slice(run.metrics.length - run.stepsThisCall).slice(1);
  const seconds = timed.reduce((a, m) => a + m.seconds, 0);
  const tokensPerSecond = (timed.length * run.training.batchSize * run.model.nCtx) / seconds;

  log("evaluating held-out loss");
  const evaluation = await evaluateLoss(run.model, run.process, { sequences: options.evalSequences ?? DEMO_DEFAULTS.evalSequences });
  log("probing beliefs (trained model; controls: shuffled beliefs, untrained model, k-gram baselines)");
  const untrained = await untrainedControl(run.model, options.store, run.training.seed, options.device);
  const probes = await probeBeliefs(run.model, run.process, {
    sequences: options.probeSequences ?? DEMO_DEFAULTS.probeSequences,
    untrainedModel: untrained,
    onProgress: (p) => log(`probe ${p.done}/${p.total}: ${p.label} done`),
  });
  untrained.dispose();

  log("writing figures and report");
  const files: string[] = [];
  const write = async (name: string, data: string | Uint8Array) => {
    await sink.write(name, data);
    files.push(name);
  };
  const figure = async (base: string, svg: string) => {
    await write(`${base}.svg`, svg);
    if (sink.renderPng) await write(`${base}.png`, sink.renderPng(svg));
  };
  const sites = run.model.layerSites();
  const finalLayer = sites.filter((s) => s.label !== "concat").at(-1)!.label;
  for (const site of probes.sites.filter((s) => s.label === finalLayer || s.label === "concat")) {
    const svg = beliefFigureSvg(probes.testBeliefs, probes.testPredictions[site.label], {
      title: `${run.process.name}: belief states and their linear image in the residual stream`,
      rightTitle: `Probe of ${site.label === "concat" ? "all layers" : site.label} (R² ${site.r2?.toFixed(3) ?? "undefined"}, ${site.verdict.beyondControls ? "beyond controls" : "not beyond controls"})`,
    });
    await figure(site.label === "concat" ? "beliefs-concat" : "beliefs-final-layer", svg);
  }
  if (run.metrics.length > 1) {
    // The final model's held-out loss as a labelled point beside the sampled training batches.
    const heldOut = [{ step: run.metrics[run.metrics.length - 1].step, loss: evaluation.modelLoss }];
    await figure("loss-curve", lossCurveSvg(run.metrics, run.optimalLoss, { title: `Loss on ${run.process.name}`, heldOut, heldOutLabel: `held-out loss, final model (${evaluation.sequences} sequences)` }));
  }
  // The probes in the one probe-file layout: "<site>.weight" [d_features, n_states], beliefs = activations @ weight + bias.
  await write("probes.safetensors", encodeProbeFile(probeFileFromReport(probes)));
  const rate = entropyRate(run.process);
  const result: DemoResult = {
    location: sink.location,
    process: run.process,
    architecture: run.model.architecture,
    summary: run.model.summary,
    config: run.model.config as unknown as Record<string, unknown>,
    parameters: run.model.parameterCount,
    training: run.training,
    engine: run.engine,
    trainSeconds: run.seconds,
    tokensPerSecond,
    evaluation,
    probes,
    entropyRate: { lower: rate.lower, upper: rate.upper },
    mspNodesDepth8: mixedStatePresentation(run.process, { depth: 8 }).nNodes,
    files,
  };
  await write("report.md", renderReport(result));
  await write("report.json", JSON.stringify(reportJson(result), null, 2) + "\n");
  run.model.dispose();
  return result;
}

/** The untrained control: the run's initial weights (checkpoint 0) when kept, else the same seed's. */
async function untrainedControl(model: SequenceModel, store: RunStore | undefined, seed: number, device: EngineDevice | undefined): Promise<SequenceModel> {
  const config = model.config as unknown as Record<string, unknown>;
  if (store && (await store.checkpointSteps()).includes(0)) {
    return modelFromStateDict(model.architecture, config, await store.loadCheckpointWeights(0), { device });
  }
  return createModel(model.architecture, { config, seed, device });
}
