/**
 * Lab 04 — the grader's shared pieces: check names, the state, and the waits
 * every traffic round uses (rows of one folder, an empty queue, the
 * function's log since a moment) — all through the AWS APIs.
 */
import { createHash } from "node:crypto";
import { FilterLogEventsCommand } from "@aws-sdk/client-cloudwatch-logs";
import { PutObjectCommand } from "@aws-sdk/client-s3";
import { ReceiveMessageCommand } from "@aws-sdk/client-sqs";
import type { GradeContext } from "../../src/kit/grader/types.js";
import type { Queue } from "../../src/kit/resources/sqs.js";
import type { PackagedFunction } from "../../src/kit/packaging.js";
import { pace } from "../../src/kit/context.js";
import { errorCode, sleep } from "../../src/kit/wait.js";
import type { Database } from "./database.js";
import type { Sql } from "./support.js";
import { queueDepth } from "./support.js";
import type { CsvFile } from "./test-data.js";
import type * as QueueModule from "./queue.js";
import type * as MappingModule from "./mapping.js";
import type * as SchemaModule from "./schema.js";

export const CHECKS = {
  SCHEMA: "schema: one row per file and row_number — a repeated insert is refused",
  QUEUE: "queue: the visibility timeout covers window + function timeout; failed messages go to the DLQ",
  MAPPING: "mapping: batches, a batching window, item failures reported, a maximum concurrency",
  TESTEVENT: "s3:TestEvent is skipped: no crash, deleted from the queue, not in the DLQ",
  LOAD: "200 CSV uploads at once and a multipart upload: exactly their rows, none twice",
  AWKWARD: "awkward keys and values (quotes, SQL-looking text, unicode) are stored as written",
  DUPLICATE: "the same S3 event delivered twice more adds no rows",
  CONCURRENCY: "never more invocations at once than the mapping's MaximumConcurrency",
  POISON: "a poison file: no partial rows, parked in the DLQ; its batch-mates loaded once, not parked",
  REDRIVE: "after the file is fixed, a redrive (StartMessageMoveTask) loads it",
  RESUMING: "DatabaseResumingException after an auto-pause is retried, not a failed message",
} as const;

export interface State {
  queue: typeof QueueModule;
  mapping: typeof MappingModule;
  schema: typeof SchemaModule;
  pkg: PackagedFunction;
  bucket: { name: string; arn: string };
  dlq: Queue;
  /** The database, role and function: made by the first check that needs them (ensureBackend), so a
   * starter that fails before them is graded in seconds. */
  db?: Database;
  sql?: Sql;
  fn?: { name: string; arn: string };
  backend?: Promise<void>;
  uploads?: Queue;
  visibility?: number;
  maxReceiveCount?: number;
  mappingUuid?: string;
  maximumConcurrency?: number;
  /** The mapping's MaximumBatchingWindowInSeconds. */
  window?: number;
  /** When the load round's uploads began: the concurrency check reads the log from here. */
  loadStarted?: number;
  loadEnded?: number;
  /** A wait timed out once: the handler is not producing results, so later waits are short. */
  slow?: boolean;
  /** The poison round (started with the load round, finished by its check): when its files went up. */
  poisonSince?: number;
  /** While the poison file is being retried, one message of the queue is legitimately in flight. */
  poisonPending?: boolean;
  /** The first check whose round showed a failing function, for "probably the same cause". */
  firstFailure?: string;
}

/** Money as PostgreSQL's numeric(12,2)::text writes it. */
export const money = (a: string): string => {
  const [whole, frac = ""] = a.split(".");
  return `${whole}.${frac.padEnd(2, "0")}`;
};

/** What the table must hold for a file, in the order rowsUnder returns it. */
export const expectedRows = (f: CsvFile): string[][] => f.rows.map((r, i) => [f.key, String(i + 1), r.orderId, r.customer, money(r.amount), r.comment]);

/** The fingerprint SQL computes per file (fingerprints()): rows, distinct row numbers, md5 of the content. */
export function fingerprintOf(f: CsvFile): { rows: number; md5: string } {
  const md5 = (s: string) => createHash("md5").update(s, "utf8").digest("hex");
  const text = f.rows.map((r, i) => [String(i + 1), r.orderId, r.customer, money(r.amount), md5(r.comment)].join("|")).join("\n");
  return { rows: f.rows.length, md5: md5(text) };
}

