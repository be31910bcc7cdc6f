/**
 * Test helpers: start a real local cloud on a free port with a fresh data
 * directory, give SDK clients the config to reach it, run the real AWS CLI
 * against it. Nothing here mocks AWS: tests talk HTTP to the cloud.
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { spawn, spawnSync, type SpawnSyncReturns } from "node:child_process";
import { afterAll, beforeAll } from "vitest";
import { start, type RunningCloud, type StartOptions } from "../../src/cloud/index.js";

export interface TestCloud extends RunningCloud {
  dataDir: string;
  /** Config for any @aws-sdk/client-* constructor. */
  clientConfig: {
    endpoint: string;
    region: string;
    credentials: { accessKeyId: string; secretAccessKey: string; sessionToken?: string };
    forcePathStyle: boolean;
  };
  /** Stop and start again on the same data dir (and port), to prove persistence. */
  restart(): Promise<TestCloud>;
  /** Lines the cloud logged. */
  logs: string[];
}

export async function startTestCloud(options: StartOptions = {}): Promise<TestCloud> {
  const ownDir = !options.dataDir;
  const dataDir = options.dataDir ?? fs.mkdtempSync(path.join(os.tmpdir(), "localcloud-test-"));
  const logs: string[] = [];
  const running = await start({
    port: 0,
    logLevel: process.env.LOCALCLOUD_TEST_LOG === "1" ? "debug" : "info",
    logSink: (line) => {
      logs.push(line);
      if (process.env.LOCALCLOUD_TEST_LOG === "1") process.stderr.write(line + "\n");
    },
    ...options,
    dataDir,
  });
  const test: TestCloud = {
    ...running,
    // A data dir this helper made goes with the cloud (restart() reuses it without closing through here).
    async close() {
      await running.close();
      if (ownDir) fs.rmSync(dataDir, { recursive: true, force: true, maxRetries: 3 });
    },
    dataDir,
    logs,
    clientConfig: {
      endpoint: running.endpoint,
      region: "us-east-1",
      credentials: { accessKeyId: "test", secretAccessKey: "test" },
      forcePathStyle: true,
    },
    async restart() {
      await running.close();
      const again = await startTestCloud({ ...options, dataDir, port: running.port });
      if (!ownDir) return again;
      const closeAgain = again.close;
      return Object.assign(again, { close: async () => (await closeAgain(), fs.rmSync(dataDir, { recursive: true, force: true, maxRetries: 3 })) });
    },
  };
  return test;
}

/** Is the AWS CLI on this machine? Tests that need it are skipped with a message when not. */
export const hasAwsCli: boolean = (() => {
  const r = spawnSync("aws", ["--version"], { encoding: "utf8" });
  if (r.status !== 0) {
    console.warn("AWS CLI not found: CLI-driven tests are skipped. Install it with `pip install awscli` to run them.");
    return false;
  }
  return true;
})();

/** Run `aws --endpoint-url <cloud> …` with throwaway credentials. */
export function awsCli(cloud: { endpoint: string }, args: string[], input?: string): SpawnSyncReturns<string> {
  return spawnSync("aws", ["--endpoint-url", cloud.endpoint, "--region", "us-east-1", ...args], {
    encoding: "utf8",
    input,
    env: {
      ...process.env,
      AWS_ACCESS_KEY_ID: "test",
      AWS_SECRET_ACCESS_KEY: "test",
      AWS_DEFAULT_REGION: "us-east-1",
      AWS_PAGER: "",
      AWS_CONFIG_FILE: "/dev/null",
      AWS_SHARED_CREDENTIALS_FILE: "/dev/null",
    },
    timeout: 120_000,
  });
}

/**
 * Like awsCli, but without blocking the event loop. Use this when the cloud runs
 * in the test's own process (startTestCloud): spawnSync would freeze the very
 * server the CLI is talking to until the CLI's read timeout.
 */
export function awsCliAsync(cloud: { endpoint: string }, args: string[], input?: string, env: Record<string, string> = {}): Promise<{ status: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn("aws", ["--endpoint-url", cloud.endpoint, "--region", "us-east-1", ...args], {
      env: {
        ...process.env,
        AWS_ACCESS_KEY_ID: "test",
        AWS_SECRET_ACCESS_KEY: "test",
        AWS_DEFAULT_REGION: "us-east-1",
        AWS_PAGER: "",
        AWS_CONFIG_FILE: "/dev/null",
        AWS_SHARED_CREDENTIALS_FILE: "/dev/null",
        ...env,
      },
      timeout: 120_000,
    });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d) => (stdout += d));
    child.stderr.on("data", (d) => (stderr += d));
    child.on("error", reject);
    child.on("close", (status) => resolve({ status, stdout, stderr }));
    child.stdin.end(input ?? "");
  });
}

/** Poll until `check` returns a value (not undefined) or time runs out. */
export async function eventually<T>(check: () => Promise<T | undefined>, timeoutMs = 10_000, everyMs = 50): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  while (Date.now() < deadline) {
    try {
      const value = await check();
      if (value !== undefined) return value;
    } catch (err) {
      last = err;
    }
    await new Promise((r) => setTimeout(r, everyMs));
  }
  throw new Error(`condition not met within ${timeoutMs} ms${last ? `: ${String(last)}` : ""}`);
}

/** The error a call fails with; the test fails if the call succeeds. */
export async function errorOf(p: Promise<unknown>): Promise<any> {
  try {
    await p;
  } catch (err) {
    return err;
  }
  throw new Error("expected the call to fail");
}

/**
 * One cloud for the whole test file and one SDK client for it: started before
 * the file's tests, `ready` gets both (to keep them and to create fixtures),
 * and client and cloud are closed after the last test.
 */
export function cloudForFile<C extends { destroy(): void }>(
  Client: new (config: TestCloud["clientConfig"]) => C,
  ready: (cloud: TestCloud, client: C) => void | Promise<void>,
): void {
  let cloud: TestCloud | undefined;
  let client: C | undefined;
  beforeAll(async () => {
    cloud = await startTestCloud();
    client = new Client(cloud.clientConfig);
    await ready(cloud, client);
  });
  afterAll(async () => {
    client?.destroy();
    await cloud?.close();
  });
}
