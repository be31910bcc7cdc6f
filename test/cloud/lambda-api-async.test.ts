// Asynchronous invocation through the real SDK: a failing handler retried
// (2 retries by default, time-scaled) and landing in its on-failure
// destination with AWS's record shape, MaximumRetryAttempts, the on-success
// record, and recursive loop detection stopping a function that re-triggers
// itself. Destinations here are Lambda functions that log what they receive;
// the test reads those logs through CloudWatch Logs.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  AddPermissionCommand,
  InvokeCommand,
  LambdaClient,
  PutFunctionEventInvokeConfigCommand,
  PutFunctionRecursionConfigCommand,
} from "@aws-sdk/client-lambda";
import { CreateTopicCommand, SNSClient, SubscribeCommand } from "@aws-sdk/client-sns";
import { CreateQueueCommand, ReceiveMessageCommand, SQSClient } from "@aws-sdk/client-sqs";
import { EventBridgeClient, PutRuleCommand, PutTargetsCommand } from "@aws-sdk/client-eventbridge";
import { CloudWatchLogsClient, FilterLogEventsCommand } from "@aws-sdk/client-cloudwatch-logs";
import { IAMClient, PutRolePolicyCommand } from "@aws-sdk/client-iam";
import { eventually, startTestCloud, type TestCloud } from "../helpers/cloud.js";
import { createExecutionRole, createFunction, ROLE_NAME } from "../helpers/lambda.js";

let cloud: TestCloud;
let lambda: LambdaClient;
let logs: CloudWatchLogsClient;
const ACCOUNT = "000000000000";
const fnArn = (name: string) => `arn:aws:lambda:us-east-1:${ACCOUNT}:function:${name}`;

/** A destination function: logs "RECORD <event JSON>" for every event it receives. */
const RECORDER = `export const handler = async (event) => { console.log("RECORD " + JSON.stringify(event)); return "recorded"; };`;

beforeAll(async () => {
  // 1/600: AWS's 1 and 2 minute retry waits become 100 and 200 ms.
  cloud = await startTestCloud({ timeScale: 1 / 600 });
  lambda = new LambdaClient({ ...cloud.clientConfig, maxAttempts: 1 });
  logs = new CloudWatchLogsClient(cloud.clientConfig);
  const iam = new IAMClient(cloud.clientConfig);
  await createExecutionRole(iam);
  // What the self-invoking function needs once IAM enforcement evaluates role sessions.
  await iam.send(
    new PutRolePolicyCommand({
      RoleName: ROLE_NAME,
      PolicyName: "invoke",
      PolicyDocument: JSON.stringify({ Version: "2012-10-17", Statement: [{ Effect: "Allow", Action: "lambda:InvokeFunction", Resource: "*" }] }),
    }),
  );
  await createFunction(lambda, "recorder", RECORDER);
  await createFunction(lambda, "thrower", `export const handler = async (event) => { console.log("ATTEMPT " + event.id); throw new Error("boom " + event.id); };`);
  await createFunction(lambda, "succeeder", `export const handler = async (event) => ({ doubled: event.n * 2 });`);
});
afterAll(async () => {
  await cloud?.close();
});

async function logLines(group: string, pattern: string): Promise<string[]> {
  const res = await logs.send(new FilterLogEventsCommand({ logGroupName: group, filterPattern: pattern }));
  return (res.events ?? []).map((e) => e.message!);
}

async function recorded(match: string): Promise<Record<string, any>[]> {
  const lines = await logLines("/aws/lambda/recorder", `RECORD "${match}"`);
  return lines.map((line) => JSON.parse(line.slice(line.indexOf("RECORD ") + 7)));
}

