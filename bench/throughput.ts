/**
 * Training throughput of the anchor model (4 layers, d_model 64, 4 heads of 16,
 * d_mlp 256, n_ctx 10, batch 64, Adam 1e-3) through the trainer (src/train/trainer.ts
 * `train`, batches sampled from mess3 each step), on the fast engine (all cores,
 * and one) and on stock jax-js in the same run; the matrix-product ceiling of the
 * machine in the same run; a scaling table of the fast engine; PyTorch's
 * ../shared/reference/torch_ref.py where Debian's python3-torch is installed.
 */
import { execFile } from "node:child_process";
import { existsSync } from "node:fs";
import { availableParallelism, loadavg } from "node:os";
import { resolve } from "node:path";
import { promisify } from "node:util";
import { createModel } from "../src/model/registry.js";
import { makeConfig, type TransformerConfig } from "../src/model/transformer/config.js";
import { makeProcess } from "../src/process/catalogue/index.js";
import { nextTokenTask } from "../src/train/objective.js";
import { makeOptimizerConfig } from "../src/train/optimizer.js";
import { processTokens } from "../src/train/processData.js";
import { train, type FastStepper } from "../src/train/trainer.js";
import { createParallelFastTrainer, measureCeiling } from "../src/node/fast/index.js";
import { trainingFlopsPerStep } from "./flops.js";

const run = promisify(execFile);
const BATCH = 64;
const N_CTX = 10;

export interface ThroughputOptions {
  /** Measured steps of the fast engine (after 20 warm-up steps). */
  readonly fastSteps: number;
  /** Measured steps of stock jax-js (after 10 warm-up steps, the first compiling). */
  readonly jaxSteps: number;
  readonly torchSteps: number;
  readonly threads: number;
  readonly scaling: boolean;
}

