/**
 * Lab 03 — the kit's side of the lab (not a learner file): provisioning the
 * table, the topic with its watching queue, the role and the function from
 * the learner's pieces; reading results back through the AWS APIs only
 * (objects, items, the queue, the function's CloudWatch Logs), so the same
 * code grades on AWS; and rebuilding an S3 event record to re-deliver it.
 */
import * as path from "node:path";
import { GetObjectCommand } from "@aws-sdk/client-s3";
import type { KitContext } from "../../src/kit/context.js";
import { pace } from "../../src/kit/context.js";
import { QueueReader } from "../../src/kit/queue-reader.js";
import { createRole, putRolePolicy } from "../../src/kit/resources/iam.js";
import { createFunction } from "../../src/kit/resources/lambda.js";
import { createTable } from "../../src/kit/resources/dynamodb.js";
import { createTopic, subscribe } from "../../src/kit/resources/sns.js";
import { createQueue, setQueuePolicy, type Queue } from "../../src/kit/resources/sqs.js";
import { packageHandler, type PackagedFunction } from "../../src/kit/packaging.js";
import { errorCode, pollUntil, sleep } from "../../src/kit/wait.js";
import { encodeEventKey, s3ObjectCreatedRecord } from "../../src/kit/grader/s3-records.js";

export const FUNCTION_PURPOSE = "thumbnailer";
export const FUNCTION_TIMEOUT_SECONDS = 30;
/** sharp decodes a 6000×4000 JPEG into ~70 MB of pixels; 1024 MB also buys CPU on AWS (CPU scales with memory). */
export const FUNCTION_MEMORY_MB = 1024;

export interface Pipeline {
  bucket: { name: string; arn: string };
  table: { name: string; arn: string };
  topic: { name: string; arn: string };
  queue: Queue;
}

export async function createTableTopicAndQueue(ctx: KitContext): Promise<Omit<Pipeline, "bucket">> {
  const [table, topic, queue] = await Promise.all([
    createTable(ctx, ctx.names.resource("metadata"), { partition: { AttributeName: "id", AttributeType: "S" } }),
    createTopic(ctx, ctx.names.resource("thumbnails")),
    createQueue(ctx, ctx.names.resource("notifications")),
  ]);
  await setQueuePolicy(ctx, queue, topicToQueuePolicy(queue.arn, topic.arn));
  await subscribe(ctx, topic.arn, "sqs", queue.arn);
  return { table, topic, queue };
}

/** The queue accepts messages from SNS, only from this topic. */
export function topicToQueuePolicy(queueArn: string, topicArn: string) {
  return {
    Version: "2012-10-17",
    Statement: [{ Sid: "AllowTopic", Effect: "Allow", Principal: { Service: "sns.amazonaws.com" }, Action: "sqs:SendMessage", Resource: queueArn, Condition: { ArnEquals: { "aws:SourceArn": topicArn } } }],
  };
}

export async function createExecutionRole(ctx: KitContext, trust: unknown, permissions: unknown): Promise<{ name: string; arn: string }> {
  const role = await createRole(ctx, ctx.names.resource("thumbnailer-role"), trust, "S3 Event Labs lab 03: execution role of the thumbnail function");
  await putRolePolicy(ctx, role.name, "image-pipeline", permissions);
  return role;
}

export async function packageImageHandler(sourceDir: string): Promise<PackagedFunction> {
  return packageHandler({ entry: path.join(sourceDir, "handler.ts"), nativeModules: ["sharp"] });
}

export async function deployFunction(ctx: KitContext, roleArn: string, pkg: PackagedFunction, p: Omit<Pipeline, "bucket" | "queue">): Promise<{ name: string; arn: string }> {
  return createFunction(ctx, {
    name: ctx.names.resource(FUNCTION_PURPOSE),
    roleArn,
    zip: pkg.zip,
    handler: pkg.handler,
    timeoutSeconds: FUNCTION_TIMEOUT_SECONDS,
    memoryMb: FUNCTION_MEMORY_MB,
    environment: { TABLE_NAME: p.table.name, TOPIC_ARN: p.topic.arn },
  });
}

