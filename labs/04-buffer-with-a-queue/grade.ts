/**
 * Lab 04 — the grader. Setup makes what does not depend on the learner's
 * files being right: the bundle, the bucket, the dead-letter queue; the
 * database (reused on AWS), the execution role and the function come with
 * the first check that needs them (so an untouched starter fails in seconds).
 * Then the learner's schema, queue settings and mapping are applied and
 * judged (by behaviour: a repeated insert must be refused, AWS must accept the
 * mapping), and real traffic runs, one round per check, each in a folder of
 * its own under uploads/ (grade-rounds.ts). Everything is read back through
 * the AWS APIs — the Data API, SQS attributes, the function's CloudWatch
 * Logs — so the same grader runs on AWS.
 */
import { GetEventSourceMappingCommand } from "@aws-sdk/client-lambda";
import { GetQueueAttributesCommand } from "@aws-sdk/client-sqs";
import { CheckFailed, defineGrader, type GradeContext } from "../../src/kit/grader/types.js";
import { createBucket, putNotifications } from "../../src/kit/resources/s3.js";
import { createQueue, setQueuePolicy } from "../../src/kit/resources/sqs.js";
import type { PackagedFunction } from "../../src/kit/packaging.js";
import { errorCode, errorMessage } from "../../src/kit/wait.js";
import { provisionDatabase } from "./database.js";
import { createExecutionRole, createMapping, deployFunction, FUNCTION_PURPOSE, FUNCTION_TIMEOUT_SECONDS, notificationFor, packageLoader, queuePolicy, Sql } from "./support.js";
import { CHECKS, type State } from "./grade-checks.js";
import { rounds } from "./grade-rounds.js";
import type * as QueueModule from "./queue.js";
import type * as MappingModule from "./mapping.js";
import type * as SchemaModule from "./schema.js";

const { SCHEMA, QUEUE, MAPPING } = CHECKS;

/** The database (reused on AWS), the execution role and the function (the learner's handler, bundled), once. */
function ensureBackend(ctx: GradeContext, st: State): Promise<void> {
  st.backend ??= (async () => {
    const db = await provisionDatabase(ctx);
    const role = await createExecutionRole(ctx, { bucketName: st.bucket.name, clusterArn: db.clusterArn, secretArn: db.secretArn });
    const sql = new Sql(ctx, db);
    st.db = db;
    st.sql = sql;
    if (ctx.target.kind !== "aws") await sql.warmUp();
    try {
      st.fn = await deployFunction(ctx, role.arn, st.pkg, db);
    } catch (err) {
      throw new CheckFailed(`Lambda refused the function: ${errorCode(err)}: ${errorMessage(err)}`, "handler.ts must export `handler` and compile.");
    }
  })();
  return st.backend;
}

/** Run the learner's schema on an empty database (on AWS the reused cluster's old table goes first). */
async function applySchema(ctx: GradeContext, st: State): Promise<void> {
  const statements = await ctx.callLearner("schemaStatements", () => st.schema.schemaStatements());
  if (!Array.isArray(statements) || statements.length === 0) throw new CheckFailed("schemaStatements() returned no statements, so there is no orders table");
  await ensureBackend(ctx, st);
  await st.sql!.run("DROP TABLE IF EXISTS orders");
  for (const [i, statement] of statements.entries()) {
    if (typeof statement !== "string" || !statement.trim()) throw new CheckFailed(`statement ${i + 1} is not SQL text`);
    try {
      await st.sql!.run(statement);
    } catch (err) {
      throw new CheckFailed(`the database refused statement ${i + 1}: ${errorCode(err)}: ${errorMessage(err)}`);
    }
  }
}

type Probe = { key: string; row: number; order: string };
const probeInsert = (st: State, p: Probe) =>
  st.sql!.run("INSERT INTO orders (source_key, row_number, order_id, customer, amount, comment) VALUES (:k, :r, :o, 'probe', 1.00, '')", [
    { name: "k", value: { stringValue: p.key } },
    { name: "r", value: { longValue: p.row } },
    { name: "o", value: { stringValue: p.order } },
  ]);

