// SQS → Lambda event source mappings through the real SDK clients: the
// mapping API (states, validation, duplicates, list filters and paging,
// update, delete), and real functions fed by the poller — the §5 record
// shape, delete on success, function errors returning messages until the
// queue's redrive policy moves them to the DLQ, ReportBatchItemFailures,
// disabled mappings, batching windows, persistence across a restart, and
// S3 → SQS → Lambda end to end with a partial batch failure and a DLQ.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  CreateEventSourceMappingCommand,
  DeleteEventSourceMappingCommand,
  DeleteFunctionCommand,
  GetEventSourceMappingCommand,
  LambdaClient,
  ListEventSourceMappingsCommand,
  UpdateEventSourceMappingCommand,
} from "@aws-sdk/client-lambda";
import { CreateQueueCommand, GetQueueAttributesCommand, ReceiveMessageCommand, SendMessageBatchCommand, SendMessageCommand, SQSClient } from "@aws-sdk/client-sqs";
import { CloudWatchLogsClient, FilterLogEventsCommand } from "@aws-sdk/client-cloudwatch-logs";
import { CreateBucketCommand, PutBucketNotificationConfigurationCommand, PutObjectCommand, S3Client } from "@aws-sdk/client-s3";
import { AttachRolePolicyCommand, IAMClient, PutRolePolicyCommand } from "@aws-sdk/client-iam";
import { awsCliAsync, eventually, hasAwsCli, startTestCloud, type TestCloud, errorOf } from "../helpers/cloud.js";
import { createExecutionRole, createFunction, ROLE_NAME } from "../helpers/lambda.js";
import { signedFetch } from "../helpers/signed-fetch.js";

const ACCOUNT = "000000000000";
const queueArn = (name: string) => `arn:aws:sqs:us-east-1:${ACCOUNT}:${name}`;
const fnArn = (name: string) => `arn:aws:lambda:us-east-1:${ACCOUNT}:function:${name}`;

/** Logs every batch, reports messages whose body contains "fail", throws on "throw". */
const WORKER = `export const handler = async (event) => {
  console.log("BATCH " + JSON.stringify(event));
  if (event.Records.some((r) => r.body.includes("throw"))) throw new Error("boom");
  return { batchItemFailures: event.Records.filter((r) => r.body.includes("fail")).map((r) => ({ itemIdentifier: r.messageId })) };
};`;

let cloud: TestCloud;
let lambda: LambdaClient;
let sqs: SQSClient;
let logs: CloudWatchLogsClient;

async function setUp(): Promise<void> {
  lambda = new LambdaClient({ ...cloud.clientConfig, maxAttempts: 1 });
  sqs = new SQSClient(cloud.clientConfig);
  logs = new CloudWatchLogsClient(cloud.clientConfig);
}

beforeAll(async () => {
  cloud = await startTestCloud({ timeScale: 1 / 600 });
  await setUp();
  const iam = new IAMClient(cloud.clientConfig);
  await createExecutionRole(iam);
  // What AWS requires of a mapping's execution role (checked when IAM is enforced, the default).
  await iam.send(new AttachRolePolicyCommand({ RoleName: ROLE_NAME, PolicyArn: "arn:aws:iam::aws:policy/service-role/AWSLambdaSQSQueueExecutionRole" }));
  // The loop test's function sends to its own queue.
  await iam.send(
    new PutRolePolicyCommand({
      RoleName: ROLE_NAME,
      PolicyName: "send",
      PolicyDocument: JSON.stringify({ Version: "2012-10-17", Statement: [{ Effect: "Allow", Action: "sqs:SendMessage", Resource: "*" }] }),
    }),
  );
  await createExecutionRole(iam, "no-sqs-role");
  // Timeout 1 s so queues with a 1-second visibility timeout are allowed (visibility ≥ function timeout).
  for (const name of ["worker", "reporter", "plain", "api-fn", "other-fn"]) await createFunction(lambda, name, WORKER, { Timeout: 1 });
  await createFunction(lambda, "no-sqs-fn", WORKER, { Role: `arn:aws:iam::${ACCOUNT}:role/no-sqs-role` });
  iam.destroy();
});
afterAll(async () => {
  await cloud?.close();
});


