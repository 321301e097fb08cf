import { defineConfig } from "vitest/config";

// The workbench benchmark (`npm run bench`): real wsdeck, real Chromium, figures printed and
// written to bench/results.json. It measures; it asserts nothing about speed.
export default defineConfig({
  test: {
    include: ["bench/**/*.perf.ts"],
    environment: "node",
    testTimeout: 300_000,
    hookTimeout: 60_000,
    fileParallelism: false,
  },
});