describe("retries and the on-failure destination", () => {
  it("retries a failing handler twice, then sends AWS's record to the on-failure destination", async () => {
    await lambda.send(
      new PutFunctionEventInvokeConfigCommand({ FunctionName: "thrower", DestinationConfig: { OnFailure: { Destination: fnArn("recorder") } } }),
    );
    const out = await lambda.send(new InvokeCommand({ FunctionName: "thrower", InvocationType: "Event", Payload: JSON.stringify({ id: "evt-one" }) }));
    expect(out.StatusCode).toBe(202);
    const [record] = await eventually(async () => {
      const found = await recorded("evt-one");
      return found.length ? found : undefined;
    });
    expect(Object.keys(record!)).toEqual(["version", "timestamp", "requestContext", "requestPayload", "responseContext", "responsePayload"]);
    expect(record).toMatchObject({
      version: "1.0",
      requestContext: { functionArn: `${fnArn("thrower")}:$LATEST`, condition: "RetriesExhausted", approximateInvokeCount: 3 },
      requestPayload: { id: "evt-one" },
      responseContext: { statusCode: 200, executedVersion: "$LATEST", functionError: "Unhandled" },
      responsePayload: { errorType: "Error", errorMessage: "boom evt-one" },
    });
    expect(record!.requestContext.requestId).toBe(out.$metadata.requestId);
    expect(new Date(record!.timestamp).toISOString()).toBe(record!.timestamp);
    expect(await logLines("/aws/lambda/thrower", `"ATTEMPT evt-one"`)).toHaveLength(3);
    expect(cloud.logs.some((l) => l.includes("retry 1 of 2") && l.includes("AWS waits about 1 min"))).toBe(true);
  });

  it("honours MaximumRetryAttempts 0: one attempt, then the destination", async () => {
    await lambda.send(
      new PutFunctionEventInvokeConfigCommand({
        FunctionName: "thrower",
        MaximumRetryAttempts: 0,
        DestinationConfig: { OnFailure: { Destination: fnArn("recorder") } },
      }),
    );
    await lambda.send(new InvokeCommand({ FunctionName: "thrower", InvocationType: "Event", Payload: JSON.stringify({ id: "evt-two" }) }));
    const [record] = await eventually(async () => {
      const found = await recorded("evt-two");
      return found.length ? found : undefined;
    });
    expect(record!.requestContext.approximateInvokeCount).toBe(1);
    expect(await logLines("/aws/lambda/thrower", `"ATTEMPT evt-two"`)).toHaveLength(1);
  });
});

describe("the on-success destination", () => {
  it("receives the Success record with the function's response", async () => {
    await lambda.send(
      new PutFunctionEventInvokeConfigCommand({ FunctionName: "succeeder", DestinationConfig: { OnSuccess: { Destination: fnArn("recorder") } } }),
    );
    await lambda.send(new InvokeCommand({ FunctionName: "succeeder", InvocationType: "Event", Payload: JSON.stringify({ n: 21 }) }));
    const [record] = await eventually(async () => {
      const found = await recorded("doubled");
      return found.length ? found : undefined;
    });
    expect(record).toMatchObject({
      version: "1.0",
      requestContext: { condition: "Success", approximateInvokeCount: 1, functionArn: `${fnArn("succeeder")}:$LATEST` },
      requestPayload: { n: 21 },
      responseContext: { statusCode: 200, executedVersion: "$LATEST" },
      responsePayload: { doubled: 42 },
    });
    expect(record!.responseContext.functionError).toBeUndefined();
  });
});

describe("dead-letter target and other destination kinds", () => {
  it("sends the original event with RequestID / ErrorCode / ErrorMessage attributes to an SNS dead-letter topic", async () => {
    const sns = new SNSClient(cloud.clientConfig);
    const topic = (await sns.send(new CreateTopicCommand({ Name: "lambda-dlq" }))).TopicArn!;
    await lambda.send(
      new AddPermissionCommand({ FunctionName: "recorder", StatementId: "sns", Action: "lambda:InvokeFunction", Principal: "sns.amazonaws.com", SourceArn: topic }),
    );
    await sns.send(new SubscribeCommand({ TopicArn: topic, Protocol: "lambda", Endpoint: fnArn("recorder") }));
    await createFunction(lambda, "dlq-thrower", `export const handler = async (e) => { throw new Error("dead " + e.id); };`, {
      DeadLetterConfig: { TargetArn: topic },
    });
    await lambda.send(new PutFunctionEventInvokeConfigCommand({ FunctionName: "dlq-thrower", MaximumRetryAttempts: 0 }));
    const out = await lambda.send(new InvokeCommand({ FunctionName: "dlq-thrower", InvocationType: "Event", Payload: JSON.stringify({ id: "evt-dlq" }) }));
    const [event] = await eventually(async () => {
      const found = await recorded("aws:sns");
      return found.length ? found : undefined;
    });
    const record = event!.Records[0].Sns;
    expect(JSON.parse(record.Message)).toEqual({ id: "evt-dlq" });
    expect(record.MessageAttributes).toMatchObject({
      RequestID: { Type: "String", Value: out.$metadata.requestId },
      ErrorCode: { Type: "Number", Value: "200" },
      ErrorMessage: { Type: "String", Value: "dead evt-dlq" },
    });
  });

  it("sends the failure record to an EventBridge bus as 'Lambda Function Invocation Result - Failure'", async () => {
    const events = new EventBridgeClient(cloud.clientConfig);
    const rule = await events.send(
      new PutRuleCommand({ Name: "lambda-failures", EventPattern: JSON.stringify({ source: ["lambda"], "detail-type": ["Lambda Function Invocation Result - Failure"] }) }),
    );
    await lambda.send(
      new AddPermissionCommand({ FunctionName: "recorder", StatementId: "events", Action: "lambda:InvokeFunction", Principal: "events.amazonaws.com", SourceArn: rule.RuleArn }),
    );
    await events.send(new PutTargetsCommand({ Rule: "lambda-failures", Targets: [{ Id: "recorder", Arn: fnArn("recorder") }] }));
    await lambda.send(
      new PutFunctionEventInvokeConfigCommand({
        FunctionName: "thrower",
        MaximumRetryAttempts: 0,
        DestinationConfig: { OnFailure: { Destination: "arn:aws:events:us-east-1:000000000000:event-bus/default" } },
      }),
    );
    await lambda.send(new InvokeCommand({ FunctionName: "thrower", InvocationType: "Event", Payload: JSON.stringify({ id: "evt-bus" }) }));
    const [event] = await eventually(async () => {
      const found = await recorded("Lambda Function Invocation Result - Failure");
      return found.length ? found : undefined;
    });
    expect(event).toMatchObject({
      source: "lambda",
      "detail-type": "Lambda Function Invocation Result - Failure",
      detail: { requestContext: { condition: "RetriesExhausted", functionArn: `${fnArn("thrower")}:$LATEST` }, requestPayload: { id: "evt-bus" } },
    });
  });
});

