/**
 * beliefscope recover RUN_DIR -o OUT: recover a hidden Markov model from a
 * trained model alone, score it against the true process when one is known
 * (the run's, or --truth), and write recovered.json (a process file),
 * beliefs and probe weights (safetensors), report.md/json and figures.
 */
import { join } from "node:path";
import { Command, InvalidArgumentError, Option } from "commander";
import { writeFileAtomically, writeJsonAtomically } from "../node/atomicWrite.js";
import { checkOutputDir } from "../node/outputPath.js";
import { svgToPng } from "../node/png.js";
import { resolveProcess } from "../node/processFiles.js";
import { pathExists, readBytes, readText } from "../node/readFiles.js";
import { loadTrainedModel } from "../node/runFolder.js";
import { MODEL_CONFIG_FILE, MODEL_WEIGHTS_FILE, modelFromFiles, type SequenceModel } from "../model/index.js";
import { processToJson, stationaryDistribution, type Hmm } from "../process/index.js";
import { beliefFigureSvg } from "../plot/beliefFigure.js";
import { hmmGraphSvg, type HmmGraphInput } from "../plot/hmmGraph.js";
import { spectrumSvg } from "../plot/spectrum.js";
import { evaluateRecovery, type RecoveryEvaluation } from "../recover/evaluation/evaluate.js";
import { recoverHmm, type RecoverStage, type RecoveredHmm } from "../recover/recoverHmm.js";
import { recoveryReportJson, recoveryReportMarkdown } from "../recover/report.js";
import { recoveryBeliefsFile, recoveryProbeFile } from "../recover/recoveryFiles.js";
import { ArgumentError } from "../util/errors.js";
import { checkMemory } from "../util/memory.js";
import { addDeviceOption, addMaxMemoryOption, memoryBudget, type ModelFlags } from "./commonOptions.js";
import { recoverTokensModel } from "./memoryModels.js";
import { intOption } from "./options.js";
import type { EngineDevice } from "../engine/jax.js";

interface RecoverFlags extends Pick<ModelFlags, "device"> {
  maxMemory?: string;
  out: string;
  force?: boolean;
  site: string;
  states: number | "auto";
  maxStates: number;
  tokens: number;
  seed: number;
  truth?: string;
  evaluate: boolean;
  baselines: boolean;
  overallocate: number;
  refinement: "gradient" | "em";
  futureLength?: number;
}

function statesOption(value: string): number | "auto" {
  if (value === "auto") return "auto";
  const n = Number(value);
  if (value.trim() === "" || !Number.isInteger(n) || n < 1 || n > 64) {
    throw new InvalidArgumentError(`received ${JSON.stringify(value)}; expected "auto" or a number of hidden states from 1 to 64.`);
  }
  return n;
}

/** The model, and the process it was trained on when its files say (recovery needs no process). */
async function loadModel(dir: string, device: EngineDevice): Promise<{ model: SequenceModel; process: Hmm | null }> {
  try {
    const loaded = await loadTrainedModel(dir, { device });
    return { model: loaded.model, process: loaded.process };
  } catch (err) {
    if (!(err instanceof ArgumentError && err.received === "a model config with no process")) throw err;
  }
  // A model whose generator nobody knows: load it without one.
  const folder = (await pathExists(join(dir, MODEL_CONFIG_FILE))) ? dir : join(dir, "model");
  const configPath = join(folder, MODEL_CONFIG_FILE);
  const weightsPath = join(folder, MODEL_WEIGHTS_FILE);
  const { model } = await modelFromFiles(await readText(configPath, "beliefscope recover", "the model's config.json"), await readBytes(weightsPath, "beliefscope recover", "the model's weights"), { config: configPath, weights: weightsPath }, { device });
  return { model, process: null };
}

