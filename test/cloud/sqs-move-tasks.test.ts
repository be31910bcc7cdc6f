// DLQ redrive (message move tasks) and the SQS → Lambda mapping's
// ScalingConfig.MaximumConcurrency, through the real SDK clients and the AWS
// CLI: a redrive back to each message's source queue and to a chosen
// destination, the rate limit (RUNNING, then cancelled), AWS's validation
// errors and shapes (aws-behavior.md §14), a task that survives a restart,
// and a mapping that never runs more invocations at once than it is allowed.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  CancelMessageMoveTaskCommand,
  CreateQueueCommand,
  DeleteQueueCommand,
  GetQueueAttributesCommand,
  ListMessageMoveTasksCommand,
  ReceiveMessageCommand,
  SendMessageBatchCommand,
  SendMessageCommand,
  SQSClient,
  StartMessageMoveTaskCommand,
} from "@aws-sdk/client-sqs";
import { CreateEventSourceMappingCommand, GetEventSourceMappingCommand, LambdaClient, UpdateEventSourceMappingCommand } from "@aws-sdk/client-lambda";
import { CloudWatchLogsClient, FilterLogEventsCommand } from "@aws-sdk/client-cloudwatch-logs";
import { AttachRolePolicyCommand, IAMClient } from "@aws-sdk/client-iam";
import { awsCliAsync, errorOf, eventually, hasAwsCli, startTestCloud, type TestCloud } from "../helpers/cloud.js";
import { createExecutionRole, createFunction, ROLE_NAME } from "../helpers/lambda.js";

const ACCOUNT = "000000000000";
const arnOf = (name: string) => `arn:aws:sqs:us-east-1:${ACCOUNT}:${name}`;

let cloud: TestCloud;
let sqs: SQSClient;

beforeAll(async () => {
  cloud = await startTestCloud();
  sqs = new SQSClient(cloud.clientConfig);
});
afterAll(async () => {
  sqs?.destroy();
  await cloud?.close();
});

async function queue(name: string, attributes: Record<string, string> = {}): Promise<string> {
  return (await sqs.send(new CreateQueueCommand({ QueueName: name, Attributes: attributes }))).QueueUrl!;
}

/** A source queue whose messages go to its DLQ after one receive. */
async function pipe(prefix: string): Promise<{ source: string; dlq: string }> {
  const dlq = await queue(`${prefix}-dlq`);
  const source = await queue(`${prefix}-src`, { VisibilityTimeout: "0", RedrivePolicy: JSON.stringify({ deadLetterTargetArn: arnOf(`${prefix}-dlq`), maxReceiveCount: 1 }) });
  return { source, dlq };
}

async function counts(QueueUrl: string): Promise<number> {
  const { Attributes } = await sqs.send(new GetQueueAttributesCommand({ QueueUrl, AttributeNames: ["ApproximateNumberOfMessages"] }));
  return Number(Attributes!.ApproximateNumberOfMessages);
}

/** Send `n` messages and receive each once more than maxReceiveCount allows, so they all land in the DLQ. */
async function deadLetter(p: { source: string; dlq: string }, n: number, prefix = "m"): Promise<void> {
  for (let i = 0; i < n; i += 10) {
    const entries = Array.from({ length: Math.min(10, n - i) }, (_, j) => ({ Id: `e${i + j}`, MessageBody: `${prefix}-${i + j}` }));
    await sqs.send(new SendMessageBatchCommand({ QueueUrl: p.source, Entries: entries }));
  }
  // Receive 1 (count 1, visibility 0), then the next receive moves them to the DLQ.
  await eventually(async () => {
    await sqs.send(new ReceiveMessageCommand({ QueueUrl: p.source, MaxNumberOfMessages: 10 }));
    return (await counts(p.dlq)) === n ? true : undefined;
  });
}

