/**
 * The GPU figures of the training-speed issue, for a machine with a GPU
 * (`npm run bench -- --only gpu`, in a process of its own: it starts jax-js
 * on WebGPU). Measures the anchor model (4 layers, d_model 64, batch 64,
 * n_ctx 10, Adam 1e-3) trained on mess3 through the trainer on jax-js's
 * WebGPU backend in Node (the optional `webgpu` npm package, Dawn: `npm install
 * webgpu` on the GPU machine), and PyTorch CUDA eager on the same GPU
 * (../shared/reference/torch_ref.py cuda; 109 steps/s on an H100 for this
 * model). Without a GPU, or without the package, it says why and reports
 * nothing else.
 */
import { execFile } from "node:child_process";
import { existsSync } from "node:fs";
import { resolve } from "node:path";
import { promisify } from "node:util";
import { initEngine } from "../src/engine/jax.js";
import { createModel } from "../src/model/registry.js";
import { makeConfig } from "../src/model/transformer/config.js";
import { makeProcess } from "../src/process/catalogue/index.js";
import { nextTokenTask } from "../src/train/objective.js";
import { makeOptimizerConfig } from "../src/train/optimizer.js";
import { processTokens } from "../src/train/processData.js";
import { train } from "../src/train/trainer.js";
import { trainingFlopsPerStep } from "./flops.js";

const run = promisify(execFile);
const BATCH = 64;
const N_CTX = 10;

async function adapterName(): Promise<string> {
  const gpu = (globalThis as { navigator?: { gpu?: { requestAdapter(): Promise<{ info?: Record<string, string> } | null> } } }).navigator?.gpu;
  const adapter = await gpu?.requestAdapter();
  const info = adapter?.info ?? {};
  return [info.vendor, info.architecture, info.device, info.description].filter(Boolean).join(" ") || "unknown adapter";
}

async function torchCuda(steps: number): Promise<Record<string, unknown> | { skipped: string }> {
  const python = process.env.TORCH_PYTHON ?? "python3";
  const ref = resolve(process.env.TORCH_REF ?? "../shared/reference/torch_ref.py");
  if (!existsSync(ref)) return { skipped: `${ref} not found (set TORCH_REF)` };
  try {
    const { stdout } = await run(python, [ref, "cuda"], { env: { ...process.env, STEPS: String(steps), PYTHONUNBUFFERED: "1" }, maxBuffer: 1 << 24, timeout: 20 * 60_000 });
    const lines = stdout.trim().split("\n");
    const first = JSON.parse(lines[0]);
    const last = JSON.parse(lines[lines.length - 1]);
    return { version: first.torch, device: first.device ?? "cuda", stepsPerSecond: last.steps_per_s, tokensPerSecond: last.tokens_per_s, steps };
  } catch (err) {
    return { skipped: `${python} ${ref} cuda failed: ${(err as Error).message.split("\n")[0]}` };
  }
}

export async function gpu(o: { steps: number; torchSteps: number }): Promise<Record<string, unknown>> {
  console.log("gpu: the anchor model on jax-js WebGPU (Node, the `webgpu` package) and PyTorch CUDA eager");
  try {
    await initEngine("webgpu");
  } catch (err) {
    const reason = (err as Error).message;
    console.log(`  WebGPU: not available here (${reason.split("\n")[0]})`);
    const torch = await torchCuda(o.torchSteps);
    console.log(`  PyTorch CUDA: ${"stepsPerSecond" in torch ? `${torch.stepsPerSecond} steps/s` : torch.skipped}`);
    return { available: false, reason, torch };
  }
  const adapter = await adapterName();
  const config = makeConfig({ dVocab: 3 });
  const hmm = makeProcess("mess3");
  const optimizer = makeOptimizerConfig({});
  const model = await createModel("transformer", { config: { ...config }, seed: 0, device: "webgpu" });
  const task = nextTokenTask(model, { batchSize: BATCH, nPos: N_CTX, hostBatch: (k) => processTokens(hmm, { batchSize: BATCH, nPos: N_CTX, seed: 0 }, k) });
  const warmup = 10;
  const times: number[] = [];
  const r = await train(model, task, { totalSteps: warmup + o.steps, optimizer }, { onStep: (m) => void (m.step > warmup && times.push(m.seconds)) });
  model.dispose();
  const seconds = times.reduce((a, b) => a + b, 0);
  const stepsPerSecond = times.length / seconds;
  const gflopPerStep = trainingFlopsPerStep(config, BATCH, N_CTX) / 1e9;
  console.log(`  jax-js WebGPU on ${adapter}: ${stepsPerSecond.toFixed(1)} steps/s (${(stepsPerSecond * gflopPerStep).toFixed(1)} GFLOP/s), final loss ${r.lastLoss.toFixed(4)}`);
  const torch = await torchCuda(o.torchSteps);
  if ("stepsPerSecond" in torch) console.log(`  PyTorch ${torch.version} CUDA eager: ${torch.stepsPerSecond} steps/s; jax-js WebGPU / PyTorch = ${(stepsPerSecond / Number(torch.stepsPerSecond)).toFixed(2)}`);
  else console.log(`  PyTorch CUDA: ${torch.skipped}`);
  return { available: true, adapter, engine: r.engine, stepsPerSecond, tokensPerSecond: stepsPerSecond * BATCH * N_CTX, gflopPerStep, steps: times.length, torch };
}