const waitFor = (ctx: KitContext) => (ctx.target.kind === "aws" ? 90_000 : 20_000);

/** Wait until an object exists; returns its bytes and content type. */
export async function waitForObject(ctx: KitContext, bucket: string, key: string, timeoutMs = waitFor(ctx)): Promise<{ bytes: Uint8Array; contentType?: string }> {
  const p = pace(ctx);
  return pollUntil(
    async () => {
      try {
        const out = await ctx.clients.s3.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
        return { bytes: await out.Body!.transformToByteArray(), contentType: out.ContentType };
      } catch (err) {
        if (errorCode(err) === "NoSuchKey" || errorCode(err) === "NotFound") return undefined;
        throw err;
      }
    },
    { timeoutMs, intervalMs: p.intervalMs * 2, maxIntervalMs: p.maxIntervalMs, what: `s3://${bucket}/${key}`, onWait: () => ctx.status(`waiting for ${key}…`) },
  );
}

import { scanItems, type Item } from "../../src/kit/resources/dynamodb.js";
export { scanItems, type Item };



/** Items whose `key` attribute is the given (decoded) key. */
export const itemsFor = (items: Item[], key: string): Item[] => items.filter((i) => i.key === key);

/** One SNS notification as read from the subscribed queue. */
export interface Announcement {
  subject?: string;
  message: Record<string, unknown> | string;
  raw: string;
}

function parseAnnouncement(body: string): Announcement {
  let envelope: { Type?: string; Message?: string; Subject?: string } | undefined;
  try {
    envelope = JSON.parse(body) as typeof envelope;
  } catch {
    return { message: body, raw: body };
  }
  // SNS → SQS wraps the message in an envelope (unless raw message delivery is on).
  const text = envelope?.Type === "Notification" && typeof envelope.Message === "string" ? envelope.Message : body;
  try {
    return { subject: envelope?.Subject, message: JSON.parse(text) as Record<string, unknown>, raw: body };
  } catch {
    return { subject: envelope?.Subject, message: text, raw: body };
  }
}

/** Reads the topic's queue into a growing list (messages are deleted once read). */
export class AnnouncementReader extends QueueReader<Announcement> {
  constructor(ctx: KitContext, queueUrl: string) {
    super(ctx, queueUrl, (m) => parseAnnouncement(m.Body ?? ""), "SNS notifications from the queue");
  }

  override until(enough: (seen: Announcement[]) => boolean, timeoutMs = waitFor(this.ctx)): Promise<boolean> {
    return super.until(enough, timeoutMs);
  }

  /**
   * Receive until `enough(seen)` holds, or until the function has finished
   * `invocations` invocations that started since `since` and a grace period
   * more has brought nothing (SNS → SQS takes milliseconds locally, seconds on
   * AWS): a message a finished function never published is not coming, so a
   * failing check reports about a second after the evidence, not at the timeout.
   */
  async untilOrSettled(enough: (seen: Announcement[]) => boolean, w: { functionName: string; since: number; invocations: number; timeoutMs: number }): Promise<boolean> {
    const graceMs = this.ctx.target.kind === "aws" ? 10_000 : 1_000;
    const deadline = Date.now() + w.timeoutMs;
    let settledAt: number | undefined;
    while (!enough(this.seen)) {
      const now = Date.now();
      if (now >= deadline || (settledAt !== undefined && now - settledAt >= graceMs)) return false;
      if (settledAt === undefined && (await functionActivity(this.ctx, w.functionName, w.since)).completed >= w.invocations) settledAt = Date.now();
      this.ctx.status(`reading SNS notifications from the queue (${this.seen.length} so far)…`);
      await this.receiveOnce(1);
    }
    return true;
  }

  /** Announcements about one (decoded) key. */
  about(key: string): Announcement[] {
    return this.seen.filter((a) => typeof a.message === "object" && a.message !== null && a.message.key === key);
  }
}

import { functionActivity, logEvents } from "../../src/kit/grader/evidence.js";
export { logEvents };

