// Fault injection (src/cloud/core/faults/) through the admin API, the kit's
// `npm run faults` command and the SDK: duplicate S3 deliveries keep their
// sequencer, reordering changes the arrival order, a throttle refuses a sync
// Invoke with TooManyRequestsException and is retried for an async event,
// transient S3/DynamoDB errors hit only a function's own calls and the SDK
// inside the function retries them, every injection is in the trace, and a
// seed makes the choices reproducible. One cloud for the file.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CreateBucketCommand, PutBucketNotificationConfigurationCommand, PutObjectCommand, S3Client } from "@aws-sdk/client-s3";
import { CreateQueueCommand, GetQueueAttributesCommand, ReceiveMessageCommand, SetQueueAttributesCommand, SQSClient } from "@aws-sdk/client-sqs";
import { InvokeCommand, LambdaClient } from "@aws-sdk/client-lambda";
import { CreateTableCommand, DynamoDBClient, GetItemCommand } from "@aws-sdk/client-dynamodb";
import { IAMClient, PutRolePolicyCommand } from "@aws-sdk/client-iam";
import { errorOf, eventually, startTestCloud, type TestCloud } from "../helpers/cloud.js";
import { createExecutionRole, createFunction, ROLE_NAME } from "../helpers/lambda.js";
import { kitProcess } from "../kit/kit-process.js";
import { Faults } from "../../src/cloud/core/faults/index.js";
import { Logger, TraceLog } from "../../src/cloud/core/trace.js";
import { FaultsApi } from "../../src/kit/faults.js";

let cloud: TestCloud;
let s3: S3Client;
let sqs: SQSClient;
let lambda: LambdaClient;
let ddb: DynamoDBClient;
let api: FaultsApi;

const admin = (path: string, init: RequestInit = {}) =>
  fetch(cloud.endpoint + path, { ...init, headers: { "x-localcloud-token": cloud.adminToken, "content-type": "application/json", ...(init.headers ?? {}) } });

/** A bucket whose every upload goes to a fresh queue; returns the queue URL. */
async function bucketToQueue(bucket: string): Promise<string> {
  await s3.send(new CreateBucketCommand({ Bucket: bucket }));
  const { QueueUrl } = await sqs.send(new CreateQueueCommand({ QueueName: `${bucket}-q` }));
  const { Attributes } = await sqs.send(new GetQueueAttributesCommand({ QueueUrl, AttributeNames: ["QueueArn"] }));
  const policy = { Version: "2012-10-17", Statement: [{ Effect: "Allow", Principal: { Service: "s3.amazonaws.com" }, Action: "sqs:SendMessage", Resource: Attributes!.QueueArn }] };
  await sqs.send(new SetQueueAttributesCommand({ QueueUrl, Attributes: { Policy: JSON.stringify(policy) } }));
  await s3.send(new PutBucketNotificationConfigurationCommand({ Bucket: bucket, NotificationConfiguration: { QueueConfigurations: [{ QueueArn: Attributes!.QueueArn, Events: ["s3:ObjectCreated:*"] }] } }));
  return QueueUrl!;
}

/** Receive until `n` S3 records (not the TestEvent) arrived; returns them in arrival order. */
async function records(queueUrl: string, n: number): Promise<Array<{ key: string; sequencer: string }>> {
  const got: Array<{ key: string; sequencer: string }> = [];
  await eventually(async () => {
    const out = await sqs.send(new ReceiveMessageCommand({ QueueUrl: queueUrl, MaxNumberOfMessages: 10, WaitTimeSeconds: 1 }));
    for (const m of out.Messages ?? []) {
      const body = JSON.parse(m.Body!) as { Records?: Array<{ s3: { object: { key: string; sequencer: string } } }> };
      for (const r of body.Records ?? []) got.push({ key: r.s3.object.key, sequencer: r.s3.object.sequencer });
    }
    return got.length >= n ? true : undefined;
  }, 15_000);
  return got;
}

