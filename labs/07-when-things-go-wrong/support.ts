/**
 * Lab 07 — the kit's side of the lab (not a learner file): the pipeline the
 * learner's pieces plug into — a versioned orders bucket, the balances table,
 * the failure queue, the ops topic with a queue that reads its notifications,
 * the execution role, the function and its S3 trigger — and the readers the
 * grader and the guided steps share: balances, failure records, alarm
 * notifications, the function's REPORT lines, the cloud's time scale.
 * Everything goes through the AWS APIs (the fault switch only exists locally).
 */
import * as path from "node:path";
import { PutBucketVersioningCommand } from "@aws-sdk/client-s3";
import { ScanCommand, type AttributeValue } from "@aws-sdk/client-dynamodb";
import { DeleteMessageBatchCommand, ReceiveMessageCommand } from "@aws-sdk/client-sqs";
import type { KitContext } from "../../src/kit/context.js";
import { attachRolePolicy, BASIC_EXECUTION_POLICY_ARN, createRole, putRolePolicy } from "../../src/kit/resources/iam.js";
import { addPermission, createFunction } from "../../src/kit/resources/lambda.js";
import { createBucket, putNotifications } from "../../src/kit/resources/s3.js";
import { createTable } from "../../src/kit/resources/dynamodb.js";
import { createTopic, setTopicPolicy, subscribe } from "../../src/kit/resources/sns.js";
import { createQueue, setQueuePolicy, type Queue } from "../../src/kit/resources/sqs.js";
import { packageHandler, type PackagedFunction } from "../../src/kit/packaging.js";
import { errorCode } from "../../src/kit/wait.js";
import { checkHealth } from "../../src/kit/local-cloud.js";

export const FUNCTION_PURPOSE = "apply-orders";

export interface Pipeline {
  bucket: { name: string; arn: string };
  table: { name: string; arn: string };
  failureQueue: Queue;
  topic: { name: string; arn: string };
  /** The grader's (and the guided run's) window on the topic: an SQS subscription. */
  opsQueue: Queue;
}

/** Everything but the function: bucket (versioned), table, failure queue, ops topic and the queue that reads it. */
export async function createPipeline(ctx: KitContext): Promise<Pipeline> {
  const [bucket, table, failureQueue, topic, opsQueue] = await Promise.all([
    createBucket(ctx, ctx.names.resource("orders")),
    createTable(ctx, ctx.names.resource("balances"), { partition: { AttributeName: "customer", AttributeType: "S" } }),
    createQueue(ctx, ctx.names.resource("failed-orders")),
    createTopic(ctx, ctx.names.resource("ops")),
    createQueue(ctx, ctx.names.resource("ops-inbox")),
  ]);
  await ctx.clients.s3.send(new PutBucketVersioningCommand({ Bucket: bucket.name, VersioningConfiguration: { Status: "Enabled" } }));
  // CloudWatch alarms publish to the topic as the CloudWatch service.
  await setTopicPolicy(ctx, topic.arn, {
    Version: "2012-10-17",
    Statement: [{ Sid: "AlarmsPublish", Effect: "Allow", Principal: { Service: "cloudwatch.amazonaws.com" }, Action: "sns:Publish", Resource: topic.arn, Condition: { StringEquals: { "aws:SourceAccount": ctx.target.account } } }],
  });
  await setQueuePolicy(ctx, opsQueue, {
    Version: "2012-10-17",
    Statement: [{ Sid: "TopicSends", Effect: "Allow", Principal: { Service: "sns.amazonaws.com" }, Action: "sqs:SendMessage", Resource: opsQueue.arn, Condition: { ArnEquals: { "aws:SourceArn": topic.arn } } }],
  });
  await subscribe(ctx, topic.arn, "sqs", opsQueue.arn);
  return { bucket, table, failureQueue, topic, opsQueue };
}

/** Read the orders, update the balances, send failures to the failure queue (Lambda's destinations use the execution role). */
export function executionPolicy(p: Pipeline) {
  return {
    Version: "2012-10-17",
    Statement: [
      { Sid: "ReadOrders", Effect: "Allow", Action: ["s3:GetObject", "s3:GetObjectVersion"], Resource: `${p.bucket.arn}/orders/*` },
      { Sid: "UpdateBalances", Effect: "Allow", Action: "dynamodb:UpdateItem", Resource: p.table.arn },
      { Sid: "ParkFailures", Effect: "Allow", Action: "sqs:SendMessage", Resource: p.failureQueue.arn },
    ],
  };
}

