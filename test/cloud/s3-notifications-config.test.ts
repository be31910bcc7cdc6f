// Put/GetBucketNotificationConfiguration through the real @aws-sdk/client-s3
// (and the AWS CLI): every validation error of aws-behavior.md §3 with its
// code, message and ArgumentName/ArgumentValue details, destination existence
// and resource-policy checks against real SNS topics and Lambda functions,
// the skip-validation header, atomic replacement, the GET shape, persistence
// across a restart and DeleteBucket forgetting the configuration.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  CreateBucketCommand,
  DeleteBucketCommand,
  GetBucketNotificationConfigurationCommand,
  PutBucketNotificationConfigurationCommand,
  S3Client,
  type NotificationConfiguration,
} from "@aws-sdk/client-s3";
import { CreateTopicCommand, SNSClient } from "@aws-sdk/client-sns";
import { AddPermissionCommand, LambdaClient } from "@aws-sdk/client-lambda";
import { IAMClient } from "@aws-sdk/client-iam";
import { awsCliAsync, hasAwsCli, startTestCloud, type TestCloud } from "../helpers/cloud.js";
import { failure, rawRequest } from "../helpers/s3.js";
import { createExecutionRole, createFunction } from "../helpers/lambda.js";

let cloud: TestCloud;
let s3: S3Client;
let sns: SNSClient;
let lambda: LambdaClient;
const ACCOUNT = "000000000000";
const BUCKET = "notif-config";
const MISSING_QUEUE = `arn:aws:sqs:us-east-1:${ACCOUNT}:no-such-queue`;
let openTopic: string; // policy allows s3.amazonaws.com from BUCKET
let closedTopic: string; // no policy
let wrongSourceTopic: string; // policy limited to another bucket
const FN = `arn:aws:lambda:us-east-1:${ACCOUNT}:function:notif-fn`;
const FN_NO_PERMISSION = `arn:aws:lambda:us-east-1:${ACCOUNT}:function:notif-fn-closed`;

const topicPolicy = (topicArn: string, bucket: string) =>
  JSON.stringify({
    Version: "2012-10-17",
    Statement: [
      {
        Effect: "Allow",
        Principal: { Service: "s3.amazonaws.com" },
        Action: "SNS:Publish",
        Resource: topicArn,
        Condition: { ArnLike: { "aws:SourceArn": `arn:aws:s3:*:*:${bucket}` }, StringEquals: { "aws:SourceAccount": ACCOUNT } },
      },
    ],
  });

async function createTopic(name: string, policyBucket?: string): Promise<string> {
  const arn = `arn:aws:sns:us-east-1:${ACCOUNT}:${name}`;
  await sns.send(new CreateTopicCommand({ Name: name, Attributes: policyBucket ? { Policy: topicPolicy(arn, policyBucket) } : undefined }));
  return arn;
}

const put = (config: NotificationConfiguration, extra: { SkipDestinationValidation?: boolean; Bucket?: string } = {}) =>
  s3.send(new PutBucketNotificationConfigurationCommand({ Bucket: BUCKET, NotificationConfiguration: config, ...extra }));
const get = async (bucket = BUCKET) => {
  const { $metadata: _, ...rest } = await s3.send(new GetBucketNotificationConfigurationCommand({ Bucket: bucket }));
  return rest;
};
const created = ["s3:ObjectCreated:*" as const];

