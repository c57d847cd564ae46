import { Command, Option } from "commander";
import { FileRunStore } from "../node/runFolder.js";
import { checkOutputDir } from "../node/outputPath.js";
import { LOCK_FILE } from "../node/lock.js";
import { existsSync } from "node:fs";
import { join } from "node:path";
import { resolveProcess } from "../node/processFiles.js";
import { evaluateLoss } from "../train/evaluate.js";
import { optimumClause } from "../train/optimumText.js";
import { DEFAULT_OPTIMIZER } from "../train/optimizer.js";
import { DEFAULT_TRAINING, type TrainingOverrides } from "../train/runConfig.js";
import { trainOnProcess } from "../train/trainOnProcess.js";
import { ArgumentError } from "../util/errors.js";
import { addDeviceOption, addEngineOption, addModelOptions, addTransformerShorthands, modelOverrides, transformerShorthand, type ModelFlags, type TransformerShorthandFlags } from "./commonOptions.js";
import { floatOption, intOption } from "./options.js";
import { checkMemory } from "../util/memory.js";
import { addMaxMemoryOption, memoryBudget } from "./commonOptions.js";
import { trainModel } from "./memoryModels.js";
import { progressReporter } from "./progress.js";

interface TrainFlags extends ModelFlags, TransformerShorthandFlags {
  maxMemory?: string;
  out: string;
  resume?: boolean;
  force?: boolean;
  steps: number;
  batchSize: number;
  seed: number;
  optimizer: "adam" | "sgd";
  lr: number;
  weightDecay: number;
  momentum: number;
  gradClip: number;
  schedule: "constant" | "cosine";
  warmup: number;
  checkpointEvery: number;
}

export function trainCommand(): Command {
  const cmd = new Command("train")
    .description(
      "Train a model on a process. The run folder holds run.json, metrics.jsonl, checkpoints/ and model/. `train --resume -o DIR` continues a run with the settings in its run.json (only --steps may change).",
    )
    .argument("[process]", 'catalogue name ("mess3", "mess3:x=0.1"), composite spec, or process JSON file (not needed with --resume)')
    .requiredOption("-o, --out <dir>", "run folder")
    .option("--resume", "continue the run in --out from its latest checkpoint, with its settings")
    .option("--force", "replace the run in --out (its run.json, metrics.jsonl, checkpoints/, model/) with a new one");
  addModelOptions(cmd);
  addTransformerShorthands(cmd, { structure: true });
  cmd
    .option("--steps <n>", "training steps", intOption(0), DEFAULT_TRAINING.steps)
    .option("--batch-size <n>", "sequences per batch", intOption(1), DEFAULT_TRAINING.batchSize)
    .option("--seed <n>", "seed for initialisation and data", intOption(0), DEFAULT_TRAINING.seed)
    .addOption(new Option("--optimizer <kind>", "optimizer").choices(["adam", "sgd"]).default(DEFAULT_OPTIMIZER.kind))
    .option("--lr <x>", "learning rate", floatOption(0), DEFAULT_OPTIMIZER.learningRate)
    .option("--weight-decay <x>", "decoupled weight decay", floatOption(0), 0)
    .option("--momentum <x>", "SGD momentum", floatOption(0, 1), 0)
    .option("--grad-clip <x>", "clip global gradient norm (0: off)", floatOption(0), 0)
    .addOption(new Option("--schedule <s>", "learning-rate schedule").choices(["constant", "cosine"]).default("constant"))
    .option("--warmup <n>", "linear warmup steps", intOption(0), 0)
    .option("--checkpoint-every <n>", "steps between resumable checkpoints", intOption(1), DEFAULT_TRAINING.checkpointEvery);
  addDeviceOption(cmd);
  addEngineOption(cmd);
  addMaxMemoryOption(cmd);
  return cmd.action(async (spec: string | undefined, o: TrainFlags) => {
    const typed = (name: keyof TrainFlags) => cmd.getOptionValueSource(name) === "cli";
    if (!o.resume && spec === undefined) {
      throw new ArgumentError({ fn: "beliefscope train", argument: "process", received: "nothing", expected: "a process spec or file, e.g. mess3", hint: "Give --resume to continue the run in --out." });
    }
    const store = await preflightRunFolder(o.out, "beliefscope train", o);
    const hmm = spec === undefined ? null : await resolveProcess(spec);
    // Only what the user typed: a resumed run takes everything else from its run.json.
    const optimizer: Record<string, unknown> = {};
    const training: Record<string, unknown> = {};
    const take = (target: Record<string, unknown>, pairs: [keyof TrainFlags, string][]) => {
      for (const [flag, key] of pairs) if (!o.resume || typed(flag)) target[key] = o[flag];
    };
    take(optimizer, [["optimizer", "kind"], ["lr", "learningRate"], ["weightDecay", "weightDecay"], ["momentum", "momentum"], ["gradClip", "gradClip"], ["schedule", "schedule"], ["warmup", "warmupSteps"]]);
    take(training, [["steps", "steps"], ["batchSize", "batchSize"], ["seed", "seed"], ["checkpointEvery", "checkpointEvery"]]);
    if (Object.keys(optimizer).length) training.optimizer = optimizer;

    const overrides = await modelOverrides(o, transformerShorthand(o));
    // The model's size and a batch's activations against --max-memory, before anything is built.
    if (hmm && !o.resume) {
      const budget = memoryBudget(o);
      checkMemory("beliefscope train", trainModel(o.arch ?? "transformer", { ...overrides, dVocab: hmm.nSymbols }, o.preset, o.batchSize, budget.bytes), budget);
    }
    const progress = progressReporter();
    const run = await trainOnProcess(hmm, {
      arch: o.arch,
      preset: o.preset,
      model: overrides,
      store,
      resume: o.resume,
      device: o.device,
      engine: o.engine,
      training: training as TrainingOverrides,
      events: progress,
    });
    progress.stop();
    const ev = await evaluateLoss(run.model, run.process, { sequences: 2000 });
    process.stdout.write(
      `trained ${run.training.steps} steps${run.resumedFromStep ? ` (resumed at ${run.resumedFromStep})` : ""} with ${run.engine}; held-out loss ${ev.modelLoss.toFixed(4)} nats, ${(100 * ev.relativeExcess).toFixed(2)}% above optimal on the same sequences (${optimumClause(ev.modelLoss, ev.optimum)}); model in ${o.out}/model\n`,
    );
    run.model.dispose();
  });
}

/** Check --out before any work (docs/files.md): new or empty, or continued with --resume, or replaced with --force. */
export async function preflightRunFolder(out: string, fn: string, o: { resume?: boolean; force?: boolean }): Promise<FileRunStore> {
  const { existing } = await checkOutputDir(out, { fn, flag: "--out", force: o.force ?? false, resume: o.resume ?? false, ignore: FileRunStore.isBookkeeping });
  const store = new FileRunStore(out);
  // A folder another process is writing is refused here, naming it (training takes the lock again for the run).
  if (existing || existsSync(join(out, LOCK_FILE))) {
    const lock = await store.lock(fn);
    if (existing && o.force && !o.resume) await store.removeRun();
    await lock.release();
  }
  return store;
}