export async function createExecutionRole(ctx: KitContext, p: Pipeline): Promise<{ name: string; arn: string }> {
  const trust = { Version: "2012-10-17", Statement: [{ Effect: "Allow", Principal: { Service: "lambda.amazonaws.com" }, Action: "sts:AssumeRole" }] };
  const role = await createRole(ctx, ctx.names.resource("orders-role"), trust, "S3 Event Labs lab 07: execution role of the order function");
  await attachRolePolicy(ctx, role.name, BASIC_EXECUTION_POLICY_ARN);
  await putRolePolicy(ctx, role.name, "orders", executionPolicy(p));
  return role;
}

export async function packageOrderHandler(sourceDir: string): Promise<PackagedFunction> {
  return packageHandler({ entry: path.join(sourceDir, "handler.ts") });
}

export async function deployFunction(ctx: KitContext, roleArn: string, pkg: PackagedFunction, p: Pipeline): Promise<{ name: string; arn: string }> {
  return createFunction(ctx, { name: ctx.names.resource(FUNCTION_PURPOSE), roleArn, zip: pkg.zip, handler: pkg.handler, timeoutSeconds: 10, memoryMb: 256, environment: { TABLE_NAME: p.table.name } });
}

/** The trigger (the kit's part): every new .json object under orders/ invokes the function. */
export async function connectTrigger(ctx: KitContext, p: Pipeline, fn: { name: string; arn: string }): Promise<void> {
  await addPermission(ctx, { FunctionName: fn.name, StatementId: "s3-orders", Action: "lambda:InvokeFunction", Principal: "s3.amazonaws.com", SourceArn: p.bucket.arn, SourceAccount: ctx.target.account });
  await putNotifications(ctx, p.bucket.name, {
    LambdaFunctionConfigurations: [{ Id: "orders", LambdaFunctionArn: fn.arn, Events: ["s3:ObjectCreated:*"], Filter: { Key: { FilterRules: [{ Name: "prefix", Value: "orders/" }, { Name: "suffix", Value: ".json" }] } } }],
  });
}

/** AWS seconds → real ms on this cloud: the local cloud's time scale (GET /_localcloud/health), 1 elsewhere. */
export async function timeScaleOf(ctx: KitContext): Promise<number> {
  if (ctx.target.kind === "aws" || !ctx.target.endpoint) return 1;
  const health = (await checkHealth(ctx.target.endpoint)) as { timeScale?: number } | undefined;
  return typeof health?.timeScale === "number" && health.timeScale > 0 ? health.timeScale : 1;
}

export interface Balance {
  balanceCents: number;
  applied: number;
}

/** Every customer's balance (and how many event ids the learner recorded, if any). */
export async function readBalances(ctx: KitContext, table: string): Promise<Map<string, Balance>> {
  const out = new Map<string, Balance>();
  let start: Record<string, AttributeValue> | undefined;
  do {
    const page = await ctx.clients.dynamodb.send(new ScanCommand({ TableName: table, ConsistentRead: true, ExclusiveStartKey: start }));
    for (const item of page.Items ?? []) {
      const customer = item.customer?.S;
      if (!customer) continue;
      const applied = Object.values(item).find((v) => v.SS)?.SS?.length ?? 0;
      out.set(customer, { balanceCents: Number(item.balanceCents?.N ?? 0), applied });
    }
    start = page.LastEvaluatedKey;
  } while (start);
  return out;
}

export interface FailureRecord {
  messageId: string;
  body: Record<string, any>;
}

/** The failure queue's messages, read without hiding them (VisibilityTimeout 0): its depth stays what it is. */
export async function peekFailures(ctx: KitContext, queueUrl: string): Promise<FailureRecord[]> {
  const seen = new Map<string, FailureRecord>();
  for (let round = 0; round < 3; round++) {
    const out = await ctx.clients.sqs.send(new ReceiveMessageCommand({ QueueUrl: queueUrl, MaxNumberOfMessages: 10, VisibilityTimeout: 0, WaitTimeSeconds: 0 }));
    const before = seen.size;
    for (const m of out.Messages ?? []) {
      let body: Record<string, any>;
      try {
        body = JSON.parse(m.Body ?? "") as Record<string, any>;
      } catch {
        body = { unparsed: m.Body };
      }
      seen.set(m.MessageId!, { messageId: m.MessageId!, body });
    }
    if (seen.size === before) break;
  }
  return [...seen.values()];
}