beforeAll(async () => {
  cloud = await startTestCloud();
  s3 = new S3Client(cloud.clientConfig);
  sns = new SNSClient(cloud.clientConfig);
  lambda = new LambdaClient(cloud.clientConfig);
  await s3.send(new CreateBucketCommand({ Bucket: BUCKET }));
  openTopic = await createTopic("notif-open", BUCKET);
  closedTopic = await createTopic("notif-closed");
  wrongSourceTopic = await createTopic("notif-other-bucket", "some-other-bucket");
  await createExecutionRole(new IAMClient(cloud.clientConfig));
  await createFunction(lambda, "notif-fn", "export const handler = async () => 1;");
  await createFunction(lambda, "notif-fn-closed", "export const handler = async () => 1;");
  await lambda.send(
    new AddPermissionCommand({ FunctionName: "notif-fn", StatementId: "s3", Action: "lambda:InvokeFunction", Principal: "s3.amazonaws.com", SourceArn: `arn:aws:s3:::${BUCKET}`, SourceAccount: ACCOUNT }),
  );
}, 60_000);
afterAll(async () => {
  await cloud?.close();
});

describe("GET", () => {
  it("returns an empty configuration for a bucket that has none", async () => {
    await s3.send(new CreateBucketCommand({ Bucket: "notif-empty" }));
    expect(await get("notif-empty")).toEqual({});
    const raw = await rawRequest(cloud, { method: "GET", path: "/notif-empty?notification" });
    expect(raw.status).toBe(200);
    expect(raw.body).toMatch(/<NotificationConfiguration xmlns="http:\/\/s3.amazonaws.com\/doc\/2006-03-01\/"(><\/NotificationConfiguration>|\/>)/);
  });
  it("answers NoSuchBucket for a missing bucket", async () => {
    expect(await failure(s3.send(new GetBucketNotificationConfigurationCommand({ Bucket: "notif-missing-bucket" })))).toMatchObject({ name: "NoSuchBucket", status: 404 });
  });
});

