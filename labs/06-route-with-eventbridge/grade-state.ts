/**
 * Lab 06 — what the grader's checks share: the state of one grade, the check
 * names (hints.json is keyed by them), and small helpers for uploads and for
 * waiting with patience that shrinks once a wait has timed out.
 */
import { CopyObjectCommand, DeleteObjectCommand, PutObjectCommand } from "@aws-sdk/client-s3";
import type { GradeContext } from "../../src/kit/grader/types.js";
import type { KitContext } from "../../src/kit/context.js";
import type { PackagedFunction } from "../../src/kit/packaging.js";
import { sleep } from "../../src/kit/wait.js";
import type { Pipeline, QueueReader } from "./support.js";
import type { RunBook } from "./workflow-runs.js";
import type * as PatternsModule from "./patterns.js";
import type * as TargetsModule from "./targets.js";
import type * as WorkflowModule from "./workflow.js";
import type * as PermissionsModule from "./permissions.js";
import type * as ReplayModule from "./replay.js";
import type * as ConsumerModule from "./consumer.js";

/**
 * The Pipeline fields, the importer, the observers and the inboxes exist once `ready()` has run (grade.ts):
 * a starter fails its first checks without waiting for functions to be packaged and created.
 */
export interface State extends Pipeline {
  ready?: Promise<void>;
  patterns: typeof PatternsModule;
  targets: typeof TargetsModule;
  workflow: typeof WorkflowModule;
  permissions: typeof PermissionsModule;
  replay: typeof ReplayModule;
  consumer?: typeof ConsumerModule;
  importerPkg: PackagedFunction;
  importer: { name: string; arn: string };
  observers: { images: QueueReader; csv: QueueReader; deletions: QueueReader };
  deletionsInbox: QueueReader;
  failuresInbox: QueueReader;
  rules: { images?: { name: string; arn: string }; csv?: { name: string; arn: string }; deletions?: { name: string; arn: string } };
  archive?: { name: string; arn: string };
  eventsRoleArn?: string;
  workflowRoleArn?: string;
  stateMachine?: { name: string; arn: string };
  runs?: RunBook;
  /** When the CSV round started (the replay's window begins here) and what it left in the totals. */
  csvRound?: { started: number; totals: { files: number; rows: number }; keys: string[]; archivedBefore: number };
  /** Set once a wait timed out: later waits are short. */
  slow: boolean;
}

export const NOTIFY = "the bucket sends every event to EventBridge";
export const ARCHIVE = "the archive records this bucket's events (and no other bucket's)";
export const IMAGE_PATTERN = "image pattern: new PNG/JPEG of at least 2 KiB under uploads/, not the workflow's outputs";
export const CSV_PATTERN = "CSV pattern: new .csv files under imports/ (prefix and suffix together)";
export const DELETION_PATTERN = "deletion pattern: every deletion except the workflow's outputs under processed/";
export const EVENTS_ROLE = "EventBridge's role: assumed by EventBridge, may start this workflow only";
export const WORKFLOW_ROLE = "the workflow's role: assumed by Step Functions, invokes its task and publishes failures only";
export const DEFINITION = "the workflow definition is accepted: a Choice on the file type, two Lambda tasks, Retry and Catch";
export const CSV_PERMISSION = "the import function's permission: only the CSV rule may invoke it";
export const TOPIC_POLICY = "the deletions topic's policy: only the deletion rule may publish";
export const IMAGE_TARGET = "the image rule's target: the workflow, started with EventBridge's role";
export const CSV_TARGET = "the CSV rule's target: the import function";
export const DELETION_TARGET = "the deletion rule's target: the topic, with an input transformer";
export const IMAGES = "each image of at least 2 KiB under uploads/ runs the workflow once, on its file type's branch";
export const OUTPUTS = "the workflow's own outputs under processed/ start no execution";
export const CSVS = "each new CSV under imports/ is imported once; other files and deletions invoke nothing";
export const DELETIONS = 'deletions reach the topic as "File <key> was deleted from bucket <bucket> at <time>."';
export const FLAKY = "a busy task is retried with backoff and succeeds; the retries are in the history";
export const PERMANENT = "a broken image is not retried: the Catch path notifies the failure and the execution fails";
export const REPLAY = "a replay re-delivers the CSV events (replay-name) to the CSV rule only; the totals do not change";

/** Results appear locally within a second or two; on AWS in seconds to a minute. Short once a wait timed out. */
export function patience(ctx: GradeContext, st: State): number {
  if (ctx.target.kind === "aws") return st.slow ? 20_000 : 120_000;
  return st.slow ? 3_000 : 15_000;
}

/** Proving that nothing MORE happens needs a window: short locally, longer on AWS (late logs, late events). */
export async function quietWindow(ctx: GradeContext): Promise<void> {
  ctx.status("watching that nothing more happens…");
  await sleep(ctx.target.kind === "aws" ? 20_000 : 1_000);
}

export async function put(ctx: KitContext, st: { bucket: { name: string } }, key: string, body: Uint8Array | string): Promise<void> {
  await ctx.clients.s3.send(new PutObjectCommand({ Bucket: st.bucket.name, Key: key, Body: body }));
}

export async function copy(ctx: KitContext, st: { bucket: { name: string } }, from: string, to: string): Promise<void> {
  await ctx.clients.s3.send(new CopyObjectCommand({ Bucket: st.bucket.name, Key: to, CopySource: `${st.bucket.name}/${encodeURIComponent(from)}` }));
}

export async function remove(ctx: KitContext, st: { bucket: { name: string } }, key: string): Promise<void> {
  await ctx.clients.s3.send(new DeleteObjectCommand({ Bucket: st.bucket.name, Key: key }));
}

/** A learner's object or JSON text as an object (definitions and patterns may come as either). */
export function asObject(value: unknown): unknown {
  if (typeof value !== "string") return value;
  try {
    return JSON.parse(value);
  } catch {
    return value;
  }
}
