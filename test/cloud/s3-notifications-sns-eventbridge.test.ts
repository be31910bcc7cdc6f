// S3 → SNS, S3 → EventBridge and S3 → Lambda end to end through the real SDK
// clients. SNS: a topic whose policy admits S3, with two HTTP subscribers on a
// local server — one with raw delivery (receives the bare {"Records":[…]}
// body, so every record case of s3-notifications-cases.ts runs through it)
// and one with the Notification envelope (Subject "Amazon S3 Notification").
// EventBridge: <EventBridgeConfiguration/> → default bus → a rule on source
// aws.s3 → an SNS target → HTTP, checking the §4 event (detail-type, reason,
// deletion-type, unencoded key, seconds-precision time). Lambda: the function
// receives {"Records":[record]} and prints it to its log stream.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import * as http from "node:http";
import type { AddressInfo } from "node:net";
import {
  CopyObjectCommand,
  CreateBucketCommand,
  DeleteObjectCommand,
  PutBucketNotificationConfigurationCommand,
  PutBucketVersioningCommand,
  PutObjectCommand,
  PutObjectTaggingCommand,
  S3Client,
} from "@aws-sdk/client-s3";
import { CreateTopicCommand, ListSubscriptionsByTopicCommand, SNSClient, SubscribeCommand } from "@aws-sdk/client-sns";
import { EventBridgeClient, PutRuleCommand, PutTargetsCommand } from "@aws-sdk/client-eventbridge";
import { AddPermissionCommand, LambdaClient } from "@aws-sdk/client-lambda";
import { IAMClient } from "@aws-sdk/client-iam";
import { CloudWatchLogsClient, FilterLogEventsCommand } from "@aws-sdk/client-cloudwatch-logs";
import { eventually, startTestCloud, type TestCloud } from "../helpers/cloud.js";
import { createExecutionRole, createFunction } from "../helpers/lambda.js";
import { describeS3EventRecords, type EventSink, type SinkEntry } from "./s3-notifications-cases.js";

const ACCOUNT = "000000000000";
let cloud: TestCloud;
let s3: S3Client;
let sns: SNSClient;
let server: http.Server;
let base: string;
const received: Array<{ path: string; type?: string; body: string }> = [];
let topicArn: string;
let ebTopicArn: string;

const servicePolicy = (topic: string, service: string, sourceArn: string) =>
  JSON.stringify({
    Version: "2012-10-17",
    Statement: [{ Effect: "Allow", Principal: { Service: service }, Action: "sns:Publish", Resource: topic, Condition: { ArnLike: { "aws:SourceArn": sourceArn } } }],
  });

async function subscribe(TopicArn: string, path: string, raw: boolean): Promise<void> {
  await sns.send(new SubscribeCommand({ TopicArn, Protocol: "http", Endpoint: `${base}${path}`, Attributes: raw ? { RawMessageDelivery: "true" } : undefined }));
  await eventually(async () => {
    const { Subscriptions } = await sns.send(new ListSubscriptionsByTopicCommand({ TopicArn }));
    const sub = Subscriptions?.find((s) => s.Endpoint === `${base}${path}`);
    return sub && sub.SubscriptionArn !== "PendingConfirmation" ? true : undefined;
  });
}

/** Bodies that arrived at one path (parsed JSON). */
const bodiesAt = (path: string) => received.filter((r) => r.path === path && r.type === "Notification").map((r) => JSON.parse(r.body));

function httpSink(path: string): EventSink {
  return {
    configuration: (entries: SinkEntry[]) => ({
      TopicConfigurations: entries.map((e) => ({ Id: e.Id, TopicArn: topicArn, Events: e.Events as never, Filter: e.FilterRules ? { Key: { FilterRules: e.FilterRules } } : undefined })),
    }),
    waitFor: (match, what) =>
      eventually(async () => bodiesAt(path).find(match), 10_000).catch(() => {
        throw new Error(`never received ${what} at ${path}`);
      }),
    received: () => bodiesAt(path),
  };
}

