/**
 * beliefscope animate [A B | --param SPEC] -o FILE.gif: the HMM, its optimal belief fractal and the
 * constructed linear-attention model's approximation, frame by frame along a family of processes
 * (src/mechanism/animation.ts), as an animated GIF (and MP4 with --mp4 when ffmpeg is installed),
 * plus FILE.json with each frame's numbers.
 */
import { Command } from "commander";
import { ANIMATION_DEFAULTS, interpolationSweep, mechanismAnimation, parameterSweep, type AnimationFrame, type ProcessSweep } from "../mechanism/index.js";
import { ArgumentError } from "../util/errors.js";
import { writeJsonAtomically } from "../node/atomicWrite.js";
import { writeAnimation } from "../node/gif.js";
import { checkOutputFiles } from "../node/outputPath.js";
import { requireFfmpeg } from "./requireFfmpeg.js";
import { resolveProcess } from "../node/processFiles.js";
import { floatOption, intOption } from "./options.js";
import { checkMemory } from "../util/memory.js";
import { memoryBudget } from "./commonOptions.js";
import { fitSequencesModel } from "./memoryModels.js";

/** The default animation: mess3's transition parameter x, from sharply separated beliefs to a tight fractal. */
export const DEFAULT_SWEEP = "mess3:x=0.05..0.2";

interface AnimateFlags {
  maxMemory?: string;
  out: string;
  force?: boolean;
  param?: string;
  frames: number;
  size: number;
  fps: number;
  nCtx: number;
  sequences: number;
  seed: number;
  mp4: boolean;
}

/** Where the side files go: FILE.gif -> FILE.json / FILE.mp4. */
export function siblingPath(path: string, extension: string): string {
  return /\.gif$/i.test(path) ? path.replace(/\.gif$/i, extension) : path + extension;
}

export function animateCommand(): Command {
  return new Command("animate")
    .description(`Animate the HMM, its optimal belief fractal and the constructed linear-attention model's approximation along one parameter (--param) or between two processes; default --param ${DEFAULT_SWEEP}`)
    .argument("[processA]", "first process (catalogue spec or JSON file), with processB")
    .argument("[processB]", "second process: same alphabet and number of hidden states")
    .requiredOption("-o, --out <file>", "the GIF to write (FILE.json beside it holds each frame's numbers)")
    .option("--param <spec>", `one catalogue parameter over a range, e.g. ${DEFAULT_SWEEP} or mess3:x=0.1,alpha=0.5..0.95`)
    .option("--frames <n>", "number of frames", intOption(1, 2000), 40)
    .option("--size <px>", "frame width in px", intOption(300, 4096), 900)
    .option("--fps <n>", "frames per second", floatOption(0.1, 100), 8)
    .option("--n-ctx <n>", "context length of the constructed models", intOption(1, 64), ANIMATION_DEFAULTS.nCtx)
    .option("--sequences <n>", "sequences each construction is fitted on", intOption(2), ANIMATION_DEFAULTS.nSequences)
    .option("--seed <n>", "seed (the same for every frame, so the clouds morph)", intOption(0), 0)
    .option("--mp4", "also write FILE.mp4 (needs ffmpeg on the PATH)", false)
    .option("--force", "replace --out (and FILE.json, FILE.mp4) if they exist")
    .option("--max-memory <size>", "memory budget, e.g. 4GiB: a --sequences whose estimate exceeds it is refused before any work (default half of this machine's memory; docs/memory.md)")
    .action(async (a: string | undefined, b: string | undefined, o: AnimateFlags) => {
      if (o.mp4) requireFfmpeg("beliefscope animate");
      await checkOutputFiles([o.out, siblingPath(o.out, ".json"), ...(o.mp4 ? [siblingPath(o.out, ".mp4")] : [])], { fn: "beliefscope animate", flag: "--out", force: o.force ?? false });
      const fn = "beliefscope animate";
      if (o.param && (a || b)) {
        throw new ArgumentError({ fn, argument: "--param", received: `--param ${JSON.stringify(o.param)} and processes ${[a, b].filter(Boolean).join(", ")}`, expected: "either two processes or --param, not both" });
      }
      if (a && !b) throw new ArgumentError({ fn, argument: "processB", received: `only one process (${JSON.stringify(a)})`, expected: "two processes to interpolate between, or --param SPEC for one process's parameter" });
      let sweep: ProcessSweep;
      if (a && b) sweep = interpolationSweep(await resolveProcess(a), await resolveProcess(b), o.frames);
      else sweep = parameterSweep(o.param ?? DEFAULT_SWEEP, o.frames);
      checkMemory(fn, fitSequencesModel({ nPos: o.nCtx, nStates: Math.max(...sweep.processes.map((p) => p.nStates)) }, o.sequences), memoryBudget(o));
      const stats: Omit<AnimationFrame, "svg">[] = [];
      const started = performance.now();
      async function* svgs(): AsyncGenerator<string> {
        for (const frame of mechanismAnimation(sweep, { nCtx: o.nCtx, nSequences: o.sequences, seed: o.seed, width: o.size })) {
          const { svg, ...numbers } = frame;
          stats.push(numbers);
          process.stderr.write(`frame ${frame.index + 1}/${sweep.processes.length}  ${sweep.title(frame.index)}  R² ${frame.r2.toFixed(3)}  loss ${(100 * frame.relativeExcess).toFixed(2)}% vs optimal\n`);
          yield svg;
        }
      }
      const mp4Path = o.mp4 ? siblingPath(o.out, ".mp4") : undefined;
      const encoded = await writeAnimation(svgs(), o.out, { fps: o.fps, mp4Path });
      const jsonPath = siblingPath(o.out, ".json");
      await writeJsonAtomically(jsonPath, { format: "beliefscope/animation", version: 1, sweep: sweep.label, ends: sweep.ends, nCtx: o.nCtx, fitSequences: o.sequences, seed: o.seed, fps: o.fps, width: encoded.width, height: encoded.height, frames: stats });
      const r2s = stats.map((s) => s.r2);
      process.stdout.write(
        `${sweep.label}: ${encoded.frames} frames, ${encoded.width} x ${encoded.height} px, constructed-model R² ${Math.min(...r2s).toFixed(3)}..${Math.max(...r2s).toFixed(3)}, ${((performance.now() - started) / 1000).toFixed(1)} s\nwrote ${o.out}${mp4Path ? `, ${mp4Path}` : ""} and ${jsonPath}\n`,
      );
    });
}
