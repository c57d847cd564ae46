import { join } from "node:path";
import { Command } from "commander";
import { HookedTransformer } from "../model/transformer.js";
import { hookNames, type HookName } from "../model/hooks.js";
import { layerSites, probeBeliefs, type ProbeSite } from "../probe/beliefProbe.js";
import { resolveProcess } from "../process/spec.js";
import { beliefFigureSvg } from "../plot/beliefFigure.js";
import { svgToPng } from "../plot/png.js";
import { loadTrainedModel } from "../train/run.js";
import { writeFileAtomically, writeJsonAtomically } from "../util/atomicWrite.js";
import { ArgumentError } from "../util/errors.js";
import { floatOption, intOption } from "./options.js";
import { probeTable } from "./probeTable.js";

export function probeCommand(): Command {
  return new Command("probe")
    .description("Fit linear probes from a trained model's activations to the exact belief states, with controls")
    .argument("<model>", "a run folder (from `train`) or a model folder (config.json + model.safetensors)")
    .option("--process <spec>", "process to probe on (default: the one the model was trained on)")
    .option("--hooks <names>", "comma-separated hooks, each its own probe; join with + to concatenate (default: every layer and all concatenated)")
    .option("--sequences <n>", "sequences (half train, half test)", intOption(2), 4000)
    .option("--ridge <x>", "ridge penalty per sample", floatOption(0), 0)
    .option("--seed <n>", "seed for probe data and split", intOption(0), 2)
    .option("--no-untrained", "skip the untrained-model control")
    .option("-o, --out <dir>", "write probes.json and figures here")
    .action(async (dir: string, o: { process?: string; hooks?: string; sequences: number; ridge: number; seed: number; untrained: boolean; out?: string }) => {
      const { model, process: trainedOn, seed: trainingSeed } = await loadTrainedModel(dir);
      const hmm = o.process ? await resolveProcess(o.process) : trainedOn;
      let sites: ProbeSite[] = layerSites(model.config.nLayers);
      if (o.hooks) {
        const valid = new Set<string>(hookNames(model.config));
        sites = o.hooks.split(",").map((label) => {
          const hooks = label.split("+").map((h) => h.trim());
          for (const h of hooks) {
            if (!valid.has(h)) {
              throw new ArgumentError({ fn: "beliefscope probe", argument: "--hooks", received: JSON.stringify(h), expected: `hooks of this model: ${[...valid].join(", ")}` });
            }
          }
          return { label, hooks: hooks as HookName[] };
        });
      }
      // The untrained control starts from the same initial weights as the trained model when the run is known.
      const untrained = o.untrained ? await HookedTransformer.create(model.config, trainingSeed ?? 0) : undefined;
      const report = await probeBeliefs(model, hmm, { sites, sequences: o.sequences, ridge: o.ridge, seed: o.seed, untrainedModel: untrained });
      untrained?.dispose();
      process.stdout.write(probeTable(report.sites));
      if (o.out) {
        await writeJsonAtomically(join(o.out, "probes.json"), {
          process: hmm.name,
          sequences: report.sequences,
          sites: report.sites.map((s) => ({ label: s.label, hooks: s.hooks, r2: s.test.r2, rmse: s.test.rmse, shuffledR2: s.shuffled?.r2, untrainedR2: s.untrained?.r2 })),
        });
        for (const s of report.sites) {
          const svg = beliefFigureSvg(report.testBeliefs, report.testPredictions[s.label], { rightTitle: `Probe of ${s.label} (R² ${s.test.r2.toFixed(3)})` });
          const base = `beliefs-${s.label.replace(/[^a-zA-Z0-9]+/g, "-")}`;
          await writeFileAtomically(join(o.out, `${base}.svg`), svg);
          await writeFileAtomically(join(o.out, `${base}.png`), svgToPng(svg));
        }
        process.stdout.write(`wrote ${o.out}/probes.json and figures\n`);
      }
      model.dispose();
    });
}