/** Per file under a prefix: [source_key, rows, distinct row numbers, md5] — small, whatever the comments' size. */
export async function fingerprints(sql: Sql, prefix: string): Promise<Map<string, { rows: number; distinct: number; md5: string }>> {
  const records = await sql.run(
    `SELECT source_key, count(*)::text, count(DISTINCT row_number)::text,
            md5(string_agg(row_number::text || '|' || order_id || '|' || customer || '|' || amount::text || '|' || md5(comment), E'\\n' ORDER BY row_number))
       FROM orders WHERE source_key LIKE :prefix GROUP BY source_key`,
    [{ name: "prefix", value: { stringValue: `${prefix}%` } }],
  );
  return new Map(records.map((r) => [r[0]!.stringValue!, { rows: Number(r[1]!.stringValue), distinct: Number(r[2]!.stringValue), md5: r[3]!.stringValue ?? "" }]));
}

export const patience = (ctx: GradeContext, st: State): number => {
  if (ctx.target.kind === "aws") return st.slow ? 20_000 : 120_000;
  // One retry after the visibility timeout may still be a success (a transient failure).
  return st.slow ? 3_000 : Math.min(40_000, (st.visibility ?? 10) * 1000 + 10_000);
};

export async function upload(ctx: GradeContext, st: State, files: CsvFile[], parallel = 20): Promise<number> {
  const since = Date.now();
  for (let i = 0; i < files.length; i += parallel) {
    await Promise.all(files.slice(i, i + parallel).map((f) => ctx.clients.s3.send(new PutObjectCommand({ Bucket: st.bucket.name, Key: f.key, Body: f.body, ContentType: "text/csv" }))));
  }
  return since;
}

/** Function log lines since `since` that show a failure: a thrown error (Invoke Error), a timeout, or a console.error line. */
export async function failureLines(ctx: GradeContext, st: State, since: number): Promise<string[]> {
  const lines: string[] = [];
  let nextToken: string | undefined;
  try {
    do {
      const out = await ctx.clients.logs.send(new FilterLogEventsCommand({ logGroupName: `/aws/lambda/${st.fn!.name}`, startTime: since, nextToken }));
      for (const e of out.events ?? []) {
        const m = (e.message ?? "").trimEnd();
        if (/Invoke Error|Task timed out|\tERROR\t|Runtime exited/.test(m)) lines.push(m.replace(/^\S+\t[0-9a-f-]{36}\t(ERROR\t)?/i, "").slice(0, 400));
      }
      nextToken = out.nextToken;
    } while (nextToken);
  } catch (err) {
    if (errorCode(err) !== "ResourceNotFoundException") throw err;
  }
  return lines;
}

/** Invocations since `since`, from the platform's START / END lines: [start, end] in ms (end undefined while running). */
export async function invocationSpans(ctx: GradeContext, st: State, since: number, until = Date.now() + 60_000): Promise<Array<[number, number | undefined]>> {
  const spans = new Map<string, [number, number | undefined]>();
  let nextToken: string | undefined;
  do {
    const out = await ctx.clients.logs.send(new FilterLogEventsCommand({ logGroupName: `/aws/lambda/${st.fn!.name}`, startTime: since, endTime: until, nextToken }));
    for (const e of out.events ?? []) {
      const m = e.message ?? "";
      const id = /^(START|END) RequestId: ([0-9a-f-]{36})/i.exec(m);
      if (!id) continue;
      const span = spans.get(id[2]!) ?? [e.timestamp!, undefined];
      if (id[1] === "START") span[0] = e.timestamp!;
      else span[1] = e.timestamp!;
      spans.set(id[2]!, span);
    }
    nextToken = out.nextToken;
  } while (nextToken);
  return [...spans.values()];
}