describe("validation (§3), each a 400 InvalidArgument unless said otherwise", () => {
  it("1. an ARN that cannot be parsed, even with skip-validation", async () => {
    for (const skip of [false, true]) {
      const e = await failure(put({ QueueConfigurations: [{ QueueArn: "arn:aws:sqs:not-an-arn", Events: created }] }, { SkipDestinationValidation: skip }));
      expect(e).toMatchObject({ name: "InvalidArgument", status: 400, message: "The ARN could not be parsed" });
      expect(e.raw).toMatchObject({ ArgumentName: "Queue", ArgumentValue: "arn:aws:sqs:not-an-arn" });
    }
    const topic = await failure(put({ TopicConfigurations: [{ TopicArn: "topic", Events: created }] }));
    expect(topic.raw).toMatchObject({ ArgumentName: "Topic", ArgumentValue: "topic" });
    const fn = await failure(put({ LambdaFunctionConfigurations: [{ LambdaFunctionArn: "arn:aws:lambda:us-east-1:000000000000:notif-fn", Events: created }] }));
    expect([fn.message, fn.raw.ArgumentName]).toEqual(["The ARN could not be parsed", "CloudFunction"]);
  });
  it("2. filter rules: name, more than one prefix/suffix, missing Value, a 1,025-character value", async () => {
    const withRules = (FilterRules: Array<{ Name?: string; Value?: string }>) =>
      put({ TopicConfigurations: [{ TopicArn: openTopic, Events: created, Filter: { Key: { FilterRules: FilterRules as never } } }] });
    const name = await failure(withRules([{ Name: "contains", Value: "x" }]));
    expect([name.name, name.message, name.raw.ArgumentName, name.raw.ArgumentValue]).toEqual(["InvalidArgument", "filter rule name must be either prefix or suffix", "FilterRule.Name", "contains"]);
    expect((await failure(withRules([{ Name: "prefix", Value: "a" }, { Name: "Prefix", Value: "b" }]))).message).toBe("Cannot specify more than one prefix rule in a filter.");
    expect((await failure(withRules([{ Name: "suffix", Value: "a" }, { Name: "suffix", Value: "b" }]))).message).toBe("Cannot specify more than one suffix rule in a filter.");
    expect(await failure(withRules([{ Name: "prefix" }]))).toMatchObject({ name: "MalformedXML", status: 400 });
    const long = await failure(withRules([{ Name: "prefix", Value: "p".repeat(1025) }]));
    expect([long.name, long.status, long.raw.ArgumentName]).toEqual(["InvalidArgument", 400, "FilterRule.Value"]);
    await withRules([{ Name: "prefix", Value: "p".repeat(1024) }]);
  });
  it("3. an unknown event name", async () => {
    const e = await failure(put({ TopicConfigurations: [{ TopicArn: openTopic, Events: ["s3:ObjectCreated:Upload" as never] }] }));
    expect([e.name, e.message, e.raw.ArgumentValue]).toEqual(["InvalidArgument", "The event is not supported for notifications", "s3:ObjectCreated:Upload"]);
  });
  it("4. the same Id twice", async () => {
    const e = await failure(
      put({
        TopicConfigurations: [{ Id: "dup", TopicArn: openTopic, Events: ["s3:ObjectCreated:*"] }],
        LambdaFunctionConfigurations: [{ Id: "dup", LambdaFunctionArn: FN, Events: ["s3:ObjectRemoved:*"] }],
      }),
    );
    expect([e.name, e.message]).toEqual(["InvalidArgument", "Same ID used for multiple configurations. IDs must be unique."]);
  });
  it("5. overlapping configurations, across destination types", async () => {
    const e = await failure(
      put({
        TopicConfigurations: [{ TopicArn: openTopic, Events: ["s3:ObjectCreated:*"] }],
        LambdaFunctionConfigurations: [{ LambdaFunctionArn: FN, Events: ["s3:ObjectCreated:Put"] }],
      }),
    );
    expect([e.name, e.message, e.raw.ArgumentName, e.raw.ArgumentValue]).toEqual([
      "InvalidArgument",
      "Configurations overlap. Configurations on the same bucket cannot share a common event type.",
      "Event",
      "s3:ObjectCreated:*, s3:ObjectCreated:Put",
    ]);
    const filtered = await failure(
      put({
        TopicConfigurations: [{ TopicArn: openTopic, Events: created, Filter: { Key: { FilterRules: [{ Name: "prefix", Value: "images/" }] } } }],
        LambdaFunctionConfigurations: [{ LambdaFunctionArn: FN, Events: created, Filter: { Key: { FilterRules: [{ Name: "suffix", Value: ".jpg" }] } } }],
      }),
    );
    expect(filtered.message).toBe("Configuration is ambiguously defined. Cannot have overlapping suffixes in two rules if the prefixes are overlapping for the same event type.");
  });
  it("6. destinations: missing queue/topic, a topic whose policy does not allow this bucket, a function without permission — all listed, numbered", async () => {
    const e = await failure(
      put({
        QueueConfigurations: [{ QueueArn: MISSING_QUEUE, Events: ["s3:ObjectCreated:Put"] }],
        TopicConfigurations: [
          { TopicArn: `arn:aws:sns:us-east-1:${ACCOUNT}:no-such-topic`, Events: ["s3:ObjectCreated:Copy"] },
          { TopicArn: closedTopic, Events: ["s3:ObjectRemoved:Delete"] },
          { TopicArn: wrongSourceTopic, Events: ["s3:ObjectRemoved:DeleteMarkerCreated"] },
        ],
        LambdaFunctionConfigurations: [{ LambdaFunctionArn: FN_NO_PERMISSION, Events: ["s3:ObjectTagging:*"] }],
      }),
    );
    expect([e.name, e.status, e.message]).toEqual(["InvalidArgument", 400, "Unable to validate the following destination configurations"]);
    const details = Object.fromEntries(Object.entries(e.raw).filter(([k]) => /^Argument(Name|Value)\d$/.test(k)));
    // Topics come first in the document the SDK writes (the model's member order).
    expect(details).toEqual({
      ArgumentName1: `arn:aws:sns:us-east-1:${ACCOUNT}:no-such-topic`,
      ArgumentValue1: "The destination topic does not exist",
      ArgumentName2: closedTopic,
      ArgumentValue2: "Permissions on the destination topic do not allow S3 to publish notifications from this bucket",
      ArgumentName3: wrongSourceTopic,
      ArgumentValue3: "Permissions on the destination topic do not allow S3 to publish notifications from this bucket",
      ArgumentName4: MISSING_QUEUE,
      ArgumentValue4: "The destination queue does not exist",
      ArgumentName5: `${FN_NO_PERMISSION}, null`,
      ArgumentValue5: `Not authorized to invoke function [${FN_NO_PERMISSION}]`,
    });
    const missingFn = `arn:aws:lambda:us-east-1:${ACCOUNT}:function:never-created`;
    const fn = await failure(put({ LambdaFunctionConfigurations: [{ LambdaFunctionArn: missingFn, Events: created }] }));
    expect(fn.raw).toMatchObject({ ArgumentName1: `${missingFn}, null`, ArgumentValue1: `Not authorized to invoke function [${missingFn}]` });
  });
  it("refuses a destination in another region", async () => {
    const e = await failure(put({ TopicConfigurations: [{ TopicArn: `arn:aws:sns:eu-west-1:${ACCOUNT}:t`, Events: created }] }));
    expect([e.name, e.message]).toEqual(["InvalidArgument", "The notification destination service region is not valid for the bucket location constraint"]);
  });
  it("answers MalformedXML for a body that is not a notification configuration, never a 5xx", async () => {
    for (const body of ["<NotificationConfiguration><QueueConfiguration>", "not xml at all", "<Other/>", ""]) {
      const res = await rawRequest(cloud, { method: "PUT", path: `/${BUCKET}?notification`, body });
      expect(res.status, body).toBe(400);
      expect(res.body, body).toContain("<Code>MalformedXML</Code>");
    }
  });
});