beforeAll(async () => {
  cloud = await startTestCloud({ timeScale: 1 / 600 });
  s3 = new S3Client(cloud.clientConfig);
  sqs = new SQSClient(cloud.clientConfig);
  lambda = new LambdaClient({ ...cloud.clientConfig, maxAttempts: 1 });
  ddb = new DynamoDBClient(cloud.clientConfig);
  api = new FaultsApi(cloud.endpoint, "us-east-1", cloud.clientConfig.credentials);
  const iam = new IAMClient(cloud.clientConfig);
  await createExecutionRole(iam);
  await iam.send(new PutRolePolicyCommand({ RoleName: ROLE_NAME, PolicyName: "data", PolicyDocument: JSON.stringify({ Version: "2012-10-17", Statement: [{ Effect: "Allow", Action: ["s3:*", "dynamodb:*"], Resource: "*" }] }) }));
  iam.destroy();
});
afterAll(async () => {
  for (const c of [s3, sqs, lambda, ddb]) c?.destroy();
  await cloud?.close();
});

describe("the admin API", () => {
  it("needs the administrator, checks rules, lists, removes and clears them", async () => {
    expect((await fetch(cloud.endpoint + "/_localcloud/faults")).status).toBe(403);
    const bad = await admin("/_localcloud/faults", { method: "POST", body: JSON.stringify({ kind: "explode" }) });
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as { error: string }).error).toMatch(/"kind" must be one of duplicate, delay, reorder, throttle, error/);
    const noService = await admin("/_localcloud/faults", { method: "POST", body: JSON.stringify({ kind: "error" }) });
    expect(((await noService.json()) as { error: string }).error).toMatch(/"service": "s3" or "dynamodb"/);
    expect((await admin("/_localcloud/faults", { method: "POST", body: "not json" })).status).toBe(400);
    const added = await admin("/_localcloud/faults", { method: "POST", body: JSON.stringify({ id: "dup", kind: "duplicate", prefix: "nobody-", probability: 0.5 }) });
    expect(added.status).toBe(201);
    const { rule } = (await added.json()) as { rule: { id: string; seed: number; copies: number } };
    expect(rule).toMatchObject({ id: "dup", copies: 1 });
    expect(Number.isInteger(rule.seed)).toBe(true);
    // The kit's client signs with the administrator's credentials instead of the token.
    expect((await api.list()).map((r) => r.id)).toEqual(["dup"]);
    await api.add({ kind: "delay", prefix: "nobody-", delayMs: [1, 2] });
    expect((await admin("/_localcloud/faults/dup", { method: "DELETE" })).status).toBe(200);
    expect((await admin("/_localcloud/faults/dup", { method: "DELETE" })).status).toBe(404);
    expect(await api.clear()).toBe(1);
    expect(await api.list()).toEqual([]);
  });

  it("makes the same choices again for the same seed", () => {
    const choices = () => {
      const faults = new Faults(new TraceLog(new Logger(() => {}, "error")));
      faults.add({ kind: "duplicate", probability: 0.5, seed: 42 });
      return Array.from({ length: 40 }, (_, i) => faults.forDelivery({ kind: "s3→sqs", targetArn: "arn:aws:sqs:us-east-1:000000000000:q", correlationId: String(i) }).copies);
    };
    const first = choices();
    expect(first).toEqual(choices());
    // A delay rule holds a delivery back by its fixed time (or a time within its range), only for its destination.
    const faults = new Faults(new TraceLog(new Logger(() => {}, "error")));
    faults.add({ kind: "delay", destination: "arn:aws:sqs:us-east-1:000000000000:slow", delayMs: 250 });
    expect(faults.forDelivery({ kind: "sns→sqs", targetArn: "arn:aws:sqs:us-east-1:000000000000:slow", correlationId: "c" })).toEqual({ delayMs: 250, copies: 0 });
    expect(faults.forDelivery({ kind: "sns→sqs", targetArn: "arn:aws:sqs:us-east-1:000000000000:fast", correlationId: "d" })).toEqual({ delayMs: 0, copies: 0 });
    expect(first.filter((c) => c > 0).length).toBeGreaterThan(5);
    expect(first.filter((c) => c === 0).length).toBeGreaterThan(5);
  });

  it("injects request errors by the caller's role or session, never by the resource a stranger calls", () => {
    const faults = new Faults(new TraceLog(new Logger(() => {}, "error")));
    faults.add({ kind: "error", service: "s3", prefix: "sel-ana-07-" });
    const session = (roleName: string, sessionName: string) => ({
      kind: "assumed-role" as const, account: "000000000000", arn: `arn:aws:sts::000000000000:assumed-role/${roleName}/${sessionName}`, accessKeyId: "ASIA", roleName, sessionName, principalId: `AROA:${sessionName}`,
    });
    const call = (roleName: string, sessionName: string) => faults.forRequest({ service: "s3", operation: "GetObject", resource: "sel-ana-07-abc123-orders", principal: session(roleName, sessionName), requestId: "r" });
    // The lab's function: its role and its session (the function's name) are in the namespace.
    expect(call("sel-ana-07-abc123-orders-role", "sel-ana-07-abc123-apply-orders")?.code).toBe("SlowDown");
    // The participant's own session reading the same bucket (the grader) is not broken.
    expect(call("participant-ana", "ana")).toBeUndefined();
  });
});

