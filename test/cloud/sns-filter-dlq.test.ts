// SNS payload filtering and subscription dead-letter queues, through the SDK
// and the AWS CLI: S3 → SNS → SQS subscriptions with MessageBody filter
// policies on S3's event (nested keys, the Records array, numeric, prefix,
// suffix, anything-but, exists, $or), filtered-out deliveries in the trace,
// SNS's limits and InvalidParameter messages; and a subscription whose
// endpoint refuses SNS ending in its DLQ — only if the DLQ's policy admits
// the topic.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CreateBucketCommand, PutBucketNotificationConfigurationCommand, PutObjectCommand, S3Client } from "@aws-sdk/client-s3";
import { CreateTopicCommand, SetSubscriptionAttributesCommand, SetTopicAttributesCommand, SNSClient, SubscribeCommand, PublishCommand } from "@aws-sdk/client-sns";
import { CreateQueueCommand, DeleteQueueCommand, GetQueueAttributesCommand, ReceiveMessageCommand, SetQueueAttributesCommand, SQSClient } from "@aws-sdk/client-sqs";
import { awsCliAsync, errorOf, eventually, hasAwsCli, startTestCloud, type TestCloud } from "../helpers/cloud.js";
import { awsManagedRetryDelays } from "../../src/cloud/services/sns/retry-policy.js";

let cloud: TestCloud;
let s3: S3Client;
let sns: SNSClient;
let sqs: SQSClient;
let topicArn: string;
const BUCKET = "filter-uploads";

const queuePolicy = (queueArn: string, topic: string) =>
  JSON.stringify({ Version: "2012-10-17", Statement: [{ Effect: "Allow", Principal: { Service: "sns.amazonaws.com" }, Action: "sqs:SendMessage", Resource: queueArn, Condition: { ArnEquals: { "aws:SourceArn": topic } } }] });

async function queue(name: string, policyTopic?: string): Promise<{ url: string; arn: string }> {
  const url = (await sqs.send(new CreateQueueCommand({ QueueName: name }))).QueueUrl!;
  const arn = (await sqs.send(new GetQueueAttributesCommand({ QueueUrl: url, AttributeNames: ["QueueArn"] }))).Attributes!.QueueArn!;
  if (policyTopic) await sqs.send(new SetQueueAttributesCommand({ QueueUrl: url, Attributes: { Policy: queuePolicy(arn, policyTopic) } }));
  return { url, arn };
}

const bodies = new Map<string, string[]>();
async function drain(url: string): Promise<string[]> {
  const got = bodies.get(url) ?? [];
  const out = await sqs.send(new ReceiveMessageCommand({ QueueUrl: url, MaxNumberOfMessages: 10, WaitTimeSeconds: 0, VisibilityTimeout: 300 }));
  got.push(...(out.Messages ?? []).map((m) => m.Body!));
  bodies.set(url, got);
  return got;
}
const keysIn = (list: string[]) => list.map((b) => decodeURIComponent(JSON.parse(b).Records[0].s3.object.key.replace(/\+/g, " "))).sort();

async function traces(kind: string): Promise<Array<{ target?: string; status: string; detail?: string }>> {
  const res = await fetch(`${cloud.endpoint}/_localcloud/traces?kind=${encodeURIComponent(kind)}`, { headers: { "x-localcloud-token": cloud.adminToken } });
  return ((await res.json()) as { traces: Array<{ target?: string; status: string; detail?: string }> }).traces;
}

beforeAll(async () => {
  cloud = await startTestCloud();
  s3 = new S3Client(cloud.clientConfig);
  sns = new SNSClient(cloud.clientConfig);
  sqs = new SQSClient(cloud.clientConfig);
  topicArn = (await sns.send(new CreateTopicCommand({ Name: "uploads" }))).TopicArn!;
  await sns.send(new SetTopicAttributesCommand({
    TopicArn: topicArn,
    AttributeName: "Policy",
    AttributeValue: JSON.stringify({ Version: "2012-10-17", Statement: [{ Effect: "Allow", Principal: { Service: "s3.amazonaws.com" }, Action: "sns:Publish", Resource: topicArn, Condition: { ArnLike: { "aws:SourceArn": `arn:aws:s3:::${BUCKET}` } } }] }),
  }));
  await s3.send(new CreateBucketCommand({ Bucket: BUCKET }));
});
afterAll(async () => {
  for (const c of [s3, sns, sqs]) c?.destroy();
  await cloud?.close();
});

