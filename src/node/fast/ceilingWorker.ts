/** A thread of measureCeiling: the matrix-product kernel in a loop between two wall-clock times. */
import { parentPort, workerData } from "node:worker_threads";
import { instantiateKernels } from "../../engine/fast/kernels.js";
import { ceilingLoop } from "./ceiling.js";

const { module } = workerData as { module: WebAssembly.Module };
const k = await instantiateKernels({ module, flavour: "simd" });
parentPort!.once("message", ({ startAt, stopAt }: { startAt: number; stopAt: number }) => {
  parentPort!.postMessage(ceilingLoop(k, startAt, stopAt));
});
parentPort!.postMessage({ ready: true });