beforeAll(async () => {
  cloud = await startTestCloud();
  s3 = new S3Client(cloud.clientConfig);
  sns = new SNSClient(cloud.clientConfig);
  server = http.createServer((req, res) => {
    let body = "";
    req.on("data", (c) => (body += c));
    req.on("end", async () => {
      const type = req.headers["x-amz-sns-message-type"] as string | undefined;
      received.push({ path: req.url ?? "", type, body });
      if (type === "SubscriptionConfirmation") await fetch(JSON.parse(body).SubscribeURL);
      res.writeHead(200).end("ok");
    });
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  topicArn = `arn:aws:sns:us-east-1:${ACCOUNT}:s3-events`;
  await sns.send(new CreateTopicCommand({ Name: "s3-events", Attributes: { Policy: servicePolicy(topicArn, "s3.amazonaws.com", "arn:aws:s3:::sns-*") } }));
  await subscribe(topicArn, "/raw", true);
  await subscribe(topicArn, "/envelope", false);

  ebTopicArn = `arn:aws:sns:us-east-1:${ACCOUNT}:eb-events`;
  const eb = new EventBridgeClient(cloud.clientConfig);
  const { RuleArn } = await eb.send(
    new PutRuleCommand({ Name: "s3-objects", EventPattern: JSON.stringify({ source: ["aws.s3"], detail: { bucket: { name: [{ prefix: "eb-" }] } } }) }),
  );
  await sns.send(new CreateTopicCommand({ Name: "eb-events", Attributes: { Policy: servicePolicy(ebTopicArn, "events.amazonaws.com", RuleArn!) } }));
  await subscribe(ebTopicArn, "/eb", true);
  await eb.send(new PutTargetsCommand({ Rule: "s3-objects", Targets: [{ Id: "topic", Arn: ebTopicArn }] }));
}, 30_000);
afterAll(async () => {
  await cloud?.close();
  server?.close();
});

describeS3EventRecords("SNS (raw delivery to HTTP)", { s3: () => s3, endpoint: () => cloud.endpoint, sink: () => httpSink("/raw"), bucketPrefix: "sns" });

describe("S3 → SNS envelope", () => {
  it("publishes with Subject 'Amazon S3 Notification' and the record JSON as Message", async () => {
    await s3.send(new CreateBucketCommand({ Bucket: "sns-envelope" }));
    await s3.send(new PutBucketNotificationConfigurationCommand({ Bucket: "sns-envelope", NotificationConfiguration: httpSink("/raw").configuration([{ Id: "env", Events: ["s3:ObjectCreated:*"] }]) }));
    await s3.send(new PutObjectCommand({ Bucket: "sns-envelope", Key: "hello.txt", Body: "hi" }));
    const envelope = await eventually(async () => bodiesAt("/envelope").find((b) => b.Message.includes('"sns-envelope"') && b.Message.includes("hello.txt")));
    expect(envelope).toMatchObject({ Type: "Notification", TopicArn: topicArn, Subject: "Amazon S3 Notification", SignatureVersion: "1" });
    const message = JSON.parse(envelope.Message);
    expect(message.Records).toHaveLength(1);
    expect(message.Records[0]).toMatchObject({ eventName: "ObjectCreated:Put", s3: { configurationId: "env", object: { key: "hello.txt", size: 2 } } });
    // The test event went through the envelope too, with the same subject.
    const test = bodiesAt("/envelope").find((b) => b.Message.includes("s3:TestEvent") && b.Message.includes('"sns-envelope"'));
    expect(test).toMatchObject({ Subject: "Amazon S3 Notification" });
  });
});

describe("S3 → EventBridge (default bus) → rule → SNS → HTTP", () => {
  const ebBodies = () => bodiesAt("/eb");
  const waitEb = (bucket: string, detailType: string, key: string) =>
    eventually(async () => ebBodies().find((e) => e.detail?.bucket?.name === bucket && e["detail-type"] === detailType && e.detail.object.key === key));

  it("sends every object event as an aws.s3 event with detail-type, reason and deletion-type", async () => {
    const bucket = "eb-objects";
    await s3.send(new CreateBucketCommand({ Bucket: bucket }));
    await s3.send(new PutBucketVersioningCommand({ Bucket: bucket, VersioningConfiguration: { Status: "Enabled" } }));
    await s3.send(new PutBucketNotificationConfigurationCommand({ Bucket: bucket, NotificationConfiguration: { EventBridgeConfiguration: {} } }));

    const key = "uploads/my photo+1 (ü).jpg";
    const put = await s3.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: "12345" }));
    const created = await waitEb(bucket, "Object Created", key);
    expect(created).toEqual({
      version: "0",
      id: expect.stringMatching(/^[0-9a-f-]{36}$/),
      "detail-type": "Object Created",
      source: "aws.s3",
      account: ACCOUNT,
      time: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/),
      region: "us-east-1",
      resources: [`arn:aws:s3:::${bucket}`],
      detail: {
        version: "0",
        "event-version": "1.1",
        bucket: { name: bucket },
        object: { key, size: 5, etag: put.ETag!.replace(/"/g, ""), "version-id": put.VersionId, sequencer: expect.stringMatching(/^[0-9A-F]+$/) },
        "request-id": put.$metadata.requestId,
        requester: ACCOUNT,
        "source-ip-address": "127.0.0.1",
        reason: "PutObject",
      },
    });

    await s3.send(new CopyObjectCommand({ Bucket: bucket, Key: "copy.jpg", CopySource: `${bucket}/${encodeURIComponent(key)}` }));
    expect((await waitEb(bucket, "Object Created", "copy.jpg")).detail.reason).toBe("CopyObject");

    await s3.send(new PutObjectTaggingCommand({ Bucket: bucket, Key: "copy.jpg", Tagging: { TagSet: [{ Key: "a", Value: "b" }] } }));
    const tags = await waitEb(bucket, "Object Tags Added", "copy.jpg");
    expect(tags.detail.reason).toBeUndefined();

    const marker = await s3.send(new DeleteObjectCommand({ Bucket: bucket, Key: "copy.jpg" }));
    const markerEvent = await waitEb(bucket, "Object Deleted", "copy.jpg");
    expect(markerEvent.detail).toMatchObject({ reason: "DeleteObject", "deletion-type": "Delete Marker Created", object: { key: "copy.jpg", "version-id": marker.VersionId } });

    await s3.send(new DeleteObjectCommand({ Bucket: bucket, Key: key, VersionId: put.VersionId }));
    const deleted = await eventually(async () => ebBodies().find((e) => e.detail?.bucket?.name === bucket && e.detail["deletion-type"] === "Permanently Deleted"));
    expect(deleted.detail).toMatchObject({ reason: "DeleteObject", object: { key, "version-id": put.VersionId } });
    expect(deleted.detail.object.size).toBeUndefined();
  });

  it("EventBridge and a filtered topic configuration on one bucket both receive", async () => {
    const bucket = "eb-and-topic";
    await s3.send(new CreateBucketCommand({ Bucket: bucket }));
    await s3.send(
      new PutBucketNotificationConfigurationCommand({
        Bucket: bucket,
        SkipDestinationValidation: true, // the topic's policy names sns-* buckets only
        NotificationConfiguration: { EventBridgeConfiguration: {}, TopicConfigurations: [{ Id: "pdf", TopicArn: topicArn, Events: ["s3:ObjectCreated:*"], Filter: { Key: { FilterRules: [{ Name: "suffix", Value: ".pdf" }] } } }] },
      }),
    );
    await s3.send(new PutObjectCommand({ Bucket: bucket, Key: "doc.txt", Body: "x" }));
    await waitEb(bucket, "Object Created", "doc.txt");
    // SNS refuses the delivery at publish time (its policy does not name this bucket): traced, logged, not delivered.
    await s3.send(new PutObjectCommand({ Bucket: bucket, Key: "doc.pdf", Body: "x" }));
    await waitEb(bucket, "Object Created", "doc.pdf");
    await eventually(async () => (cloud.logs.some((l) => l.includes("s3 notifications: the ObjectCreated:Put event of s3://eb-and-topic/doc.pdf was not delivered")) ? true : undefined));
    expect(bodiesAt("/raw").some((b) => b.Records?.[0]?.s3.bucket.name === bucket)).toBe(false);
  });
});