async function queue(name: string, attributes: Record<string, string> = {}): Promise<string> {
  return (await sqs.send(new CreateQueueCommand({ QueueName: name, Attributes: attributes }))).QueueUrl!;
}

async function depth(QueueUrl: string): Promise<number> {
  const { Attributes } = await sqs.send(new GetQueueAttributesCommand({ QueueUrl, AttributeNames: ["ApproximateNumberOfMessages", "ApproximateNumberOfMessagesNotVisible"] }));
  return Number(Attributes!.ApproximateNumberOfMessages) + Number(Attributes!.ApproximateNumberOfMessagesNotVisible);
}

async function batches(fn: string, match: string): Promise<any[]> {
  const res = await logs.send(new FilterLogEventsCommand({ logGroupName: `/aws/lambda/${fn}`, filterPattern: `BATCH "${match}"` })).catch(() => ({ events: [] }));
  return (res.events ?? []).map((e) => JSON.parse(e.message!.slice(e.message!.indexOf("BATCH ") + 6)));
}

async function enabled(UUID: string): Promise<void> {
  await eventually(async () => ((await lambda.send(new GetEventSourceMappingCommand({ UUID }))).State === "Enabled" ? true : undefined));
}

describe("the mapping API", () => {
  it("creates (202, Creating), becomes Enabled, lists, updates and deletes", async () => {
    await queue("api-q");
    const created = await lambda.send(new CreateEventSourceMappingCommand({ EventSourceArn: queueArn("api-q"), FunctionName: "api-fn", Enabled: false }));
    expect(created.$metadata.httpStatusCode).toBe(202);
    expect(created).toMatchObject({
      State: "Creating",
      BatchSize: 10,
      MaximumBatchingWindowInSeconds: 0,
      EventSourceArn: queueArn("api-q"),
      FunctionArn: fnArn("api-fn"),
      FunctionResponseTypes: [],
      StateTransitionReason: "USER_INITIATED",
      EventSourceMappingArn: `arn:aws:lambda:us-east-1:${ACCOUNT}:event-source-mapping:${created.UUID}`,
    });
    expect(created.UUID).toMatch(/^[0-9a-f-]{36}$/);
    expect(created.LastModified).toBeInstanceOf(Date);
    const UUID = created.UUID!;
    await eventually(async () => ((await lambda.send(new GetEventSourceMappingCommand({ UUID }))).State === "Disabled" ? true : undefined));

    const byFunction = await lambda.send(new ListEventSourceMappingsCommand({ FunctionName: "api-fn" }));
    expect(byFunction.EventSourceMappings?.map((m) => m.UUID)).toEqual([UUID]);
    const bySource = await lambda.send(new ListEventSourceMappingsCommand({ EventSourceArn: queueArn("api-q") }));
    expect(bySource.EventSourceMappings?.map((m) => m.UUID)).toEqual([UUID]);

    const updated = await lambda.send(new UpdateEventSourceMappingCommand({ UUID, Enabled: true, BatchSize: 50, MaximumBatchingWindowInSeconds: 2, FunctionResponseTypes: ["ReportBatchItemFailures"] }));
    expect(updated.$metadata.httpStatusCode).toBe(202);
    expect(updated).toMatchObject({ State: "Enabling", BatchSize: 50, MaximumBatchingWindowInSeconds: 2, FunctionResponseTypes: ["ReportBatchItemFailures"] });
    await enabled(UUID);

    const deleted = await lambda.send(new DeleteEventSourceMappingCommand({ UUID }));
    expect(deleted.$metadata.httpStatusCode).toBe(202);
    expect(deleted.State).toBe("Deleting");
    await eventually(async () => ((await errorOf(lambda.send(new GetEventSourceMappingCommand({ UUID })))).name === "ResourceNotFoundException" ? true : undefined));
  });

  it("validates the source, the function, batching and response types", async () => {
    await queue("val-q");
    const missingQueue = await errorOf(lambda.send(new CreateEventSourceMappingCommand({ EventSourceArn: queueArn("ghost-q"), FunctionName: "api-fn" })));
    expect(missingQueue.name).toBe("InvalidParameterValueException");
    expect(missingQueue.message).toContain("AWS.SimpleQueueService.NonExistentQueue");
    const missingFn = await errorOf(lambda.send(new CreateEventSourceMappingCommand({ EventSourceArn: queueArn("val-q"), FunctionName: "ghost-fn" })));
    expect(missingFn.name).toBe("ResourceNotFoundException");
    expect(missingFn.$metadata.httpStatusCode).toBe(404);
    expect(missingFn.message).toBe(`Function not found: ${fnArn("ghost-fn")}`);
    const window = await errorOf(lambda.send(new CreateEventSourceMappingCommand({ EventSourceArn: queueArn("val-q"), FunctionName: "api-fn", BatchSize: 11 })));
    expect(window.name).toBe("InvalidParameterValueException");
    expect(window.message).toBe("Maximum batch window in seconds must be greater than 0 if maximum batch size is greater than 10");
    const big = await errorOf(lambda.send(new CreateEventSourceMappingCommand({ EventSourceArn: queueArn("val-q"), FunctionName: "api-fn", BatchSize: 10001, MaximumBatchingWindowInSeconds: 1 })));
    expect(big.name).toBe("ValidationException");
    const types = await errorOf(lambda.send(new CreateEventSourceMappingCommand({ EventSourceArn: queueArn("val-q"), FunctionName: "api-fn", FunctionResponseTypes: ["Everything" as any] })));
    expect(types.name).toBe("ValidationException");
    const stream = await errorOf(lambda.send(new CreateEventSourceMappingCommand({ EventSourceArn: "arn:aws:kinesis:us-east-1:000000000000:stream/s", FunctionName: "api-fn", StartingPosition: "LATEST" })));
    expect(stream.name).toBe("InvalidParameterValueException");
    const position = await errorOf(lambda.send(new CreateEventSourceMappingCommand({ EventSourceArn: queueArn("val-q"), FunctionName: "api-fn", StartingPosition: "LATEST" })));
    expect(position.name).toBe("InvalidParameterValueException");
    const filter = await errorOf(lambda.send(new CreateEventSourceMappingCommand({ EventSourceArn: queueArn("val-q"), FunctionName: "api-fn", FilterCriteria: { Filters: [{ Pattern: "{not json" }] } })));
    expect(filter.name).toBe("InvalidParameterValueException");
    const unknown = await errorOf(lambda.send(new GetEventSourceMappingCommand({ UUID: "00000000-0000-0000-0000-000000000000" })));
    expect(unknown.name).toBe("ResourceNotFoundException");
    expect(unknown.$metadata.httpStatusCode).toBe(404);
    expect((await lambda.send(new ListEventSourceMappingsCommand({ EventSourceArn: queueArn("val-q") }))).EventSourceMappings).toEqual([]);
    // A UUID with broken percent-encoding is the caller's mistake: 400, not 500.
    const raw = await signedFetch(`${cloud.endpoint}/2015-03-31/event-source-mappings/%E0%A4%A`, {
      headers: { authorization: "AWS4-HMAC-SHA256 Credential=test/20261122/us-east-1/lambda/aws4_request, SignedHeaders=host, Signature=abc" },
    });
    expect(raw.status).toBe(400);
    expect(raw.headers.get("x-amzn-errortype")).toBe("ValidationException");
  });

  it("checks the execution role's SQS permissions and the queue's visibility timeout against the function timeout", async () => {
    await queue("role-q");
    const role = await errorOf(lambda.send(new CreateEventSourceMappingCommand({ EventSourceArn: queueArn("role-q"), FunctionName: "no-sqs-fn" })));
    expect(role.name).toBe("InvalidParameterValueException");
    expect(role.message).toBe("The provided execution role does not have permissions to call ReceiveMessage on SQS");
    await queue("short-q", { VisibilityTimeout: "0" });
    const short = await errorOf(lambda.send(new CreateEventSourceMappingCommand({ EventSourceArn: queueArn("short-q"), FunctionName: "worker" })));
    expect(short.name).toBe("InvalidParameterValueException");
    expect(short.message).toBe("Queue visibility timeout: 0 seconds is less than Function timeout: 1 seconds");
  });

  it("refuses a second mapping of the same queue and function with ResourceConflictException", async () => {
    await queue("dup-q");
    const first = await lambda.send(new CreateEventSourceMappingCommand({ EventSourceArn: queueArn("dup-q"), FunctionName: fnArn("api-fn"), Enabled: false }));
    const err = await errorOf(lambda.send(new CreateEventSourceMappingCommand({ EventSourceArn: queueArn("dup-q"), FunctionName: "api-fn" })));
    expect(err.name).toBe("ResourceConflictException");
    expect(err.$metadata.httpStatusCode).toBe(409);
    expect(err.message).toBe(`An event source mapping with SQS arn (" ${queueArn("dup-q")} ") and function (" api-fn ") already exists. Please update or delete the existing mapping with UUID ${first.UUID}`);
    // Another function on the same queue is fine.
    await lambda.send(new CreateEventSourceMappingCommand({ EventSourceArn: queueArn("dup-q"), FunctionName: "other-fn", Enabled: false }));
  });

  it("pages ListEventSourceMappings with MaxItems and Marker", async () => {
    for (const n of [1, 2, 3]) {
      await queue(`page-q${n}`);
      await lambda.send(new CreateEventSourceMappingCommand({ EventSourceArn: queueArn(`page-q${n}`), FunctionName: "other-fn", Enabled: false }));
    }
    const seen: string[] = [];
    let Marker: string | undefined;
    do {
      const page = await lambda.send(new ListEventSourceMappingsCommand({ FunctionName: "other-fn", MaxItems: 2, Marker }));
      expect(page.EventSourceMappings!.length).toBeLessThanOrEqual(2);
      seen.push(...page.EventSourceMappings!.map((m) => m.EventSourceArn!));
      Marker = page.NextMarker;
    } while (Marker);
    expect(seen.filter((a) => a.includes("page-q")).sort()).toEqual([1, 2, 3].map((n) => queueArn(`page-q${n}`)));
  });
});

