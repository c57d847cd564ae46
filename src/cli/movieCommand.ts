/**
 * beliefscope movie RUN_DIR -o FILE.gif: the belief geometry forming over training, one frame per
 * kept checkpoint (src/mechanism/movie.ts), as an animated GIF (MP4 too with --mp4), with FILE.json
 * holding each checkpoint's loss, R² and belief KL.
 */
import { Command } from "commander";
import { trainingMovie, type MovieFrame } from "../mechanism/index.js";
import { ArgumentError } from "../util/errors.js";
import { writeJsonAtomically } from "../node/atomicWrite.js";
import { writeAnimation } from "../node/gif.js";
import { checkOutputFiles } from "../node/outputPath.js";
import { requireFfmpeg } from "./requireFfmpeg.js";
import { resolveProcess } from "../node/processFiles.js";
import { FileRunStore } from "../node/runFolder.js";
import { siblingPath } from "./animateCommand.js";
import { floatOption, intOption } from "./options.js";
import { checkMemory } from "../util/memory.js";
import { memoryBudget } from "./commonOptions.js";
import { fitSequencesModel } from "./memoryModels.js";
import { stat } from "node:fs/promises";
import { join } from "node:path";

interface MovieFlags {
  maxMemory?: string;
  out: string;
  force?: boolean;
  process?: string;
  site?: string;
  sequences: number;
  evalSequences: number;
  size: number;
  fps: number;
  seed: number;
  mp4: boolean;
}

export function movieCommand(): Command {
  return new Command("movie")
    .description("Belief geometry forming over training: the probed belief simplex at every kept checkpoint of a run, with its loss and R², as an animated GIF")
    .argument("<run>", "a run folder from `beliefscope train` (it keeps log-spaced weight checkpoints)")
    .requiredOption("-o, --out <file>", "the GIF to write (FILE.json beside it holds each checkpoint's numbers)")
    .option("--process <spec>", "process to probe on (default: the run's)")
    .option("--site <label>", "probe site (default: the model's last, all layers concatenated when there are several)")
    .option("--sequences <n>", "sequences per probe set (fit and held out)", intOption(2), 1000)
    .option("--eval-sequences <n>", "held-out sequences for each checkpoint's loss", intOption(1), 1000)
    .option("--size <px>", "frame width in px", intOption(300, 4096), 900)
    .option("--fps <n>", "frames per second", floatOption(0.1, 100), 3)
    .option("--seed <n>", "seed of the probe samples", intOption(0), 0)
    .option("--mp4", "also write FILE.mp4 (needs ffmpeg on the PATH)", false)
    .option("--force", "replace --out (and FILE.json, FILE.mp4) if they exist")
    .option("--max-memory <size>", "memory budget, e.g. 4GiB: a --sequences whose estimate exceeds it is refused before any work (default half of this machine's memory; docs/memory.md)")
    .action(async (dir: string, o: MovieFlags) => {
      if (o.mp4) requireFfmpeg("beliefscope movie");
      await checkOutputFiles([o.out, siblingPath(o.out, ".json"), ...(o.mp4 ? [siblingPath(o.out, ".mp4")] : [])], { fn: "beliefscope movie", flag: "--out", force: o.force ?? false });
      const fn = "beliefscope movie";
      try {
        if (!(await stat(dir)).isDirectory()) throw new Error("not a folder");
        await stat(join(dir, "run.json"));
      } catch {
        throw new ArgumentError({ fn, argument: "run", received: JSON.stringify(dir), expected: "a run folder from `beliefscope train` (with run.json and checkpoints/)" });
      }
      // The probe sets' rows against --max-memory, from the run's config (every layer's width, twice for the concatenated site).
      const runFile = await new FileRunStore(dir).readRun();
      const width = Number(runFile?.model.dModel ?? runFile?.model.dHidden ?? 64) * (Number(runFile?.model.nLayers ?? 1) + 1) * 2;
      checkMemory(fn, fitSequencesModel({ nPos: Number(runFile?.model.nCtx ?? 10), nStates: runFile?.process?.states.length ?? 3, features: width }, o.sequences), memoryBudget(o));
      const plan = await trainingMovie(new FileRunStore(dir), {
        process: o.process ? await resolveProcess(o.process) : undefined,
        site: o.site,
        nSequences: o.sequences,
        evalSequences: o.evalSequences,
        seed: o.seed,
        width: o.size,
        onCheckpoint: (k, step, total) => process.stderr.write(`checkpoint ${k + 1}/${total} (step ${step}) measured\n`),
      });
      const stats: Omit<MovieFrame, "svg">[] = [];
      async function* svgs(): AsyncGenerator<string> {
        for await (const frame of plan.frames()) {
          const { svg, ...numbers } = frame;
          stats.push(numbers);
          yield svg;
        }
      }
      const mp4Path = o.mp4 ? siblingPath(o.out, ".mp4") : undefined;
      const encoded = await writeAnimation(svgs(), o.out, { fps: o.fps, mp4Path });
      const jsonPath = siblingPath(o.out, ".json");
      await writeJsonAtomically(jsonPath, { format: "beliefscope/movie", version: 1, run: dir, process: plan.process.name, site: plan.site, sequences: o.sequences, seed: o.seed, fps: o.fps, width: encoded.width, height: encoded.height, frames: stats });
      const last = stats[stats.length - 1];
      process.stdout.write(`${plan.process.name}: ${encoded.frames} frames (one per checkpoint, steps ${plan.steps[0]}..${plan.steps[plan.steps.length - 1]}); last: loss ${(100 * last.relativeExcess).toFixed(2)}% vs optimal, probe R² ${last.r2.toFixed(3)}\nwrote ${o.out}${mp4Path ? `, ${mp4Path}` : ""} and ${jsonPath}\n`);
    });
}
