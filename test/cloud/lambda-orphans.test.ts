// An execution environment dies when its cloud dies, even while its handler
// spins in `while (true) {}` (its event loop never sees the IPC channel close):
// a real cloud process (src/cloud/cli.ts) runs such a handler through the
// Lambda API, is SIGKILLed, and the environment's node process must be gone
// within seconds — sandboxed (bwrap --die-with-parent) and unsandboxed
// (LOCALCLOUD_SANDBOX=off: the reaper in orphan-guard.ts). Linux only (the
// test finds processes through /proc).
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { spawn, type ChildProcess } from "node:child_process";
import { randomUUID } from "node:crypto";
import { fileURLToPath } from "node:url";
import { afterAll, describe, expect, it } from "vitest";
import { InvokeCommand, LambdaClient } from "@aws-sdk/client-lambda";
import { IAMClient } from "@aws-sdk/client-iam";
import { eventually } from "../helpers/cloud.js";
import { createExecutionRole, createFunction } from "../helpers/lambda.js";
import { sandboxStatus } from "../../src/cloud/services/lambda/runtime/index.js";

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");
const linux = process.platform === "linux";
const status = linux ? await sandboxStatus() : undefined;
if (!linux) console.warn("lambda-orphans.test.ts: skipped — finds processes through /proc (Linux only)");
else if (status?.mode !== "bwrap") console.warn(`lambda-orphans.test.ts: sandboxed case skipped — ${status?.mode === "none" ? status.reason : ""}`);

const clouds: ChildProcess[] = [];
const dirs: string[] = [];
afterAll(() => {
  for (const c of clouds) c.kill("SIGKILL");
  for (const d of dirs) fs.rmSync(d, { recursive: true, force: true });
});

/** A real cloud process on a free port; resolves with its endpoint once it printed "ready". */
async function startCloudProcess(env: Record<string, string>): Promise<{ proc: ChildProcess; endpoint: string; output: () => string }> {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), "lambda-orphans-"));
  dirs.push(dataDir);
  const proc = spawn(process.execPath, ["--import", "tsx", path.join(repoRoot, "src/cloud/cli.ts"), "--port", "0", "--data-dir", dataDir], {
    cwd: repoRoot,
    env: { ...process.env, NO_COLOR: "1", ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  clouds.push(proc);
  let output = "";
  const endpoint = await new Promise<string>((resolve, reject) => {
    const onData = (chunk: Buffer) => {
      output += chunk.toString("utf8");
      const m = /ready\S* on (http:\/\/[\d.]+:\d+)/.exec(output.replace(/\x1b\[[0-9;]*m/g, ""));
      if (m) resolve(m[1]!);
    };
    proc.stdout!.on("data", onData);
    proc.stderr!.on("data", onData);
    proc.once("exit", (code) => reject(new Error(`cloud exited (${code}) before it was ready:\n${output}`)));
  });
  return { proc, endpoint, output: () => output };
}

/** Host pids of node processes (not bwrap) running the bootstrap for a function. */
function environmentPids(functionName: string): number[] {
  const found: number[] = [];
  for (const name of fs.readdirSync("/proc")) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const argv = fs.readFileSync(`/proc/${name}/cmdline`, "utf8").split("\0");
      if (path.basename(argv[0] ?? "") === "bwrap" || !argv.some((a) => a.endsWith("bootstrap.mjs"))) continue;
      if (fs.readFileSync(`/proc/${name}/environ`, "utf8").split("\0").includes(`AWS_LAMBDA_FUNCTION_NAME=${functionName}`)) found.push(Number(name));
    } catch {
      // gone, or not ours to read
    }
  }
  return found;
}

/** CPU ticks (user + system) a process has used; undefined once it is gone or a zombie. */
function cpuTicks(pid: number): number | undefined {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, "utf8");
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    if (fields[0] === "Z") return undefined;
    return Number(fields[11]) + Number(fields[12]);
  } catch {
    return undefined;
  }
}

async function spinThenKillCloud(env: Record<string, string>): Promise<void> {
  const { proc, endpoint, output } = await startCloudProcess(env);
  const config = { endpoint, region: "us-east-1", credentials: { accessKeyId: "test", secretAccessKey: "test" } };
  const lambda = new LambdaClient({ ...config, maxAttempts: 1 });
  await createExecutionRole(new IAMClient(config));
  const name = `spinner-${randomUUID().slice(0, 8)}`;
  await createFunction(lambda, name, "export const handler = async () => { while (true) {} };", { Timeout: 120 });
  const invoked = await lambda.send(new InvokeCommand({ FunctionName: name, InvocationType: "Event", Payload: "{}" }));
  expect(invoked.StatusCode).toBe(202);

  // The handler is spinning: its process has burnt half a second of CPU (50 ticks of USER_HZ 100).
  const pid = await eventually(async () => {
    const [p] = environmentPids(name);
    return p !== undefined && (cpuTicks(p) ?? 0) >= 50 ? p : undefined;
  }, 20_000);

  // Unsandboxed handlers are announced once, at start; sandboxed ones not at all.
  const warnings = output().split("\n").filter((l) => l.includes("handlers run UNSANDBOXED"));
  expect(warnings).toHaveLength(env.LOCALCLOUD_SANDBOX === "off" ? 1 : 0);
  if (env.LOCALCLOUD_SANDBOX === "off") expect(warnings[0]).toContain("(LOCALCLOUD_SANDBOX=off)");

  proc.kill("SIGKILL");
  await eventually(async () => (cpuTicks(pid) === undefined ? true : undefined), 10_000);
  expect(cpuTicks(pid)).toBeUndefined();
}

describe.skipIf(!linux)("an environment dies with its cloud, even with its event loop blocked", () => {
  it.skipIf(status?.mode !== "bwrap")("sandboxed (bwrap --die-with-parent)", async () => {
    await spinThenKillCloud({});
  }, 60_000);

  it("unsandboxed (LOCALCLOUD_SANDBOX=off: the reaper)", async () => {
    await spinThenKillCloud({ LOCALCLOUD_SANDBOX: "off" });
  }, 60_000);
});