describe.skipIf(!hasAwsCli)("the mapping API from the AWS CLI", () => {
  it("creates, lists and deletes a mapping with aws lambda", async () => {
    await queue("cli-esm-q");
    const created = await awsCliAsync(cloud, ["lambda", "create-event-source-mapping", "--event-source-arn", queueArn("cli-esm-q"), "--function-name", "other-fn", "--batch-size", "5", "--no-enabled", "--output", "json"]);
    expect(created.status, created.stderr).toBe(0);
    const mapping = JSON.parse(created.stdout);
    expect(mapping).toMatchObject({ State: "Creating", BatchSize: 5, EventSourceArn: queueArn("cli-esm-q"), FunctionArn: fnArn("other-fn") });
    const listed = await awsCliAsync(cloud, ["lambda", "list-event-source-mappings", "--event-source-arn", queueArn("cli-esm-q"), "--output", "json"]);
    expect(JSON.parse(listed.stdout).EventSourceMappings.map((m: { UUID: string }) => m.UUID)).toEqual([mapping.UUID]);
    const dup = await awsCliAsync(cloud, ["lambda", "create-event-source-mapping", "--event-source-arn", queueArn("cli-esm-q"), "--function-name", "other-fn"]);
    expect(dup.stderr).toContain("An error occurred (ResourceConflictException) when calling the CreateEventSourceMapping operation");
    const deleted = await awsCliAsync(cloud, ["lambda", "delete-event-source-mapping", "--uuid", mapping.UUID, "--output", "json"]);
    expect(deleted.status, deleted.stderr).toBe(0);
    expect(JSON.parse(deleted.stdout).State).toBe("Deleting");
  });
});

