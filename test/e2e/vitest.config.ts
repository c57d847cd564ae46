import { fileURLToPath } from "node:url";
import { defineConfig } from "vitest/config";

/** The browser tier (npm run test:e2e): Chromium drives the built lab; one file at a time, minutes not seconds. */
export default defineConfig({
  root: fileURLToPath(new URL("../..", import.meta.url)),
  test: {
    include: ["test/e2e/**/*.e2e.ts"],
    testTimeout: 300_000,
    hookTimeout: 120_000,
    fileParallelism: false,
    maxWorkers: 1,
  },
});