/** Judge the table by what it does: a repeat of (file, row) is refused; other files and rows, and a repeated order id in another file, are not. */
async function uniquenessProblems(st: State): Promise<string[]> {
  const problems: string[] = [];
  const first: Probe = { key: "probe/a.csv", row: 1, order: "X1" };
  try {
    await probeInsert(st, first);
  } catch (err) {
    return [`inserting one row with the README's columns failed: ${errorMessage(err)}`];
  }
  const cases: Array<[Probe, boolean, string]> = [
    [{ ...first, order: "X9" }, false, "the same file and row_number a second time (a repeated delivery) was accepted — nothing makes (source_key, row_number) unique"],
    [{ ...first, row: 2, order: "X2" }, true, "row 2 of the same file was refused — the uniqueness is too wide (one file can have many rows)"],
    [{ ...first, key: "probe/b.csv", order: "X3" }, true, "row 1 of another file was refused — the uniqueness must include the file (source_key)"],
    [{ key: "probe/c.csv", row: 1, order: "X1" }, true, "an order id repeated in another file was refused — order ids are not unique across files in this lab"],
  ];
  for (const [probe, allowed, why] of cases) {
    let ok = true;
    try {
      await probeInsert(st, probe);
    } catch {
      ok = false;
    }
    if (ok !== allowed) problems.push(why);
  }
  await st.sql!.run("DELETE FROM orders WHERE source_key LIKE 'probe/%'");
  return problems;
}

