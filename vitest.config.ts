// Test runner settings. Tests start real local clouds (one per file, on a free
// port) and talk to them through the AWS SDK and the AWS CLI, so they get
// generous timeouts; files run in parallel workers.
import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    // One temp dir per run, removed at the end (test/global-setup.ts).
    globalSetup: ["test/global-setup.ts"],
    testTimeout: 30_000,
    hookTimeout: 30_000,
    pool: "forks",
    maxWorkers: 2,
    reporters: ["default"],
    // The SDK warns that versions after January 2027 need Node 22; the locked versions support Node 20.
    env: { AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: "true" },
  },
});
