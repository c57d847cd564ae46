import { join } from "node:path";
import { Command } from "commander";
import { probeBeliefs, probeWeights, type ProbeSite } from "../probe/beliefProbe.js";
import { probeReportJson } from "../probe/reportJson.js";
import { stateDictToSafetensors } from "../model/files.js";
import { beliefFigureSvg } from "../plot/beliefFigure.js";
import { writeFileAtomically, writeJsonAtomically } from "../node/atomicWrite.js";
import { svgToPng } from "../node/png.js";
import { resolveProcess } from "../node/processFiles.js";
import { loadTrainedModel, loadUntrainedModel } from "../node/runFolder.js";
import { ArgumentError } from "../util/errors.js";
import { addDeviceOption, type ModelFlags } from "./commonOptions.js";
import { floatOption, intOption } from "./options.js";
import { probeTable } from "./probeTable.js";

/** "a,b+c" into sites: each comma-separated entry a site, + joins hooks into one site. */
export function parseSites(spec: string, valid: readonly string[], fn: string): ProbeSite[] {
  const known = new Set(valid);
  return spec.split(",").map((label) => {
    const hooks = label.split("+").map((h) => h.trim());
    for (const h of hooks) {
      if (!known.has(h)) throw new ArgumentError({ fn, argument: "--hooks", received: JSON.stringify(h), expected: `hooks of this model: ${valid.join(", ")}` });
    }
    return { label, hooks };
  });
}

export function probeCommand(): Command {
  const cmd = new Command("probe")
    .description("Fit linear probes from a trained model's activations to the exact belief states, with controls and a verdict per site")
    .argument("<model>", "a run folder (from `train`) or a model folder (config.json + model.safetensors)")
    .option("--process <spec>", "process to probe on (default: the one the model was trained on)")
    .option("--hooks <names>", "comma-separated hooks, each its own probe; join with + to concatenate (default: every layer and all concatenated)")
    .option("--sequences <n>", "sequences (half train, half test)", intOption(2), 4000)
    .option("--ridge <x>", "ridge penalty per sample", floatOption(0), 0)
    .option("--seed <n>", "seed for probe data and split", intOption(0), 2)
    .option("--no-untrained", "skip the untrained-model control")
    .option("-o, --out <dir>", "write probes.json, probe weights and figures here");
  addDeviceOption(cmd);
  return cmd.action(async (dir: string, o: Pick<ModelFlags, "device"> & { process?: string; hooks?: string; sequences: number; ridge: number; seed: number; untrained: boolean; out?: string }) => {
    const loaded = await loadTrainedModel(dir, { device: o.device });
    const { model } = loaded;
    const hmm = o.process ? await resolveProcess(o.process) : loaded.process;
    const sites = o.hooks ? parseSites(o.hooks, model.hookNames(), "beliefscope probe") : model.layerSites();
    // The untrained control: the run's initial weights when the run folder kept them.
    const untrained = o.untrained ? await loadUntrainedModel(loaded, { device: o.device }) : undefined;
    const report = await probeBeliefs(model, hmm, { sites, sequences: o.sequences, ridge: o.ridge, seed: o.seed, untrainedModel: untrained });
    untrained?.dispose();
    process.stdout.write(probeTable(report));
    if (o.out) {
      await writeJsonAtomically(join(o.out, "probes.json"), probeReportJson(report));
      // The fitted probes, nn.Linear layout: "<site>.weight" [n_states, features], "<site>.bias" [n_states].
      await writeFileAtomically(join(o.out, "probes.safetensors"), stateDictToSafetensors(probeWeights(report), { process: hmm.name, sites: report.sites.map((s) => `${s.label}=${s.hooks.join("+")}`).join(";") }));
      for (const s of report.sites) {
        const svg = beliefFigureSvg(report.testBeliefs, report.testPredictions[s.label], { title: `${hmm.name}: ${s.label}, ${s.verdict.verdict}`, rightTitle: `Probe of ${s.label} (R² ${s.r2?.toFixed(3) ?? "undefined"})` });
        const base = `beliefs-${s.label.replace(/[^a-zA-Z0-9]+/g, "-")}`;
        await writeFileAtomically(join(o.out, `${base}.svg`), svg);
        await writeFileAtomically(join(o.out, `${base}.png`), svgToPng(svg));
      }
      process.stdout.write(`wrote ${o.out}/probes.json, probes.safetensors and figures\n`);
    }
    model.dispose();
  });
}
