/**
 * npm run bench: performance and the experiment's bars, measured (never
 * asserted in tests).
 *
 *   throughput  training steps/s of the anchor model (4 layers, d_model 64, batch 64,
 *               n_ctx 10) on the fast engine (all cores; and one), stock jax-js in the
 *               same run, the machine's matmul ceiling (fractionOfCeiling), a scaling
 *               table (d_model 64/128/256 x n_ctx 10/64/256), and PyTorch's
 *               ../shared/reference/torch_ref.py (Debian's python3-torch, 2 threads)
 *   gpu         (alone, on a machine with a GPU) the anchor model on jax-js WebGPU in Node
 *               (the optional `webgpu` package) beside PyTorch CUDA eager (torch_ref.py cuda)
 *   bars        the demo: held-out loss within 1% of optimal, final-layer probe
 *               R^2 >= 0.99, shuffled-control R^2 <= 0.01
 *
 *   npm run bench                      both
 *   npm run bench -- --only throughput [--no-scaling] [--threads 2] [--fast-steps 300]
 *   npm run bench -- --only bars --steps 2000
 *   npm run bench -- --only gpu [--gpu-steps 200]
 *   npm run bench -- --only recover [--recover-arches shai-4l:6000:256,1l:20000] [--recover-cases "mess3;random:4,3"] [--recover-reuse]
 *               (bench/recover.ts: HMM recovery from trained models vs the truth and Baum-Welch)
 * Environment: TORCH_PYTHON (default /usr/bin/python3), TORCH_REF (default ../shared/reference/torch_ref.py).
 * Results: .bench/results.json. Other processes on the machine lower every figure;
 * compare figures of the same run (ratios, fractionOfCeiling), and see loadAverage.
 */
import { mkdir, writeFile } from "node:fs/promises";
import { availableParallelism } from "node:os";
import { parseArgs } from "node:util";
import { DEMO_DEFAULTS } from "../src/pipeline/demo.js";
import { bars } from "./bars.js";
import { throughput } from "./throughput.js";
import { gpu } from "./gpu.js";
import { RECOVER_ARCHES, RECOVER_CASES, recoverBench } from "./recover.js";

const { values: args } = parseArgs({
  options: {
    only: { type: "string" },
    steps: { type: "string", default: String(DEMO_DEFAULTS.steps) },
    "fast-steps": { type: "string", default: "400" },
    "jax-steps": { type: "string", default: "50" },
    "torch-steps": { type: "string", default: "100" },
    threads: { type: "string", default: String(availableParallelism()) },
    "no-scaling": { type: "boolean", default: false },
    "gpu-steps": { type: "string", default: "200" },
    "recover-steps": { type: "string", default: "6000" },
    "recover-tokens": { type: "string", default: "20000" },
    "recover-arches": { type: "string", default: RECOVER_ARCHES.join(",") },
    // Cases are process specs, which contain commas: separate them with ";".
    "recover-cases": { type: "string", default: RECOVER_CASES.join(";") },
    "recover-reuse": { type: "boolean", default: false },
  },
});
const only = args.only;
const CHOICES = ["throughput", "bars", "gpu", "recover"];
if (only && !CHOICES.includes(only)) {
  console.error(`bench: --only received ${JSON.stringify(only)}; expected one of ${CHOICES.join(", ")}.`);
  process.exit(2);
}
const count = (name: keyof typeof args, min: number): number => {
  const v = Number(args[name]);
  if (!Number.isInteger(v) || v < min) {
    console.error(`bench: --${name} received ${JSON.stringify(args[name])}; expected an integer >= ${min}.`);
    process.exit(2);
  }
  return v;
};
const results: Record<string, unknown> = { date: new Date().toISOString(), node: process.version };
if (!only || only === "throughput") {
  results.throughput = await throughput({
    fastSteps: count("fast-steps", 1),
    jaxSteps: count("jax-steps", 1),
    torchSteps: count("torch-steps", 1),
    threads: count("threads", 1),
    scaling: !args["no-scaling"],
  });
}
if (!only || only === "bars") results.bars = await bars(count("steps", 1));
// Its own process only: it starts jax-js on WebGPU.
if (only === "gpu") results.gpu = await gpu({ steps: count("gpu-steps", 1), torchSteps: count("torch-steps", 1) });
// Long (trains a model per case): only when asked for.
if (only === "recover") {
  results.recover = await recoverBench({
    steps: count("recover-steps", 1),
    tokens: count("recover-tokens", 10),
    arches: args["recover-arches"]!.split(",").map((a) => a.trim()).filter(Boolean),
    cases: args["recover-cases"]!.split(";").map((c) => c.trim()).filter(Boolean),
    reuse: args["recover-reuse"],
  });
}
await mkdir(".bench", { recursive: true });
await writeFile(".bench/results.json", JSON.stringify(results, null, 2) + "\n");
console.log("\nwrote .bench/results.json");
process.exit(0);