describe("deliveries", () => {
  it("duplicates an S3 delivery with the same sequencer, only in the rule's namespace, and traces it", async () => {
    const mine = await bucketToQueue("ns-dup-data");
    const other = await bucketToQueue("other-dup-data");
    const rule = await api.add({ kind: "duplicate", prefix: "ns-dup-", service: "s3" });
    const since = new Date().toISOString();
    await s3.send(new PutObjectCommand({ Bucket: "ns-dup-data", Key: "a.txt", Body: "a" }));
    await s3.send(new PutObjectCommand({ Bucket: "other-dup-data", Key: "b.txt", Body: "b" }));
    const got = await records(mine, 2);
    expect(got.map((r) => r.key)).toEqual(["a.txt", "a.txt"]);
    expect(got[0]!.sequencer).toBe(got[1]!.sequencer);
    expect((await records(other, 1)).map((r) => r.key)).toEqual(["b.txt"]);
    const injected = await api.injected(since);
    expect(injected).toEqual([expect.objectContaining({ kind: "fault.duplicate", fault: rule.id, source: "arn:aws:s3:::ns-dup-data" })]);
    await api.remove(rule.id);
  });

  it("reorders deliveries held back within a window", async () => {
    const queue = await bucketToQueue("ns-reorder-data");
    const rule = await api.add({ kind: "reorder", prefix: "ns-reorder-", windowMs: 400, seed: 11 });
    const keys = Array.from({ length: 12 }, (_, i) => `k${String(i).padStart(2, "0")}`);
    for (const Key of keys) await s3.send(new PutObjectCommand({ Bucket: "ns-reorder-data", Key, Body: Key }));
    const got = (await records(queue, keys.length)).map((r) => r.key);
    expect([...got].sort()).toEqual(keys);
    expect(got).not.toEqual(keys);
    expect((await api.list()).find((r) => r.id === rule.id)?.injected).toBe(keys.length);
    await api.remove(rule.id);
  });
});

describe("Lambda throttles", () => {
  it("refuses a sync Invoke with TooManyRequestsException and retries an async event until it runs", async () => {
    await createFunction(lambda, "ns-thr-fn", `export const handler = async (e) => { console.log("RAN " + e.id); return e.id; };`);
    const rule = await api.add({ kind: "throttle", prefix: "ns-thr-", max: 3 });
    const err = await errorOf(lambda.send(new InvokeCommand({ FunctionName: "ns-thr-fn", Payload: JSON.stringify({ id: "sync" }) })));
    expect(err.name).toBe("TooManyRequestsException");
    expect(err.$metadata.httpStatusCode).toBe(429);
    const since = new Date().toISOString();
    await lambda.send(new InvokeCommand({ FunctionName: "ns-thr-fn", InvocationType: "Event", Payload: JSON.stringify({ id: "async" }) }));
    // Two more throttles (max 3), then the async queue's throttle retry runs it.
    await eventually(async () => {
      const ran = cloud.cloud.trace.list({ kind: "lambda.invoke", since }).filter((e) => e.status === "ok" && e.target?.endsWith(":ns-thr-fn"));
      return ran.length ? ran : undefined;
    });
    expect((await api.injected(since)).filter((e) => e.kind === "fault.throttle")).toHaveLength(2);
    await api.remove(rule.id);
  });
});

