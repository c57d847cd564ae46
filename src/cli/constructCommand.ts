/**
 * beliefscope construct PROCESS -o RUN_DIR: the constructed 1-layer linear-attention transformer
 * (src/mechanism/construct.ts), weights computed from the HMM with no training, written as a run
 * folder that probe, evaluate, recover and mechanism accept:
 *   model/config.json, model/model.safetensors   the model (config.json also holds the process and "constructed")
 *   construct.json                               operator scores, heads, layout, losses (sampled, with standard errors; the exact or certified optimum)
 *   report.md, beliefs.svg / .png                the same for people: exact beliefs beside the model's estimates
 */
import { join } from "node:path";
import { Command, Option } from "commander";
import { constructLinearAttention, CONSTRUCT_DEFAULTS, applyLinearOperator } from "../mechanism/index.js";
import { modelToFiles } from "../model/files.js";
import { modelFromStateDict } from "../model/registry.js";
import { beliefFigureSvg } from "../plot/beliefFigure.js";
import { processToJson, sampleSequences, filterBeliefs } from "../process/index.js";
import { evaluateLoss } from "../train/evaluate.js";
import { expectedOptimumText, optimumJson } from "../train/optimumText.js";
import { writeFileAtomically, writeFolderAtomically } from "../node/atomicWrite.js";
import { checkOutputDir } from "../node/outputPath.js";
import { svgToPng } from "../node/png.js";
import { resolveProcess } from "../node/processFiles.js";
import { saveModelFolder } from "../node/runFolder.js";
import { checkMemory } from "../util/memory.js";
import { addDeviceOption, addMaxMemoryOption, memoryBudget, type ModelFlags } from "./commonOptions.js";
import { fitSequencesModel } from "./memoryModels.js";
import { intOption } from "./options.js";
import { countProgress } from "./countProgress.js";

interface ConstructFlags extends Pick<ModelFlags, "device"> {
  maxMemory?: string;
  out: string;
  nCtx: number;
  operator: "per-position" | "shared";
  maxHeads: number;
  sequences: number;
  evalSequences: number;
  seed: number;
  force: boolean;
}

/** Refuse to replace a non-empty folder unless --force (a typo must not delete a training run), and refuse a place it cannot write (docs/files.md). */
export async function checkOutputFolder(out: string, force: boolean, command: string): Promise<void> {
  await checkOutputDir(out, { fn: `beliefscope ${command}`, flag: "--out", force });
}

