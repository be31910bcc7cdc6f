/**
 * Lab 04 — the grader's traffic rounds, one check each, in this order: the
 * s3:TestEvent; awkward keys and values (the poison file and its batch-mates
 * go up with them, and their retries run beside the next rounds); a
 * duplicated S3 event; 200 uploads at once (+ a multipart one); the
 * concurrency seen in the log; the poison file in the DLQ; the redrive after
 * the fix; and a file after the database auto-paused. Each round uses a
 * folder of its own under uploads/ and reads only its rows, so one mistake
 * fails the check about it; the small rounds come first, so what they catch
 * is reported without waiting for the big one.
 */
import { CompleteMultipartUploadCommand, CreateMultipartUploadCommand, GetBucketNotificationConfigurationCommand, HeadObjectCommand, PutBucketNotificationConfigurationCommand, PutObjectCommand, UploadPartCommand } from "@aws-sdk/client-s3";
import { ListMessageMoveTasksCommand, PurgeQueueCommand, SendMessageCommand, StartMessageMoveTaskCommand } from "@aws-sdk/client-sqs";
import { createHash, randomUUID } from "node:crypto";
import { InvokeCommand } from "@aws-sdk/client-lambda";
import { CheckFailed, type Check, type GradeContext } from "../../src/kit/grader/types.js";
import { s3ObjectCreatedRecord } from "../../src/kit/grader/s3-records.js";
import { errorCode, errorMessage, sleep } from "../../src/kit/wait.js";
import { checkHealth } from "../../src/kit/local-cloud.js";
import { queueDepth } from "./support.js";
import { CHECKS, deadLetters, drained, expectedRows, fingerprintOf, fingerprints, invocationSpans, patience, sameCause, upload, waitFor, type State } from "./grade-checks.js";
import { AWKWARD, bulkFiles, DUPLICATE, MATES, multipartCsv, POISON, RESUME, testEventBody, type CsvFile } from "./test-data.js";

const { MAPPING, SCHEMA, TESTEVENT, LOAD, AWKWARD: AWKWARD_CHECK, DUPLICATE: DUPLICATE_CHECK, CONCURRENCY, POISON: POISON_CHECK, REDRIVE, RESUMING } = CHECKS;

/** The poison file and four good files uploaded with it (so they share its batch). */
const POISON_ROUND: CsvFile[] = [{ key: POISON.key, body: POISON.body, rows: [] }, ...MATES];

async function startPoisonRound(ctx: GradeContext, st: State): Promise<void> {
  st.poisonSince = await upload(ctx, st, POISON_ROUND);
  st.poisonPending = true;
}

/** Compare a folder's rows with the files, exactly. */
async function rowProblems(st: State, prefix: string, files: CsvFile[]): Promise<string[]> {
  const got = await st.sql!.rowsUnder(prefix);
  const want = files.flatMap(expectedRows).sort((a, b) => (a[0]! < b[0]! ? -1 : a[0]! > b[0]! ? 1 : Number(a[1]) - Number(b[1])));
  const problems: string[] = [];
  const key = (r: string[]) => `${r[0]}#${r[1]}`;
  const counts = new Map<string, number>();
  for (const r of got) counts.set(key(r), (counts.get(key(r)) ?? 0) + 1);
  for (const [k, n] of counts) if (n > 1) problems.push(`${k.replace("#", " row ")} is in the table ${n} times`);
  for (const w of want) {
    const g = got.find((r) => key(r) === key(w));
    if (!g) problems.push(`missing: ${w[0]} row ${w[1]}`);
    else if (JSON.stringify(g) !== JSON.stringify(w)) problems.push(`${w[0]} row ${w[1]}: stored ${JSON.stringify(g.slice(2))}, the file says ${JSON.stringify(w.slice(2))}`);
  }
  for (const g of got) if (!want.some((w) => key(w) === key(g))) problems.push(`unexpected row: ${g[0]} row ${g[1]} (${g[2]})`);
  return problems;
}