describe("saving", () => {
  it("saves a valid configuration, and GET returns it in AWS's shape with generated Ids and capitalised rule names", async () => {
    await put({
      TopicConfigurations: [{ TopicArn: openTopic, Events: ["s3:ObjectCreated:*"], Filter: { Key: { FilterRules: [{ Name: "prefix", Value: "images/" }, { Name: "SUFFIX" as never, Value: ".jpg" }] } } }],
      LambdaFunctionConfigurations: [{ Id: "on-delete", LambdaFunctionArn: FN, Events: ["s3:ObjectRemoved:*"] }],
      EventBridgeConfiguration: {},
    });
    const saved = await get();
    expect(saved).toEqual({
      TopicConfigurations: [
        {
          Id: expect.stringMatching(/^[A-Za-z0-9+/=]{16,}$/),
          TopicArn: openTopic,
          Events: ["s3:ObjectCreated:*"],
          Filter: { Key: { FilterRules: [{ Name: "Prefix", Value: "images/" }, { Name: "Suffix", Value: ".jpg" }] } },
        },
      ],
      LambdaFunctionConfigurations: [{ Id: "on-delete", LambdaFunctionArn: FN, Events: ["s3:ObjectRemoved:*"] }],
      EventBridgeConfiguration: {},
    });
    // The generated Id is kept: a second GET returns the same one.
    expect((await get()).TopicConfigurations![0]!.Id).toBe(saved.TopicConfigurations![0]!.Id);
  });
  it("a failed PUT changes nothing (atomic replace)", async () => {
    const before = await get();
    await failure(put({ TopicConfigurations: [{ TopicArn: closedTopic, Events: created }] }));
    await failure(put({ TopicConfigurations: [{ TopicArn: openTopic, Events: ["s3:Nope" as never] }] }));
    expect(await get()).toEqual(before);
  });
  it("x-amz-skip-destination-validation saves a configuration whose destinations do not exist", async () => {
    await s3.send(new CreateBucketCommand({ Bucket: "notif-skip" }));
    await put({ QueueConfigurations: [{ Id: "q", QueueArn: MISSING_QUEUE, Events: created }] }, { Bucket: "notif-skip", SkipDestinationValidation: true });
    expect((await get("notif-skip")).QueueConfigurations).toEqual([{ Id: "q", QueueArn: MISSING_QUEUE, Events: ["s3:ObjectCreated:*"] }]);
  });
  it("an empty configuration turns notifications off", async () => {
    await s3.send(new CreateBucketCommand({ Bucket: "notif-off" }));
    await put({ TopicConfigurations: [{ TopicArn: openTopic, Events: created }] }, { Bucket: "notif-off", SkipDestinationValidation: true });
    await put({}, { Bucket: "notif-off" });
    expect(await get("notif-off")).toEqual({});
  });
  it("DeleteBucket forgets the configuration", async () => {
    await s3.send(new CreateBucketCommand({ Bucket: "notif-gone" }));
    await put({ TopicConfigurations: [{ TopicArn: openTopic, Events: created }] }, { Bucket: "notif-gone", SkipDestinationValidation: true });
    await s3.send(new DeleteBucketCommand({ Bucket: "notif-gone" }));
    await s3.send(new CreateBucketCommand({ Bucket: "notif-gone" }));
    expect(await get("notif-gone")).toEqual({});
  });
  it("survives a restart", async () => {
    const before = await get();
    expect(before.TopicConfigurations).toHaveLength(1);
    cloud = await cloud.restart();
    s3 = new S3Client(cloud.clientConfig);
    expect(await get()).toEqual(before);
  });
});

