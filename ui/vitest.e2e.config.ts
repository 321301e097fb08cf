import { defineConfig } from "vitest/config";

// End-to-end tests: the real wsdeck binary, a real headless Chromium (Debian's), real peers.
export default defineConfig({
  test: {
    include: ["e2e/**/*.e2e.ts"],
    environment: "node",
    testTimeout: 60_000,
    hookTimeout: 60_000,
    fileParallelism: false,
  },
});