describe("polling and invoking", () => {
  it("invokes with AWS's record shape and deletes the batch on success", async () => {
    const QueueUrl = await queue("shape-q");
    const { UUID } = await lambda.send(new CreateEventSourceMappingCommand({ EventSourceArn: queueArn("shape-q"), FunctionName: "worker", BatchSize: 5 }));
    const sent = await sqs.send(
      new SendMessageCommand({ QueueUrl, MessageBody: '{"hello":"shape"}', MessageAttributes: { color: { DataType: "String", StringValue: "red" }, raw: { DataType: "Binary", BinaryValue: Buffer.from("hi") } } }),
    );
    const [event] = await eventually(async () => {
      const found = await batches("worker", "shape");
      return found.length ? found : undefined;
    });
    expect(event.Records).toHaveLength(1);
    const record = event.Records[0];
    expect(Object.keys(record)).toEqual(["messageId", "receiptHandle", "body", "attributes", "messageAttributes", "md5OfBody", "eventSource", "eventSourceARN", "awsRegion"]);
    expect(record).toMatchObject({
      messageId: sent.MessageId,
      body: '{"hello":"shape"}',
      md5OfBody: sent.MD5OfMessageBody,
      eventSource: "aws:sqs",
      eventSourceARN: queueArn("shape-q"),
      awsRegion: "us-east-1",
    });
    expect(Object.keys(record.attributes)).toEqual(["ApproximateReceiveCount", "SentTimestamp", "SenderId", "ApproximateFirstReceiveTimestamp"]);
    expect(record.attributes.ApproximateReceiveCount).toBe("1");
    expect(record.messageAttributes).toEqual({
      color: { stringValue: "red", stringListValues: [], binaryListValues: [], dataType: "String" },
      raw: { binaryValue: Buffer.from("hi").toString("base64"), stringListValues: [], binaryListValues: [], dataType: "Binary" },
    });
    await eventually(async () => ((await depth(QueueUrl)) === 0 ? true : undefined));
    expect((await lambda.send(new GetEventSourceMappingCommand({ UUID }))).LastProcessingResult).toBe("OK");
  });

  it("leaves a failed batch for the visibility timeout, then the redrive policy moves it to the DLQ", async () => {
    const dlqUrl = await queue("err-dlq");
    const QueueUrl = await queue("err-q", { VisibilityTimeout: "1", RedrivePolicy: JSON.stringify({ deadLetterTargetArn: queueArn("err-dlq"), maxReceiveCount: 2 }) });
    await lambda.send(new CreateEventSourceMappingCommand({ EventSourceArn: queueArn("err-q"), FunctionName: "plain" }));
    await sqs.send(new SendMessageCommand({ QueueUrl, MessageBody: "please throw now" }));
    const dead = await eventually(async () => {
      const { Messages } = await sqs.send(new ReceiveMessageCommand({ QueueUrl: dlqUrl, WaitTimeSeconds: 1 }));
      return Messages?.length ? Messages : undefined;
    }, 15_000);
    expect(dead[0]!.Body).toBe("please throw now");
    // Invoked exactly maxReceiveCount times: ApproximateReceiveCount 1 then 2.
    const attempts = await batches("plain", "please throw now");
    expect(attempts.map((e) => e.Records[0].attributes.ApproximateReceiveCount).sort()).toEqual(["1", "2"]);
    expect(await depth(QueueUrl)).toBe(0);
  });

  it("with ReportBatchItemFailures deletes all but the reported messages", async () => {
    const dlqUrl = await queue("partial-dlq");
    const QueueUrl = await queue("partial-q", { VisibilityTimeout: "1", RedrivePolicy: JSON.stringify({ deadLetterTargetArn: queueArn("partial-dlq"), maxReceiveCount: 1 }) });
    // A batching window so all three arrive in one batch.
    const { UUID } = await lambda.send(
      new CreateEventSourceMappingCommand({ EventSourceArn: queueArn("partial-q"), FunctionName: "reporter", FunctionResponseTypes: ["ReportBatchItemFailures"], BatchSize: 3, MaximumBatchingWindowInSeconds: 1, Enabled: false }),
    );
    await sqs.send(new SendMessageBatchCommand({ QueueUrl, Entries: [{ Id: "a", MessageBody: "partial ok 1" }, { Id: "b", MessageBody: "partial fail 2" }, { Id: "c", MessageBody: "partial ok 3" }] }));
    await eventually(async () => ((await lambda.send(new GetEventSourceMappingCommand({ UUID }))).State === "Disabled" ? true : undefined));
    await lambda.send(new UpdateEventSourceMappingCommand({ UUID, Enabled: true }));
    const dead = await eventually(async () => {
      const { Messages } = await sqs.send(new ReceiveMessageCommand({ QueueUrl: dlqUrl, WaitTimeSeconds: 1 }));
      return Messages?.length ? Messages : undefined;
    }, 15_000);
    expect(dead.map((m) => m.Body)).toEqual(["partial fail 2"]);
    const seen = await batches("reporter", "partial");
    expect(seen[0].Records.map((r: { body: string }) => r.body).sort()).toEqual(["partial fail 2", "partial ok 1", "partial ok 3"]);
    // The successful two were invoked once and deleted; only the failed one was retried (then moved).
    const bodies = seen.flatMap((e) => e.Records.map((r: { body: string }) => r.body));
    expect(bodies.filter((b) => b.includes("ok"))).toHaveLength(2);
    expect(await depth(QueueUrl)).toBe(0);
  });

  it("does not consume while disabled, and filters drop messages no pattern matches", async () => {
    const QueueUrl = await queue("filter-q");
    const { UUID } = await lambda.send(
      new CreateEventSourceMappingCommand({ EventSourceArn: queueArn("filter-q"), FunctionName: "other-fn", Enabled: false, FilterCriteria: { Filters: [{ Pattern: JSON.stringify({ body: { kind: ["keep"] } }) }] } }),
    );
    await sqs.send(new SendMessageCommand({ QueueUrl, MessageBody: JSON.stringify({ kind: "keep", tag: "filtered-in" }) }));
    await sqs.send(new SendMessageCommand({ QueueUrl, MessageBody: JSON.stringify({ kind: "drop", tag: "filtered-out" }) }));
    await eventually(async () => ((await lambda.send(new GetEventSourceMappingCommand({ UUID }))).State === "Disabled" ? true : undefined));
    expect(await depth(QueueUrl)).toBe(2);
    await lambda.send(new UpdateEventSourceMappingCommand({ UUID, Enabled: true }));
    await eventually(async () => ((await depth(QueueUrl)) === 0 ? true : undefined));
    expect(await batches("other-fn", "filtered-in")).toHaveLength(1);
    expect(await batches("other-fn", "filtered-out")).toHaveLength(0);
  });
});

