/**
 * Lab 04 — the kit's side of the lab (not a learner file): the queues and the
 * queue policy, the notification, the execution role, the function, the event
 * source mapping (recorded in the ledger, waited until Enabled), and talking
 * to the database through the Data API (a client of the lab's own, built from
 * the kit's client config; DatabaseResumingException retried). The database
 * itself is database.ts.
 */
import * as path from "node:path";
import { CreateEventSourceMappingCommand, GetEventSourceMappingCommand, type CreateEventSourceMappingCommandInput } from "@aws-sdk/client-lambda";
import { BatchExecuteStatementCommand, ExecuteStatementCommand, RDSDataClient, type Field, type SqlParameter } from "@aws-sdk/client-rds-data";
import { GetQueueAttributesCommand } from "@aws-sdk/client-sqs";
import type { NotificationConfiguration } from "@aws-sdk/client-s3";
import type { KitContext } from "../../src/kit/context.js";
import { pace, recordResource } from "../../src/kit/context.js";
import { attachRolePolicy, BASIC_EXECUTION_POLICY_ARN, createRole, putRolePolicy } from "../../src/kit/resources/iam.js";
import { createFunction } from "../../src/kit/resources/lambda.js";
import { packageHandler, type PackagedFunction } from "../../src/kit/packaging.js";
import { errorCode, errorMessage, pollUntil, sleep } from "../../src/kit/wait.js";
import type { Database } from "./database.js";

export const FUNCTION_PURPOSE = "orders-loader";
/**
 * Short, so visibility timeouts (and the poison file's retries) are seconds, not minutes — yet enough
 * for the 5 MiB file's rows on a busy laptop.
 */
export const FUNCTION_TIMEOUT_SECONDS = 6;
export const FUNCTION_MEMORY_MB = 256;
/** AWS's managed policy for SQS event source mappings: Receive/Delete/GetQueueAttributes (+ logs). */
export const SQS_EXECUTION_POLICY_ARN = "arn:aws:iam::aws:policy/service-role/AWSLambdaSQSQueueExecutionRole";

/** The queue accepts S3's events: only from this bucket, only in this account. */
export function queuePolicy(queueArn: string, bucketName: string, accountId: string) {
  return {
    Version: "2012-10-17",
    Statement: [
      {
        Sid: "S3SendsUploadEvents",
        Effect: "Allow",
        Principal: { Service: "s3.amazonaws.com" },
        Action: "sqs:SendMessage",
        Resource: queueArn,
        Condition: { ArnEquals: { "aws:SourceArn": `arn:aws:s3:::${bucketName}` }, StringEquals: { "aws:SourceAccount": accountId } },
      },
    ],
  };
}

/** New CSV files under uploads/ → the queue. */
export function notificationFor(queueArn: string): NotificationConfiguration {
  return {
    QueueConfigurations: [
      { Id: "csv-uploads", QueueArn: queueArn, Events: ["s3:ObjectCreated:*"], Filter: { Key: { FilterRules: [{ Name: "prefix", Value: "uploads/" }, { Name: "suffix", Value: ".csv" }] } } },
    ],
  };
}

export function trustPolicy() {
  return { Version: "2012-10-17", Statement: [{ Effect: "Allow", Principal: { Service: "lambda.amazonaws.com" }, Action: "sts:AssumeRole" }] };
}

/** Read the uploads, use the Data API on this cluster with this secret — nothing else (the SQS part is AWS's managed policy). */
export function loaderPolicy(input: { bucketName: string; clusterArn: string; secretArn: string }) {
  return {
    Version: "2012-10-17",
    Statement: [
      { Sid: "ReadUploads", Effect: "Allow", Action: "s3:GetObject", Resource: `arn:aws:s3:::${input.bucketName}/uploads/*` },
      {
        Sid: "DataApi",
        Effect: "Allow",
        Action: ["rds-data:ExecuteStatement", "rds-data:BatchExecuteStatement", "rds-data:BeginTransaction", "rds-data:CommitTransaction", "rds-data:RollbackTransaction"],
        Resource: input.clusterArn,
      },
      // The Data API reads the database's credentials as the caller.
      { Sid: "DatabaseSecret", Effect: "Allow", Action: "secretsmanager:GetSecretValue", Resource: input.secretArn },
    ],
  };
}

export async function createExecutionRole(ctx: KitContext, input: { bucketName: string; clusterArn: string; secretArn: string }): Promise<{ name: string; arn: string }> {
  const role = await createRole(ctx, ctx.names.resource("loader-role"), trustPolicy(), "S3 Event Labs lab 04: execution role of the CSV loader");
  await attachRolePolicy(ctx, role.name, BASIC_EXECUTION_POLICY_ARN);
  await attachRolePolicy(ctx, role.name, SQS_EXECUTION_POLICY_ARN);
  await putRolePolicy(ctx, role.name, "loader", loaderPolicy(input));
  return role;
}

export async function packageLoader(sourceDir: string): Promise<PackagedFunction> {
  return packageHandler({ entry: path.join(sourceDir, "handler.ts") });
}