describe("SQS as on-failure destination and dead-letter queue", () => {
  it("delivers the failure record and the DLQ message (with its attributes) to SQS queues", async (test) => {
    const sqs = new SQSClient({ ...cloud.clientConfig, maxAttempts: 1 });
    let failures: string;
    let dlq: string;
    try {
      failures = (await sqs.send(new CreateQueueCommand({ QueueName: "lambda-failures" }))).QueueUrl!;
      dlq = (await sqs.send(new CreateQueueCommand({ QueueName: "lambda-dlq" }))).QueueUrl!;
    } catch (err) {
      // SQS is built by another part of the project; until it answers, this path cannot be exercised.
      console.warn(`SQS is not available in this build (${(err as Error).name}): SQS destination test skipped`);
      test.skip();
      return;
    }
    await createFunction(lambda, "sqs-thrower", `export const handler = async (e) => { throw new RangeError("bad " + e.id); };`, {
      DeadLetterConfig: { TargetArn: "arn:aws:sqs:us-east-1:000000000000:lambda-dlq" },
    });
    await lambda.send(
      new PutFunctionEventInvokeConfigCommand({
        FunctionName: "sqs-thrower",
        MaximumRetryAttempts: 1,
        DestinationConfig: { OnFailure: { Destination: "arn:aws:sqs:us-east-1:000000000000:lambda-failures" } },
      }),
    );
    const out = await lambda.send(new InvokeCommand({ FunctionName: "sqs-thrower", InvocationType: "Event", Payload: JSON.stringify({ id: "evt-sqs" }) }));
    const receive = (url: string) =>
      eventually(async () => {
        const res = await sqs.send(new ReceiveMessageCommand({ QueueUrl: url, MessageAttributeNames: ["All"], WaitTimeSeconds: 1 }));
        return res.Messages?.length ? res.Messages[0] : undefined;
      });
    const record = JSON.parse((await receive(failures)).Body!);
    expect(record).toMatchObject({
      version: "1.0",
      requestContext: { requestId: out.$metadata.requestId, condition: "RetriesExhausted", approximateInvokeCount: 2, functionArn: `${fnArn("sqs-thrower")}:$LATEST` },
      requestPayload: { id: "evt-sqs" },
      responseContext: { statusCode: 200, executedVersion: "$LATEST", functionError: "Unhandled" },
      responsePayload: { errorType: "RangeError", errorMessage: "bad evt-sqs" },
    });
    const dead = await receive(dlq);
    expect(JSON.parse(dead.Body!)).toEqual({ id: "evt-sqs" });
    expect(dead.MessageAttributes).toMatchObject({
      RequestID: { DataType: "String", StringValue: out.$metadata.requestId },
      ErrorCode: { DataType: "Number", StringValue: "200" },
      ErrorMessage: { DataType: "String", StringValue: "bad evt-sqs" },
    });
  });
});