describe("S3 → Lambda", () => {
  it("invokes the function asynchronously with {Records:[record]}", async () => {
    const lambda = new LambdaClient(cloud.clientConfig);
    await createExecutionRole(new IAMClient(cloud.clientConfig));
    await createFunction(lambda, "s3-printer", "export const handler = async (event) => { console.log('EVENT ' + JSON.stringify(event)); };");
    const bucket = "lambda-bucket";
    await s3.send(new CreateBucketCommand({ Bucket: bucket }));
    await lambda.send(new AddPermissionCommand({ FunctionName: "s3-printer", StatementId: "s3", Action: "lambda:InvokeFunction", Principal: "s3.amazonaws.com", SourceArn: `arn:aws:s3:::${bucket}` }));
    await s3.send(
      new PutBucketNotificationConfigurationCommand({
        Bucket: bucket,
        NotificationConfiguration: { LambdaFunctionConfigurations: [{ Id: "printer", LambdaFunctionArn: `arn:aws:lambda:us-east-1:${ACCOUNT}:function:s3-printer`, Events: ["s3:ObjectCreated:*"] }] },
      }),
    );
    const put = await s3.send(new PutObjectCommand({ Bucket: bucket, Key: "in/photo 1.jpg", Body: "abc" }));
    const logs = new CloudWatchLogsClient(cloud.clientConfig);
    const line = await eventually(async () => {
      const out = await logs.send(new FilterLogEventsCommand({ logGroupName: "/aws/lambda/s3-printer" }));
      return out.events?.map((e) => e.message ?? "").find((m) => m.includes("EVENT "));
    }, 30_000, 200);
    const event = JSON.parse(line.slice(line.indexOf("EVENT ") + 6));
    expect(Object.keys(event)).toEqual(["Records"]);
    expect(event.Records).toHaveLength(1);
    expect(event.Records[0]).toMatchObject({
      eventSource: "aws:s3",
      eventName: "ObjectCreated:Put",
      responseElements: { "x-amz-request-id": put.$metadata.requestId },
      s3: { configurationId: "printer", bucket: { name: bucket }, object: { key: "in/photo+1.jpg", size: 3, eTag: put.ETag!.replace(/"/g, "") } },
    });
  }, 60_000);
});
