/**
 * beliefscope mechanism MODEL -o OUT: how a trained 1-layer attention-only transformer builds the
 * belief geometry (src/mechanism/analyze.ts): the fixed-pattern fraction of each head, the last
 * residual decomposed into attention-weighted OV images (reconstruction error), and the model's
 * probe against the best linear operators. Writes mechanism.json, report.md and figures.
 */
import { join } from "node:path";
import { Command } from "commander";
import { analyzeLinearAttention, mechanismReport } from "../mechanism/index.js";
import { evaluateLoss } from "../train/evaluate.js";
import { writeFileAtomically, writeJsonAtomically } from "../node/atomicWrite.js";
import { checkOutputDir } from "../node/outputPath.js";
import { svgToPng } from "../node/png.js";
import { resolveProcess } from "../node/processFiles.js";
import { loadTrainedModel } from "../node/runFolder.js";
import { addDeviceOption, type ModelFlags } from "./commonOptions.js";
import { intOption } from "./options.js";
import { countProgress } from "./countProgress.js";

interface MechanismFlags extends Pick<ModelFlags, "device"> {
  out: string;
  process?: string;
  sequences: number;
  decompose: number;
  seed: number;
  evalSequences: number;
  operators: boolean;
}

export function mechanismCommand(): Command {
  const cmd = new Command("mechanism")
    .description("How a 1-layer attention-only transformer builds the belief geometry: fixed-pattern fraction per head, the residual decomposition (with its reconstruction error), and the model against the best linear operators")
    .argument("<model>", "a run folder or a model folder of a 1-layer attention-only transformer (e.g. trained with --preset linear-attn-1l, or from `construct`)")
    .requiredOption("-o, --out <dir>", "write mechanism.json, report.md and figures here")
    .option("--force", "write into --out even if it holds files (they are replaced)")
    .option("--process <spec>", "process to analyse on (default: the one the model was trained on)")
    .option("--sequences <n>", "sampled sequences per set (fit and held out)", intOption(2, 1_000_000), 2000)
    .option("--decompose <n>", "held-out sequences decomposed", intOption(1, 100_000), 500)
    .option("--seed <n>", "seed of the samples", intOption(0), 0)
    .option("--eval-sequences <n>", "held-out sequences for the loss (as `evaluate`)", intOption(1), 5000)
    .option("--no-operators", "skip the best linear operators");
  addDeviceOption(cmd);
  return cmd.action(async (dir: string, o: MechanismFlags & { force?: boolean }) => {
    await checkOutputDir(o.out, { fn: "beliefscope mechanism", flag: "--out", force: o.force ?? false });
    const loaded = await loadTrainedModel(dir, { device: o.device });
    const { model } = loaded;
    try {
      const hmm = o.process ? await resolveProcess(o.process) : loaded.process;
      process.stderr.write(`analysing ${model.summary} on ${hmm.name} (${o.sequences} sequences per set)...\n`);
      const analysis = await analyzeLinearAttention(model, hmm, { nSequences: o.sequences, seed: o.seed, decompositionSequences: o.decompose, operators: o.operators });
      const e = await evaluateLoss(model, hmm, { sequences: o.evalSequences, seed: 1, onProgress: countProgress("evaluated", "sequences", o.evalSequences >= 100_000) });
      const report = mechanismReport(analysis, hmm, { modelLoss: e.modelLoss, optimalLossSameSequences: e.optimalLossSameSequences, relativeExcess: e.relativeExcess, sequences: e.sequences });
      await writeJsonAtomically(join(o.out, "mechanism.json"), report.json);
      await writeFileAtomically(join(o.out, "report.md"), report.markdown);
      for (const [name, svg] of Object.entries(report.figures)) {
        await writeFileAtomically(join(o.out, `${name}.svg`), svg);
        await writeFileAtomically(join(o.out, `${name}.png`), svgToPng(svg));
      }
      const a = analysis;
      const lines = [
        `${hmm.name}: ${a.summary}, ${a.attention} attention`,
        `fixed-pattern fraction of variance per head: ${a.heads.map((h) => h.fixedFraction.toFixed(4)).join(", ")}`,
        `output R² with the pattern fixed per head: ${a.fixedPattern.heads.map((h) => `${h.outputFixedFraction.toFixed(4)} (${(100 * h.outputVarianceShare).toFixed(0)}% of output variance)`).join(", ")}`,
        `all patterns fixed: attention output R² ${a.fixedPattern.outputFixedFraction.toFixed(4)}, last-position loss ${a.fixedPattern.loss.toFixed(5)} -> ${a.fixedPattern.lossFixedPattern.toFixed(5)} with every pattern fixed (optimal ${a.fixedPattern.optimalLoss.toFixed(5)})`,
        `decomposition of the last residual: relative error ${a.decomposition.relativeError.toExponential(2)} (max over ${a.decomposition.count} inputs; OV inputs from the ${a.decomposition.source})`,
        `probe R² ${a.model.r2.toFixed(4)}, belief KL ${a.model.beliefKL.toExponential(3)}; loss ${(100 * e.relativeExcess).toFixed(2)}% above optimal`,
        ...(a.operators
          ? [
              `best linear operator, shared embedding: R² ${a.operators.shared.r2.toFixed(4)}, belief KL ${a.operators.shared.beliefKL.toExponential(3)}`,
              `best linear operator, per-position embedding: R² ${a.operators.perPosition.r2.toFixed(4)}, belief KL ${a.operators.perPosition.beliefKL.toExponential(3)}`,
            ]
          : []),
        `wrote ${o.out}/mechanism.json, report.md and ${Object.keys(report.figures).map((f) => `${f}.png`).join(", ")}`,
        "",
      ];
      process.stdout.write(lines.join("\n"));
    } finally {
      model.dispose();
    }
  });
}
