import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    // Model tests compile jax-js kernels; give them room on a 2-core machine.
    testTimeout: 120_000,
    hookTimeout: 120_000,
    // One worker per core: model tests are CPU-bound.
    maxWorkers: 2,
  },
});