export function constructCommand(): Command {
  const cmd = new Command("construct")
    .description("Build a 1-layer linear-attention transformer whose weights are computed from the HMM (no training): the best linear operator from token histories to beliefs, one head per rank; a run folder probe, evaluate and recover accept")
    .argument("<process>", "catalogue spec (mess3, mess3:x=0.1) or process JSON file")
    .requiredOption("-o, --out <dir>", "run folder to write (model/, construct.json, report.md, beliefs.png)")
    .option("--n-ctx <n>", "context length", intOption(1, 256), 10)
    .addOption(new Option("--operator <kind>", "per-position: the best linear operator (V * S heads at most); shared: one embedding per token scaled per position").choices(["per-position", "shared"]).default(CONSTRUCT_DEFAULTS.operator))
    .option("--max-heads <n>", "refuse processes that need more heads", intOption(1, 4096), CONSTRUCT_DEFAULTS.maxHeads)
    .option("--sequences <n>", "sequences the operator and readout are fitted on (and scored on)", intOption(2), CONSTRUCT_DEFAULTS.nSequences)
    .option("--eval-sequences <n>", "held-out sequences for the sampled loss (as `evaluate`)", intOption(1), 5000)
    .option("--seed <n>", "seed of the fitting samples", intOption(0), CONSTRUCT_DEFAULTS.seed)
    .option("--force", "replace the folder if it exists", false);
  addDeviceOption(cmd);
  addMaxMemoryOption(cmd);
  return cmd.action(async (spec: string, o: ConstructFlags) => {
    await checkOutputFolder(o.out, o.force, "construct");
    const hmm = await resolveProcess(spec);
    checkMemory("beliefscope construct", fitSequencesModel({ nPos: o.nCtx, nStates: hmm.nStates }, o.sequences), memoryBudget(o));
    const started = performance.now();
    const built = constructLinearAttention(hmm, o.nCtx, { operator: o.operator, maxHeads: o.maxHeads, nSequences: o.sequences, seed: o.seed });
    const model = await modelFromStateDict(built.architecture, built.config, built.stateDict, { device: o.device });
    try {
      const evaluation = await evaluateLoss(model, hmm, { sequences: o.evalSequences, seed: 1, onProgress: countProgress("evaluated", "sequences", o.evalSequences >= 100_000) });
      const constructed = {
        operator: built.operator.embedding,
        heads: built.heads,
        layout: built.layout,
        r2: built.operator.r2,
        beliefKL: built.operator.beliefKL,
        fitSequences: o.sequences,
        seed: o.seed,
      };
      const files = await modelToFiles(model, { step: 0, process: processToJson(hmm), constructed });
      // Exact beliefs beside the constructed model's estimates (its belief block), on fresh histories.
      const drawn = sampleSequences(hmm, { count: 500, length: o.nCtx, seed: 7 });
      const truth = filterBeliefs(hmm, drawn.tokens, o.nCtx).beliefs;
      const estimate = applyLinearOperator(built.operator, drawn.tokens, o.nCtx);
      const rows = 500 * o.nCtx;
      const svg = beliefFigureSvg({ rows, cols: hmm.nStates, data: truth }, { rows, cols: hmm.nStates, data: estimate }, {
        title: `${hmm.name}: constructed 1-layer linear attention (${built.heads} heads, no training)`,
        rightTitle: `Belief block of the residual (R² ${built.operator.r2.toFixed(3)})`,
      });
      const pct = (v: number) => `${v >= 0 ? "+" : ""}${(100 * v).toFixed(2)}%`;
      const report = {
        format: "beliefscope/construct",
        version: 1,
        process: hmm.name,
        processParams: hmm.params,
        nCtx: o.nCtx,
        architecture: built.architecture,
        config: built.config,
        parameters: model.parameterCount,
        heads: built.heads,
        layout: built.layout,
        operator: { embedding: built.operator.embedding, r2: built.operator.r2, beliefKL: built.operator.beliefKL, r2PerPosition: built.operator.r2PerPosition, rows: built.operator.rows },
        // Sample means over the test sequences (against their exact next-token distributions), with standard errors.
        sampled: {
          sequences: built.sampledSequences,
          loss: built.loss,
          lossStandardError: built.lossStandardError,
          optimalLoss: built.optimalLoss,
          optimalLossStandardError: built.optimalLossStandardError,
          relativeExcess: built.relativeExcess,
          relativeExcessStandardError: built.relativeExcessStandardError,
        },
        expectedOptimum: optimumJson(evaluation.optimum),
        evaluate: { sequences: evaluation.sequences, seed: 1, modelLoss: evaluation.modelLoss, optimalLossSameSequences: evaluation.optimalLossSameSequences, optimalLoss: evaluation.optimalLoss, relativeExcess: evaluation.relativeExcess },
        seconds: (performance.now() - started) / 1000,
      };
      const md = [
        `# Constructed model: ${hmm.name}`,
        "",
        `A 1-layer, attention-only, linear-attention transformer (no LayerNorm) whose weights are computed from the HMM, with no training: ${built.heads} heads, d_model ${built.layout.belief[1]} (residual = token one-hot | position one-hot | belief estimate), ${model.parameterCount} parameters.`,
        `The attention implements the best ${built.operator.embedding} linear operator from one-hot token histories to the exact beliefs (least squares on ${o.sequences} sampled sequences, seed ${o.seed}); the unembedding is the convex best readout of that residual.`,
        "",
        "| measure | value |",
        "|---|---|",
        `| belief R² of the belief block (held out) | ${built.operator.r2.toFixed(4)} |`,
        `| belief KL (nats/token) | ${built.operator.beliefKL.toExponential(3)} |`,
        `| loss, sampled over ${built.sampledSequences} sequences against their exact next-token distributions (nats/token, ± standard error) | ${built.loss.toFixed(5)} ± ${built.lossStandardError.toFixed(5)} vs optimal ${built.optimalLoss.toFixed(5)} ± ${built.optimalLossStandardError.toFixed(5)} (${pct(built.relativeExcess)} ± ${(100 * built.relativeExcessStandardError).toFixed(2)}%) |`,
        `| optimal, expected (exact or certified) | ${expectedOptimumText(evaluation.optimum, 5)} |`,
        `| loss, ${evaluation.sequences} sampled sequences (as \`evaluate\`) | ${evaluation.modelLoss.toFixed(5)} vs optimal ${evaluation.optimalLossSameSequences.toFixed(5)} (${pct(evaluation.relativeExcess)}) |`,
        "",
        `Per-position R²: ${built.operator.r2PerPosition.map((r) => (r === null ? "-" : r.toFixed(3))).join(", ")}.`,
        "",
        "![beliefs](beliefs.png)",
        "",
      ].join("\n");
      await writeFolderAtomically(o.out, async (tmp) => {
        await saveModelFolder(join(tmp, "model"), files);
        await writeFileAtomically(join(tmp, "construct.json"), JSON.stringify(report, null, 2) + "\n");
        await writeFileAtomically(join(tmp, "report.md"), md);
        await writeFileAtomically(join(tmp, "beliefs.svg"), svg);
        await writeFileAtomically(join(tmp, "beliefs.png"), svgToPng(svg));
      });
      process.stdout.write(
        [
          `${hmm.name}: constructed ${model.summary}, ${built.heads} heads, ${model.parameterCount} parameters (no training)`,
          `belief R² ${built.operator.r2.toFixed(4)}, belief KL ${built.operator.beliefKL.toExponential(3)} nats/token (best ${built.operator.embedding} linear operator, held out)`,
          `loss ${evaluation.modelLoss.toFixed(5)} vs optimal ${evaluation.optimalLossSameSequences.toFixed(5)} on ${evaluation.sequences} held-out sequences: ${pct(evaluation.relativeExcess)} (sampled on ${built.sampledSequences} sequences against exact next-token distributions: ${pct(built.relativeExcess)} ± ${(100 * built.relativeExcessStandardError).toFixed(2)}%)`,
          `wrote ${o.out}/model, construct.json, report.md, beliefs.png`,
          "",
        ].join("\n"),
      );
    } finally {
      model.dispose();
    }
  });
}
