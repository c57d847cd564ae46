import { initEngine } from "/work/main/src/engine/jax.js";
import { makeProcess } from "/work/main/src/process/index.js";
import { trainOnProcess } from "/work/main/src/train/trainOnProcess.js";
await initEngine();
const hmm = makeProcess("mess3", { x: 0.05, alpha: 0.85 });
const cfgs: [string, Record<string, unknown>][] = [
  ["transformer", { nLayers: 1, dModel: 8, nHeads: 2, dHead: 4, dMlp: 16, attnOnly: true, layerNorm: false, skip: false, attention: "fixed", tokenEmbedding: "per-position" }],
  ["transformer", { nLayers: 1, dModel: 8, nHeads: 2, dHead: 4, dMlp: 16, attnOnly: true, layerNorm: false, skip: false, attention: "fixed" }],
];
for (const [arch, model] of cfgs) {
  try {
    const r = await trainOnProcess(hmm, { arch, model, training: { steps: 3 }, engine: "jax" });
    console.log(arch, JSON.stringify(model), "ok", r.metrics.at(-1)?.loss);
  } catch (e) { console.log(arch, JSON.stringify(model), "FAIL", (e as Error).message.slice(0, 100)); }
}