/** Empty a queue (the failure queue after it was dealt with). */
export async function drainQueue(ctx: KitContext, queueUrl: string): Promise<number> {
  let drained = 0;
  for (;;) {
    const out = await ctx.clients.sqs.send(new ReceiveMessageCommand({ QueueUrl: queueUrl, MaxNumberOfMessages: 10, VisibilityTimeout: 30, WaitTimeSeconds: 0 }));
    const messages = out.Messages ?? [];
    if (!messages.length) return drained;
    await ctx.clients.sqs.send(new DeleteMessageBatchCommand({ QueueUrl: queueUrl, Entries: messages.map((m, i) => ({ Id: String(i), ReceiptHandle: m.ReceiptHandle! })) }));
    drained += messages.length;
  }
}

/** One alarm state change as CloudWatch publishes it to SNS (aws-behavior.md §11), read from the ops queue. */
export interface AlarmNotification {
  subject?: string;
  alarmName?: string;
  newState?: string;
  oldState?: string;
  reason?: string;
  /** When the grader read it (epoch ms). */
  receivedAt: number;
  raw: string;
}

/** Reads the ops queue into a growing list (messages are deleted once read). */
export class OpsInbox {
  readonly seen: AlarmNotification[] = [];
  constructor(private readonly ctx: KitContext, private readonly queueUrl: string) {}

  async receiveOnce(waitSeconds = 0): Promise<void> {
    const out = await this.ctx.clients.sqs.send(new ReceiveMessageCommand({ QueueUrl: this.queueUrl, MaxNumberOfMessages: 10, WaitTimeSeconds: waitSeconds, VisibilityTimeout: 30 }));
    const messages = out.Messages ?? [];
    if (!messages.length) return;
    for (const m of messages) this.seen.push(parseNotification(m.Body ?? "", Date.now()));
    await this.ctx.clients.sqs.send(new DeleteMessageBatchCommand({ QueueUrl: this.queueUrl, Entries: messages.map((m, i) => ({ Id: String(i), ReceiptHandle: m.ReceiptHandle! })) }));
  }

  /** Notifications about one alarm, oldest first. */
  about(alarmName: string): AlarmNotification[] {
    return this.seen.filter((n) => n.alarmName === alarmName);
  }
}

function parseNotification(body: string, receivedAt: number): AlarmNotification {
  try {
    const envelope = JSON.parse(body) as { Subject?: string; Message?: string };
    const message = JSON.parse(envelope.Message ?? "{}") as { AlarmName?: string; NewStateValue?: string; OldStateValue?: string; NewStateReason?: string };
    return { subject: envelope.Subject, alarmName: message.AlarmName, newState: message.NewStateValue, oldState: message.OldStateValue, reason: message.NewStateReason, receivedAt, raw: body };
  } catch {
    return { receivedAt, raw: body };
  }
}

import { logEvents } from "../../src/kit/grader/evidence.js";
export { logEvents };

export interface Reports {
  /** REPORT lines: one per invocation, written by the platform. */
  total: number;
  /** REPORT lines per request id (an async event keeps its request id across retries). */
  byRequest: Map<string, number>;
  /** Request ids whose invocation failed (the runtime's "Invoke Error" line or a REPORT … Status: error). */
  failed: Set<string>;
  /** Failed invocations (an event retried after a failure fails more than once under one request id). */
  failedInvocations: number;
}

export async function readReports(ctx: KitContext, functionName: string, startTime?: number): Promise<Reports> {
  const events = await logEvents(ctx, functionName, { startTime });
  const byRequest = new Map<string, number>();
  const failed = new Set<string>();
  let total = 0;
  let failedInvocations = 0;
  for (const e of events) {
    const m = e.message ?? "";
    if (m.startsWith("REPORT RequestId:")) {
      const id = /RequestId: (\S+)/.exec(m)![1]!;
      byRequest.set(id, (byRequest.get(id) ?? 0) + 1);
      total++;
      if (/Status: (error|timeout)/.test(m)) failed.add(id);
    } else if (/Invoke Error|Task timed out/.test(m)) {
      failedInvocations++;
      const id = /^\S+\t([0-9a-f-]{36})\t/i.exec(m)?.[1] ?? /RequestId: ([0-9a-f-]{36})/i.exec(m)?.[1];
      if (id) failed.add(id);
    }
  }
  return { total, byRequest, failed, failedInvocations };
}
