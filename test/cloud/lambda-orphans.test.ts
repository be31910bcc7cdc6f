// An execution environment dies when its cloud dies, even while its handler
// spins in `while (true) {}` (its event loop never sees the IPC channel close):
// a real cloud process (src/cloud/cli.ts) runs such a handler through the
// Lambda API, is SIGKILLed, and the environment's node process must be gone
// within seconds — sandboxed (bwrap --die-with-parent) and unsandboxed
// (LOCALCLOUD_SANDBOX=off: the reaper in orphan-guard.ts). Linux only (the
// test finds processes through /proc).
import * as fs from "node:fs";
import { randomUUID } from "node:crypto";
import { afterAll, describe, expect, it } from "vitest";
import { InvokeCommand, LambdaClient } from "@aws-sdk/client-lambda";
import { IAMClient } from "@aws-sdk/client-iam";
import { eventually } from "../helpers/cloud.js";
import { environmentPids, startLambdaCloudProcess, type LambdaCloudProcess } from "../helpers/lambda-processes.js";
import { createExecutionRole, createFunction } from "../helpers/lambda.js";
import { sandboxStatus } from "../../src/cloud/services/lambda/runtime/index.js";

const linux = process.platform === "linux";
const status = linux ? await sandboxStatus() : undefined;
if (!linux) console.warn("lambda-orphans.test.ts: skipped — finds processes through /proc (Linux only)");
else if (status?.mode !== "bwrap") console.warn(`lambda-orphans.test.ts: sandboxed case skipped — ${status?.mode === "none" ? status.reason : ""}`);

const clouds: LambdaCloudProcess[] = [];
afterAll(() => {
  for (const c of clouds) c.dispose();
});

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
  const cloud = await startLambdaCloudProcess(env);
  clouds.push(cloud);
  const { proc, endpoint, output } = cloud;
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
