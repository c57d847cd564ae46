import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    // Spawned CLIs run this run's sources transpiled once (test/setup/transpileCli.ts), not through tsx.
    globalSetup: ["test/setup/transpileCli.ts"],
    // Model tests compile jax-js kernels; give them room on a 2-core machine.
    testTimeout: 120_000,
    hookTimeout: 120_000,
    // One worker per core: model tests are CPU-bound.
    maxWorkers: 2,
  },
});
