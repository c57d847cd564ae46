import { Command } from "commander";
import { resolveProcess } from "../node/processFiles.js";
import { runDemoInFolder } from "../node/demo.js";
import { checkOutputDir, clearOutputs } from "../node/outputPath.js";
import { DEMO_DEFAULTS, type DemoResult } from "../pipeline/demo.js";
import { addDeviceOption, addEngineOption, addModelOptions, modelOverrides, type ModelFlags } from "./commonOptions.js";
import { intOption } from "./options.js";
import { optimumClause } from "../train/optimumText.js";
import { probeTable } from "./probeTable.js";
import { progressReporter } from "./progress.js";

export function demoCommand(): Command {
  const cmd = new Command("demo")
    .description("Run the belief-state-geometry experiment: train on mess3, compare with the optimal loss, probe for beliefs against controls, write figures and a report")
    .option("-o, --out <dir>", "output folder", "beliefscope-demo")
    .option("--process <spec>", 'process: catalogue name ("mess3", "rrxor:p1=0.5,p2=0.5") or JSON file', "mess3")
    .option("--steps <n>", "training steps", intOption(0), DEMO_DEFAULTS.steps)
    .option("--seed <n>", "seed for initialisation and data", intOption(0), DEMO_DEFAULTS.seed)
    .option("--quick", "a small model and 150 steps: checks the pipeline in seconds, not the science")
    .option("--resume", "continue an interrupted demo in the same folder")
    .option("--force", "replace the demo in --out (its run/ and the files it writes)");
  addModelOptions(cmd);
  addDeviceOption(cmd);
  addEngineOption(cmd);
  return cmd.action(async (o: ModelFlags & { out: string; process: string; steps: number; seed: number; quick?: boolean; resume?: boolean; force?: boolean }) => {
    const { existing } = await checkOutputDir(o.out, { fn: "beliefscope demo", flag: "--out", force: o.force ?? false, resume: o.resume ?? false });
    if (existing && o.force && !o.resume) await clearOutputs(o.out, (e) => e === "run");
    const progress = progressReporter();
    const log = (line: string) => process.stderr.write(`${line}\n`);
    const result = await runDemoInFolder(o.out, {
      process: await resolveProcess(o.process),
      arch: o.arch,
      preset: o.preset ?? (o.quick ? "small" : undefined),
      model: await modelOverrides(o),
      training: { steps: o.quick ? Math.min(o.steps, 150) : o.steps, seed: o.seed },
      evalSequences: o.quick ? 500 : undefined,
      probeSequences: o.quick ? 600 : undefined,
      resume: o.resume,
      device: o.device,
      engine: o.engine,
      events: progress,
      log: (line) => {
        progress.stop();
        log(line);
      },
    });
    process.stdout.write(summary(result));
  });
}

export function summary(r: DemoResult): string {
  const e = r.evaluation;
  const lines = [
    "",
    `${r.process.name}: ${r.summary}, ${r.training.steps} steps (${r.trainSeconds.toFixed(0)} s with ${r.engine}${Number.isFinite(r.tokensPerSecond) ? `, ${Math.round(r.tokensPerSecond)} tokens/s` : ""})`,
    `held-out loss ${e.modelLoss.toFixed(4)} nats: ${(100 * e.relativeExcess).toFixed(2)}% above the optimal ${e.optimalLossSameSequences.toFixed(4)} on the same sequences (${optimumClause(e.modelLoss, e.optimum)})`,
    "",
    probeTable(r.probes).trimEnd(),
    "",
    `report: ${r.location}/report.md`,
    `figures: ${r.files.filter((f) => f.endsWith(".png")).map((f) => `${r.location}/${f}`).join(", ")}`,
    "",
  ];
  return lines.join("\n");
}
