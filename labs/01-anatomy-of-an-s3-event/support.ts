/**
 * Lab 01 — the kit's side of the lab (not a learner file): provisioning the
 * bucket and queue, reading the queue, and a reference parse of S3 messages
 * that the guided steps use to explain fields and the grader uses as truth.
 */
import { DeleteMessageBatchCommand, ReceiveMessageCommand } from "@aws-sdk/client-sqs";
import type { KitContext } from "../../src/kit/context.js";
import { createBucket } from "../../src/kit/resources/s3.js";
import { createQueue, type Queue } from "../../src/kit/resources/sqs.js";
import { TimeoutError } from "../../src/kit/wait.js";

export interface LabResources {
  bucket: { name: string; arn: string };
  queue: Queue;
}

export async function createBucketAndQueue(ctx: KitContext): Promise<LabResources> {
  const [bucket, queue] = await Promise.all([createBucket(ctx, ctx.names.resource("uploads")), createQueue(ctx, ctx.names.resource("events"))]);
  return { bucket, queue };
}

/** One S3 event record, as S3 sends it (aws-behavior.md §2). */
export interface S3Record {
  eventVersion: string;
  eventSource: string;
  awsRegion: string;
  eventTime: string;
  eventName: string;
  userIdentity?: { principalId: string };
  requestParameters?: { sourceIPAddress: string };
  responseElements?: Record<string, string>;
  s3: {
    s3SchemaVersion: string;
    configurationId: string;
    bucket: { name: string; ownerIdentity?: { principalId: string }; arn: string };
    object: { key: string; size?: number; eTag?: string; versionId?: string; sequencer?: string };
  };
}

export function isTestEvent(body: string): boolean {
  try {
    return (JSON.parse(body) as { Event?: string }).Event === "s3:TestEvent";
  } catch {
    return false;
  }
}

export function recordsOf(body: string): S3Record[] {
  try {
    const parsed = JSON.parse(body) as { Records?: S3Record[] };
    return Array.isArray(parsed.Records) ? parsed.Records : [];
  } catch {
    return [];
  }
}

export const decodeKey = (key: string): string => decodeURIComponent(key.replace(/\+/g, " "));

/**
 * Receive (and delete) messages until `enough(bodies)` holds. Long polling
 * returns as soon as something arrives, so this waits only as long as S3 takes.
 */
export async function receiveUntil(ctx: KitContext, queueUrl: string, enough: (bodies: string[]) => boolean, what: string, timeoutMs = ctx.target.kind === "aws" ? 90_000 : 10_000): Promise<string[]> {
  const bodies: string[] = [];
  const started = Date.now();
  while (!enough(bodies)) {
    const left = timeoutMs - (Date.now() - started);
    if (left <= 0) throw new TimeoutError(`waited ${(timeoutMs / 1000).toFixed(0)} s for ${what}; got ${bodies.length} message(s)`);
    ctx.status(`waiting for ${what} (${bodies.length} so far)…`);
    const out = await ctx.clients.sqs.send(
      new ReceiveMessageCommand({ QueueUrl: queueUrl, MaxNumberOfMessages: 10, WaitTimeSeconds: Math.max(1, Math.min(ctx.target.kind === "aws" ? 10 : 2, Math.floor(left / 1000))), VisibilityTimeout: 30 }),
    );
    const messages = out.Messages ?? [];
    if (messages.length === 0) continue;
    bodies.push(...messages.map((m) => m.Body ?? ""));
    await ctx.clients.sqs.send(new DeleteMessageBatchCommand({ QueueUrl: queueUrl, Entries: messages.map((m, i) => ({ Id: String(i), ReceiptHandle: m.ReceiptHandle! })) }));
  }
  return bodies;
}

/** Count the event records (not test events) among message bodies. */
export const recordCount = (bodies: string[]): number => bodies.reduce((n, b) => n + recordsOf(b).length, 0);