describe("recursive loop detection", () => {
  const LOOPER = `import { LambdaClient, InvokeCommand } from "@aws-sdk/client-lambda";
const lambda = new LambdaClient({});
export const handler = async (event) => {
  console.log("ROUND " + event.loop + " " + (event.round ?? 0));
  await lambda.send(new InvokeCommand({ FunctionName: process.env.AWS_LAMBDA_FUNCTION_NAME, InvocationType: "Event",
    Payload: JSON.stringify({ loop: event.loop, round: (event.round ?? 0) + 1 }) }));
  return "again";
};`;

  it("stops a function that re-triggers itself after 16 invocations, logs why and sends the event to its failure destination", async () => {
    await createFunction(lambda, "looper", LOOPER, { Timeout: 10 });
    await lambda.send(
      new PutFunctionEventInvokeConfigCommand({ FunctionName: "looper", DestinationConfig: { OnFailure: { Destination: fnArn("recorder") } } }),
    );
    await lambda.send(new InvokeCommand({ FunctionName: "looper", InvocationType: "Event", Payload: JSON.stringify({ loop: "L1" }) }));
    const [record] = await eventually(async () => {
      // "L1" alone can turn up by chance in another record (an SNS signature is 344 base64 characters).
      const found = (await recorded("L1")).filter((r) => r.requestPayload?.loop === "L1");
      return found.length ? found : undefined;
    }, 30_000);
    expect(record!.requestContext.condition).toBe("RecursiveInvocationDropped");
    expect(record!.requestPayload).toEqual({ loop: "L1", round: 16 });
    const rounds = await logLines("/aws/lambda/looper", `"ROUND L1"`);
    expect(rounds).toHaveLength(16);
    expect(cloud.logs.some((l) => l.includes("Lambda stopped a recursive invocation of looper"))).toBe(true);
  });

  it("lets the loop run on with RecursiveLoop Allow", async () => {
    await lambda.send(new PutFunctionRecursionConfigCommand({ FunctionName: "looper", RecursiveLoop: "Allow" }));
    await lambda.send(new InvokeCommand({ FunctionName: "looper", InvocationType: "Event", Payload: JSON.stringify({ loop: "L2", round: 0 }) }));
    await eventually(async () => ((await logLines("/aws/lambda/looper", `"ROUND L2 18"`)).length ? true : undefined), 30_000);
    // Back to Terminate: the next round (already past 16) is stopped, so the loop ends.
    await lambda.send(new PutFunctionRecursionConfigCommand({ FunctionName: "looper", RecursiveLoop: "Terminate" }));
  });
});

describe("the async queue survives a restart", () => {
  it("resumes an event that was waiting for its retry and delivers its outcome", async () => {
    // Real time scale: the retry would wait a minute, so the event is still queued when the cloud stops.
    let slow = await startTestCloud({ timeScale: 1 });
    try {
      let client = new LambdaClient({ ...slow.clientConfig, maxAttempts: 1 });
      await createExecutionRole(new IAMClient(slow.clientConfig));
      await createFunction(client, "recorder", RECORDER);
      await createFunction(client, "flaky", `export const handler = async (e) => { console.log("TRY " + e.id); throw new Error("still failing"); };`);
      await client.send(
        new PutFunctionEventInvokeConfigCommand({ FunctionName: "flaky", MaximumRetryAttempts: 1, DestinationConfig: { OnFailure: { Destination: fnArn("recorder") } } }),
      );
      await client.send(new InvokeCommand({ FunctionName: "flaky", InvocationType: "Event", Payload: JSON.stringify({ id: "evt-restart" }) }));
      await eventually(async () => (slow.logs.some((l) => l.includes("retry 1 of 1")) ? true : undefined));
      slow = await slow.restart();
      client = new LambdaClient({ ...slow.clientConfig, maxAttempts: 1 });
      const slowLogs = new CloudWatchLogsClient(slow.clientConfig);
      expect(slow.logs.some((l) => l.includes("resuming 1 asynchronous invocation"))).toBe(true);
      const record = await eventually(async () => {
        const res = await slowLogs.send(new FilterLogEventsCommand({ logGroupName: "/aws/lambda/recorder", filterPattern: `RECORD "evt-restart"` }));
        const line = res.events?.[0]?.message;
        return line ? JSON.parse(line.slice(line.indexOf("RECORD ") + 7)) : undefined;
      }, 20_000);
      expect(record.requestContext).toMatchObject({ condition: "RetriesExhausted", approximateInvokeCount: 2 });
      const tries = await slowLogs.send(new FilterLogEventsCommand({ logGroupName: "/aws/lambda/flaky", filterPattern: `"TRY evt-restart"` }));
      expect(tries.events).toHaveLength(2);
    } finally {
      await slow.close();
    }
  });
});
