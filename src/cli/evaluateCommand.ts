import { Command } from "commander";
import { writeJsonAtomically } from "../node/atomicWrite.js";
import { checkOutputFile } from "../node/outputPath.js";
import { resolveProcess } from "../node/processFiles.js";
import { loadTrainedModel } from "../node/runFolder.js";
import { evaluateLoss } from "../train/evaluate.js";
import { optimumClause, optimumJson } from "../train/optimumText.js";
import { addDeviceOption, type ModelFlags } from "./commonOptions.js";
import { intOption } from "./options.js";
import { countProgress } from "./countProgress.js";

export function evaluateCommand(): Command {
  const cmd = new Command("evaluate")
    .description("Held-out loss of a trained model against the optimal loss, per position, on fresh sequences from its process")
    .argument("<model>", "a run folder or a model folder")
    .option("--process <spec>", "process to evaluate on (default: the one the model was trained on)")
    .option("--sequences <n>", "held-out sequences", intOption(1), 5000)
    .option("--seed <n>", "seed of the held-out data", intOption(0), 1)
    .option("-o, --out <file>", "also write the numbers as JSON")
    .option("--force", "replace --out if it exists");
  addDeviceOption(cmd);
  return cmd.action(async (dir: string, o: Pick<ModelFlags, "device"> & { process?: string; sequences: number; seed: number; out?: string; force?: boolean }) => {
    if (o.out) await checkOutputFile(o.out, { fn: "beliefscope evaluate", flag: "--out", force: o.force ?? false });
    const loaded = await loadTrainedModel(dir, { device: o.device });
    const hmm = o.process ? await resolveProcess(o.process) : loaded.process;
    // Evaluated a chunk at a time: memory is flat in --sequences; progress when it is long.
    const onProgress = countProgress("evaluated", "sequences", o.sequences >= 100_000);
    const e = await evaluateLoss(loaded.model, hmm, { sequences: o.sequences, seed: o.seed, onProgress });
    const P = loaded.model.nCtx;
    // A bracket's ends rounded outward to the 4 decimals printed, so the printed bracket still holds the value.
    const outward = (a: Float64Array, round: (x: number) => number) => Float64Array.from(a, (v) => round(v * 1e4) / 1e4);
    const row = (label: string, a: Float64Array) => `${label.padEnd(26)}${Array.from(a.subarray(1), (v) => v.toFixed(4).padStart(8)).join("")}`;
    process.stdout.write(
      [
        `${hmm.name}: ${loaded.model.summary}, ${e.sequences} held-out sequences`,
        `${"predicted token".padEnd(26)}${Array.from({ length: P }, (_, k) => String(k + 1).padStart(8)).join("")}`,
        row("model loss (nats)", e.modelLossPerPosition),
        row("optimal, same sequences", e.optimalLossSameSequencesPerPosition),
        ...(e.optimum.exact
          ? [row("optimal, expected", e.optimalLossPerPosition)]
          : [row("optimal, expected (est.)", e.optimalLossPerPosition), row("  certified lower end", outward(e.optimum.lower, Math.floor)), row("  certified upper end", outward(e.optimum.upper, Math.ceil))]),
        `mean: model ${e.modelLoss.toFixed(5)}, optimal on the same sequences ${e.optimalLossSameSequences.toFixed(5)} (${(100 * e.relativeExcess).toFixed(2)}% above), ${optimumClause(e.modelLoss, e.optimum, 5)}`,
        "",
      ].join("\n"),
    );
    if (o.out) {
      await writeJsonAtomically(o.out, {
        process: hmm.name,
        model: { architecture: loaded.model.architecture, config: loaded.model.config },
        sequences: e.sequences,
        seed: o.seed,
        modelLoss: e.modelLoss,
        optimalLossSameSequences: e.optimalLossSameSequences,
        optimalLoss: e.optimalLoss,
        relativeExcess: e.relativeExcess,
        relativeToExpected: e.relativeToExpected,
        relativeToExpectedRange: e.relativeToExpectedRange,
        optimum: optimumJson(e.optimum),
        modelLossPerPosition: Array.from(e.modelLossPerPosition),
        optimalLossSameSequencesPerPosition: Array.from(e.optimalLossSameSequencesPerPosition),
        optimalLossPerPosition: Array.from(e.optimalLossPerPosition),
      });
      process.stdout.write(`wrote ${o.out}\n`);
    }
    loaded.model.dispose();
  });
}
