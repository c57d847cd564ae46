/**
 * The lab's build: static files in dist/web (shipped in the package and served
 * by `beliefscope lab`), and the development server (`npm run lab`). The page
 * imports the core from ../src directly; relative asset paths (base "./") let
 * any static server host it under any path.
 */
import { fileURLToPath } from "node:url";
import { defineConfig } from "vite";

const root = fileURLToPath(new URL(".", import.meta.url));

export default defineConfig({
  root,
  base: "./",
  publicDir: false,
  build: {
    outDir: fileURLToPath(new URL("../dist/web", import.meta.url)),
    emptyOutDir: true,
    target: "es2022",
    // jax-js is most of the workers' size; one chunk per worker is what we want.
    chunkSizeWarningLimit: 2048,
    reportCompressedSize: true,
    // Build-time timing notes are noise on a shared 2-core machine.
    rolldownOptions: { checks: { bundlerTimings: false } },
  },
  worker: { format: "es", rolldownOptions: { checks: { bundlerTimings: false } } },
  server: {
    port: 5173,
    // The page imports ../src.
    fs: { allow: [fileURLToPath(new URL("..", import.meta.url))] },
  },
});
