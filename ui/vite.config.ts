import { defineConfig } from "vite";
import preact from "@preact/preset-vite";

// The built files land in ui/dist, which crates/wsdeck/build.rs embeds in the binary.
// `base: "./"` keeps asset URLs relative, so the page works under any port.
export default defineConfig({
  plugins: [preact()],
  base: "./",
  build: {
    outDir: "dist",
    emptyOutDir: true,
    target: "es2022",
    sourcemap: false,
    chunkSizeWarningLimit: 2048,
  },
  test: {
    include: ["src/**/*.test.ts", "src/**/*.test.tsx"],
    environment: "jsdom",
  },
});
