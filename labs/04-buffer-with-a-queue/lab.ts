/**
 * Lab 04 — buffer with a queue. The guided steps build, in order: the
 * bucket, the dead-letter queue, the upload queue (queue.ts), its policy and
 * the notification (S3 answers with an s3:TestEvent), the database cluster
 * and its secret (progress shown: minutes on AWS), the schema (schema.ts),
 * the role, the function (handler.ts) and the event source mapping
 * (mapping.ts); then upload a few CSV files and show the rows, and a bad file
 * on its way to the DLQ. The learner writes queue.ts, mapping.ts, schema.ts
 * and handler.ts; grade.ts checks them.
 */
import { PutObjectCommand } from "@aws-sdk/client-s3";
import pc from "picocolors";
import { defineLab, type GuidedContext } from "../../src/kit/lab-definition.js";
import { createBucket, putNotifications } from "../../src/kit/resources/s3.js";
import { createQueue, setQueuePolicy, type Queue } from "../../src/kit/resources/sqs.js";
import type { PackagedFunction } from "../../src/kit/packaging.js";
import { pollUntil } from "../../src/kit/wait.js";
import grader from "./grade.js";
import { provisionDatabase, type Database } from "./database.js";
import { createExecutionRole, createMapping, deployFunction, FUNCTION_PURPOSE, FUNCTION_TIMEOUT_SECONDS, notificationFor, packageLoader, queueDepth, queuePolicy, Sql } from "./support.js";
import { bulkFiles, POISON } from "./test-data.js";
import type * as QueueModule from "./queue.js";
import type * as MappingModule from "./mapping.js";
import type * as SchemaModule from "./schema.js";
import * as path from "node:path";

interface RunState {
  bucket: { name: string; arn: string };
  dlq: Queue;
  queue: Queue;
  db: Database;
  sql: Sql;
  role: { name: string; arn: string };
  pkg: PackagedFunction;
  fn: { name: string; arn: string };
  window: number;
}
const st = (ctx: GuidedContext) => ctx.state as unknown as RunState;
const json = (v: unknown) => JSON.stringify(v, null, 2).split("\n").map((l) => pc.dim(l)).join("\n");