interface Timing {
  readonly engine: string;
  readonly threads: number;
  readonly steps: number;
  readonly stepsPerSecond: number;
  /** Steps/s from the median step time: less sensitive to other processes on the machine. */
  readonly medianStepsPerSecond: number;
  readonly tokensPerSecond: number;
  readonly memoryBytes?: number;
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

/** Train `warmup + steps` steps (or until `seconds` of measured steps) and time the measured ones. */
async function timeTraining(config: TransformerConfig, nPos: number, warmup: number, steps: number, threads: number | null, seconds = Infinity): Promise<Timing> {
  const hmm = makeProcess("mess3");
  const optimizer = makeOptimizerConfig({});
  const model = await createModel("transformer", { config: { ...config }, seed: 0 });
  const task = nextTokenTask(model, { batchSize: BATCH, nPos, hostBatch: (k) => processTokens(hmm, { batchSize: BATCH, nPos, seed: 0 }, k) });
  let fast: (FastStepper & { threads: number; memoryBytes: number }) | undefined;
  if (threads !== null) fast = await createParallelFastTrainer({ config, optimizer, batchSize: BATCH, nPos, params: await model.stateDict(), threads });
  const times: number[] = [];
  let measured = 0;
  try {
    const r = await train(model, task, { totalSteps: warmup + steps, optimizer, fast }, {
      onStep: (m) => {
        if (m.step > warmup) {
          times.push(m.seconds);
          measured += m.seconds;
        }
      },
      shouldStop: () => measured >= seconds,
    });
    const total = times.reduce((a, b) => a + b, 0);
    return {
      engine: r.engine,
      threads: fast?.threads ?? 1,
      steps: times.length,
      stepsPerSecond: times.length / total,
      medianStepsPerSecond: 1 / median(times),
      tokensPerSecond: (times.length * BATCH * nPos) / total,
      memoryBytes: fast?.memoryBytes,
    };
  } finally {
    fast?.dispose();
    model.dispose();
  }
}

async function torchReference(steps: number): Promise<Record<string, unknown> | null> {
  const python = process.env.TORCH_PYTHON ?? "/usr/bin/python3";
  const ref = resolve(process.env.TORCH_REF ?? "../shared/reference/torch_ref.py");
  if (!existsSync(ref)) {
    console.log(`PyTorch reference: skipped (${ref} not found; set TORCH_REF)`);
    return null;
  }
  try {
    const { stdout } = await run(python, [ref, "cpu"], {
      env: { ...process.env, OMP_NUM_THREADS: "2", STEPS: String(steps), PYTHONUNBUFFERED: "1" },
      maxBuffer: 1 << 24,
      timeout: 30 * 60_000,
    });
    const lines = stdout.trim().split("\n");
    const first = JSON.parse(lines[0]);
    const last = JSON.parse(lines[lines.length - 1]);
    return { version: first.torch, stepsPerSecond: last.steps_per_s, tokensPerSecond: last.tokens_per_s, steps };
  } catch (err) {
    console.log(`PyTorch reference: failed to run ${python} ${ref} (${(err as Error).message.split("\n")[0]}); install Debian's python3-torch`);
    return null;
  }
}

const gib = (b: number | undefined) => (b === undefined ? "?" : `${(b / 2 ** 20).toFixed(0)} MiB`);

export async function throughput(o: ThroughputOptions): Promise<Record<string, unknown>> {
  const loadBefore = loadavg()[0];
  const config = makeConfig({ dVocab: 3 });
  const gflopPerStep = trainingFlopsPerStep(config, BATCH, N_CTX) / 1e9;
  console.log(`throughput: anchor model (4 layers, d_model 64, batch ${BATCH}, n_ctx ${N_CTX}; ${gflopPerStep.toFixed(3)} GFLOP/step); load average ${loadBefore.toFixed(2)} on ${availableParallelism()} cores`);

  const ceiling = await measureCeiling(o.threads, 2);
  console.log(`  ceiling: ${ceiling.gflops.toFixed(1)} GFLOP/s (the engine's 4x8 f32x4 matmul in cache on ${ceiling.threads} threads: ${ceiling.perThread.map((g) => g.toFixed(1)).join(" + ")}; ${ceiling.flavour})`);

  const fast = await timeTraining(config, N_CTX, 20, o.fastSteps, o.threads);
  const fraction = (fast.stepsPerSecond * gflopPerStep) / ceiling.gflops;
  console.log(`  ${fast.engine} x${fast.threads}: ${fast.stepsPerSecond.toFixed(1)} steps/s (median step ${fast.medianStepsPerSecond.toFixed(1)}), ${Math.round(fast.tokensPerSecond)} tokens/s, ${(fast.stepsPerSecond * gflopPerStep).toFixed(1)} GFLOP/s = ${(100 * fraction).toFixed(0)}% of the ceiling; engine memory ${gib(fast.memoryBytes)}`);
  const single = o.threads > 1 ? await timeTraining(config, N_CTX, 20, Math.ceil(o.fastSteps / 2), 1) : fast;
  if (o.threads > 1) console.log(`  ${single.engine} x1: ${single.stepsPerSecond.toFixed(1)} steps/s (median ${single.medianStepsPerSecond.toFixed(1)})`);
  const jax = await timeTraining(config, N_CTX, 10, o.jaxSteps, null);
  console.log(`  stock jax-js: ${jax.stepsPerSecond.toFixed(2)} steps/s (median ${jax.medianStepsPerSecond.toFixed(2)}); fast / jax-js = ${(fast.stepsPerSecond / jax.stepsPerSecond).toFixed(1)}x`);
  const torch = await torchReference(o.torchSteps);
  if (torch) console.log(`  PyTorch ${torch.version} (Debian's build, CPU, 2 threads; a reference, not the bar): ${torch.stepsPerSecond} steps/s`);

  const scaling: Record<string, unknown>[] = [];
  if (o.scaling) {
    console.log("  scaling (fast engine, batch 64; steps/s, GFLOP/s achieved, engine memory, process peak RSS):");
    for (const dModel of [64, 128, 256]) {
      for (const nCtx of [10, 64, 256]) {
        const c = makeConfig({ dVocab: 3, dModel, nHeads: 4, dHead: dModel / 4, dMlp: 4 * dModel, nCtx });
        const flop = trainingFlopsPerStep(c, BATCH, nCtx);
        const t = await timeTraining(c, nCtx, 1, 30, o.threads, 2.5);
        const row = {
          dModel, nCtx, stepsPerSecond: t.stepsPerSecond, tokensPerSecond: t.tokensPerSecond, gflopPerStep: flop / 1e9,
          gflops: (t.stepsPerSecond * flop) / 1e9, engineMemoryBytes: t.memoryBytes, peakRssBytes: process.resourceUsage().maxRSS * 1024, steps: t.steps,
        };
        scaling.push(row);
        console.log(`    d_model ${String(dModel).padStart(3)} n_ctx ${String(nCtx).padStart(3)}: ${t.stepsPerSecond.toFixed(2).padStart(7)} steps/s ${row.gflops.toFixed(1).padStart(5)} GFLOP/s  ${gib(t.memoryBytes).padStart(8)}  rss ${gib(row.peakRssBytes)}`);
      }
    }
  }
  return {
    engine: fast.engine,
    threads: fast.threads,
    stepsPerSecond: fast.stepsPerSecond,
    medianStepsPerSecond: fast.medianStepsPerSecond,
    tokensPerSecond: fast.tokensPerSecond,
    gflopPerStep,
    gflops: fast.stepsPerSecond * gflopPerStep,
    ceilingGflops: ceiling.gflops,
    ceilingPerThread: ceiling.perThread,
    fractionOfCeiling: fraction,
    engineMemoryBytes: fast.memoryBytes,
    steps: fast.steps,
    batch: BATCH,
    nCtx: N_CTX,
    singleThread: single,
    jax: { ...jax, ratioFastOverJax: fast.stepsPerSecond / jax.stepsPerSecond },
    torch,
    scaling,
    peakRssBytes: process.resourceUsage().maxRSS * 1024,
    loadAverage: { before: loadBefore, after: loadavg()[0] },
  };
}