describe("StartMessageMoveTask / ListMessageMoveTasks", () => {
  it("redrives a DLQ back to each message's source queue; the task COMPLETES and lists AWS's shape", async () => {
    const p = await pipe("back");
    await deadLetter(p, 3);
    const dlqMessage = (await sqs.send(new ReceiveMessageCommand({ QueueUrl: p.dlq, MessageSystemAttributeNames: ["All"], VisibilityTimeout: 0 }))).Messages![0]!;
    expect(dlqMessage.Attributes!.DeadLetterQueueSourceArn).toBe(arnOf("back-src"));
    const { TaskHandle } = await sqs.send(new StartMessageMoveTaskCommand({ SourceArn: arnOf("back-dlq") }));
    expect(JSON.parse(Buffer.from(TaskHandle!, "base64").toString("utf8"))).toMatchObject({ sourceArn: arnOf("back-dlq") });
    const done = await eventually(async () => {
      const { Results } = await sqs.send(new ListMessageMoveTasksCommand({ SourceArn: arnOf("back-dlq") }));
      return Results?.[0]?.Status === "COMPLETED" ? Results[0] : undefined;
    });
    expect(done).toMatchObject({ SourceArn: arnOf("back-dlq"), ApproximateNumberOfMessagesMoved: 3, ApproximateNumberOfMessagesToMove: 3 });
    expect(done.TaskHandle).toBeUndefined(); // only RUNNING tasks carry their handle
    expect(done.DestinationArn).toBeUndefined(); // unset: back to each message's source
    expect(done.StartedTimestamp).toBeGreaterThan(Date.now() - 60_000);
    expect(await counts(p.dlq)).toBe(0);
    const back = (await sqs.send(new ReceiveMessageCommand({ QueueUrl: p.source, MaxNumberOfMessages: 10, MessageSystemAttributeNames: ["All"] }))).Messages ?? [];
    expect(back.map((m) => m.Body).sort()).toEqual(["m-0", "m-1", "m-2"]);
    // Back at receive count 1 after this receive: a redriven message starts afresh.
    expect(back.every((m) => m.Attributes!.ApproximateReceiveCount === "1")).toBe(true);
  });

  it("moves to a DestinationArn at MaxNumberOfMessagesPerSecond; cancel keeps what moved, CANCELLED lists newest first", async () => {
    const p = await pipe("rate");
    const elsewhere = await queue("rate-elsewhere");
    await deadLetter(p, 12);
    const first = await sqs.send(new StartMessageMoveTaskCommand({ SourceArn: arnOf("rate-dlq"), DestinationArn: arnOf("rate-elsewhere"), MaxNumberOfMessagesPerSecond: 1 }));
    const running = (await sqs.send(new ListMessageMoveTasksCommand({ SourceArn: arnOf("rate-dlq") }))).Results![0]!;
    expect(running).toMatchObject({ Status: "RUNNING", TaskHandle: first.TaskHandle, DestinationArn: arnOf("rate-elsewhere"), MaxNumberOfMessagesPerSecond: 1, ApproximateNumberOfMessagesToMove: 12 });
    // One task per source at a time.
    const twice = await errorOf(sqs.send(new StartMessageMoveTaskCommand({ SourceArn: arnOf("rate-dlq") })));
    expect(twice.name).toBe("InvalidParameterValue");
    expect(twice.message).toBe("There is already a task running. Only one active task is allowed for a source queue arn at a given time.");
    const cancelled = await sqs.send(new CancelMessageMoveTaskCommand({ TaskHandle: first.TaskHandle }));
    expect(cancelled.ApproximateNumberOfMessagesMoved).toBeLessThan(12);
    const moved = await counts(elsewhere);
    expect(moved).toBe(cancelled.ApproximateNumberOfMessagesMoved);
    expect(await counts(p.dlq)).toBe(12 - moved);
    // A new task may start now; both are listed, newest first.
    await sqs.send(new StartMessageMoveTaskCommand({ SourceArn: arnOf("rate-dlq"), DestinationArn: arnOf("rate-elsewhere") }));
    await eventually(async () => ((await counts(elsewhere)) === 12 ? true : undefined));
    const { Results } = await sqs.send(new ListMessageMoveTasksCommand({ SourceArn: arnOf("rate-dlq"), MaxResults: 10 }));
    expect(Results!.map((r) => r.Status)).toEqual(["COMPLETED", "CANCELLED"]);
    expect(Results![1]!.TaskHandle).toBeUndefined();
    // Cancelling a task that is no longer running.
    expect((await errorOf(sqs.send(new CancelMessageMoveTaskCommand({ TaskHandle: first.TaskHandle })))).name).toBe("ResourceNotFoundException");
  });

  it("answers AWS's validation errors", async () => {
    const plain = await queue("not-a-dlq");
    void plain;
    const notDlq = await errorOf(sqs.send(new StartMessageMoveTaskCommand({ SourceArn: arnOf("not-a-dlq") })));
    expect([notDlq.name, notDlq.message, notDlq.$metadata.httpStatusCode]).toEqual(["InvalidParameterValue", "Source queue must be configured as a Dead Letter Queue.", 400]);
    const missing = await errorOf(sqs.send(new StartMessageMoveTaskCommand({ SourceArn: arnOf("no-such-queue") })));
    expect([missing.name, missing.message, missing.$metadata.httpStatusCode]).toEqual(["ResourceNotFoundException", "The resource that you specified for the SourceArn parameter doesn't exist.", 404]);
    await pipe("val");
    const noDest = await errorOf(sqs.send(new StartMessageMoveTaskCommand({ SourceArn: arnOf("val-dlq"), DestinationArn: arnOf("nowhere") })));
    expect(noDest.message).toBe("The resource that you specified for the DestinationArn parameter doesn't exist.");
    for (const rate of [0, 501]) {
      const tooFast = await errorOf(sqs.send(new StartMessageMoveTaskCommand({ SourceArn: arnOf("val-dlq"), MaxNumberOfMessagesPerSecond: rate })));
      expect(tooFast.name).toBe("InvalidParameterValue");
      expect(tooFast.message).toMatch(/MaxNumberOfMessagesPerSecond is invalid/);
    }
    const badHandle = await errorOf(sqs.send(new CancelMessageMoveTaskCommand({ TaskHandle: "not-a-handle" })));
    expect([badHandle.name, badHandle.message]).toEqual(["InvalidParameterValue", "Value for parameter TaskHandle is invalid."]);
    const strangerHandle = Buffer.from(JSON.stringify({ taskId: "x", sourceArn: arnOf("val-dlq") })).toString("base64");
    expect((await errorOf(sqs.send(new CancelMessageMoveTaskCommand({ TaskHandle: strangerHandle })))).message).toBe("Task does not exist.");
    const goneSource = Buffer.from(JSON.stringify({ taskId: "x", sourceArn: arnOf("gone") })).toString("base64");
    expect((await errorOf(sqs.send(new CancelMessageMoveTaskCommand({ TaskHandle: goneSource })))).message).toBe("The resource that you specified for the SourceArn parameter doesn't exist.");
    expect((await sqs.send(new ListMessageMoveTasksCommand({ SourceArn: arnOf("val-dlq") }))).Results).toEqual([]);
  });

  it("a destination deleted while the task runs ends it FAILED with AWS's reason", async () => {
    const p = await pipe("fail");
    const dest = await queue("fail-dest");
    await deadLetter(p, 5);
    await sqs.send(new StartMessageMoveTaskCommand({ SourceArn: arnOf("fail-dlq"), DestinationArn: arnOf("fail-dest"), MaxNumberOfMessagesPerSecond: 1 }));
    await sqs.send(new DeleteQueueCommand({ QueueUrl: dest }));
    const failed = await eventually(async () => {
      const r = (await sqs.send(new ListMessageMoveTasksCommand({ SourceArn: arnOf("fail-dlq") }))).Results![0]!;
      return r.Status === "FAILED" ? r : undefined;
    });
    expect(failed.FailureReason).toBe("AWS.SimpleQueueService.NonExistentQueue");
  });

  it.skipIf(!hasAwsCli)("aws sqs start-message-move-task / list-message-move-tasks / cancel-message-move-task", async () => {
    const p = await pipe("cli");
    // 10 messages at 1 per second keep the task RUNNING for ~9 s: long enough for the CLI calls below on a loaded machine.
    await deadLetter(p, 10, "cli");
    const started = await awsCliAsync(cloud, ["sqs", "start-message-move-task", "--source-arn", arnOf("cli-dlq"), "--max-number-of-messages-per-second", "1"]);
    expect(started.status, started.stderr).toBe(0);
    const handle = JSON.parse(started.stdout).TaskHandle as string;
    const listed = await awsCliAsync(cloud, ["sqs", "list-message-move-tasks", "--source-arn", arnOf("cli-dlq"), "--max-results", "5"]);
    expect(listed.status, listed.stderr).toBe(0);
    expect(JSON.parse(listed.stdout).Results[0]).toMatchObject({ Status: "RUNNING", TaskHandle: handle, MaxNumberOfMessagesPerSecond: 1 });
    const cancelled = await awsCliAsync(cloud, ["sqs", "cancel-message-move-task", "--task-handle", handle]);
    expect(cancelled.status, cancelled.stderr).toBe(0);
    expect(JSON.parse(cancelled.stdout)).toHaveProperty("ApproximateNumberOfMessagesMoved");
    const refused = await awsCliAsync(cloud, ["sqs", "start-message-move-task", "--source-arn", arnOf("cli-src")]);
    expect(refused.status).not.toBe(0);
    expect(refused.stderr).toMatch(/InvalidParameterValue.*Source queue must be configured as a Dead Letter Queue/s);
  });

  it("a RUNNING task resumes after a restart and completes", async () => {
    const p = await pipe("restart");
    await deadLetter(p, 4);
    await sqs.send(new StartMessageMoveTaskCommand({ SourceArn: arnOf("restart-dlq"), MaxNumberOfMessagesPerSecond: 3 }));
    await cloud.restart();
    sqs.destroy();
    sqs = new SQSClient(cloud.clientConfig);
    const done = await eventually(async () => {
      const r = (await sqs.send(new ListMessageMoveTasksCommand({ SourceArn: arnOf("restart-dlq") }))).Results![0]!;
      return r.Status === "COMPLETED" ? r : undefined;
    }, 15_000);
    expect(done.ApproximateNumberOfMessagesMoved).toBe(4);
    expect(await counts(p.source)).toBe(4);
  }, 30_000);
});

