/**
 * npm run bench: performance and the experiment's bars, measured (never
 * asserted in tests).
 *
 *   throughput  training tokens/s of the anchor model (4 layers, d_model 64,
 *               batch 64, n_ctx 10) on jax-js/wasm, and of the plain PyTorch
 *               reference (../shared/reference/torch_ref.py, Debian's
 *               python3-torch, 2 threads) on this machine, as a ratio
 *   bars        train that model on mess3 and check: held-out loss within 1%
 *               of optimal, final-layer probe R^2 >= 0.99, shuffled-control R^2 <= 0.01
 *
 *   npm run bench                      both
 *   npm run bench -- --only throughput
 *   npm run bench -- --only bars --steps 2000
 * Environment: TORCH_PYTHON (default /usr/bin/python3), TORCH_REF (default ../shared/reference/torch_ref.py).
 */
import { execFile } from "node:child_process";
import { existsSync } from "node:fs";
import { mkdir, writeFile } from "node:fs/promises";
import { resolve } from "node:path";
import { promisify } from "node:util";
import { parseArgs } from "node:util";
import { HookedTransformer } from "../src/model/transformer/model.js";
import { makeConfig } from "../src/model/transformer/config.js";
import { makeProcess } from "../src/process/catalogue/index.js";
import { nextTokenLoss } from "../src/train/objective.js";
import { processBatch } from "../src/train/processData.js";
import { train } from "../src/train/trainer.js";
import { makeOptimizerConfig } from "../src/train/optimizer.js";
import { trainOnProcess } from "../src/train/run.js";
import { evaluateLoss } from "../src/train/evaluate.js";
import { probeBeliefs } from "../src/probe/beliefProbe.js";
import { DEMO_DEFAULTS } from "../src/pipeline/demo.js";

const run = promisify(execFile);
const { values: args } = parseArgs({
  options: {
    only: { type: "string" },
    steps: { type: "string", default: String(DEMO_DEFAULTS.steps) },
    "throughput-steps": { type: "string", default: "100" },
    "torch-steps": { type: "string", default: "100" },
  },
});
const only = args.only;
if (only && only !== "throughput" && only !== "bars") {
  console.error(`bench: --only received ${JSON.stringify(only)}; expected "throughput" or "bars".`);
  process.exit(2);
}
const results: Record<string, unknown> = { date: new Date().toISOString(), node: process.version };
const BATCH = 64;
const N_CTX = 10;

async function throughput(): Promise<void> {
  const steps = Number(args["throughput-steps"]);
  const warmup = 10;
  const hmm = makeProcess("mess3");
  const config = makeConfig({ dVocab: 3 });
  const model = await HookedTransformer.create(config, 0);
  const loss = nextTokenLoss(config);
  const times: number[] = [];
  await train(
    model,
    { loss: (p, b) => loss(p, b.tokens, b.targets, b.weights), batch: (k) => processBatch(hmm, { batchSize: BATCH, nPos: N_CTX, seed: 0 }, k) },
    { totalSteps: warmup + steps, optimizer: makeOptimizerConfig({}) },
    { onStep: (m) => times.push(m.seconds) },
  );
  model.dispose();
  const measured = times.slice(warmup).reduce((a, b) => a + b, 0);
  const ours = (steps * BATCH * N_CTX) / measured;
  console.log(`jax-js (wasm): ${(steps / measured).toFixed(2)} steps/s, ${Math.round(ours)} tokens/s (4 layers, d_model 64, batch ${BATCH}, ${steps} steps after ${warmup} warm-up; includes sampling batches)`);
  results.throughput = { backend: "jax-js wasm", stepsPerSecond: steps / measured, tokensPerSecond: ours, steps, batch: BATCH, nCtx: N_CTX };

  const python = process.env.TORCH_PYTHON ?? "/usr/bin/python3";
  const ref = resolve(process.env.TORCH_REF ?? "../shared/reference/torch_ref.py");
  if (!existsSync(ref)) {
    console.log(`PyTorch reference: skipped (${ref} not found; set TORCH_REF)`);
    return;
  }
  const torchSteps = args["torch-steps"];
  try {
    const { stdout } = await run(python, [ref, "cpu"], {
      env: { ...process.env, OMP_NUM_THREADS: "2", STEPS: torchSteps, PYTHONUNBUFFERED: "1" },
      maxBuffer: 1 << 24,
      timeout: 30 * 60_000,
    });
    const last = JSON.parse(stdout.trim().split("\n").pop()!);
    const first = JSON.parse(stdout.trim().split("\n")[0]);
    const theirs = last.tokens_per_s as number;
    console.log(`PyTorch ${first.torch} (CPU, 2 threads): ${last.steps_per_s} steps/s, ${theirs} tokens/s (${torchSteps} steps)`);
    console.log(`ratio jax-js / PyTorch: ${(ours / theirs).toFixed(2)}`);
    results.torch = { version: first.torch, stepsPerSecond: last.steps_per_s, tokensPerSecond: theirs, steps: Number(torchSteps) };
    results.ratio = ours / theirs;
  } catch (err) {
    console.log(`PyTorch reference: failed to run ${python} ${ref} (${(err as Error).message.split("\n")[0]}); install Debian's python3-torch`);
  }
}