describe("batching and function lifecycle", () => {
  it("gathers up to BatchSize messages across polls within the batching window", async () => {
    const QueueUrl = await queue("window-q");
    const { UUID } = await lambda.send(
      new CreateEventSourceMappingCommand({ EventSourceArn: queueArn("window-q"), FunctionName: "worker", BatchSize: 25, MaximumBatchingWindowInSeconds: 1, Enabled: false }),
    );
    for (let b = 0; b < 3; b++) {
      const ids = Array.from({ length: b < 2 ? 10 : 5 }, (_, i) => b * 10 + i);
      await sqs.send(new SendMessageBatchCommand({ QueueUrl, Entries: ids.map((i) => ({ Id: `m${i}`, MessageBody: `windowed ${i}` })) }));
    }
    await eventually(async () => ((await lambda.send(new GetEventSourceMappingCommand({ UUID }))).State === "Disabled" ? true : undefined));
    await lambda.send(new UpdateEventSourceMappingCommand({ UUID, Enabled: true }));
    await eventually(async () => ((await depth(QueueUrl)) === 0 ? true : undefined));
    const seen = await batches("worker", "windowed");
    expect(seen).toHaveLength(1);
    expect(seen[0].Records).toHaveLength(25);
  });

  it("keeps a mapping whose function is deleted; it stops consuming and says why", async () => {
    const QueueUrl = await queue("orphan-q", { VisibilityTimeout: "1" });
    await createFunction(lambda, "short-lived", WORKER, { Timeout: 1 });
    const { UUID } = await lambda.send(new CreateEventSourceMappingCommand({ EventSourceArn: queueArn("orphan-q"), FunctionName: "short-lived" }));
    await enabled(UUID!);
    await lambda.send(new DeleteFunctionCommand({ FunctionName: "short-lived" }));
    await sqs.send(new SendMessageCommand({ QueueUrl, MessageBody: "nobody home" }));
    const mapping = await eventually(async () => {
      const m = await lambda.send(new GetEventSourceMappingCommand({ UUID }));
      return m.LastProcessingResult === "PROBLEM: Function not found." ? m : undefined;
    });
    expect(mapping.State).toBe("Enabled");
    expect(await depth(QueueUrl)).toBe(1);
    await lambda.send(new DeleteEventSourceMappingCommand({ UUID }));
  });
});