export default defineLab({
  id: "04",
  slug: "buffer-with-a-queue",
  title: "Buffer with a queue: S3 → SQS → Lambda → PostgreSQL",
  summary: "CSV uploads under uploads/ wait in a queue; a Lambda function loads them in batches into a PostgreSQL table through the RDS Data API — exactly once per row, failures parked in a DLQ and redriven.",
  learnerFiles: ["queue.ts", "mapping.ts", "schema.ts", "handler.ts"],
  creates: [
    "1 S3 bucket",
    "2 SQS queues (uploads and its dead-letter queue)",
    "1 Aurora PostgreSQL Serverless v2 cluster (0–2 ACUs, auto-pause after 5 min idle, Data API on) with 1 db.serverless instance and its RDS-managed secret — several minutes to create on AWS",
    "1 IAM role (AWSLambdaBasicExecutionRole, AWSLambdaSQSQueueExecutionRole, an inline policy: read uploads/, the Data API on the cluster, the secret)",
    "1 Lambda function (Node.js 20) and its log group, 1 event source mapping",
  ],
  grader,
  steps: [
    {
      title: "Create the bucket",
      explain: "Uploads land under uploads/. Nothing reads the bucket directly: S3 only tells the queue that a file arrived.",
      cli: ["aws s3api create-bucket --bucket <namespace>-uploads"],
      async run(ctx) {
        const bucket = await createBucket(ctx, ctx.names.resource("uploads"));
        Object.assign(ctx.state, { bucket });
        return { created: [["bucket", bucket.name]] };
      },
    },
    {
      title: "The dead-letter queue, then the upload queue (queue.ts)",
      explain: `The upload queue holds each S3 event until the function has loaded its file. Its visibility timeout is measured against the function (timeout ${FUNCTION_TIMEOUT_SECONDS} s plus the mapping's batching window); its redrive policy parks a message in the DLQ after maxReceiveCount failed tries.`,
      cli: ["aws sqs create-queue --queue-name <namespace>-uploads-dlq", "aws sqs create-queue --queue-name <namespace>-uploads-queue --attributes file://queue-attributes.json"],
      async run(ctx) {
        const dlq = await createQueue(ctx, ctx.names.resource("uploads-dlq"));
        const { eventSourceMapping } = await ctx.importPiece<typeof MappingModule>("mapping.ts");
        const window = Number(eventSourceMapping({ functionName: "probe", queueArn: dlq.arn }).MaximumBatchingWindowInSeconds ?? 0);
        const { queueAttributes } = await ctx.importPiece<typeof QueueModule>("queue.ts");
        const attributes = queueAttributes({ functionTimeoutSeconds: FUNCTION_TIMEOUT_SECONDS, batchingWindowSeconds: window, deadLetterQueueArn: dlq.arn });
        const queue = await createQueue(ctx, ctx.names.resource("uploads-queue"), attributes);
        Object.assign(ctx.state, { dlq, queue, window });
        return { created: [["dead-letter queue", dlq.url], ["queue", queue.url]], notes: [json(attributes)] };
      },
    },
    {
      title: "Queue policy and notification: uploads/*.csv → the queue",
      explain: "The queue policy lets s3.amazonaws.com send, only for this bucket (aws:SourceArn) and account. Saving the notification makes S3 check it — and send one s3:TestEvent message to the queue, which the handler must skip.",
      cli: ["aws sqs set-queue-attributes --queue-url <url> --attributes file://policy.json", "aws s3api put-bucket-notification-configuration --bucket <bucket> --notification-configuration file://notification.json"],
      async run(ctx) {
        const policy = queuePolicy(st(ctx).queue.arn, st(ctx).bucket.name, ctx.target.account);
        await setQueuePolicy(ctx, st(ctx).queue, policy);
        const config = notificationFor(st(ctx).queue.arn);
        await putNotifications(ctx, st(ctx).bucket.name, config);
        const depth = await queueDepth(ctx, st(ctx).queue.url);
        return { created: [["notification", `${st(ctx).bucket.name}: uploads/*.csv → ${st(ctx).queue.name}`]], notes: [json(policy), json(config), `messages in the queue now: ${depth.total} (the s3:TestEvent)`] };
      },
    },
    {
      title: "The database: Aurora Serverless v2 with the Data API",
      explain:
        "An Aurora PostgreSQL cluster scaling from 0 to 2 ACUs: at 0 it is paused (no compute cost) after 5 minutes without connections, and the first call wakes it (DatabaseResumingException until it is up). ManageMasterUserPassword puts the credentials in a Secrets Manager secret; the Data API (EnableHttpEndpoint) lets the function run SQL over HTTPS with IAM — no VPC, no driver, no connection pool. On AWS this step takes several minutes.",
      cli: [
        "aws rds create-db-cluster --db-cluster-identifier <namespace>-orders-db --engine aurora-postgresql --master-username labs --manage-master-user-password --database-name labs --enable-http-endpoint --serverless-v2-scaling-configuration MinCapacity=0,MaxCapacity=2,SecondsUntilAutoPause=300",
        "aws rds create-db-instance --db-instance-identifier <namespace>-orders-db-writer --db-cluster-identifier <namespace>-orders-db --engine aurora-postgresql --db-instance-class db.serverless",
        "aws rds wait db-instance-available --db-instance-identifier <namespace>-orders-db-writer",
      ],
      async run(ctx) {
        const db = await provisionDatabase(ctx, { reuse: false });
        Object.assign(ctx.state, { db, sql: new Sql(ctx, db) });
        return { created: [["cluster", db.clusterArn], ["secret", db.secretArn], ["database", db.database]] };
      },
    },
    {
      title: "The schema (schema.ts)",
      explain: "One statement per Data API call. The table's uniqueness is what makes loading idempotent: a second delivery of a file's rows is refused by the table, and ON CONFLICT DO NOTHING turns that into \"nothing to do\".",
      cli: ['aws rds-data execute-statement --resource-arn <cluster-arn> --secret-arn \'<secret-arn>\' --database labs --sql "CREATE TABLE …"'],
      async run(ctx) {
        const { schemaStatements } = await ctx.importPiece<typeof SchemaModule>("schema.ts");
        const statements = schemaStatements();
        for (const sql of statements) await st(ctx).sql.run(sql);
        return { notes: statements.map((s) => pc.dim(s)) };
      },
    },
    {
      title: "Role and function (handler.ts)",
      explain: "The role may read uploads/, call the Data API on this cluster and read its secret (the Data API fetches the credentials as the caller), plus AWS's managed policy for reading SQS. The function gets the cluster and secret ARNs as environment variables.",
      cli: [
        "aws iam create-role --role-name <namespace>-loader-role --assume-role-policy-document file://trust.json",
        "aws iam attach-role-policy --role-name <namespace>-loader-role --policy-arn arn:aws:iam::aws:policy/service-role/AWSLambdaSQSQueueExecutionRole",
        `aws lambda create-function --function-name <namespace>-${FUNCTION_PURPOSE} --runtime nodejs20.x --handler index.handler --timeout ${FUNCTION_TIMEOUT_SECONDS} --role <role-arn> --zip-file fileb://function.zip --environment "Variables={CLUSTER_ARN=…,SECRET_ARN=…,DATABASE_NAME=labs}"`,
      ],
      async run(ctx) {
        const role = await createExecutionRole(ctx, { bucketName: st(ctx).bucket.name, clusterArn: st(ctx).db.clusterArn, secretArn: st(ctx).db.secretArn });
        const pkg = await packageLoader(path.dirname(ctx.pieceSource("handler.ts")));
        const fn = await deployFunction(ctx, role.arn, pkg, st(ctx).db);
        Object.assign(ctx.state, { role, pkg, fn });
        return { created: [["role", role.arn], ["function", fn.arn]] };
      },
    },
    {
      title: "The event source mapping (mapping.ts)",
      explain: "Lambda polls the queue and calls the function with batches. AWS checks the queue's visibility timeout against the function's timeout here. ReportBatchItemFailures lets the handler name the messages that failed; MaximumConcurrency caps the invocations — and so the database connections.",
      cli: ["aws lambda create-event-source-mapping --function-name <fn> --event-source-arn <queue-arn> --batch-size 10 --maximum-batching-window-in-seconds 1 --function-response-types ReportBatchItemFailures --scaling-config MaximumConcurrency=2"],
      async run(ctx) {
        const { eventSourceMapping } = await ctx.importPiece<typeof MappingModule>("mapping.ts");
        const config = eventSourceMapping({ functionName: st(ctx).fn.name, queueArn: st(ctx).queue.arn });
        const { uuid } = await createMapping(ctx, config);
        return { created: [["mapping", uuid]], notes: [json(config)] };
      },
    },
    {
      title: "Upload 20 CSV files at once and count the rows",
      explain: "Twenty uploads become twenty messages; Lambda takes them in batches, a few invocations at a time, and each file's rows are inserted once.",
      cli: ["for f in orders-*.csv; do aws s3 cp $f s3://<bucket>/uploads/load/; done", "aws rds-data execute-statement … --sql \"SELECT count(*) FROM orders\""],
      async run(ctx) {
        const files = bulkFiles(20);
        await Promise.all(files.map((f) => ctx.clients.s3.send(new PutObjectCommand({ Bucket: st(ctx).bucket.name, Key: f.key, Body: f.body }))));
        const want = files.reduce((n, f) => n + f.rows.length, 0);
        const got = await pollUntil(
          async () => {
            const [[count]] = (await st(ctx).sql.run("SELECT count(*)::text FROM orders WHERE source_key LIKE 'uploads/load/%'")) as [[{ stringValue?: string }]];
            ctx.status(`rows so far: ${count?.stringValue}`);
            return Number(count?.stringValue) >= want ? Number(count?.stringValue) : undefined;
          },
          { timeoutMs: ctx.target.kind === "aws" ? 120_000 : 20_000, intervalMs: 250, what: `${want} rows` },
        ).catch(() => undefined);
        return { notes: [`${files.length} files, ${want} rows expected, ${got ?? "fewer"} in the table`] };
      },
    },
    {
      title: "A bad file on its way to the DLQ",
      explain: "A file whose row 3 has an amount that is not a number: the handler refuses it whole (no partial rows) and reports only its message as failed. It comes back after the visibility timeout, and after maxReceiveCount tries it waits in the DLQ — fix the cause, then redrive it (aws sqs start-message-move-task).",
      cli: ["aws s3 cp broken.csv s3://<bucket>/uploads/poison/broken.csv", "aws sqs get-queue-attributes --queue-url <dlq-url> --attribute-names ApproximateNumberOfMessages", "aws sqs start-message-move-task --source-arn <dlq-arn>"],
      async run(ctx) {
        await ctx.clients.s3.send(new PutObjectCommand({ Bucket: st(ctx).bucket.name, Key: POISON.key, Body: POISON.body }));
        const depth = await queueDepth(ctx, st(ctx).queue.url);
        st(ctx).sql.close();
        return { notes: [`the upload queue holds ${depth.total} message(s) now; watch the DLQ with the command above — the message arrives after maxReceiveCount × the visibility timeout`] };
      },
    },
  ],
});