describe.skipIf(!hasAwsCli)("AWS CLI", () => {
  it("put/get-bucket-notification-configuration, and the validation error as the CLI prints it", async () => {
    await s3.send(new CreateBucketCommand({ Bucket: "notif-cli" }));
    const config = { TopicConfigurations: [{ Id: "cli", TopicArn: openTopic, Events: ["s3:ObjectCreated:*"], Filter: { Key: { FilterRules: [{ Name: "suffix", Value: ".png" }] } } }] };
    const bad = await awsCliAsync(cloud, ["s3api", "put-bucket-notification-configuration", "--bucket", "notif-cli", "--notification-configuration", JSON.stringify({ TopicConfigurations: [{ TopicArn: closedTopic, Events: ["s3:ObjectCreated:*"] }] })]);
    expect(bad.status).not.toBe(0);
    expect(bad.stderr).toContain("(InvalidArgument) when calling the PutBucketNotificationConfiguration operation: Unable to validate the following destination configurations");
    // The open topic's policy names only BUCKET, so this bucket saves with --skip-destination-validation.
    const ok = await awsCliAsync(cloud, ["s3api", "put-bucket-notification-configuration", "--bucket", "notif-cli", "--skip-destination-validation", "--notification-configuration", JSON.stringify(config)]);
    expect(ok.stderr).toBe("");
    expect(ok.status).toBe(0);
    const got = await awsCliAsync(cloud, ["s3api", "get-bucket-notification-configuration", "--bucket", "notif-cli"]);
    expect(JSON.parse(got.stdout)).toEqual({ TopicConfigurations: [{ Id: "cli", TopicArn: openTopic, Events: ["s3:ObjectCreated:*"], Filter: { Key: { FilterRules: [{ Name: "Suffix", Value: ".png" }] } } }] });
  }, 60_000);
});

describe("reset", () => {
  it("POST /_localcloud/reset clears saved configurations", async () => {
    expect((await get()).TopicConfigurations).toHaveLength(1);
    const res = await fetch(`${cloud.endpoint}/_localcloud/reset`, { method: "POST", headers: { "x-localcloud-token": cloud.adminToken } });
    expect(res.status).toBe(200);
    await s3.send(new CreateBucketCommand({ Bucket: BUCKET }));
    expect(await get()).toEqual({});
  });
});
