// Frozen execution environments, as on AWS (aws-behavior.md §15; runtime/freeze.ts):
// between invocations an environment's node process is stopped, so work a
// handler left running (a PutObject 200 ms after it returned, or one it did
// not await) does not happen while it is idle, resumes with the next
// invocation, and never runs if the environment is discarded; idle environments still retire and timeouts
// still fire. Each case runs in a real cloud process (the switches are read
// at start), sandboxed and with LOCALCLOUD_SANDBOX=off, plus one with
// LOCALCLOUD_FREEZE=off to show the deferred write does run there (the
// contrast that proves the frozen case can fail). Linux only: the test reads
// process states from /proc.
import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { InvokeCommand, LambdaClient } from "@aws-sdk/client-lambda";
import { IAMClient, PutRolePolicyCommand } from "@aws-sdk/client-iam";
import { CreateBucketCommand, HeadObjectCommand, S3Client } from "@aws-sdk/client-s3";
import { eventually } from "../helpers/cloud.js";
import { environmentPids, processState, startLambdaCloudProcess, type LambdaCloudProcess } from "../helpers/lambda-processes.js";
import { createExecutionRole, createFunction, ROLE_NAME } from "../helpers/lambda.js";
import { sandboxStatus } from "../../src/cloud/services/lambda/runtime/index.js";

const linux = process.platform === "linux";
const status = linux ? await sandboxStatus() : undefined;
if (!linux) console.warn("lambda-freeze.test.ts: skipped — reads process states through /proc (Linux only)");
else if (status?.mode !== "bwrap") console.warn(`lambda-freeze.test.ts: sandboxed case skipped — ${status?.mode === "none" ? status.reason : ""}`);

const BUCKET = "freeze-test";
/** Idle environments retire after this long in these clouds (the reaper looks every second). */
const IDLE_MS = 4000;

const HANDLER = `import { S3Client, PutObjectCommand } from "@aws-sdk/client-s3";
const s3 = new S3Client({ forcePathStyle: true });
let pending;
let firedAt;
export const handler = async (event) => {
  if (event.mode === "defer") {
    // Not awaited: a mistake on AWS, where the environment is frozen once the handler returns.
    pending = new Promise((resolve) => setTimeout(resolve, 200)).then(() => {
      firedAt = Date.now();
      return s3.send(new PutObjectCommand({ Bucket: event.bucket, Key: event.key, Body: "late" }));
    });
    return "deferred";
  }
  if (event.mode === "direct") {
    pending = s3.send(new PutObjectCommand({ Bucket: event.bucket, Key: event.key, Body: "late" })); // not awaited either
    return "direct";
  }
  if (event.mode === "join") {
    await pending;
    return { firedAt };
  }
  if (event.mode === "hang") await new Promise(() => setInterval(() => {}, 1000));
  return "ok";
};
`;

const clouds: LambdaCloudProcess[] = [];
afterAll(() => {
  for (const c of clouds) c.dispose();
});

interface Bed {
  lambda: LambdaClient;
  s3: S3Client;
  invoke(name: string, event: object): Promise<{ error?: string; payload: any }>;
  /** A fresh function running HANDLER; returns its name. */
  fn(timeout?: number): Promise<string>;
}

async function bed(env: Record<string, string>): Promise<Bed> {
  const cloud = await startLambdaCloudProcess({ LOCALCLOUD_LAMBDA_IDLE_MS: String(IDLE_MS), ...env });
  clouds.push(cloud);
  const config = { endpoint: cloud.endpoint, region: "us-east-1", credentials: { accessKeyId: "test", secretAccessKey: "test" } };
  const lambda = new LambdaClient({ ...config, maxAttempts: 1 });
  const s3 = new S3Client({ ...config, forcePathStyle: true, maxAttempts: 1 });
  const iam = new IAMClient(config);
  await createExecutionRole(iam);
  await iam.send(
    new PutRolePolicyCommand({
      RoleName: ROLE_NAME,
      PolicyName: "put",
      PolicyDocument: JSON.stringify({
        Version: "2012-10-17",
        Statement: [{ Effect: "Allow", Action: "s3:PutObject", Resource: `arn:aws:s3:::${BUCKET}/*` }],
      }),
    }),
  );
  await s3.send(new CreateBucketCommand({ Bucket: BUCKET }));
  return {
    lambda,
    s3,
    async invoke(name, event) {
      const out = await lambda.send(new InvokeCommand({ FunctionName: name, Payload: JSON.stringify(event) }));
      return { error: out.FunctionError, payload: JSON.parse(new TextDecoder().decode(out.Payload)) };
    },
    async fn(timeout = 10) {
      const name = `freeze-${randomUUID().slice(0, 8)}`;
      await createFunction(lambda, name, HANDLER, { Timeout: timeout });
      return name;
    },
  };
}