export default defineGrader<State>({
  async setup(ctx) {
    const queue = await ctx.importCode<typeof QueueModule>("queue.ts");
    const mapping = await ctx.importCode<typeof MappingModule>("mapping.ts");
    const schema = await ctx.importCode<typeof SchemaModule>("schema.ts");
    let pkg: PackagedFunction;
    try {
      pkg = await packageLoader(ctx.sourceDir);
    } catch (err) {
      throw new CheckFailed(errorMessage(err), "Fix handler.ts so it compiles (npm run typecheck).");
    }
    const [bucket, dlq] = await Promise.all([createBucket(ctx, ctx.names.resource("uploads")), createQueue(ctx, ctx.names.resource("uploads-dlq"))]);
    return { queue, mapping, schema, pkg, bucket, dlq, firstFailure: undefined };
  },
  async teardown(_ctx, st) {
    // A provisioning still running (an interrupted grade) finishes before cleanup reads the ledger.
    await st?.backend?.catch(() => undefined);
    st?.sql?.close();
  },
  checks: [
    {
      name: SCHEMA,
      async run(ctx, st) {
        await applySchema(ctx, st);
        const problems = await uniquenessProblems(st);
        if (problems.length) throw new CheckFailed(problems.join("\n    "));
        return "a repeated (source_key, row_number) is refused; other rows, files and a repeated order id are accepted";
      },
    },
    {
      name: QUEUE,
      async run(ctx, st) {
        const mapping = await ctx.callLearner("eventSourceMapping", () => st.mapping.eventSourceMapping({ functionName: ctx.names.resource(FUNCTION_PURPOSE), queueArn: "arn:aws:sqs:region:000000000000:probe" }));
        const window = Number(mapping?.MaximumBatchingWindowInSeconds ?? 0);
        const attrs = await ctx.callLearner("queueAttributes", () => st.queue.queueAttributes({ functionTimeoutSeconds: FUNCTION_TIMEOUT_SECONDS, batchingWindowSeconds: window, deadLetterQueueArn: st.dlq.arn }));
        const problems: string[] = [];
        const visibility = Number(attrs?.VisibilityTimeout);
        const floor = FUNCTION_TIMEOUT_SECONDS + window;
        if (attrs?.VisibilityTimeout === undefined) problems.push("no VisibilityTimeout: the default 30 s would make every retry of a failed file wait half a minute");
        else if (!Number.isInteger(visibility)) problems.push(`VisibilityTimeout ${JSON.stringify(attrs.VisibilityTimeout)} is not a whole number of seconds`);
        else if (visibility < floor) problems.push(`VisibilityTimeout ${visibility} s is less than the batching window (${window} s) plus the function timeout (${FUNCTION_TIMEOUT_SECONDS} s): a batch still running would become visible and be processed a second time`);
        else if (visibility > 6 * FUNCTION_TIMEOUT_SECONDS + window) problems.push(`VisibilityTimeout ${visibility} s is more than 6 × the function timeout + the window (AWS's production advice, the ceiling here): every retry of a failed file would wait that long`);
        let redrive: { deadLetterTargetArn?: string; maxReceiveCount?: unknown } | undefined;
        try {
          redrive = attrs?.RedrivePolicy ? (JSON.parse(attrs.RedrivePolicy) as typeof redrive) : undefined;
        } catch {
          problems.push("RedrivePolicy is not JSON text (JSON.stringify the policy object)");
        }
        if (!attrs?.RedrivePolicy) problems.push("no RedrivePolicy: a file that always fails would be retried until it expires, and nobody would see it");
        else if (redrive) {
          if (redrive.deadLetterTargetArn !== st.dlq.arn) problems.push(`RedrivePolicy.deadLetterTargetArn is ${JSON.stringify(redrive.deadLetterTargetArn)}, not the dead-letter queue's ARN (input.deadLetterQueueArn)`);
          const n = Number(redrive.maxReceiveCount);
          if (!Number.isInteger(n) || n < 2 || n > 5) problems.push(`maxReceiveCount ${JSON.stringify(redrive.maxReceiveCount)}: use 2–5 here — 1 parks a file after a single glitch, more makes a poison file take long to reach the DLQ`);
        }
        if (problems.length) throw new CheckFailed(problems.join("\n    "));
        try {
          st.uploads = await createQueue(ctx, ctx.names.resource("uploads-queue"), attrs);
        } catch (err) {
          throw new CheckFailed(`SQS refused the attributes: ${errorCode(err)}: ${errorMessage(err)}`);
        }
        const saved = (await ctx.clients.sqs.send(new GetQueueAttributesCommand({ QueueUrl: st.uploads.url, AttributeNames: ["VisibilityTimeout", "RedrivePolicy"] }))).Attributes ?? {};
        st.visibility = Number(saved.VisibilityTimeout);
        st.maxReceiveCount = Number(JSON.parse(saved.RedrivePolicy ?? "{}").maxReceiveCount);
        // The kit's part: S3 may send to the queue; uploads/*.csv go there (S3 sends s3:TestEvent now).
        await setQueuePolicy(ctx, st.uploads, queuePolicy(st.uploads.arn, st.bucket.name, ctx.target.account));
        await putNotifications(ctx, st.bucket.name, notificationFor(st.uploads.arn));
        return `visibility ${st.visibility} s (function ${FUNCTION_TIMEOUT_SECONDS} s + window ${window} s), DLQ after ${st.maxReceiveCount} receives`;
      },
    },
    {
      name: MAPPING,
      needs: [QUEUE],
      async run(ctx, st) {
        await ensureBackend(ctx, st);
        const config = await ctx.callLearner("eventSourceMapping", () => st.mapping.eventSourceMapping({ functionName: st.fn!.name, queueArn: st.uploads!.arn }));
        const problems: string[] = [];
        if (config?.FunctionName !== st.fn!.name && config?.FunctionName !== st.fn!.arn) problems.push(`FunctionName ${JSON.stringify(config?.FunctionName)} is not input.functionName`);
        if (config?.EventSourceArn !== st.uploads!.arn) problems.push(`EventSourceArn ${JSON.stringify(config?.EventSourceArn)} is not input.queueArn`);
        const size = config?.BatchSize ?? 10;
        if (size < 2) problems.push(`BatchSize ${size}: one message per invocation gives up what the buffer is for`);
        const window = config?.MaximumBatchingWindowInSeconds ?? 0;
        if (window < 1 || window > 5) problems.push(`MaximumBatchingWindowInSeconds ${window}: wait 1–5 s to fill a batch (0 sends whatever one poll returned)`);
        if (!(config?.FunctionResponseTypes ?? []).includes("ReportBatchItemFailures")) problems.push("FunctionResponseTypes lacks the batch-item-failure response: without it, one failed file makes the whole batch come back");
        const max = config?.ScalingConfig?.MaximumConcurrency;
        if (max === undefined) problems.push("no ScalingConfig.MaximumConcurrency: 200 uploads could start as many invocations as Lambda likes, each one a database connection");
        else if (max > 10) problems.push(`MaximumConcurrency ${max}: more invocations than the database has room for (at most 10 here)`);
        if (problems.length) throw new CheckFailed(problems.join("\n    "));
        try {
          const { uuid } = await createMapping(ctx, config);
          st.mappingUuid = uuid;
        } catch (err) {
          throw new CheckFailed(`Lambda refused the mapping: ${errorCode(err)}: ${errorMessage(err)}`);
        }
        const saved = await ctx.clients.lambda.send(new GetEventSourceMappingCommand({ UUID: st.mappingUuid }));
        st.maximumConcurrency = saved.ScalingConfig?.MaximumConcurrency;
        st.window = saved.MaximumBatchingWindowInSeconds ?? 0;
        return `batches of ≤ ${saved.BatchSize} within ${saved.MaximumBatchingWindowInSeconds} s, item failures reported, ≤ ${st.maximumConcurrency} at once`;
      },
    },
    ...rounds,
  ],
});
