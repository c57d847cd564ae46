/**
 * beliefscope ladder PROCESS -o DIR: the minimal-model ladder (src/pipeline/ladder.ts) in a folder:
 * DIR/ladder.json, DIR/report.md, DIR/ladder-grid.svg/.png, and DIR/rungs/NAME/ per rung (a run
 * folder plus rung.json). Running it again in the same folder reuses finished rungs and resumes an
 * interrupted one.
 */
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { Command } from "commander";
import { writeFileAtomically } from "../node/atomicWrite.js";
import { checkOutputDir } from "../node/outputPath.js";
import { folderSink } from "../node/folderSink.js";
import { resolveProcess } from "../node/processFiles.js";
import { FileRunStore } from "../node/runFolder.js";
import { LADDER_DEFAULTS, runLadder, type LadderResult, type LadderWorkspace } from "../pipeline/ladder.js";
import { LADDER_RUNG_NAMES } from "../pipeline/ladderRungs.js";
import { addDeviceOption, addEngineOption } from "./commonOptions.js";
import { floatOption, intOption } from "./options.js";
import { progressReporter } from "./progress.js";
import type { EngineDevice } from "../engine/jax.js";
import type { EngineChoice } from "../train/fastEngines.js";

/** A ladder in a folder: outputs in DIR, each rung's run and rung.json in DIR/rungs/NAME. */
export function folderLadderWorkspace(dir: string): LadderWorkspace {
  const rungDir = (rung: string) => join(dir, "rungs", rung);
  return {
    location: dir,
    sink: folderSink(dir),
    store: (rung) => new FileRunStore(rungDir(rung)),
    async readRungFile(rung, file) {
      try {
        return await readFile(join(rungDir(rung), file), "utf8");
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code === "ENOENT") return null;
        throw err;
      }
    },
    writeRungFile: (rung, file, text) => writeFileAtomically(join(rungDir(rung), file), text),
  };
}

interface LadderFlags {
  out: string;
  steps: number;
  seed: number;
  rungs?: string[];
  nCtx: number;
  batchSize: number;
  lr: number;
  evalSequences: number;
  probeSequences: number;
  device: EngineDevice;
  engine: EngineChoice;
}

export function ladderCommand(): Command {
  const cmd = new Command("ladder")
    .description(
      "The minimal-model ladder: train transformers from 4 layers down to 1 layer of linear or fixed attention, and RNN, GRU, LSTM, linear RNN and selective SSM, " +
        "with the same data, steps and seed; score held-out loss against optimal and probe beliefs against controls; write ladder.json, report.md and a figure grid. " +
        "Rerun in the same folder to continue.",
    )
    .argument("<process>", 'catalogue name ("mess3", "trap:marker=0.1"), composite spec, or process JSON file')
    .requiredOption("-o, --out <dir>", "output folder (rungs/NAME holds each rung's run)")
    .option("--steps <n>", "training steps of every rung", intOption(1), LADDER_DEFAULTS.steps)
    .option("--seed <n>", "seed for initialisation, data, evaluation and probes", intOption(0), LADDER_DEFAULTS.seed)
    .option("--rungs <a,b,...>", `rungs to run, in ladder order (default all): ${LADDER_RUNG_NAMES.join(", ")}`, (v: string) => v.split(",").map((s) => s.trim()).filter(Boolean))
    .option("--n-ctx <n>", "context length of every rung", intOption(2, 64), LADDER_DEFAULTS.nCtx)
    .option("--batch-size <n>", "sequences per batch", intOption(1), LADDER_DEFAULTS.batchSize)
    .option("--lr <x>", "Adam learning rate (rungs that set their own keep it)", floatOption(0), LADDER_DEFAULTS.learningRate)
    .option("--eval-sequences <n>", "held-out sequences for the loss", intOption(1), LADDER_DEFAULTS.evalSequences)
    .option("--probe-sequences <n>", "sequences for the probes (half held out)", intOption(4), LADDER_DEFAULTS.probeSequences);
  addDeviceOption(cmd);
  addEngineOption(cmd);
  return cmd.action(async (processSpec: string, o: LadderFlags) => {
    // A ladder continues in its folder (rerun to continue): only the location is checked here.
    await checkOutputDir(o.out, { fn: "beliefscope ladder", flag: "--out", resume: true });
    const hmm = await resolveProcess(processSpec);
    let progress: ReturnType<typeof progressReporter> | null = null;
    const log = (line: string) => {
      progress?.stop();
      process.stderr.write(`${line}\n`);
    };
    const result = await runLadder({
      process: hmm,
      workspace: folderLadderWorkspace(o.out),
      rungs: o.rungs,
      steps: o.steps,
      seed: o.seed,
      nCtx: o.nCtx,
      batchSize: o.batchSize,
      learningRate: o.lr,
      evalSequences: o.evalSequences,
      probeSequences: o.probeSequences,
      device: o.device,
      engine: o.engine,
      events: {
        onRungStart: ({ rung, index, total, reused }) => log(`[${index + 1}/${total}] ${rung.name}: ${rung.title}${reused ? " (finished earlier: reusing rungs/" + rung.name + "/rung.json)" : ""}`),
        training: () => (progress = progressReporter()),
        onRungDone: (row) =>
          log(`  ${row.rung}: ${row.parameters.toLocaleString("en-US")} parameters, loss ${pct(row.relativeExcess)} vs optimal, probe R² ${row.probeR2?.toFixed(3) ?? "–"}, ${row.beyondControls ? "beyond controls" : row.verdict}`),
        log,
      },
    });
    process.stdout.write(summary(result));
  });
}

const pct = (v: number) => `${v >= 0 ? "+" : ""}${(100 * v).toFixed(2)}%`;

function summary(r: LadderResult): string {
  const width = Math.max(4, ...r.rows.map((x) => x.rung.length));
  const lines = ["", `${r.process.name}: ${r.rows.length} rungs in ${r.seconds.toFixed(0)} s`, `${"rung".padEnd(width)}  parameters  excess    probe R²  belief KL  verdict`];
  for (const x of r.rows) {
    lines.push(`${x.rung.padEnd(width)}  ${x.parameters.toLocaleString("en-US").padStart(10)}  ${pct(x.relativeExcess).padStart(7)}   ${(x.probeR2?.toFixed(3) ?? "–").padStart(7)}  ${x.beliefKL.toFixed(5).padStart(9)}  ${x.beyondControls ? "beyond controls" : x.verdict}`);
  }
  for (const s of r.skipped) lines.push(`${s.rung.padEnd(width)}  not run: ${s.reason}`);
  lines.push("", `report: ${join(r.location, "report.md")}`, `table: ${join(r.location, "ladder.json")}`, `figure: ${join(r.location, r.files.find((f) => f.endsWith(".png")) ?? "ladder-grid.svg")}`, "");
  return lines.join("\n");
}
