/**
 * Lab 07 — what the grader's checks share: the provisioned pipeline, the
 * learner's pieces, the fault switch (local cloud only) and the check names
 * (hints.json is keyed by them).
 */
import type { CloudWatchClient } from "@aws-sdk/client-cloudwatch";
import { PutObjectCommand } from "@aws-sdk/client-s3";
import type { GradeContext } from "../../src/kit/grader/types.js";
import type { FaultsApi } from "../../src/kit/faults.js";
import type { PackagedFunction } from "../../src/kit/packaging.js";
import type { OpsInbox, Pipeline } from "./support.js";
import { body, type Order } from "./test-data.js";
import type * as AsyncConfigModule from "./async-config.js";
import type * as AlarmsModule from "./alarms.js";

export const ASYNC = "async invocation: one retry at least, a maximum event age, failures to the failure queue";
export const ALARMS = "two alarms notify the ops topic: the function's Errors and the failure queue's depth";
export const ONCE = "200 orders, 20 % delivered twice and out of order: every balance is exact";
export const POISON = "a poison order is attempted 1 + MaximumRetryAttempts times, then parked as one failure record";
export const ERRORS_ALARM = "the Errors alarm goes to ALARM and notifies, then back to OK once the errors stop";
export const DEPTH_ALARM = "the failure-queue alarm goes to ALARM while a record waits, then back to OK once drained";
export const METRICS = "GetMetricData agrees with the REPORT lines in the function's logs";
export const LOGS = "structured logs: one JSON line per record, searchable with FilterLogEvents";
export const TRANSIENT = "transient S3/DynamoDB errors and throttles never lose an order";

export interface State {
  asyncConfig: typeof AsyncConfigModule;
  alarms: typeof AlarmsModule;
  pkg: PackagedFunction;
  pipeline: Pipeline;
  fn: { name: string; arn: string };
  cloudwatch: CloudWatchClient;
  /** The local cloud's fault switch; undefined on AWS (or a cloud without one). */
  faults?: FaultsApi;
  /** AWS time → real time on this cloud. */
  timeScale: number;
  inbox: OpsInbox;
  startedAt: number;
  /** Set by the checks as they learn things. */
  retries?: number;
  errorsAlarmName: string;
  depthAlarmName: string;
  /** When the poison order was uploaded, and its record's request id. */
  poisonAt?: number;
  /** Duplicate deliveries injected during the exactly-once round, and the round's time span. */
  onceRound?: { since: number; until: number; duplicates: number; orders: number };
  /** The first check that found the function failing: later ones say "probably the same cause". */
  functionFailedIn?: string;
}

/** Local results come in well under a second; AWS takes seconds (cold starts, log delivery). */
export const patience = (ctx: GradeContext) => (ctx.target.kind === "aws" ? 120_000 : 45_000);

/** Upload orders, a few at a time; returns each upload's version id (in order). */
export async function uploadOrders(ctx: GradeContext, st: State, orders: Order[]): Promise<Array<string | undefined>> {
  const parallel = 16;
  const versions: Array<string | undefined> = [];
  for (let i = 0; i < orders.length; i += parallel) {
    const out = await Promise.all(orders.slice(i, i + parallel).map((o) => ctx.clients.s3.send(new PutObjectCommand({ Bucket: st.pipeline.bucket.name, Key: o.key, Body: body(o), ContentType: "application/json" }))));
    versions.push(...out.map((o) => o.VersionId));
    ctx.status(`uploaded ${Math.min(i + parallel, orders.length)} of ${orders.length} orders…`);
  }
  return versions;
}

export function sameCause(st: State, check: string): string {
  return st.functionFailedIn && st.functionFailedIn !== check ? ` — probably the same cause as "${st.functionFailedIn}"` : "";
}
