/**
 * Lab 06 — the kit's side of the lab (not a learner file): provisioning what
 * does not depend on the learner's work (the bucket, the state table, the two
 * topics each watched by a queue, the two functions with the kit's execution
 * roles, the grader's observer queues), and reading results back through the
 * AWS APIs only (queues, the table, the functions' logs, Step Functions'
 * executions and histories), so the same code grades on AWS.
 */
import * as path from "node:path";
import { fileURLToPath } from "node:url";
import { GetItemCommand } from "@aws-sdk/client-dynamodb";
import { PutFunctionEventInvokeConfigCommand } from "@aws-sdk/client-lambda";
import { QueueReader as KitQueueReader } from "../../src/kit/queue-reader.js";
import { StartReplayCommand, type StartReplayCommandInput } from "@aws-sdk/client-eventbridge";
import { recordResource, type KitContext } from "../../src/kit/context.js";
import { createArchive, putRule, waitForReplay } from "../../src/kit/resources/events.js";
import { attachRolePolicy, BASIC_EXECUTION_POLICY_ARN, createRole, putRolePolicy } from "../../src/kit/resources/iam.js";
import { createFunction } from "../../src/kit/resources/lambda.js";
import { createTable } from "../../src/kit/resources/dynamodb.js";
import { createTopic, subscribe } from "../../src/kit/resources/sns.js";
import { createQueue, setQueuePolicy, type Queue } from "../../src/kit/resources/sqs.js";
import { createBucket } from "../../src/kit/resources/s3.js";
import { packageHandler, type PackagedFunction } from "../../src/kit/packaging.js";

const here = path.dirname(fileURLToPath(import.meta.url));
export const THUMBNAIL_SOURCE = path.join(here, "functions", "thumbnail.ts");

export interface Pipeline {
  bucket: { name: string; arn: string };
  table: { name: string; arn: string };
  deletions: { topic: { name: string; arn: string }; queue: Queue };
  failures: { topic: { name: string; arn: string }; queue: Queue };
  thumbnail: { name: string; arn: string };
}

const lambdaTrust = { Version: "2012-10-17", Statement: [{ Effect: "Allow", Principal: { Service: "lambda.amazonaws.com" }, Action: "sts:AssumeRole" }] };

/** The queue accepts messages from SNS, only from this topic. */
export function topicToQueuePolicy(queueArn: string, topicArn: string) {
  return { Version: "2012-10-17", Statement: [{ Effect: "Allow", Principal: { Service: "sns.amazonaws.com" }, Action: "sqs:SendMessage", Resource: queueArn, Condition: { ArnEquals: { "aws:SourceArn": topicArn } } }] };
}

/** An observer queue of the grader: EventBridge may send to it from this namespace's rules. */
export function rulesToQueuePolicy(ctx: KitContext, queueArn: string) {
  const rules = `arn:aws:events:${ctx.target.region}:${ctx.target.account}:rule/${ctx.names.namespace}-*`;
  return { Version: "2012-10-17", Statement: [{ Effect: "Allow", Principal: { Service: "events.amazonaws.com" }, Action: "sqs:SendMessage", Resource: queueArn, Condition: { ArnLike: { "aws:SourceArn": rules } } }] };
}

async function topicWithQueue(ctx: KitContext, purpose: string): Promise<{ topic: { name: string; arn: string }; queue: Queue }> {
  const [topic, queue] = await Promise.all([createTopic(ctx, ctx.names.resource(purpose)), createQueue(ctx, ctx.names.resource(`${purpose}-inbox`))]);
  await setQueuePolicy(ctx, queue, topicToQueuePolicy(queue.arn, topic.arn));
  await subscribe(ctx, topic.arn, "sqs", queue.arn);
  return { topic, queue };
}

/** A function with a kit-written execution role: logs plus `statements`; no retries of failed async invokes (evidence stays with its check). */
async function deploy(ctx: KitContext, purpose: string, pkg: PackagedFunction, statements: unknown[], environment: Record<string, string>): Promise<{ name: string; arn: string }> {
  const role = await createRole(ctx, ctx.names.resource(`${purpose}-role`), lambdaTrust, `S3 Event Labs lab 06: execution role of the ${purpose} function`);
  await attachRolePolicy(ctx, role.name, BASIC_EXECUTION_POLICY_ARN);
  await putRolePolicy(ctx, role.name, "lab06", { Version: "2012-10-17", Statement: statements });
  const fn = await createFunction(ctx, { name: ctx.names.resource(purpose), roleArn: role.arn, zip: pkg.zip, handler: pkg.handler, timeoutSeconds: 10, memoryMb: 256, environment });
  await ctx.clients.lambda.send(new PutFunctionEventInvokeConfigCommand({ FunctionName: fn.name, MaximumRetryAttempts: 0 }));
  return fn;
}

/** The names (and so the ARNs) of what provision() creates, known before it exists. */
export function plannedArns(ctx: KitContext): { thumbnailFunctionArn: string; failureTopicArn: string; deletionTopicArn: string } {
  const { region, account } = ctx.target;
  return {
    thumbnailFunctionArn: `arn:aws:lambda:${region}:${account}:function:${ctx.names.resource("thumbnail")}`,
    failureTopicArn: `arn:aws:sns:${region}:${account}:${ctx.names.resource("failures")}`,
    deletionTopicArn: `arn:aws:sns:${region}:${account}:${ctx.names.resource("deletions")}`,
  };
}

