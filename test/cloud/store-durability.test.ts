/**
 * Every write the API acknowledged survives `kill -9`. A real cloud process
 * (bin/localcloud.mjs) takes writes through the SDK in every persistent
 * service, is SIGKILLed the moment the last acknowledgement arrives, and a
 * new process on the same data dir (taking over the dead one's stale lock)
 * reads them all back. Then a torn journal line, as a crash mid-append leaves
 * it, must not swallow the next acknowledged write.
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { S3Client, CreateBucketCommand, PutObjectCommand, GetObjectCommand } from "@aws-sdk/client-s3";
import { SQSClient, CreateQueueCommand, SendMessageCommand, ReceiveMessageCommand, GetQueueUrlCommand } from "@aws-sdk/client-sqs";
import { IAMClient, CreateRoleCommand, GetRoleCommand } from "@aws-sdk/client-iam";
import { SNSClient, CreateTopicCommand, ListTopicsCommand } from "@aws-sdk/client-sns";
import { DynamoDBClient, CreateTableCommand, PutItemCommand, GetItemCommand, waitUntilTableExists } from "@aws-sdk/client-dynamodb";
import { CloudWatchLogsClient, CreateLogGroupCommand, CreateLogStreamCommand, PutLogEventsCommand, GetLogEventsCommand } from "@aws-sdk/client-cloudwatch-logs";
import { EventBridgeClient, PutRuleCommand, DescribeRuleCommand } from "@aws-sdk/client-eventbridge";
import { spawnCloud, killHard, stopCleanly, type CloudProcess } from "../helpers/cloud-process.js";
import { readLock } from "../../src/cloud/core/data-dir-lock.js";

const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), "localcloud-kill9-"));
const running: CloudProcess[] = [];
afterAll(async () => {
  for (const c of running) if (c.child.exitCode === null && c.child.signalCode === null) await killHard(c);
  fs.rmSync(dataDir, { recursive: true, force: true });
});

async function launch(): Promise<CloudProcess> {
  const c = await spawnCloud(["--data-dir", dataDir, "--log-level", "warn"]).ready;
  running.push(c);
  return c;
}

function clients(endpoint: string) {
  const config = { endpoint, region: "us-east-1", credentials: { accessKeyId: "test", secretAccessKey: "test" }, maxAttempts: 1 };
  return {
    s3: new S3Client({ ...config, forcePathStyle: true }),
    sqs: new SQSClient(config),
    iam: new IAMClient(config),
    sns: new SNSClient(config),
    ddb: new DynamoDBClient(config),
    logs: new CloudWatchLogsClient(config),
    events: new EventBridgeClient(config),
  };
}

const big = Buffer.alloc(3 * 1024 * 1024, 7); // past the blob store's synchronous-write size
const sqsBodies = (count: number, tag: string) => Array.from({ length: count }, (_, i) => `${tag}-${i}`);

async function receiveAll(sqs: SQSClient, queueUrl: string): Promise<string[]> {
  const bodies: string[] = [];
  for (;;) {
    const r = await sqs.send(new ReceiveMessageCommand({ QueueUrl: queueUrl, MaxNumberOfMessages: 10, VisibilityTimeout: 300 }));
    if (!r.Messages?.length) return bodies.sort();
    bodies.push(...r.Messages.map((m) => m.Body!));
  }
}

describe("kill -9", () => {
  it("loses no acknowledged write in any service, and the next cloud takes over the stale lock", async () => {
    const first = await launch();
    const c = clients(first.endpoint);
    await c.s3.send(new CreateBucketCommand({ Bucket: "kept" }));
    const { QueueUrl } = await c.sqs.send(new CreateQueueCommand({ QueueName: "kept" }));
    await c.ddb.send(new CreateTableCommand({
      TableName: "kept",
      AttributeDefinitions: [{ AttributeName: "id", AttributeType: "S" }],
      KeySchema: [{ AttributeName: "id", KeyType: "HASH" }],
      BillingMode: "PAY_PER_REQUEST",
    }));
    await waitUntilTableExists({ client: c.ddb, maxWaitTime: 30, minDelay: 1, maxDelay: 1 }, { TableName: "kept" });
    await c.logs.send(new CreateLogGroupCommand({ logGroupName: "/kept" }));
    await c.logs.send(new CreateLogStreamCommand({ logGroupName: "/kept", logStreamName: "s" }));

    // The last writes go out together; the process dies the moment the last acknowledgement is in.
    await Promise.all([
      c.s3.send(new PutObjectCommand({ Bucket: "kept", Key: "small.txt", Body: "small body" })),
      c.s3.send(new PutObjectCommand({ Bucket: "kept", Key: "big.bin", Body: big })),
      ...sqsBodies(12, "m").map((MessageBody) => c.sqs.send(new SendMessageCommand({ QueueUrl, MessageBody }))),
      c.iam.send(new CreateRoleCommand({ RoleName: "kept", AssumeRolePolicyDocument: JSON.stringify({ Version: "2012-10-17", Statement: [{ Effect: "Allow", Principal: { Service: "lambda.amazonaws.com" }, Action: "sts:AssumeRole" }] }) })),
      c.sns.send(new CreateTopicCommand({ Name: "kept" })),
      c.ddb.send(new PutItemCommand({ TableName: "kept", Item: { id: { S: "a" }, n: { N: "42" } } })),
      c.logs.send(new PutLogEventsCommand({ logGroupName: "/kept", logStreamName: "s", logEvents: [{ timestamp: Date.now(), message: "kept line" }] })),
      c.events.send(new PutRuleCommand({ Name: "kept", EventPattern: JSON.stringify({ source: ["x"] }) })),
    ]);
    await killHard(first);
    expect(readLock(dataDir)?.pid).toBe(first.pid); // a SIGKILLed cloud leaves its lock behind…

    const second = await launch(); // …which the next one recognizes as stale
    expect(readLock(dataDir)).toMatchObject({ pid: second.pid, endpoint: second.endpoint });
    const r = clients(second.endpoint);
    expect(await (await r.s3.send(new GetObjectCommand({ Bucket: "kept", Key: "small.txt" }))).Body!.transformToString()).toBe("small body");
    const bigBack = Buffer.from(await (await r.s3.send(new GetObjectCommand({ Bucket: "kept", Key: "big.bin" }))).Body!.transformToByteArray());
    expect(bigBack.equals(big)).toBe(true);
    const url = (await r.sqs.send(new GetQueueUrlCommand({ QueueName: "kept" }))).QueueUrl!;
    expect(await receiveAll(r.sqs, url)).toEqual(sqsBodies(12, "m").sort());
    expect((await r.iam.send(new GetRoleCommand({ RoleName: "kept" }))).Role?.RoleName).toBe("kept");
    expect((await r.sns.send(new ListTopicsCommand({}))).Topics?.map((t) => t.TopicArn)).toEqual([expect.stringMatching(/:kept$/)]);
    expect((await r.ddb.send(new GetItemCommand({ TableName: "kept", Key: { id: { S: "a" } } }))).Item).toEqual({ id: { S: "a" }, n: { N: "42" } });
    const logs = await r.logs.send(new GetLogEventsCommand({ logGroupName: "/kept", logStreamName: "s", startFromHead: true }));
    expect(logs.events?.map((e) => e.message)).toEqual(["kept line"]);
    expect((await r.events.send(new DescribeRuleCommand({ Name: "kept" }))).EventPattern).toBe(JSON.stringify({ source: ["x"] }));

    // A clean stop releases the lock.
    const stopped = await stopCleanly(second);
    expect(stopped.code).toBe(0);
    expect(readLock(dataDir)).toBeUndefined();
  }, 120_000);

  it("a torn journal line left by a crash does not swallow the next acknowledged write", async () => {
    // The crash left half a line at the end of the SQS message journal.
    fs.appendFileSync(path.join(dataDir, "state", "sqs.messages.jsonl"), '{"k":"half-written","v":{"bo');
    const third = await launch();
    const c = clients(third.endpoint);
    const url = (await c.sqs.send(new GetQueueUrlCommand({ QueueName: "kept" }))).QueueUrl!;
    await c.sqs.send(new SendMessageCommand({ QueueUrl: url, MessageBody: "after-the-tear" }));
    await killHard(third);

    const fourth = await launch();
    const r = clients(fourth.endpoint);
    // The 12 from the first test were received with a 300 s visibility timeout, so only the new one is visible.
    expect(await receiveAll(r.sqs, url)).toEqual(["after-the-tear"]);
  }, 120_000);
});