async function bars(): Promise<void> {
  const steps = Number(args.steps);
  const hmm = makeProcess("mess3");
  const t0 = performance.now();
  const r = await trainOnProcess(hmm, { training: { steps, batchSize: BATCH, seed: DEMO_DEFAULTS.seed } });
  const seconds = (performance.now() - t0) / 1000;
  const ev = await evaluateLoss(r.model, hmm, { sequences: DEMO_DEFAULTS.evalSequences });
  const untrained = await HookedTransformer.create(r.model.config, DEMO_DEFAULTS.seed);
  const probes = await probeBeliefs(r.model, hmm, { sequences: DEMO_DEFAULTS.probeSequences, untrainedModel: untrained });
  untrained.dispose();
  const final = probes.sites.find((s) => s.label === `layer ${r.model.config.nLayers - 1}`)!;
  const checks = [
    {
      bar: "held-out loss within 1% of optimal",
      value: ev.relativeExcess,
      pass: ev.relativeExcess <= 0.01,
      shown: `${(100 * ev.relativeExcess).toFixed(2)}% above the optimal predictor on the same ${ev.sequences} sequences (${ev.modelLoss.toFixed(4)} vs ${ev.optimalLossSameSequences.toFixed(4)} nats; ${(100 * ev.relativeToExpected).toFixed(2)}% vs the expected optimum ${ev.optimalLoss.toFixed(4)})`,
    },
    { bar: "final-layer probe R^2 >= 0.99", value: final.test.r2, pass: final.test.r2 >= 0.99, shown: final.test.r2.toFixed(4) },
    { bar: "shuffled-control R^2 <= 0.01", value: final.shuffled!.r2, pass: final.shuffled!.r2 <= 0.01, shown: final.shuffled!.r2.toFixed(4) },
  ];
  console.log(`\nbars: 4-layer d_model-64 model on mess3, ${steps} steps of batch ${BATCH} (${seconds.toFixed(0)} s)`);
  for (const c of checks) console.log(`  ${c.pass ? "PASS" : "FAIL"}  ${c.bar}: ${c.shown}`);
  console.log("  probe R^2 by site (test | shuffled | untrained):");
  for (const s of probes.sites) console.log(`    ${s.label.padEnd(8)} ${s.test.r2.toFixed(4)} | ${s.shuffled!.r2.toFixed(4)} | ${s.untrained!.r2.toFixed(4)}  (RMSE ${s.test.rmse.toFixed(4)})`);
  results.bars = {
    steps,
    seconds,
    heldOutLoss: ev.modelLoss,
    optimalLoss: ev.optimalLoss,
    optimalLossSameSequences: ev.optimalLossSameSequences,
    relativeExcess: ev.relativeExcess,
    relativeToExpected: ev.relativeToExpected,
    excessSameSequences: ev.excessSameSequences,
    probes: probes.sites.map((s) => ({ site: s.label, r2: s.test.r2, rmse: s.test.rmse, shuffledR2: s.shuffled!.r2, untrainedR2: s.untrained!.r2 })),
    pass: checks.every((c) => c.pass),
  };
  r.model.dispose();
}

if (!only || only === "throughput") await throughput();
if (!only || only === "bars") await bars();
await mkdir(".bench", { recursive: true });
await writeFile(".bench/results.json", JSON.stringify(results, null, 2) + "\n");
console.log("\nwrote .bench/results.json");
process.exit(0);