describe("payload-based filter policies on S3's event", () => {
  const POLICIES: Record<string, object> = {
    large: { Records: { s3: { object: { size: [{ numeric: [">=", 1000] }] } } } },
    photos: { Records: { s3: { object: { key: [{ prefix: "photos/" }] } }, eventName: [{ prefix: "ObjectCreated:" }] } },
    notTmp: { Records: { s3: { object: { key: [{ "anything-but": { suffix: ".tmp" } }] } } } },
    orOf: { $or: [{ Records: { s3: { object: { key: [{ suffix: ".csv" }] } } } }, { Records: { s3: { object: { size: [{ numeric: [">", 0, "<", 10] }] } } } }] },
    versioned: { Records: { s3: { object: { versionId: [{ exists: true }] } } } },
  };
  const UPLOADS: Array<[string, number]> = [["photos/big cat.jpg", 2000], ["photos/tiny.jpg", 5], ["docs/report.csv", 500], ["docs/scratch.tmp", 3000]];
  const EXPECTED: Record<string, string[]> = {
    large: ["docs/scratch.tmp", "photos/big cat.jpg"],
    photos: ["photos/big cat.jpg", "photos/tiny.jpg"],
    notTmp: ["docs/report.csv", "photos/big cat.jpg", "photos/tiny.jpg"],
    orOf: ["docs/report.csv", "photos/tiny.jpg"],
    versioned: [],
  };
  const queues: Record<string, { url: string; arn: string }> = {};

  it("each raw subscriber gets exactly the uploads its body policy selects; the others are filtered out in the trace", async () => {
    for (const [name, policy] of Object.entries(POLICIES)) {
      queues[name] = await queue(`f-${name}`, topicArn);
      await sns.send(new SubscribeCommand({ TopicArn: topicArn, Protocol: "sqs", Endpoint: queues[name]!.arn, Attributes: { RawMessageDelivery: "true", FilterPolicyScope: "MessageBody", FilterPolicy: JSON.stringify(policy) } }));
    }
    await s3.send(new PutBucketNotificationConfigurationCommand({ Bucket: BUCKET, NotificationConfiguration: { TopicConfigurations: [{ TopicArn: topicArn, Events: ["s3:ObjectCreated:*"] }] } }));
    for (const [key, size] of UPLOADS) await s3.send(new PutObjectCommand({ Bucket: BUCKET, Key: key, Body: "x".repeat(size) }));
    const total = Object.values(EXPECTED).reduce((n, l) => n + l.length, 0);
    // Every (message × subscription) pair ends either delivered or filtered out: wait for all of them.
    // Messages: S3's s3:TestEvent (no Records: filtered out everywhere) and one per upload.
    const pairs = (UPLOADS.length + 1) * Object.keys(POLICIES).length;
    await eventually(async () => ((await traces("sns→sqs")).length >= pairs ? true : undefined));
    for (const [name, keys] of Object.entries(EXPECTED)) {
      const got = await eventually(async () => {
        const list = await drain(queues[name]!.url);
        return list.length >= keys.length ? list : undefined;
      });
      expect(keysIn(got), name).toEqual(keys);
    }
    const filtered = (await traces("sns→sqs")).filter((t) => t.detail?.startsWith("filtered out by the subscription's FilterPolicy (scope MessageBody)"));
    expect(filtered.length).toBe(pairs - total);
  });

  it("a body that is not a JSON object never matches a body policy", async () => {
    await sns.send(new PublishCommand({ TopicArn: topicArn, Message: "[1,2,3]" }));
    await sns.send(new PublishCommand({ TopicArn: topicArn, Message: "plain text" }));
    await eventually(async () => ((await traces("sns→sqs")).filter((t) => t.target === queues.notTmp!.arn).length >= UPLOADS.length + 3 ? true : undefined));
    expect(await drain(queues.notTmp!.url)).toHaveLength(EXPECTED.notTmp!.length);
  });
});