/** --site: "concat" (every block concatenated), a hook, or hooks joined with +. */
function resolveSite(spec: string, model: SequenceModel): string[] {
  if (spec === "concat") {
    const last = model.layerSites().at(-1);
    if (!last) throw new ArgumentError({ fn: "beliefscope recover", argument: "--site", received: '"concat"', expected: "a model with layer sites" });
    return [...last.hooks];
  }
  const valid = new Set(model.hookNames());
  const hooks = spec.split("+").map((h) => h.trim());
  for (const h of hooks) {
    if (!valid.has(h)) {
      throw new ArgumentError({
        fn: "beliefscope recover",
        argument: "--site",
        received: JSON.stringify(h),
        expected: `"concat" or a hook of this model (join several with +): ${model.layerSites().flatMap((s) => s.hooks).filter((v, i, a) => a.indexOf(v) === i).join(", ")}`,
        hint: "`beliefscope arch` lists every hook.",
      });
    }
  }
  return hooks;
}

function stageReporter(): (stage: RecoverStage, done: number, total: number) => void {
  let current = "";
  let lastShown = -1;
  let lastTime = Date.now();
  const names: Record<RecoverStage, string> = {
    sample: "sampling sequences from the model",
    activations: "reading activations",
    future: "next-token predictions after prefixes",
    "closed-form": "closed-form start",
    refine: "refining",
    map: "activation map",
  };
  return (stage, done, total) => {
    if (stage !== current) {
      current = stage;
      lastShown = -1;
      process.stderr.write(`${names[stage]}...\n`);
    }
    const pct = Math.floor((10 * done) / Math.max(1, total));
    if ((stage === "sample" || stage === "refine") && pct > lastShown && pct < 10) {
      lastShown = pct;
      lastTime = Date.now();
      if (pct > 0) process.stderr.write(`  ${pct * 10}%\n`);
    } else if (stage === "sample" && Date.now() - lastTime > 10_000) {
      // A long sample: its count every 10 s between the tenths.
      lastTime = Date.now();
      process.stderr.write(`  ${(100 * done / Math.max(1, total)).toFixed(1)}% (${done} of ${total} token positions)\n`);
    }
  };
}

function graphInput(hmm: Hmm, title: string, order?: readonly number[], symbolLabels: readonly string[] = hmm.symbolLabels): HmmGraphInput {
  const S = hmm.nStates;
  const V = hmm.nSymbols;
  const pi = stationaryDistribution(hmm);
  if (!order) return { nStates: S, nSymbols: V, transitions: hmm.transitions, symbolLabels, stationary: pi, title };
  // Redraw with state k of the picture = state order[k] of the HMM.
  const T = new Float64Array(V * S * S);
  for (let x = 0; x < V; x++) for (let a = 0; a < S; a++) for (let b = 0; b < S; b++) T[(x * S + a) * S + b] = hmm.transitions[(x * S + order[a]) * S + order[b]];
  return { nStates: S, nSymbols: V, transitions: T, symbolLabels, stationary: order.map((i) => pi[i]), stateLabels: order.map((i) => `${i}`), title };
}

async function writeFigure(out: string, base: string, svg: string, files: string[]): Promise<void> {
  await writeFileAtomically(join(out, `${base}.svg`), svg);
  await writeFileAtomically(join(out, `${base}.png`), svgToPng(svg));
  files.push(`${base}.svg`, `${base}.png`);
}