export interface InvocationCount {
  /** REPORT lines: one per invocation, written by the Lambda platform itself. */
  invocations: number;
  /** Invocations that failed ("Invoke Error" lines from the Node runtime, or REPORT … Status: error). */
  errors: number;
  errorLines: string[];
}

/**
 * Count invocations from the function's own CloudWatch Logs: the platform
 * writes one REPORT line per invocation, on AWS and on the local cloud alike.
 */
export async function countInvocations(ctx: KitContext, functionName: string, startTime?: number): Promise<InvocationCount> {
  const events = await logEvents(ctx, functionName, { startTime });
  const reports = events.filter((e) => (e.message ?? "").startsWith("REPORT RequestId:"));
  const failed = new Set<string>();
  const errorLines: string[] = [];
  for (const e of events) {
    const m = e.message ?? "";
    const req = /RequestId: ([0-9a-f-]+)/i.exec(m)?.[1];
    if (m.startsWith("REPORT") && /Status: (error|timeout)/.test(m) && req) failed.add(req);
    if (/\tERROR\t|Invoke Error|Task timed out/.test(m)) {
      errorLines.push(m.trim());
      const id = /^\S+\t([0-9a-f-]{36})\t/i.exec(m)?.[1];
      if (id) failed.add(id);
    }
  }
  return { invocations: reports.length, errors: Math.max(failed.size, errorLines.filter((l) => /Invoke Error|Task timed out/.test(l)).length), errorLines };
}

/**
 * Wait until at least `expected` invocations are logged, then keep watching
 * for a quiet period: a loop shows itself as invocations that keep coming.
 * (Proving that something does NOT happen needs a window; it is short
 * locally and longer on AWS, where logs arrive seconds late.)
 */
export async function settledInvocations(ctx: KitContext, functionName: string, expected: number, startTime?: number, timeoutMs = waitFor(ctx)): Promise<InvocationCount> {
  const p = pace(ctx);
  const quietMs = ctx.target.kind === "aws" ? 20_000 : 1_500;
  let count = await pollUntil(
    async () => {
      const c = await countInvocations(ctx, functionName, startTime);
      return c.invocations >= expected ? c : undefined;
    },
    { timeoutMs, intervalMs: p.intervalMs * 4, maxIntervalMs: p.maxIntervalMs * 2, what: `${expected} invocations in the function's log`, onWait: () => ctx.status(`counting invocations (want ${expected})…`) },
  ).catch(() => countInvocations(ctx, functionName, startTime));
  const quietUntil = Date.now() + quietMs;
  while (Date.now() < quietUntil) {
    ctx.status(`watching for further invocations (${count.invocations} so far)…`);
    await sleep(Math.min(p.maxIntervalMs * 2, quietUntil - Date.now()));
    count = await countInvocations(ctx, functionName, startTime);
  }
  return count;
}

/** The function's recent log lines, without the platform's START/END/REPORT lines. */
export async function recentLogLines(ctx: KitContext, functionName: string, limit = 12, startTime?: number): Promise<string[]> {
  try {
    const events = await logEvents(ctx, functionName, { startTime });
    return events.map((e) => (e.message ?? "").trimEnd()).filter((m) => m && !/^(START|END|REPORT) RequestId/.test(m)).slice(-limit);
  } catch {
    return [];
  }
}

export { encodeEventKey };

/** One ObjectCreated:Put record in S3's shape, for re-delivering an event by a direct invoke. */
export function s3PutRecord(input: { region: string; account: string; bucket: string; key: string; size: number; eTag: string; sequencer: string; configurationId?: string }) {
  return s3ObjectCreatedRecord({ ...input, configurationId: input.configurationId ?? "images-jpg" });
}

/** A sequencer that sorts before `sequencer` (same length, hex value minus one, or all zeros). */
export function olderSequencer(sequencer: string): string {
  const digits = sequencer.replace(/0+$/, "") || "0";
  const value = BigInt(`0x${digits}`);
  const older = value > 0n ? (value - 1n).toString(16).toUpperCase().padStart(digits.length, "0") : "0";
  return older.padEnd(sequencer.length, "0");
}