async function exists(s3: S3Client, key: string): Promise<boolean> {
  try {
    await s3.send(new HeadObjectCommand({ Bucket: BUCKET, Key: key }));
    return true;
  } catch (error) {
    if ((error as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode === 404) return false;
    throw error;
  }
}

/** HeadObject again and again for about 1.5 s: true if the object showed up at any point. */
async function appearsWithin(s3: S3Client, key: string, ms = 1500): Promise<boolean> {
  const until = Date.now() + ms;
  while (Date.now() < until) {
    if (await exists(s3, key)) return true;
    await new Promise((r) => setTimeout(r, 50));
  }
  return false;
}

/** The one environment of a function (its node host pid), once there is exactly one. */
const onlyPid = (name: string) => eventually(async () => {
  const pids = environmentPids(name);
  return pids.length === 1 ? pids[0] : undefined;
}, 10_000);

const frozen = (pid: number) => eventually(async () => (processState(pid) === "T" ? true : undefined), 5000);
const gone = (pid: number, ms: number) => eventually(async () => (processState(pid) === undefined ? true : undefined), ms);

function frozenEnvironmentCases(env: Record<string, string>) {
  let b: Bed;
  beforeAll(async () => {
    b = await bed(env);
  }, 60_000);

  it("is stopped (state T) between invocations; deferred work waits for the next invocation", async () => {
    const name = await b.fn();
    const key = `deferred-${randomUUID()}`;
    expect(await b.invoke(name, { mode: "defer", bucket: BUCKET, key })).toEqual({ error: undefined, payload: "deferred" });
    const pid = await onlyPid(name);
    expect(await frozen(pid)).toBe(true);

    // Frozen: the 200 ms timer does not fire, the object does not appear.
    expect(await appearsWithin(b.s3, key)).toBe(false);
    expect(processState(pid)).toBe("T");

    // The next invocation thaws it: the timer fires (only now) and the write happens.
    const beforeSecond = Date.now();
    const joined = await b.invoke(name, { mode: "join" });
    expect(joined.error).toBeUndefined();
    expect(joined.payload.firedAt).toBeGreaterThanOrEqual(beforeSecond);
    expect(await exists(b.s3, key)).toBe(true);
    expect(environmentPids(name)).toEqual([pid]); // the same (warm) environment
    expect(await frozen(pid)).toBe(true);
  }, 60_000);

  it("stops an un-awaited PutObject before its request gets out; it completes with the next invocation", async () => {
    const name = await b.fn();
    for (let i = 0; i < 3; i++) {
      const key = `direct-${i}-${randomUUID()}`;
      expect((await b.invoke(name, { mode: "direct", bucket: BUCKET, key })).payload).toBe("direct");
      expect(await appearsWithin(b.s3, key, 500)).toBe(false);
      expect((await b.invoke(name, { mode: "join" })).error).toBeUndefined();
      expect(await exists(b.s3, key)).toBe(true);
    }
  }, 60_000);

  it("still retires an idle environment while frozen; its deferred work never runs", async () => {
    const name = await b.fn();
    const key = `discarded-${randomUUID()}`;
    expect((await b.invoke(name, { mode: "defer", bucket: BUCKET, key })).payload).toBe("deferred");
    const pid = await onlyPid(name);
    expect(await frozen(pid)).toBe(true);
    await gone(pid, IDLE_MS + 15_000);
    expect(environmentPids(name)).toEqual([]);
    expect(await exists(b.s3, key)).toBe(false);
  }, 60_000);

  it("still times out an invocation sent to a frozen environment", async () => {
    const name = await b.fn(1);
    expect((await b.invoke(name, { mode: "ok" })).payload).toBe("ok");
    const pid = await onlyPid(name);
    expect(await frozen(pid)).toBe(true);
    const timedOut = await b.invoke(name, { mode: "hang" });
    expect(timedOut.error).toBe("Unhandled");
    expect(timedOut.payload.errorType).toBe("Sandbox.Timedout");
    await gone(pid, 10_000);
    // A new environment serves the next invocation.
    expect((await b.invoke(name, { mode: "ok" })).payload).toBe("ok");
  }, 60_000);
}

describe.skipIf(!linux)("frozen execution environments", () => {
  describe.skipIf(status?.mode !== "bwrap")("sandboxed (bwrap)", () => frozenEnvironmentCases({}));
  describe("unsandboxed (LOCALCLOUD_SANDBOX=off)", () => frozenEnvironmentCases({ LOCALCLOUD_SANDBOX: "off" }));

  describe("LOCALCLOUD_FREEZE=off", () => {
    let b: Bed;
    beforeAll(async () => {
      b = await bed({ LOCALCLOUD_FREEZE: "off" });
    }, 60_000);

    it("lets deferred work run between invocations (the local cloud is kinder than AWS)", async () => {
      const name = await b.fn();
      const key = `unfrozen-${randomUUID()}`;
      expect((await b.invoke(name, { mode: "defer", bucket: BUCKET, key })).payload).toBe("deferred");
      const pid = await onlyPid(name);
      expect(await eventually(async () => ((await exists(b.s3, key)) ? true : undefined), 10_000)).toBe(true);
      expect(processState(pid)).not.toBe("T");
    }, 60_000);
  });
});
