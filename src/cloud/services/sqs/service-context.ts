/**
 * What every SQS handler shares: the cloud, the queue engine, and the lookup
 * from a request's QueueUrl to the queue record (QueueDoesNotExist when it is
 * not there). Queues live in the caller's signing region.
 */
import type { Cloud } from "../../core/cloud.js";
import type { RequestContext } from "../../core/context.js";
import type { QueueEngine } from "./queue-engine.js";
import type { QueueRecord } from "./state.js";
import { missingParameter, queueDoesNotExist } from "./errors.js";
import { parseQueueUrl, queueUrl } from "./queue-urls.js";

export interface SqsService {
  cloud: Cloud;
  engine: QueueEngine;
}

export function requireQueue(svc: SqsService, ctx: RequestContext, input: Record<string, unknown>): QueueRecord {
  const url = input.QueueUrl;
  if (typeof url !== "string" || !url) throw missingParameter("QueueUrl");
  const ref = parseQueueUrl(url);
  const queue = svc.engine.getQueue(ref.account, ctx.region, ref.name);
  if (!queue) throw queueDoesNotExist();
  return queue;
}

/** The URL AWS would hand out: on the cloud's endpoint (the request's own host before the cloud knows it). */
export function urlOf(svc: SqsService, ctx: RequestContext, queue: QueueRecord): string {
  return queueUrl(svc.cloud.endpoint || ctx.endpoint, queue.account, queue.name);
}

/** Lists arrive as arrays (JSON) or single strings; normalise to string[]. */
export function stringList(value: unknown): string[] {
  if (value === undefined || value === null) return [];
  if (Array.isArray(value)) return value.map(String);
  return [String(value)];
}