describe("transient errors in a function's own SDK calls", () => {
  it("answers S3 SlowDown and DynamoDB throughput errors that the SDK inside the function retries; the administrator is not affected", async () => {
    await s3.send(new CreateBucketCommand({ Bucket: "ns-err-data" }));
    await s3.send(new PutObjectCommand({ Bucket: "ns-err-data", Key: "in.txt", Body: "hello" }));
    await ddb.send(new CreateTableCommand({ TableName: "ns-err-table", AttributeDefinitions: [{ AttributeName: "pk", AttributeType: "S" }], KeySchema: [{ AttributeName: "pk", KeyType: "HASH" }], BillingMode: "PAY_PER_REQUEST" }));
    const code = `
      import { S3Client, GetObjectCommand } from "@aws-sdk/client-s3";
      import { DynamoDBClient, PutItemCommand } from "@aws-sdk/client-dynamodb";
      const s3 = new S3Client({ forcePathStyle: true }), ddb = new DynamoDBClient({});
      export const handler = async () => {
        const got = await s3.send(new GetObjectCommand({ Bucket: "ns-err-data", Key: "in.txt" }));
        const text = await got.Body.transformToString();
        const put = await ddb.send(new PutItemCommand({ TableName: "ns-err-table", Item: { pk: { S: "k" }, text: { S: text } } }));
        return { text, s3Attempts: got.$metadata.attempts, ddbAttempts: put.$metadata.attempts };
      };`;
    await createFunction(lambda, "ns-err-fn", code, { Timeout: 20 });
    await api.add({ id: "s3-slow", kind: "error", service: "s3", prefix: "ns-err-", operations: ["GetObject"], max: 2 });
    await api.add({ id: "ddb-pte", kind: "error", service: "dynamodb", prefix: "ns-err-", max: 2 });
    // The administrator's own calls are never hit.
    expect((await s3.send(new PutObjectCommand({ Bucket: "ns-err-data", Key: "admin.txt", Body: "x" }))).$metadata.attempts).toBe(1);
    const out = await lambda.send(new InvokeCommand({ FunctionName: "ns-err-fn", Payload: "{}" }));
    const result = JSON.parse(new TextDecoder().decode(out.Payload)) as Record<string, unknown>;
    expect(out.FunctionError, JSON.stringify(result)).toBeUndefined();
    expect(result).toEqual({ text: "hello", s3Attempts: 3, ddbAttempts: 3 });
    expect((await ddb.send(new GetItemCommand({ TableName: "ns-err-table", Key: { pk: { S: "k" } } }))).Item?.text?.S).toBe("hello");
    const rules = await api.list();
    expect(rules.map((r) => [r.id, r.injected])).toEqual([["s3-slow", 2], ["ddb-pte", 2]]);
    const injected = cloud.cloud.trace.list({ faults: true }).filter((e) => e.kind === "fault.error");
    expect(injected.map((e) => e.detail)).toEqual(expect.arrayContaining([expect.stringContaining("503 SlowDown"), expect.stringContaining("400 ProvisionedThroughputExceededException")]));
    await api.clear();
  });
});

describe("npm run faults", () => {
  it("adds, lists and clears rules of the cloud at AWS_ENDPOINT_URL", async () => {
    const env = { AWS_ENDPOINT_URL: cloud.endpoint, AWS_ACCESS_KEY_ID: "test", AWS_SECRET_ACCESS_KEY: "test" };
    const add = kitProcess("faults", ["add", "duplicate", "--prefix", "sel-me-07-", "--probability", "0.2", "--seed", "7", "--id", "cli-dup"], env);
    expect(await add.exited, add.output()).toBe(0);
    expect(add.output()).toMatch(/added: cli-dup\s+duplicate \+1 copy · names sel-me-07-\* · p=0.2 seed=7/);
    const list = kitProcess("faults", ["list", "--json"], env);
    expect(await list.exited, list.output()).toBe(0);
    expect(JSON.parse(list.output())).toEqual([expect.objectContaining({ id: "cli-dup", kind: "duplicate", prefix: "sel-me-07-", probability: 0.2, seed: 7 })]);
    const bad = kitProcess("faults", ["add", "error", "--service", "sqs"], env);
    expect(await bad.exited).toBe(2);
    expect(bad.output()).toMatch(/"service": "s3" or "dynamodb"/);
    const clear = kitProcess("faults", ["clear"], env);
    expect(await clear.exited, clear.output()).toBe(0);
    expect(clear.output()).toMatch(/1 fault rule\(s\) removed/);
    expect(await api.list()).toEqual([]);
  }, 30_000);
});