export async function deployFunction(ctx: KitContext, roleArn: string, pkg: PackagedFunction, db: Database): Promise<{ name: string; arn: string }> {
  return createFunction(ctx, {
    name: ctx.names.resource(FUNCTION_PURPOSE),
    roleArn,
    zip: pkg.zip,
    handler: pkg.handler,
    timeoutSeconds: FUNCTION_TIMEOUT_SECONDS,
    memoryMb: FUNCTION_MEMORY_MB,
    environment: { CLUSTER_ARN: db.clusterArn, SECRET_ARN: db.secretArn, DATABASE_NAME: db.database },
  });
}

/** A UUID no mapping has: the ledger entry before CreateEventSourceMapping returns the real one ("not found" = done). */
const PENDING_UUID = "00000000-0000-4000-8000-000000000000";

/** Create the mapping (recorded before the call, re-recorded with its UUID) and wait until it is Enabled. */
export async function createMapping(ctx: KitContext, input: CreateEventSourceMappingCommandInput): Promise<{ uuid: string }> {
  const pending = recordResource(ctx, "lambda-event-source-mapping", PENDING_UUID, { parent: String(input.FunctionName) });
  const out = await ctx.clients.lambda.send(new CreateEventSourceMappingCommand(input));
  recordResource(ctx, "lambda-event-source-mapping", out.UUID!, { arn: out.EventSourceMappingArn, parent: String(input.FunctionName) });
  ctx.ledger.remove(pending.id);
  const p = pace(ctx);
  await pollUntil(
    async () => {
      const m = await ctx.clients.lambda.send(new GetEventSourceMappingCommand({ UUID: out.UUID }));
      return m.State === "Enabled" ? true : undefined;
    },
    { timeoutMs: ctx.target.kind === "aws" ? 120_000 : 15_000, intervalMs: p.intervalMs * 2, maxIntervalMs: p.maxIntervalMs, what: "the event source mapping to become Enabled", onWait: () => ctx.status("waiting for the event source mapping to become Enabled…") },
  );
  return { uuid: out.UUID! };
}

/** Visible + in-flight + delayed messages of a queue. */
export async function queueDepth(ctx: KitContext, url: string): Promise<{ visible: number; inFlight: number; total: number }> {
  const { Attributes: a = {} } = await ctx.clients.sqs.send(
    new GetQueueAttributesCommand({ QueueUrl: url, AttributeNames: ["ApproximateNumberOfMessages", "ApproximateNumberOfMessagesNotVisible", "ApproximateNumberOfMessagesDelayed"] }),
  );
  const visible = Number(a.ApproximateNumberOfMessages ?? 0);
  const inFlight = Number(a.ApproximateNumberOfMessagesNotVisible ?? 0);
  return { visible, inFlight, total: visible + inFlight + Number(a.ApproximateNumberOfMessagesDelayed ?? 0) };
}

/** The Data API, as the kit calls it: one client per run (close() when done). */
export class Sql {
  readonly client: RDSDataClient;
  constructor(ctx: KitContext, readonly db: Database) {
    this.client = new RDSDataClient({ ...ctx.clients.config, maxAttempts: 1 });
  }

  /** One statement; a paused database (DatabaseResumingException) is waited for, as the handler must. */
  async run(sql: string, parameters: SqlParameter[] = []): Promise<Field[][]> {
    for (let attempt = 1; ; attempt++) {
      try {
        const out = await this.client.send(new ExecuteStatementCommand({ resourceArn: this.db.clusterArn, secretArn: this.db.secretArn, database: this.db.database, sql, parameters }));
        return out.records ?? [];
      } catch (err) {
        if (errorCode(err) !== "DatabaseResumingException" || attempt > 40) throw err;
        await sleep(Math.min(2000, 100 * attempt));
      }
    }
  }

  /** Rows of one folder under uploads/, as text: [source_key, row_number, order_id, customer, amount, comment]. */
  async rowsUnder(prefix: string): Promise<string[][]> {
    const records = await this.run(
      "SELECT source_key, row_number::text, order_id, customer, amount::text, comment FROM orders WHERE source_key LIKE :prefix ORDER BY source_key, row_number",
      [{ name: "prefix", value: { stringValue: `${prefix.replace(/[%_\\]/g, (c) => `\\${c}`)}%` } }],
    );
    return records.map((r) => r.map((f) => (f.isNull ? "" : String(f.stringValue ?? f.longValue ?? f.doubleValue ?? f.booleanValue ?? ""))));
  }

  /**
   * Locally, a new cluster's engine is slow on its first large statements (WebAssembly warming up):
   * push about a megabyte through it once, into a scratch table, before the learner's function does.
   */
  async warmUp(): Promise<void> {
    await this.run("CREATE TABLE IF NOT EXISTS kit_warm_up (t text)");
    await this.client.send(
      new BatchExecuteStatementCommand({
        resourceArn: this.db.clusterArn,
        secretArn: this.db.secretArn,
        database: this.db.database,
        sql: "INSERT INTO kit_warm_up VALUES (:t)",
        parameterSets: Array.from({ length: 100 }, (_, i) => [{ name: "t", value: { stringValue: `${i} ${"w".repeat(9_900)}` } }]),
      }),
    );
    await this.run("DROP TABLE kit_warm_up");
  }

  close(): void {
    this.client.destroy();
  }
}

export { errorMessage };