describe("recursive loops through SQS", () => {
  it("stops a function that feeds its own queue after 16 invocations; the message ends in the DLQ", async () => {
    const dlqUrl = await queue("loop-dlq");
    await queue("loop-q", { VisibilityTimeout: "1", RedrivePolicy: JSON.stringify({ deadLetterTargetArn: queueArn("loop-dlq"), maxReceiveCount: 1 }) });
    await createFunction(
      lambda,
      "looper",
      `import { SQSClient, SendMessageCommand } from "@aws-sdk/client-sqs";
      const sqs = new SQSClient({});
      export const handler = async (event) => {
        for (const r of event.Records) {
          const round = JSON.parse(r.body).round;
          console.log("BATCH " + JSON.stringify({ loop: "LQ", round }));
          await sqs.send(new SendMessageCommand({ QueueUrl: process.env.AWS_ENDPOINT_URL + "/${ACCOUNT}/loop-q", MessageBody: JSON.stringify({ round: round + 1 }) }));
        }
      };`,
      { Timeout: 1 },
    );
    await lambda.send(new CreateEventSourceMappingCommand({ EventSourceArn: queueArn("loop-q"), FunctionName: "looper" }));
    await sqs.send(new SendMessageCommand({ QueueUrl: `${cloud.endpoint}/${ACCOUNT}/loop-q`, MessageBody: JSON.stringify({ round: 0 }) }));
    const dead = await eventually(async () => {
      const { Messages } = await sqs.send(new ReceiveMessageCommand({ QueueUrl: dlqUrl, WaitTimeSeconds: 1, MessageSystemAttributeNames: ["AWSTraceHeader"] }));
      return Messages?.length ? Messages : undefined;
    }, 20_000);
    expect(JSON.parse(dead[0]!.Body!)).toEqual({ round: 16 });
    expect(dead[0]!.Attributes?.AWSTraceHeader).toContain("Lineage=");
    const rounds = (await batches("looper", "LQ")).map((e) => e.round).sort((a, b) => a - b);
    expect(rounds).toEqual(Array.from({ length: 16 }, (_, i) => i));
    expect(cloud.logs.some((l) => l.includes("Lambda stopped a recursive invocation of looper"))).toBe(true);
  });
});