export function recoverCommand(): Command {
  const cmd = new Command("recover")
    .description("Recover a hidden Markov model from a trained model alone (states, T[x][i][j], beliefs, the map from activations to beliefs), scored against the true process when known")
    .argument("<model>", "a run folder (from `train`) or a model folder (config.json + model.safetensors)")
    .requiredOption("-o, --out <dir>", "write recovered.json, beliefs, probe weights, report and figures here")
    .option("--force", "write into --out even if it holds files (they are replaced)")
    .option("--site <hook>", 'activations to read: "concat" (every block concatenated), a hook, or hooks joined with +', "concat")
    .option("--states <n>", 'number of hidden states, or "auto" (from the spectrum of the model\'s predictions)', statesOption, "auto")
    .option("--max-states <n>", "largest state count auto may choose", intOption(1, 64), 8)
    .option("--tokens <n>", "tokens to sample from the model (sequences of n_ctx tokens)", intOption(1), 20000)
    .option("--seed <n>", "seed for sampling and fitting", intOption(0), 0)
    .option("--truth <process>", "score against this process (catalogue spec or JSON file; default: the run's process when known)")
    .option("--no-evaluate", "skip the comparison with the true process")
    .option("--no-baselines", "skip the Baum-Welch and spectral baselines")
    .option("--overallocate <n>", "fit this many extra states, then prune states the fit leaves unused", intOption(0, 16), 0)
    .option("--future-length <k>", "length of the future words whose predictions count the states (default: the longest with at most 27 words, k <= n_ctx / 2)", intOption(1, 64))
    .addOption(new Option("--refinement <method>", "gradient (Adam on the KL to the model's predictions) or em (Baum-Welch on the model's samples)").choices(["gradient", "em"]).default("gradient"));
  addDeviceOption(cmd);
  addMaxMemoryOption(cmd);
  return cmd.action(async (dir: string, o: RecoverFlags) => {
    await checkOutputDir(o.out, { fn: "beliefscope recover", flag: "--out", force: o.force ?? false });
    const { model, process: runProcess } = await loadModel(dir, o.device);
    try {
      const site = resolveSite(o.site, model);
      checkMemory("beliefscope recover", recoverTokensModel({ nCtx: model.nCtx, dVocab: model.dVocab, maxStates: Math.max(o.maxStates, typeof o.states === "number" ? o.states : 0) + o.overallocate }, Math.max(o.tokens, model.nCtx)), memoryBudget(o));
      const truth = o.truth ? await resolveProcess(o.truth) : runProcess;
      if (truth && truth.nSymbols !== model.dVocab) {
        throw new ArgumentError({ fn: "beliefscope recover", argument: "--truth", received: `${truth.name} with ${truth.nSymbols} symbols`, expected: `a process with ${model.dVocab} symbols, as the model's vocabulary` });
      }
      const rec: RecoveredHmm = await recoverHmm(model, {
        site,
        states: o.states,
        maxStates: o.maxStates,
        tokens: Math.max(o.tokens, model.nCtx),
        seed: o.seed,
        overallocate: o.overallocate,
        refinement: o.refinement,
        ...(o.futureLength !== undefined ? { futureLength: o.futureLength } : {}),
        // The tokens' names are the model's vocabulary (run.json says them), not knowledge of the generator.
        ...(runProcess && runProcess.nSymbols === model.dVocab ? { symbolLabels: runProcess.symbolLabels } : {}),
        onProgress: stageReporter(),
      });
      let evaluation: RecoveryEvaluation | null = null;
      if (truth && o.evaluate) {
        process.stderr.write(`scoring against ${truth.name}${o.baselines ? " (with baselines)" : ""}...\n`);
        evaluation = await evaluateRecovery(model, rec, truth, { seed: o.seed, baselines: o.baselines });
      }
      const out = o.out;
      const files: string[] = ["recovered.json", "beliefs.safetensors", "probe.safetensors", "report.md", "report.json"];
      await writeJsonAtomically(join(out, "recovered.json"), processToJson(rec.hmm));
      const S = rec.hmm.nStates;
      await writeFileAtomically(join(out, "beliefs.safetensors"), recoveryBeliefsFile(rec, model.nCtx));
      // The one probe-file layout: "weight" [d_features, n_states], "bias" [n_states], the hooks in the metadata.
      await writeFileAtomically(join(out, "probe.safetensors"), recoveryProbeFile(rec));
      // The other presentations, when the recovery found the HMM is not the whole answer (report.md says why).
      // Their names never start with "recovered": recovered.json is the one stationary HMM.
      if (rec.alternatives.generalized?.hmm) {
        await writeJsonAtomically(join(out, "generalized.json"), processToJson(rec.alternatives.generalized.hmm));
        files.push("generalized.json");
      }
      if (rec.alternatives.mixture) {
        await writeJsonAtomically(join(out, "mixture.json"), processToJson(rec.alternatives.mixture.hmm));
        files.push("mixture.json");
      }
      // Figures.
      const sp = rec.stateCount.spectrum;
      await writeFigure(
        out,
        "spectrum",
        spectrumSvg(
          [
            { label: `model's next-${rec.futureLength}-token predictions (used)`, values: sp },
            { label: "activations' linear prediction of them", values: rec.fittedSpectrum },
            { label: "centred activations", values: rec.activationSpectrum },
          ],
          {
            title: `Singular values: ${rec.stateCount.states} states (${rec.stateCount.states - 1} dimensions)${rec.hmm.nStates !== rec.stateCount.states ? `; ${rec.hmm.nStates} fitted` : ""}`,
            cutAfter: rec.stateCount.states - 1,
            cutLabel: `states = ${rec.stateCount.states}${rec.stateCount.gapIndex > 0 && sp[rec.stateCount.gapIndex] > 0 ? ` (drop ×${(sp[rec.stateCount.gapIndex - 1] / sp[rec.stateCount.gapIndex]).toFixed(0)})` : ""}`,
            ...(sp[0] > 0 ? { floor: { value: rec.stateCount.floor / sp[0], label: `the rule's floor: ${rec.stateCount.floor} RMS per prefix` } } : {}),
          },
        ),
        files,
      );
      const beliefSvg = beliefFigureSvg(rec.beliefs, rec.mappedActivations, { title: "Recovered beliefs beside the activations mapped to them", leftTitle: S === 3 ? "Recovered beliefs on their simplex (the model's samples)" : `Recovered beliefs, ${S} states: 2 principal axes`, rightTitle: `Activations mapped to beliefs (R² ${rec.map.r2.toFixed(3)})` });
      await writeFigure(out, "beliefs", beliefSvg, files);
      await writeFigure(out, "hmm", hmmGraphSvg([graphInput(rec.hmm, "Recovered")], { title: `Recovered HMM (${S} states)` }), files);
      const recScore = evaluation?.candidates.find((c) => c.name === "recovered");
      if (truth && evaluation && recScore?.permutation && !truth.generalized) {
        await writeFigure(out, "truth-vs-recovered", hmmGraphSvg([graphInput(truth, `True: ${truth.name}`), graphInput(rec.hmm, "Recovered (states matched)", recScore.permutation, truth.symbolLabels)], { title: "True and recovered HMMs, states matched (Hungarian)" }), files);
      }
      const context = { source: dir, modelSummary: model.summary, site, seed: o.seed, files };
      await writeJsonAtomically(join(out, "report.json"), recoveryReportJson(rec, evaluation, context));
      await writeFileAtomically(join(out, "report.md"), recoveryReportMarkdown(rec, evaluation, context));
      const r = evaluation?.candidates.find((c) => c.name === "recovered");
      const m = evaluation?.candidates.find((c) => c.name === "model");
      const bw = evaluation?.candidates.find((c) => c.name === "Baum-Welch");
      process.stdout.write(
        `recovered ${S} ${S === 1 ? "state" : "states"} (spectrum rule: ${rec.stateCount.states}); KL(model || recovered) ${rec.refinement.kl.toExponential(2)} nats per prediction\n` +
          (r && m ? `vs ${truth!.name}: TV6 ${r.tv[r.tv.length - 1].toFixed(4)} (model ${m.tv[m.tv.length - 1].toFixed(4)}${bw ? `, Baum-Welch ${bw.tv[bw.tv.length - 1].toFixed(4)}` : ""}), held-out loss ${(100 * r.relativeLoss).toFixed(2)}% above optimal (model ${(100 * m.relativeLoss).toFixed(2)}%)\n` : "") +
          (rec.alternatives.generalized?.hmm ? `no ${S}-state HMM fits the model as well as a generalized HMM of dimension ${rec.alternatives.generalized.hmm.nStates}: also wrote generalized.json (report.md says why)\n` : "") +
          (rec.alternatives.mixture ? `the recovered chain nearly falls apart into ${rec.alternatives.mixture.classes.length} classes: also wrote mixture.json, the non-ergodic presentation (report.md says why)\n` : "") +
          `wrote ${out}/recovered.json, report.md and figures\n`,
      );
    } finally {
      model.dispose();
    }
  });
}