describe("SNS's filter policy limits and messages", () => {
  let subArn: string;
  beforeAll(async () => {
    const q = await queue("limits", topicArn);
    subArn = (await sns.send(new SubscribeCommand({ TopicArn: topicArn, Protocol: "sqs", Endpoint: q.arn, ReturnSubscriptionArn: true }))).SubscriptionArn!;
  });
  const set = (name: string, value: string) => sns.send(new SetSubscriptionAttributesCommand({ SubscriptionArn: subArn, AttributeName: name, AttributeValue: value }));
  const cases: Array<[string, object, string]> = [
    ["six keys", { a: [1], b: [1], c: [1], d: [1], e: [1], f: [1] }, "Invalid parameter: FilterPolicy: Filter policy can not have more than 5 keys"],
    ["too many combinations", { a: Array.from({ length: 20 }, (_, i) => i), b: Array.from({ length: 8 }, (_, i) => i) }, "Invalid parameter: FilterPolicy: Filter policy is too complex"],
    ["EventBridge's wildcard", { key: [{ wildcard: "a*" }] }, "Invalid parameter: FilterPolicy: Unrecognized match type wildcard"],
    ["a scalar value", { key: "a" }, 'Invalid parameter: FilterPolicy: "key" must be an object or an array'],
    ["a backwards range", { size: [{ numeric: [">", 10, "<", 5] }] }, "Invalid parameter: FilterPolicy: Bottom must be less than top"],
    ["exists with a string", { size: [{ exists: "yes" }] }, "Invalid parameter: FilterPolicy: exists match pattern must be either true or false."],
  ];
  for (const [what, policy, message] of cases) {
    it(`refuses ${what}`, async () => {
      await set("FilterPolicyScope", "MessageBody");
      const err = await errorOf(set("FilterPolicy", JSON.stringify(policy)));
      expect(err.name).toBe("InvalidParameterException");
      expect(err.message).toBe(message);
    });
  }
  it("nested keys need the MessageBody scope; Subscribe says 'Attributes Reason'", async () => {
    const q = await queue("nested");
    const err = await errorOf(sns.send(new SubscribeCommand({ TopicArn: topicArn, Protocol: "sqs", Endpoint: q.arn, Attributes: { FilterPolicy: JSON.stringify({ Records: { s3: { object: { size: [1] } } } }) } })));
    expect(err.message).toBe("Invalid parameter: Attributes Reason: Filter policy scope MessageAttributes does not support nested filter policy");
  });
  it.skipIf(!hasAwsCli)("the AWS CLI shows the same error", async () => {
    const out = await awsCliAsync(cloud, ["sns", "set-subscription-attributes", "--subscription-arn", subArn, "--attribute-name", "FilterPolicy", "--attribute-value", JSON.stringify({ a: [1], b: [1], c: [1], d: [1], e: [1], f: [1] })]);
    expect(out.status).not.toBe(0);
    expect(out.stderr).toContain("(InvalidParameter) when calling the SetSubscriptionAttributes operation: Invalid parameter: FilterPolicy: Filter policy can not have more than 5 keys");
  });
});

