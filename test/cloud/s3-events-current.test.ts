// What AWS sends today (issue 12; aws-behavior.md §2), through the real SDK
// clients and the AWS CLI, S3 → SQS, SNS, Lambda and EventBridge alike:
// - the unified eventVersion "2.5" on every record, s3.bucket.awsGeneratedTags
//   (the bucket's aws: tags, absent when none), EventBridge detail."event-version"
//   and bucket."aws-generated-tags";
// - DeleteObjects: one ObjectRemoved:Delete for EVERY key in the request, existing
//   or not [SNAP test_delete_objects];
// - a Suspended bucket: no versionId in PutObject's response nor in its event
//   [SNAP test_object_created_put_versioned, "message-versioning-suspended"];
// - X-Amzn-Trace-Id on PutObject reaches SQS as the AWSTraceHeader system
//   attribute [SNAP test_xray_header];
// - EventBridge PutRule accepts an empty ScheduleExpression.
import { describe, expect, it } from "vitest";
import {
  CreateBucketCommand,
  DeleteObjectsCommand,
  PutBucketTaggingCommand,
  PutBucketVersioningCommand,
  PutObjectCommand,
  S3Client,
} from "@aws-sdk/client-s3";
import { SQSClient } from "@aws-sdk/client-sqs";
import { SNSClient } from "@aws-sdk/client-sns";
import { DescribeRuleCommand, EventBridgeClient, PutRuleCommand } from "@aws-sdk/client-eventbridge";
import { LambdaClient } from "@aws-sdk/client-lambda";
import { awsCliAsync, cloudForFile, hasAwsCli, type TestCloud } from "../helpers/cloud.js";
import { failure } from "../helpers/s3.js";
import { createEventSinks, VIAS, type EventSinks } from "./s3-event-sinks.js";

let cloud: TestCloud;
let s3: S3Client;
let eb: EventBridgeClient;
let sinks: EventSinks;

cloudForFile(S3Client, async (c, client) => {
  cloud = c;
  s3 = client;
  eb = new EventBridgeClient(c.clientConfig);
  sinks = await createEventSinks(c, { s3, sqs: new SQSClient(c.clientConfig), sns: new SNSClient(c.clientConfig), eb, lambda: new LambdaClient(c.clientConfig) }, "cur");
});

/** An S3 client whose requests carry extra headers (X-Amzn-Trace-Id, the local aws:-tag header). */
function s3WithHeaders(headers: Record<string, string>): S3Client {
  const client = new S3Client(cloud.clientConfig);
  client.middlewareStack.add(
    (next) => async (args: any) => {
      Object.assign(args.request.headers, headers);
      return next(args);
    },
    { step: "build", name: "extraHeaders" },
  );
  return client;
}

describe.each(VIAS)("S3 → %s (and EventBridge)", (via) => {
  it("every record says eventVersion 2.5 (one unified version since 2.4), without awsGeneratedTags when the bucket has no aws: tags", async () => {
    const bucket = `cur-plain-${via}`;
    await s3.send(new CreateBucketCommand({ Bucket: bucket }));
    await sinks.configure(bucket, via, ["s3:ObjectCreated:*", "s3:ObjectRemoved:*"]);
    await s3.send(new PutObjectCommand({ Bucket: bucket, Key: "k", Body: "x" }));
    const [record] = await sinks.records(via, bucket, "ObjectCreated:Put");
    expect(record.eventVersion).toBe("2.5");
    expect(record.s3.bucket).not.toHaveProperty("awsGeneratedTags");
    const [ebEvent] = await sinks.eventBridge(bucket, "Object Created");
    expect(ebEvent.version).toBe("0"); // the envelope's version is not the schema version
    expect(ebEvent.detail["event-version"]).toBe("1.1");
    expect(ebEvent.detail.bucket).toEqual({ name: bucket });
  }, 60_000);

  it("DeleteObjects sends one ObjectRemoved:Delete for every key in the request, existing or not", async () => {
    const bucket = `cur-delete-${via}`;
    await s3.send(new CreateBucketCommand({ Bucket: bucket }));
    await sinks.configure(bucket, via, ["s3:ObjectRemoved:*"]);
    await s3.send(new PutObjectCommand({ Bucket: bucket, Key: "a", Body: "a" }));
    await s3.send(new PutObjectCommand({ Bucket: bucket, Key: "b", Body: "b" }));
    const out = await s3.send(new DeleteObjectsCommand({ Bucket: bucket, Delete: { Objects: [{ Key: "a" }, { Key: "b" }, { Key: "never-written" }] } }));
    expect(out.Deleted?.map((d) => d.Key).sort()).toEqual(["a", "b", "never-written"]);
    const records = await sinks.records(via, bucket, "ObjectRemoved:Delete", 3);
    expect(records.map((r) => r.s3.object.key).sort()).toEqual(["a", "b", "never-written"]);
    for (const r of records) {
      expect(Object.keys(r.s3.object).sort()).toEqual(["key", "sequencer"]);
      expect(r.eventVersion).toBe("2.5");
    }
    const deleted = await sinks.eventBridge(bucket, "Object Deleted", 3);
    expect(deleted.map((e) => e.detail.object.key).sort()).toEqual(["a", "b", "never-written"]);
  }, 60_000);

  it("a bucket with Suspended versioning: PutObject answers no VersionId and the event carries none", async () => {
    const bucket = `cur-suspended-${via}`;
    await s3.send(new CreateBucketCommand({ Bucket: bucket }));
    await s3.send(new PutBucketVersioningCommand({ Bucket: bucket, VersioningConfiguration: { Status: "Enabled" } }));
    await s3.send(new PutBucketVersioningCommand({ Bucket: bucket, VersioningConfiguration: { Status: "Suspended" } }));
    await sinks.configure(bucket, via, ["s3:ObjectCreated:*"]);
    const put = await s3.send(new PutObjectCommand({ Bucket: bucket, Key: "k", Body: "suspended" }));
    expect(put.VersionId).toBeUndefined();
    const [record] = await sinks.records(via, bucket, "ObjectCreated:Put");
    expect(Object.keys(record.s3.object).sort()).toEqual(["eTag", "key", "sequencer", "size"]);
    const [ebEvent] = await sinks.eventBridge(bucket, "Object Created");
    expect(ebEvent.detail.object).not.toHaveProperty("version-id");
  }, 60_000);

  it("a bucket with aws: tags (set as a stack would) sends them as s3.bucket.awsGeneratedTags and bucket.\"aws-generated-tags\"", async () => {
    const bucket = `cur-stack-${via}`;
    await s3.send(new CreateBucketCommand({ Bucket: bucket }));
    const stackTags = { "aws:cloudformation:stack-name": "photo-stack", "aws:cloudformation:logical-id": "PhotoBucket" };
    await s3WithHeaders({ "x-localcloud-aws-generated-tags": "true" }).send(
      new PutBucketTaggingCommand({ Bucket: bucket, Tagging: { TagSet: Object.entries(stackTags).map(([Key, Value]) => ({ Key, Value })) } }),
    );
    // A user's own tag set replaces the user tags only; the stack's stay (and only aws: tags are "generated").
    await s3.send(new PutBucketTaggingCommand({ Bucket: bucket, Tagging: { TagSet: [{ Key: "team", Value: "media" }] } }));
    await sinks.configure(bucket, via, ["s3:ObjectCreated:*"]);
    await s3.send(new PutObjectCommand({ Bucket: bucket, Key: "k", Body: "x" }));
    const [record] = await sinks.records(via, bucket, "ObjectCreated:Put");
    expect(record.s3.bucket.awsGeneratedTags).toEqual(stackTags);
    const [ebEvent] = await sinks.eventBridge(bucket, "Object Created");
    expect(ebEvent.detail.bucket).toEqual({ name: bucket, "aws-generated-tags": stackTags });
  }, 60_000);
});

