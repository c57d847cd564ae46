/**
 * Start a worker script that lives beside this file. From TypeScript sources
 * (tests, tsx) a small CommonJS bootstrap loads it through tsx's tsImport (Node
 * 20 workers do not take `--import` loaders); from dist/ it is plain JavaScript.
 */
import { createRequire } from "node:module";
import { pathToFileURL } from "node:url";
import { Worker } from "node:worker_threads";

export function startWorker(name: "worker" | "ceilingWorker", workerData: unknown): Worker {
  if (!import.meta.url.endsWith(".ts")) return new Worker(new URL(`./${name}.js`, import.meta.url), { workerData });
  const script = new URL(`./${name}.ts`, import.meta.url).href;
  const api = new URL("dist/esm/api/index.mjs", pathToFileURL(createRequire(import.meta.url).resolve("tsx/package.json"))).href;
  const bootstrap = `import(${JSON.stringify(api)}).then((m) => m.tsImport(${JSON.stringify(script)}, ${JSON.stringify(import.meta.url)}))`;
  return new Worker(bootstrap, { eval: true, workerData });
}
