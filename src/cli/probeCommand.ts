import { join } from "node:path";
import { Command } from "commander";
import { probeBeliefs, type ProbeProgress, type ProbeSite } from "../probe/beliefProbe.js";
import { encodeProbeFile, probeFileFromReport } from "../probe/probeFile.js";
import { probeReportJson } from "../probe/reportJson.js";
import { beliefFigureSvg } from "../plot/beliefFigure.js";
import { writeFileAtomically, writeJsonAtomically } from "../node/atomicWrite.js";
import { checkOutputDir } from "../node/outputPath.js";
import { svgToPng } from "../node/png.js";
import { resolveProcess } from "../node/processFiles.js";
import { loadTrainedModel, loadUntrainedModel } from "../node/runFolder.js";
import { ArgumentError } from "../util/errors.js";
import { checkMemory } from "../util/memory.js";
import { addDeviceOption, addMaxMemoryOption, memoryBudget, type ModelFlags } from "./commonOptions.js";
import { hookWidths, probeSequencesModel } from "./memoryModels.js";
import { floatOption, intOption } from "./options.js";
import { probeTable } from "./probeTable.js";
import { didYouMean, nearestChoice } from "../util/didYouMean.js";

/**
 * "a,b+c" into sites: each comma-separated entry a site, + joins hooks into one site. With
 * `shapeOf` (the model's hookShape), only hooks with one activation per position can be probed:
 * shape [batch, pos, ...], flattened per position ([batch, pos, head_index, d_head] gives
 * head_index * d_head features); attention patterns and scores ([batch, head_index, query_pos,
 * key_pos]) are refused, naming the hooks that can be probed.
 */
export function parseSites(spec: string, valid: readonly string[], fn: string, shapeOf?: (hook: string) => string): ProbeSite[] {
  const known = new Set(valid);
  const probeable = shapeOf ? valid.filter((h) => perPosition(shapeOf(h))) : valid;
  return spec.split(",").map((label) => {
    const hooks = label.split("+").map((h) => h.trim());
    for (const h of hooks) {
      if (!known.has(h)) throw new ArgumentError({ fn, argument: "--hooks", received: JSON.stringify(h), expected: `hooks of this model: ${valid.join(", ")}`, hint: didYouMean(h, valid) || undefined });
      if (shapeOf && !perPosition(shapeOf(h))) {
        const block = h.match(/^(.*\.)hook_[^.]+$/)?.[1] ?? "";
        const near = nearestChoice(h, probeable.filter((p) => p.startsWith(block)))?.choice ?? null;
        throw new ArgumentError({
          fn,
          argument: "--hooks",
          received: `${JSON.stringify(h)}, shaped ${shapeOf(h)}: not one activation per position`,
          expected: `a hook shaped [batch, pos, ...] (each position's activations, flattened): ${probeable.join(", ")}`,
          hint: near ? `Did you mean ${near} (${shapeOf(near)})?` : undefined,
        });
      }
    }
    return { label, hooks };
  });
}

/** A hook shape with one activation vector per position: "[batch, pos, ...]". */
function perPosition(shape: string): boolean {
  return /^\[batch, pos\b/.test(shape);
}

/** Progress lines on stderr while probing (the fits take tens of seconds on a full run). */
function probeProgress(stream: NodeJS.WriteStream = process.stderr): (p: ProbeProgress) => void {
  const start = performance.now();
  return (p) => stream.write(`probe ${p.done}/${p.total}: ${p.label} done (${((performance.now() - start) / 1000).toFixed(1)} s)\n`);
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
    .option("-o, --out <dir>", "write probes.json, probe weights and figures here")
    .option("--force", "write into --out even if it holds files (they are replaced)");
  addDeviceOption(cmd);
  addMaxMemoryOption(cmd);
  return cmd.action(async (dir: string, o: Pick<ModelFlags, "device"> & { process?: string; hooks?: string; sequences: number; ridge: number; seed: number; untrained: boolean; out?: string; force?: boolean; maxMemory?: string }) => {
    if (o.out) await checkOutputDir(o.out, { fn: "beliefscope probe", flag: "--out", force: o.force ?? false });
    const loaded = await loadTrainedModel(dir, { device: o.device });
    const { model } = loaded;
    const hmm = o.process ? await resolveProcess(o.process) : loaded.process;
    const sites = o.hooks ? parseSites(o.hooks, model.hookNames(), "beliefscope probe", (h) => model.hookShape(h)) : model.layerSites();
    // The untrained control: the run's initial weights when the run folder kept them.
    const untrained = o.untrained ? await loadUntrainedModel(loaded, { device: o.device }) : undefined;
    const shape = { nPos: model.nCtx, nStates: hmm.nStates, dVocab: model.dVocab, hooks: await hookWidths(model, sites.flatMap((s) => s.hooks)), sites, untrained: untrained !== undefined };
    checkMemory("beliefscope probe", probeSequencesModel(shape, o.sequences), memoryBudget(o));
    process.stderr.write(`probe: ${o.sequences} sequences of ${hmm.name}, exact beliefs and activations at ${sites.length} site${sites.length === 1 ? "" : "s"}\n`);
    const report = await probeBeliefs(model, hmm, { sites, sequences: o.sequences, ridge: o.ridge, seed: o.seed, untrainedModel: untrained, onProgress: probeProgress() });
    untrained?.dispose();
    for (const w of report.warnings) process.stderr.write(`beliefscope probe: warning: ${w.message}; raise --sequences to at least ${w.sequencesNeeded} (${4 * w.sequencesNeeded} or more for a stable fit)\n`);
    process.stdout.write(probeTable(report));
    if (o.out) {
      await writeJsonAtomically(join(o.out, "probes.json"), probeReportJson(report));
      // The fitted probes, one layout for every probe file: "<site>.weight" [d_features, n_states], "<site>.bias" [n_states].
      await writeFileAtomically(join(o.out, "probes.safetensors"), encodeProbeFile(probeFileFromReport(report)));
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