describe("subscription dead-letter queues", () => {
  it("a delivery the endpoint's policy refuses goes straight to the DLQ (not retried) when the DLQ's policy admits the topic", async () => {
    const refusing = await queue("refusing", "arn:aws:sns:us-east-1:000000000000:someone-elses-topic");
    const dlq = await queue("refusing-dlq", topicArn);
    const sub = await sns.send(new SubscribeCommand({ TopicArn: topicArn, Protocol: "sqs", Endpoint: refusing.arn, ReturnSubscriptionArn: true }));
    // The RedrivePolicy through the AWS CLI (the SDK's path is the Subscribe attributes below).
    const redrive = JSON.stringify({ deadLetterTargetArn: dlq.arn });
    if (hasAwsCli) {
      const out = await awsCliAsync(cloud, ["sns", "set-subscription-attributes", "--subscription-arn", sub.SubscriptionArn!, "--attribute-name", "RedrivePolicy", "--attribute-value", redrive]);
      expect(out.status, out.stderr).toBe(0);
    } else {
      await sns.send(new SetSubscriptionAttributesCommand({ SubscriptionArn: sub.SubscriptionArn, AttributeName: "RedrivePolicy", AttributeValue: redrive }));
    }
    await sns.send(new PublishCommand({ TopicArn: topicArn, Message: '{"to":"dlq"}', Subject: "dead letter" }));
    const [body] = await eventually(async () => ((await drain(dlq.url)).length ? drain(dlq.url) : undefined));
    expect(JSON.parse(body!)).toMatchObject({ Type: "Notification", TopicArn: topicArn, Subject: "dead letter", Message: '{"to":"dlq"}', UnsubscribeURL: expect.stringContaining(sub.SubscriptionArn!) });
    const attempts = (await traces("sns→sqs")).filter((t) => t.target === refusing.arn);
    expect(attempts.map((t) => t.status)).toEqual(["failed"]);
  });

  it("a deleted endpoint goes to the DLQ too; a DLQ whose policy does not admit the topic loses the message, and the trace says why", async () => {
    const gone = await queue("gone", topicArn);
    const open = await queue("gone-dlq", topicArn);
    const closed = await queue("closed-dlq");
    await sns.send(new SubscribeCommand({ TopicArn: topicArn, Protocol: "sqs", Endpoint: gone.arn, Attributes: { RedrivePolicy: JSON.stringify({ deadLetterTargetArn: open.arn }) } }));
    const other = await queue("refusing-2", "arn:aws:sns:us-east-1:000000000000:nobody");
    await sns.send(new SubscribeCommand({ TopicArn: topicArn, Protocol: "sqs", Endpoint: other.arn, Attributes: { RedrivePolicy: JSON.stringify({ deadLetterTargetArn: closed.arn }) } }));
    await sqs.send(new DeleteQueueCommand({ QueueUrl: gone.url }));
    await sns.send(new PublishCommand({ TopicArn: topicArn, Message: '{"n":2}' }));
    await eventually(async () => ((await drain(open.url)).length === 1 ? true : undefined));
    const lost = await eventually(async () => (await traces("sns.dlq")).find((t) => t.target === closed.arn && t.status === "failed"));
    expect(lost.detail).toMatch(/the dead-letter queue's policy does not let sns\.amazonaws\.com sqs:SendMessage/);
    expect(await drain(closed.url)).toEqual([]);
  });

  it("a message the queue refuses (a character SQS does not allow, raw delivery) is a client-side error: one attempt, then the DLQ", async () => {
    const strict = await queue("strict", topicArn);
    const dlq = await queue("strict-dlq", topicArn);
    await sns.send(new SubscribeCommand({ TopicArn: topicArn, Protocol: "sqs", Endpoint: strict.arn, Attributes: { RawMessageDelivery: "true", RedrivePolicy: JSON.stringify({ deadLetterTargetArn: dlq.arn }) } }));
    await sns.send(new PublishCommand({ TopicArn: topicArn, Message: "bell \u0007" }));
    const moved = await eventually(async () => (await traces("sns.dlq")).find((t) => t.target === dlq.arn));
    expect(moved.detail).toMatch(/InvalidMessageContents/);
    const attempts = (await traces("sns→sqs")).filter((t) => t.target === strict.arn && t.status !== "info");
    expect(attempts.map((t) => t.status)).toEqual(["failed"]);
  });

  it("AWS-managed endpoints' retry schedule: 3 immediate, 2 after 1 s, 10 backing off from 1 s to 20 s, then 20 s", () => {
    const d = awsManagedRetryDelays(2);
    expect(d.slice(0, 5)).toEqual([0, 0, 0, 1000, 1000]);
    expect(d[5]).toBe(1000);
    expect(d[14]).toBe(20_000);
    expect(d.slice(15)).toEqual([20_000, 20_000]);
    expect(d.slice(5, 15).every((v, i, a) => i === 0 || v > a[i - 1]!)).toBe(true);
  });
});