describe("S3 → SQS → Lambda", () => {
  it("delivers S3 events through the queue to the function, with a partial batch failure ending in the DLQ", async () => {
    const s3 = new S3Client(cloud.clientConfig);
    await queue("uploads-dlq");
    const policy = JSON.stringify({
      Version: "2012-10-17",
      Statement: [{ Effect: "Allow", Principal: { Service: "s3.amazonaws.com" }, Action: "sqs:SendMessage", Resource: queueArn("uploads-q"), Condition: { ArnLike: { "aws:SourceArn": "arn:aws:s3:::esm-uploads" } } }],
    });
    const QueueUrl = await queue("uploads-q", { Policy: policy, VisibilityTimeout: "1", RedrivePolicy: JSON.stringify({ deadLetterTargetArn: queueArn("uploads-dlq"), maxReceiveCount: 2 }) });
    await s3.send(new CreateBucketCommand({ Bucket: "esm-uploads" }));
    await s3.send(new PutBucketNotificationConfigurationCommand({ Bucket: "esm-uploads", NotificationConfiguration: { QueueConfigurations: [{ QueueArn: queueArn("uploads-q"), Events: ["s3:ObjectCreated:*"] }] } }));
    // Drain the s3:TestEvent before the function starts reading.
    await eventually(async () => {
      const { Messages } = await sqs.send(new ReceiveMessageCommand({ QueueUrl, WaitTimeSeconds: 1 }));
      return Messages?.some((m) => m.Body!.includes("s3:TestEvent")) ? true : undefined;
    });
    await createFunction(
      lambda,
      "s3-worker",
      `export const handler = async (event) => {
        const failures = [];
        for (const r of event.Records) {
          const key = JSON.parse(r.body).Records?.[0]?.s3.object.key ?? "";
          console.log("BATCH " + JSON.stringify({ key, messageId: r.messageId, count: r.attributes.ApproximateReceiveCount }));
          if (key.startsWith("bad")) failures.push({ itemIdentifier: r.messageId });
        }
        return { batchItemFailures: failures };
      };`,
      { Timeout: 1 },
    );
    await lambda.send(new CreateEventSourceMappingCommand({ EventSourceArn: queueArn("uploads-q"), FunctionName: "s3-worker", FunctionResponseTypes: ["ReportBatchItemFailures"] }));
    for (const key of ["good-1.txt", "bad-1.txt", "good-2.txt"]) await s3.send(new PutObjectCommand({ Bucket: "esm-uploads", Key: key, Body: key }));
    const dead = await eventually(async () => {
      const { Messages } = await sqs.send(new ReceiveMessageCommand({ QueueUrl: `${cloud.endpoint}/${ACCOUNT}/uploads-dlq`, WaitTimeSeconds: 1 }));
      return Messages?.length ? Messages : undefined;
    }, 15_000);
    expect(JSON.parse(dead[0]!.Body!).Records[0].s3.object.key).toBe("bad-1.txt");
    await eventually(async () => ((await depth(QueueUrl)) === 0 ? true : undefined));
    const seen = await batches("s3-worker", "key");
    const keys = seen.map((e) => e.key);
    expect(keys.filter((k) => k === "good-1.txt")).toHaveLength(1);
    expect(keys.filter((k) => k === "good-2.txt")).toHaveLength(1);
    expect(keys.filter((k) => k === "bad-1.txt")).toHaveLength(2);
    s3.destroy();
  });
});

describe("persistence", () => {
  it("keeps mappings across a restart and resumes polling", async () => {
    const QueueUrl = await queue("durable-q");
    const { UUID } = await lambda.send(new CreateEventSourceMappingCommand({ EventSourceArn: queueArn("durable-q"), FunctionName: "worker", BatchSize: 7 }));
    await enabled(UUID!);
    cloud = await cloud.restart();
    await setUp();
    const after = await lambda.send(new GetEventSourceMappingCommand({ UUID }));
    expect(after).toMatchObject({ State: "Enabled", BatchSize: 7, FunctionArn: fnArn("worker") });
    await sqs.send(new SendMessageCommand({ QueueUrl, MessageBody: "after the restart" }));
    await eventually(async () => ((await batches("worker", "after the restart")).length ? true : undefined), 15_000);
    await eventually(async () => ((await depth(QueueUrl)) === 0 ? true : undefined));
  });
});
