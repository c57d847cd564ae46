import { readFile } from "node:fs/promises";
import { Command, Option } from "commander";
import { ACTIVATIONS, PRESETS, type PresetName, type TransformerConfig } from "../model/config.js";
import { resolveProcess } from "../process/spec.js";
import { evaluateLoss } from "../train/evaluate.js";
import { DEFAULT_TRAINING, trainOnProcess } from "../train/run.js";
import { DEFAULT_OPTIMIZER } from "../train/optimizer.js";
import { ArgumentError } from "../util/errors.js";
import { floatOption, intOption } from "./options.js";
import { progressReporter } from "./progress.js";

interface TrainFlags {
  out: string;
  resume?: boolean;
  preset: PresetName;
  config?: string;
  layers?: number;
  dModel?: number;
  heads?: number;
  dHead?: number;
  dMlp?: number;
  nCtx?: number;
  activation?: TransformerConfig["activation"];
  noLayerNorm?: boolean;
  layerNorm?: boolean;
  attnOnly?: boolean;
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
  return new Command("train")
    .description("Train a transformer on a process. The run folder holds run.json, metrics.jsonl, checkpoints/ and model/; --resume continues after a kill.")
    .argument("<process>", 'catalogue name ("mess3", "mess3:x=0.1") or process JSON file')
    .requiredOption("-o, --out <dir>", "run folder")
    .option("--resume", "continue the run in --out from its latest checkpoint")
    .addOption(new Option("--preset <name>", "model preset").choices(Object.keys(PRESETS)).default("shai-4l"))
    .option("--config <file>", "model config JSON (fields of TransformerConfig), applied over the preset")
    .option("--layers <n>", "n_layers", intOption(0, 256))
    .option("--d-model <n>", "d_model", intOption(1))
    .option("--heads <n>", "n_heads", intOption(1))
    .option("--d-head <n>", "d_head", intOption(1))
    .option("--d-mlp <n>", "d_mlp", intOption(1))
    .option("--n-ctx <n>", "context length", intOption(2))
    .addOption(new Option("--activation <fn>", "MLP activation").choices([...ACTIVATIONS]))
    .option("--no-layer-norm", "no LayerNorm")
    .option("--attn-only", "attention-only blocks")
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
    .option("--checkpoint-every <n>", "steps between checkpoints", intOption(1), DEFAULT_TRAINING.checkpointEvery)
    .action(async (spec: string, o: TrainFlags) => {
      const hmm = await resolveProcess(spec);
      let fromFile: Partial<TransformerConfig> = {};
      if (o.config) {
        try {
          fromFile = JSON.parse(await readFile(o.config, "utf8"));
        } catch (err) {
          throw new ArgumentError({ fn: "beliefscope train", argument: "--config", received: JSON.stringify(o.config), expected: "a readable JSON file", hint: (err as Error).message });
        }
      }
      const model: Partial<TransformerConfig> = {
        ...fromFile,
        ...(o.layers !== undefined && { nLayers: o.layers }),
        ...(o.dModel !== undefined && { dModel: o.dModel }),
        ...(o.heads !== undefined && { nHeads: o.heads }),
        ...(o.dHead !== undefined && { dHead: o.dHead }),
        ...(o.dMlp !== undefined && { dMlp: o.dMlp }),
        ...(o.nCtx !== undefined && { nCtx: o.nCtx }),
        ...(o.activation !== undefined && { activation: o.activation }),
        ...(o.layerNorm === false && { layerNorm: false }),
        ...(o.attnOnly && { attnOnly: true }),
      };
      const progress = progressReporter();
      const run = await trainOnProcess(hmm, {
        preset: o.preset,
        model,
        outDir: o.out,
        resume: o.resume,
        training: {
          steps: o.steps,
          batchSize: o.batchSize,
          seed: o.seed,
          checkpointEvery: o.checkpointEvery,
          optimizer: {
            kind: o.optimizer,
            learningRate: o.lr,
            weightDecay: o.weightDecay,
            momentum: o.momentum,
            gradClip: o.gradClip,
            schedule: o.schedule,
            warmupSteps: o.warmup,
          },
        },
        events: progress,
      });
      progress.stop();
      const ev = await evaluateLoss(run.model, run.process, { sequences: 2000 });
      process.stdout.write(
        `trained ${run.training.steps} steps${run.resumedFromStep ? ` (resumed at ${run.resumedFromStep})` : ""}; held-out loss ${ev.modelLoss.toFixed(4)} nats, ${(100 * ev.relativeExcess).toFixed(2)}% above optimal on the same sequences (expected optimal ${ev.optimalLoss.toFixed(4)}); model in ${o.out}/model\n`,
      );
      run.model.dispose();
    });
}