/** Poll `done` until it returns a value; stop early on a failure line that names one of `keys`; undefined on timeout. */
export async function waitFor<T>(ctx: GradeContext, st: State, w: { since: number; keys: string[]; what: string; done: () => Promise<T | undefined>; timeoutMs?: number }): Promise<{ value?: T; failure?: string }> {
  const p = pace(ctx);
  const timeoutMs = w.timeoutMs ?? patience(ctx, st);
  const started = Date.now();
  let interval = p.intervalMs * 4;
  const encoded = w.keys.flatMap((k) => [k, encodeURIComponent(k).replace(/%2F/g, "/"), k.replace(/ /g, "+")]);
  for (let polls = 0; ; polls++) {
    const value = await w.done();
    if (value !== undefined) return { value };
    if (polls % 3 === 2) {
      // While the poison file is retried, a handler that throws for it logs Invoke Errors that are its round's business.
      const generic = st.poisonPending ? /Task timed out|Runtime exited/ : /Invoke Error|Task timed out|Runtime exited/;
      const failure = (await failureLines(ctx, st, w.since)).find((l) => encoded.some((k) => l.includes(k)) || generic.test(l));
      if (failure) return { failure };
      if (await reportedFailed(ctx, st, w.since)) return { failure: "a message was returned as a batch item failure (it waits out the visibility timeout, then is tried again)" };
    }
    if (Date.now() - started > timeoutMs) {
      st.slow = true;
      return {};
    }
    ctx.status(`waiting for ${w.what}…`);
    await sleep(interval);
    interval = Math.min(p.maxIntervalMs * 2, Math.ceil(interval * 1.5));
  }
}

/**
 * Evidence that the function reported messages as failed: every invocation since `since` has ended,
 * the last longer ago than the batching window and a little more, and the queue still has messages in
 * flight and none visible — no one is working on them; they wait for their visibility timeout.
 */
async function reportedFailed(ctx: GradeContext, st: State, since: number): Promise<boolean> {
  if (!st.uploads) return false;
  const spans = await invocationSpans(ctx, st, since).catch(() => []);
  if (!spans.length || spans.some(([, end]) => end === undefined)) return false;
  const lastEnd = Math.max(...spans.map(([, end]) => end!));
  if (Date.now() - lastEnd < ((st.window ?? 0) + 2) * 1000) return false;
  const depth = await queueDepth(ctx, st.uploads.url);
  return depth.visible === 0 && depth.inFlight > (st.poisonPending ? 1 : 0);
}

/** Wait until the uploads queue holds nothing (every message deleted); returns false on timeout. */
export async function drained(ctx: GradeContext, st: State, timeoutMs: number): Promise<boolean> {
  const p = pace(ctx);
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if ((await queueDepth(ctx, st.uploads!.url)).total === 0) return true;
    await sleep(p.maxIntervalMs);
  }
  return false;
}

/** The DLQ's messages, without taking them (VisibilityTimeout 0), by id: their S3 keys, or "s3:TestEvent". */
export async function deadLetters(ctx: GradeContext, st: State): Promise<Map<string, string[]>> {
  const seen = new Map<string, string[]>();
  for (let i = 0; i < 3; i++) {
    const out = await ctx.clients.sqs.send(new ReceiveMessageCommand({ QueueUrl: st.dlq.url, MaxNumberOfMessages: 10, VisibilityTimeout: 0, WaitTimeSeconds: 0 }));
    for (const m of out.Messages ?? []) seen.set(m.MessageId!, describeBody(m.Body ?? ""));
    if (!out.Messages?.length) break;
  }
  return seen;
}

function describeBody(body: string): string[] {
  try {
    const parsed = JSON.parse(body) as { Event?: string; Records?: Array<{ s3?: { object?: { key?: string } } }> };
    if (parsed.Event) return [parsed.Event];
    return (parsed.Records ?? []).map((r) => decodeURIComponent(String(r.s3?.object?.key ?? "").replace(/\+/g, " ")));
  } catch {
    return [body.slice(0, 60)];
  }
}

/** "— probably the same cause as …" once an earlier round saw the function fail. */
export function sameCause(ctx: GradeContext, st: State): string {
  if (!st.firstFailure) {
    st.firstFailure = ctx.currentCheck;
    return "";
  }
  return st.firstFailure !== ctx.currentCheck ? ` — probably the same cause as "${st.firstFailure}"` : "";
}