/** Everything the checks need that the learner does not write, around an existing bucket. */
export async function provisionAround(ctx: KitContext, bucket: { name: string; arn: string }): Promise<Pipeline> {
  const [table, deletions, failures, pkg] = await Promise.all([
    createTable(ctx, ctx.names.resource("state"), { partition: { AttributeName: "id", AttributeType: "S" } }),
    topicWithQueue(ctx, "deletions"),
    topicWithQueue(ctx, "failures"),
    packageHandler({ entry: THUMBNAIL_SOURCE }),
  ]);
  const thumbnail = await deploy(ctx, "thumbnail", pkg, [
    { Effect: "Allow", Action: "s3:GetObject", Resource: `${bucket.arn}/uploads/*` },
    { Effect: "Allow", Action: "s3:PutObject", Resource: `${bucket.arn}/processed/*` },
    { Effect: "Allow", Action: "dynamodb:UpdateItem", Resource: table.arn },
  ], { TABLE_NAME: table.name });
  return { bucket, table, deletions, failures, thumbnail };
}

export async function provision(ctx: KitContext): Promise<Pipeline> {
  return provisionAround(ctx, await createBucket(ctx, ctx.names.resource("inbox")));
}

/** The learner's import function (consumer.ts, bundled), with the kit's role: read imports/, update the table. */
export async function deployImporter(ctx: KitContext, p: Pipeline, pkg: PackagedFunction): Promise<{ name: string; arn: string }> {
  return deploy(ctx, "importer", pkg, [
    { Effect: "Allow", Action: "s3:GetObject", Resource: `${p.bucket.arn}/imports/*` },
    // Without ListBucket, S3 answers a GET of a deleted key with AccessDenied instead of NoSuchKey.
    { Effect: "Allow", Action: "s3:ListBucket", Resource: p.bucket.arn },
    { Effect: "Allow", Action: "dynamodb:UpdateItem", Resource: p.table.arn },
  ], { TABLE_NAME: p.table.name });
}

/** The totals item the import function keeps (undefined before the first import). */
export async function readTotals(ctx: KitContext, table: string): Promise<{ files: number; rows: number } | undefined> {
  const out = await ctx.clients.dynamodb.send(new GetItemCommand({ TableName: table, Key: { id: { S: "totals" } }, ConsistentRead: true }));
  if (!out.Item) return undefined;
  return { files: Number(out.Item.files?.N ?? 0), rows: Number(out.Item.rows?.N ?? 0) };
}

/** One message read from a queue: the body parsed, an SNS envelope unwrapped. */
export interface Received {
  /** The SNS Message text, or the body when it was not an SNS notification. */
  text: string;
  /** The body parsed as JSON, when it is (an EventBridge event for observer queues). */
  json?: Record<string, any>;
}

function parse(body: string): Received {
  let json: Record<string, any> | undefined;
  try {
    json = JSON.parse(body) as Record<string, any>;
  } catch {
    return { text: body };
  }
  if (json && json.Type === "Notification" && typeof json.Message === "string") return { text: json.Message };
  return { text: body, json };
}

/** Reads a queue into a growing list (messages are deleted once read). */
export class QueueReader extends KitQueueReader<Received> {
  constructor(ctx: KitContext, readonly queue: Queue) {
    super(ctx, queue.url, (m) => parse(m.Body ?? ""), queue.name);
  }

  /** EventBridge events (observer queues) about one object key. */
  eventsAbout(key: string): Array<Record<string, any>> {
    return this.seen.filter((m) => m.json?.detail?.object?.key === key).map((m) => m.json!);
  }
}

/** The account's default event bus, where S3 (EventBridgeConfiguration) puts its events. */
export function defaultBusArn(ctx: KitContext): string {
  return `arn:aws:events:${ctx.target.region}:${ctx.target.account}:event-bus/default`;
}

/** A rule on the default bus (resources/events.ts records it), named <namespace>-<purpose>. */
export async function rule(ctx: KitContext, purpose: string, pattern: unknown, description: string): Promise<{ name: string; arn: string }> {
  const name = ctx.names.resource(purpose);
  return { name, arn: await putRule(ctx, { name, eventPattern: pattern, description }) };
}

export async function archive(ctx: KitContext, pattern: unknown, description: string): Promise<{ name: string; arn: string }> {
  const name = ctx.names.resource("archive");
  return { name, arn: await createArchive(ctx, { name, busArn: defaultBusArn(ctx), eventPattern: pattern, retentionDays: 1, description }) };
}

/** Start the learner's replay request (recorded, so cleanup cancels it if it is still running) and wait until it is COMPLETED. */
export async function replayAndWait(ctx: KitContext, request: StartReplayCommandInput): Promise<{ arn: string }> {
  recordResource(ctx, "eventbridge-replay", request.ReplayName!);
  const out = await ctx.clients.events.send(new StartReplayCommand(request));
  const done = await waitForReplay(ctx, request.ReplayName!, ctx.target.kind === "aws" ? 15 * 60_000 : 20_000);
  if (done.State !== "COMPLETED") throw new Error(`the replay ended ${done.State}: ${done.StateReason ?? "no reason given"}`);
  return { arn: out.ReplayArn! };
}