describe("aws: tags and the trace header", () => {
  it("S3 still refuses aws: tag keys from a user (InvalidTag), through the SDK and the CLI", async () => {
    await s3.send(new CreateBucketCommand({ Bucket: "cur-user-tags" }));
    const err = await failure(s3.send(new PutBucketTaggingCommand({ Bucket: "cur-user-tags", Tagging: { TagSet: [{ Key: "aws:x", Value: "y" }] } })));
    expect(err.name).toBe("InvalidTag");
    if (!hasAwsCli) return;
    const cli = await awsCliAsync(cloud, ["s3api", "put-bucket-tagging", "--bucket", "cur-user-tags", "--tagging", "TagSet=[{Key=aws:x,Value=y}]"]);
    expect(cli.status).not.toBe(0);
    expect(cli.stderr).toContain("InvalidTag");
  }, 90_000);

  it("X-Amzn-Trace-Id sent with PutObject reaches SQS as the message's AWSTraceHeader system attribute", async () => {
    const bucket = "cur-trace-sqs";
    await s3.send(new CreateBucketCommand({ Bucket: bucket }));
    await sinks.configure(bucket, "sqs", ["s3:ObjectCreated:*"]);
    const trace = "Root=1-3152b799-8954dae64eda91bc9a23a7e8;Parent=7fa8c0f79203be72;Sampled=1";
    await s3WithHeaders({ "X-Amzn-Trace-Id": trace }).send(new PutObjectCommand({ Bucket: bucket, Key: "test-data", Body: "x" }));
    await sinks.records("sqs", bucket, "ObjectCreated:Put");
    const message = sinks.sqsMessages().find((m) => m.body.Records?.[0]?.s3.bucket.name === bucket)!;
    expect(message.attributes.AWSTraceHeader).toBe(trace);
  });

  it("the AWS CLI's delete-objects also gives one event per requested key", async () => {
    if (!hasAwsCli) return;
    const bucket = "cur-cli-delete";
    await s3.send(new CreateBucketCommand({ Bucket: bucket }));
    await sinks.configure(bucket, "sqs", ["s3:ObjectRemoved:*"]);
    await s3.send(new PutObjectCommand({ Bucket: bucket, Key: "one", Body: "1" }));
    const cli = await awsCliAsync(cloud, ["s3api", "delete-objects", "--bucket", bucket, "--delete", "Objects=[{Key=one},{Key=two}]"]);
    expect(cli.status, cli.stderr).toBe(0);
    const records = await sinks.records("sqs", bucket, "ObjectRemoved:Delete", 2);
    expect(records.map((r) => r.s3.object.key).sort()).toEqual(["one", "two"]);
  }, 90_000);
});

describe("EventBridge PutRule", () => {
  it("accepts an empty ScheduleExpression next to an EventPattern, as AWS does, and stores no schedule", async () => {
    await eb.send(new PutRuleCommand({ Name: "cur-empty-schedule", EventPattern: JSON.stringify({ source: ["aws.s3"] }), ScheduleExpression: "" }));
    const rule = await eb.send(new DescribeRuleCommand({ Name: "cur-empty-schedule" }));
    expect(rule.ScheduleExpression).toBeUndefined();
    expect(rule.EventPattern).toBe(JSON.stringify({ source: ["aws.s3"] }));
    if (!hasAwsCli) return;
    const cli = await awsCliAsync(cloud, ["events", "put-rule", "--name", "cur-empty-schedule-cli", "--event-pattern", '{"source":["aws.s3"]}', "--schedule-expression", ""]);
    expect(cli.status, cli.stderr).toBe(0);
  }, 90_000);
});