describe("event source mapping ScalingConfig.MaximumConcurrency", () => {
  it("never runs more invocations at once than MaximumConcurrency, and uses them", async () => {
    const lambda = new LambdaClient({ ...cloud.clientConfig, maxAttempts: 1 });
    const logs = new CloudWatchLogsClient(cloud.clientConfig);
    const iam = new IAMClient(cloud.clientConfig);
    await createExecutionRole(iam);
    await iam.send(new AttachRolePolicyCommand({ RoleName: ROLE_NAME, PolicyArn: "arn:aws:iam::aws:policy/service-role/AWSLambdaSQSQueueExecutionRole" }));
    // Each batch takes a while, so concurrent batches overlap; the log says when each began and ended.
    const slow = `export const handler = async (event) => {
      const began = Date.now();
      await new Promise((r) => setTimeout(r, 250));
      console.log("SPAN " + began + " " + Date.now() + " " + event.Records.length);
    };`;
    await createFunction(lambda, "capped", slow, { Timeout: 3 });
    const url = await queue("capped-q", { VisibilityTimeout: "30" });
    const tooLow = await errorOf(lambda.send(new CreateEventSourceMappingCommand({ FunctionName: "capped", EventSourceArn: arnOf("capped-q"), ScalingConfig: { MaximumConcurrency: 1 } })));
    expect(tooLow.name).toBe("ValidationException");
    const mapping = await lambda.send(new CreateEventSourceMappingCommand({ FunctionName: "capped", EventSourceArn: arnOf("capped-q"), BatchSize: 1, ScalingConfig: { MaximumConcurrency: 2 } }));
    expect(mapping.ScalingConfig).toEqual({ MaximumConcurrency: 2 });
    for (let i = 0; i < 16; i += 8) {
      await sqs.send(new SendMessageBatchCommand({ QueueUrl: url, Entries: Array.from({ length: 8 }, (_, j) => ({ Id: `m${i + j}`, MessageBody: `m${i + j}` })) }));
    }
    const spans = await eventually(async () => {
      const out = await logs.send(new FilterLogEventsCommand({ logGroupName: "/aws/lambda/capped", filterPattern: '"SPAN"' })).catch(() => undefined);
      const found = (out?.events ?? []).map((e) => /SPAN (\d+) (\d+)/.exec(e.message ?? "")).filter((m) => m).map((m) => [Number(m![1]), Number(m![2])] as const);
      return found.length >= 16 ? found : undefined;
    }, 30_000, 200);
    // The most spans open at one moment (a span's end and the next one's start at the same ms do not overlap).
    const points = spans.flatMap(([a, b]) => [[a, 1], [b, -1]] as const).sort((x, y) => x[0] - y[0] || x[1] - y[1]);
    let open = 0;
    let most = 0;
    for (const [, d] of points) most = Math.max(most, (open += d));
    expect(most).toBe(2);
    // A raised maximum is picked up without recreating the mapping.
    await eventually(async () => ((await lambda.send(new GetEventSourceMappingCommand({ UUID: mapping.UUID }))).State === "Enabled" ? true : undefined));
    const updated = await lambda.send(new UpdateEventSourceMappingCommand({ UUID: mapping.UUID, ScalingConfig: { MaximumConcurrency: 3 } }));
    expect(updated.ScalingConfig).toEqual({ MaximumConcurrency: 3 });
    lambda.destroy();
    logs.destroy();
    iam.destroy();
  }, 60_000);
});