/** A round that ends when its folder's rows are exactly right (or a logged failure names one of its files). */
async function expectRows(ctx: GradeContext, st: State, prefix: string, files: CsvFile[], since: number): Promise<void> {
  let last: string[] = [];
  const { value, failure } = await waitFor(ctx, st, {
    since,
    keys: files.map((f) => f.key),
    what: `the rows of ${files.length} file(s) under ${prefix}`,
    done: async () => {
      last = await rowProblems(st, prefix, files);
      return last.length === 0 ? true : undefined;
    },
  });
  if (value) return;
  if (!failure) last = await rowProblems(st, prefix, files);
  const shown = last.slice(0, 6).join("\n    ") + (last.length > 6 ? `\n    … and ${last.length - 6} more` : "");
  throw new CheckFailed(`${shown}${failure ? `\n    the function's log: ${failure}` : ""}${sameCause(ctx, st)}`);
}

async function multipartUpload(ctx: GradeContext, st: State, file: ReturnType<typeof multipartCsv>): Promise<void> {
  const { UploadId } = await ctx.clients.s3.send(new CreateMultipartUploadCommand({ Bucket: st.bucket.name, Key: file.key, ContentType: "text/csv" }));
  const parts = [];
  for (const [i, body] of file.parts.entries()) {
    const out = await ctx.clients.s3.send(new UploadPartCommand({ Bucket: st.bucket.name, Key: file.key, UploadId, PartNumber: i + 1, Body: body }));
    parts.push({ PartNumber: i + 1, ETag: out.ETag });
  }
  await ctx.clients.s3.send(new CompleteMultipartUploadCommand({ Bucket: st.bucket.name, Key: file.key, UploadId, MultipartUpload: { Parts: parts } }));
}

/** The most invocations open at one moment (an end and a start in the same millisecond do not overlap). */
function mostAtOnce(spans: Array<[number, number | undefined]>): number {
  const points = spans.flatMap(([a, b]) => [[a, 1], [b ?? Number.MAX_SAFE_INTEGER, -1]] as Array<[number, number]>).sort((x, y) => x[0] - y[0] || x[1] - y[1]);
  let open = 0;
  let most = 0;
  for (const [, d] of points) most = Math.max(most, (open += d));
  return most;
}

/**
 * Make sure the database is awake before a round (the grader waits out DatabaseResumingException):
 * only the last check provokes the auto-pause on purpose; earlier rounds must not meet it by chance.
 */
async function wake(st: State): Promise<void> {
  await st.sql!.run("SELECT 1");
}

/** The local cloud's time scale (its open health endpoint), for waits the cloud shortens; 1 on AWS. */
async function timeScale(ctx: GradeContext): Promise<number> {
  if (ctx.target.kind === "aws" || !ctx.target.endpoint) return 1;
  const health = (await checkHealth(ctx.target.endpoint)) as { timeScale?: number } | undefined;
  return Number(health?.timeScale) || 1;
}

export const rounds: Array<Check<State>> = [
  {
    name: TESTEVENT,
    needs: [MAPPING],
    async run(ctx, st) {
      const since = Date.now() - 5_000;
      // S3's own s3:TestEvent is in the queue since the notification was saved; one more, sent as S3 would.
      await ctx.clients.sqs.send(new SendMessageCommand({ QueueUrl: st.uploads!.url, MessageBody: testEventBody(st.bucket.name) }));
      const window = 5_000 + (st.visibility ?? 0) * 1000;
      const { value, failure } = await waitFor(ctx, st, {
        since,
        keys: [""], // nothing else is in the queue: any failure is about the s3:TestEvent
        what: "the s3:TestEvent messages to be deleted",
        timeoutMs: Math.min(window, patience(ctx, st)),
        done: async () => ((await queueDepth(ctx, st.uploads!.url)).total === 0 ? true : undefined),
      });
      const parked = [...(await deadLetters(ctx, st)).values()].filter((k) => k.includes("s3:TestEvent")).length;
      if (value && parked === 0) return "both s3:TestEvent messages were deleted without a failure";
      // Leave nothing behind that later rounds would meet (PurgeQueue removes in-flight messages too).
      await ctx.clients.sqs.send(new PurgeQueueCommand({ QueueUrl: st.uploads!.url })).catch(() => {});
      if (failure) throw new CheckFailed(`the function failed on an s3:TestEvent message: ${failure}`);
      throw new CheckFailed(parked ? "an s3:TestEvent message ended in the DLQ" : "the s3:TestEvent messages were not deleted: the handler reported them as failed (or never returned), so they would be retried and end in the DLQ");
    },
  },
  {
    name: AWKWARD_CHECK,
    needs: [SCHEMA, MAPPING],
    async run(ctx, st) {
      await wake(st);
      // The poison round starts with this one and runs beside the next: its retries take maxReceiveCount × the visibility timeout.
      await startPoisonRound(ctx, st);
      await expectRows(ctx, st, "uploads/awkward/", AWKWARD, await upload(ctx, st, AWKWARD));
      return `${AWKWARD.length} files with awkward keys and values stored exactly`;
    },
  },
  {
    name: DUPLICATE_CHECK,
    needs: [SCHEMA, MAPPING],
    async run(ctx, st) {
      await wake(st);
      await expectRows(ctx, st, "uploads/duplicate/", [DUPLICATE], await upload(ctx, st, [DUPLICATE]));
      const head = await ctx.clients.s3.send(new HeadObjectCommand({ Bucket: st.bucket.name, Key: DUPLICATE.key }));
      const record = s3ObjectCreatedRecord({ region: ctx.target.region, account: ctx.target.account, bucket: st.bucket.name, key: DUPLICATE.key, size: head.ContentLength ?? DUPLICATE.body.length, eTag: head.ETag, sequencer: "0066AA00DD11223344", configurationId: "csv-uploads" });
      const body = JSON.stringify({ Records: [record] });
      // Delivered again as the event source mapping would: one batch, the same S3 message twice (two SQS messages).
      const sqsRecord = (messageId: string) => ({
        messageId,
        receiptHandle: `grader-${messageId}`,
        body,
        attributes: { ApproximateReceiveCount: "1", SentTimestamp: String(Date.now()), SenderId: "AIDAS3GRADER", ApproximateFirstReceiveTimestamp: String(Date.now()) },
        messageAttributes: {},
        md5OfBody: createHash("md5").update(body).digest("hex"),
        eventSource: "aws:sqs",
        eventSourceARN: st.uploads!.arn,
        awsRegion: ctx.target.region,
      });
      const ids = [randomUUID(), randomUUID()];
      const out = await ctx.clients.lambda.send(new InvokeCommand({ FunctionName: st.fn!.name, Payload: Buffer.from(JSON.stringify({ Records: ids.map(sqsRecord) })) }));
      const text = out.Payload ? Buffer.from(out.Payload).toString("utf8") : "";
      if (out.FunctionError) throw new CheckFailed(`the function failed on a batch with the same event twice: ${text.slice(0, 300)}${sameCause(ctx, st)}`);
      let reported: unknown;
      try {
        reported = (JSON.parse(text || "null") as { batchItemFailures?: unknown } | null)?.batchItemFailures;
      } catch {
        reported = undefined;
      }
      if (Array.isArray(reported) && reported.length) throw new CheckFailed(`the handler reported ${reported.length} of the repeated messages as failed: a file it had already loaded must be "nothing to do", not an error`);
      const problems = await rowProblems(st, "uploads/duplicate/", [DUPLICATE]);
      if (problems.length) throw new CheckFailed(`after the same event came twice more: ${problems.join("; ")}`);
      return "3 rows after three deliveries of the same event";
    },
  },
  {
    name: LOAD,
    needs: [SCHEMA, MAPPING],
    async run(ctx, st) {
      const files = bulkFiles();
      const large = multipartCsv();
      await wake(st);
      st.loadStarted = Date.now();
      await Promise.all([upload(ctx, st, files), multipartUpload(ctx, st, large)]);
      const all = [...files, large];
      const want = new Map(all.map((f) => [f.key, fingerprintOf(f)]));
      let problems: string[] = [];
      const { value, failure } = await waitFor(ctx, st, {
        since: st.loadStarted,
        keys: all.map((f) => f.key),
        what: `${all.length} files' rows`,
        timeoutMs: ctx.target.kind === "aws" ? 180_000 : st.slow ? 5_000 : 60_000,
        done: async () => {
          const got = await fingerprints(st.sql!, "uploads/load/");
          problems = [];
          for (const [key, w] of want) {
            const g = got.get(key);
            if (!g) problems.push(`no rows for ${key}`);
            else if (g.rows !== g.distinct) problems.push(`${key}: ${g.rows} rows for ${g.distinct} row numbers — some rows are in the table twice`);
            else if (g.rows !== w.rows) problems.push(`${key}: ${g.rows} rows, the file has ${w.rows}`);
            else if (g.md5 !== w.md5) problems.push(`${key}: the stored values differ from the file's`);
          }
          return problems.length === 0 ? true : undefined;
        },
      });
      st.loadEnded = Date.now();
      if (value) return `${all.length} files, ${all.reduce((n, f) => n + f.rows.length, 0)} rows, each once (${((st.loadEnded - st.loadStarted) / 1000).toFixed(1)} s)`;
      const shown = problems.slice(0, 5).join("\n    ") + (problems.length > 5 ? `\n    … ${problems.length - 5} more files` : "");
      throw new CheckFailed(`${shown}${failure ? `\n    the function's log: ${failure}` : ""}${sameCause(ctx, st)}`);
    },
  },
  {
    name: CONCURRENCY,
    needs: [LOAD],
    async run(ctx, st) {
      const spans = await invocationSpans(ctx, st, st.loadStarted!, st.loadEnded! + 5_000);
      const most = mostAtOnce(spans);
      if (st.maximumConcurrency !== undefined && most > st.maximumConcurrency) throw new CheckFailed(`${most} invocations ran at once during the load round; the mapping allows ${st.maximumConcurrency}`);
      return `at most ${most} of ${spans.length} invocations at once (MaximumConcurrency ${st.maximumConcurrency})`;
    },
  },
  {
    name: POISON_CHECK,
    needs: [SCHEMA, MAPPING],
    async run(ctx, st) {
      if (st.poisonSince === undefined) {
        await wake(st);
        await startPoisonRound(ctx, st);
      }
      const since = st.poisonSince!;
      const deadline = since + (st.maxReceiveCount! + 1) * st.visibility! * 1000 + (ctx.target.kind === "aws" ? 120_000 : 10_000);
      let parked: string[] = [];
      while (Date.now() < deadline) {
        parked = [...(await deadLetters(ctx, st)).values()].flat();
        if (parked.includes(POISON.key) && (await queueDepth(ctx, st.uploads!.url)).total === 0) break;
        ctx.status(`waiting for the poison file to reach the DLQ (after ${st.maxReceiveCount} receives, ${st.visibility} s apart)…`);
        await sleep(ctx.target.kind === "aws" ? 3000 : 400);
      }
      st.poisonPending = false;
      // Rows 1–2 of the poison file are fine: a loader without one transaction per file leaves them behind.
      const partial = (await st.sql!.rowsUnder(POISON.key)).length;
      const problems: string[] = [];
      if (partial > 0) problems.push(`${partial} rows of the poison file were in the table: its good rows were written although the file was refused (one transaction per file, or validate first)`);
      if (!parked.includes(POISON.key)) problems.push(`the poison file's message did not reach the DLQ within ${Math.round((deadline - since) / 1000)} s: was it reported as failed every time?`);
      const others = [...new Set(parked.filter((k) => k !== POISON.key && k.startsWith("uploads/")))];
      if (others.length) problems.push(`other files are in the DLQ too — its batch-mates ${others.slice(0, 4).join(", ")}${others.length > 4 ? ` and ${others.length - 4} more` : ""}: a failure of one file failed the whole batch`);
      problems.push(...(await rowProblems(st, "uploads/poison/mate-", MATES)));
      if (problems.length) throw new CheckFailed(problems.join("\n    ") + sameCause(ctx, st));
      return `no partial rows; only the poison file's message in the DLQ after ${st.maxReceiveCount} receives; ${MATES.length} batch-mates loaded once`;
    },
  },
  {
    name: REDRIVE,
    needs: [POISON_CHECK],
    async run(ctx, st) {
      // Fix the file with the trigger paused, so only the redrive can load it.
      const saved = await ctx.clients.s3.send(new GetBucketNotificationConfigurationCommand({ Bucket: st.bucket.name }));
      await ctx.clients.s3.send(new PutBucketNotificationConfigurationCommand({ Bucket: st.bucket.name, NotificationConfiguration: {} }));
      await ctx.clients.s3.send(new PutObjectCommand({ Bucket: st.bucket.name, Key: POISON.fixed.key, Body: POISON.fixed.body, ContentType: "text/csv" }));
      const { $metadata: _m, ...config } = saved;
      void _m;
      await ctx.clients.s3.send(new PutBucketNotificationConfigurationCommand({ Bucket: st.bucket.name, NotificationConfiguration: config }));
      await st.sql!.run("SELECT 1"); // wake the database if it paused during the poison round
      try {
        await ctx.clients.sqs.send(new StartMessageMoveTaskCommand({ SourceArn: st.dlq.arn }));
      } catch (err) {
        throw new CheckFailed(`SQS refused the redrive: ${errorCode(err)}: ${errorMessage(err)}`);
      }
      const since = Date.now();
      let status = "";
      const { value, failure } = await waitFor(ctx, st, {
        since,
        keys: [POISON.key],
        what: "the redriven poison file's rows",
        done: async () => {
          status = (await ctx.clients.sqs.send(new ListMessageMoveTasksCommand({ SourceArn: st.dlq.arn }))).Results?.[0]?.Status ?? "";
          return status === "COMPLETED" && (await rowProblems(st, POISON.key, [POISON.fixed])).length === 0 ? true : undefined;
        },
      });
      if (!value) {
        const problems = await rowProblems(st, POISON.key, [POISON.fixed]);
        throw new CheckFailed(`after the redrive (task ${status || "not listed"}): ${problems.join("; ") || "rows not right yet"}${failure ? `\n    the function's log: ${failure}` : ""}${sameCause(ctx, st)}`);
      }
      await drained(ctx, st, patience(ctx, st));
      return `the move task COMPLETED and the fixed file's ${POISON.fixed.rows.length} rows were loaded once`;
    },
  },
  {
    name: RESUMING,
    needs: [SCHEMA, MAPPING],
    async run(ctx, st) {
      if (ctx.target.kind === "aws") return `not provoked on AWS: the cluster pauses only after ${st.db!.secondsUntilAutoPause} s idle (graded locally)`;
      // Idle past SecondsUntilAutoPause (× the local cloud's time scale): no Data API call from here on.
      const idleMs = st.db!.secondsUntilAutoPause * 1000 * (await timeScale(ctx)) + 1000;
      ctx.status(`leaving the database idle for ${(idleMs / 1000).toFixed(1)} s so it auto-pauses…`);
      await sleep(idleMs);
      const since = await upload(ctx, st, [RESUME]);
      // The first delivery must succeed: a failed one would only come back after the visibility timeout.
      const firstTry = await drained(ctx, st, st.visibility! * 1000 - 500);
      const problems = await rowProblems(st, RESUME.key, [RESUME]);
      if (!firstTry || problems.length) {
        const { failure } = await waitFor(ctx, st, { since, keys: [RESUME.key, "DatabaseResuming"], what: "the log", timeoutMs: 1, done: async () => undefined });
        throw new CheckFailed(`the file uploaded after the database paused was not loaded on its first delivery${problems.length ? ` (${problems.join("; ")})` : " (it came back after the visibility timeout)"}${failure ? `\n    the function's log: ${failure}` : ""}`);
      }
      return `loaded on the first delivery after ${(idleMs / 1000).toFixed(1)} s idle`;
    },
  },
];
