/**
 * Lab 04 — reference solution: load CSV files named by S3 events (delivered
 * through SQS in batches) into the orders table through the RDS Data API.
 */
import { GetObjectCommand, S3Client } from "@aws-sdk/client-s3";
import {
  BatchExecuteStatementCommand,
  BeginTransactionCommand,
  CommitTransactionCommand,
  RDSDataClient,
  RollbackTransactionCommand,
  type SqlParameter,
} from "@aws-sdk/client-rds-data";

interface SqsRecord {
  messageId: string;
  body: string;
}

interface S3EventRecord {
  eventName: string;
  s3: { bucket: { name: string }; object: { key: string } };
}

export interface OrderRow {
  rowNumber: number;
  orderId: string;
  customer: string;
  amount: string;
  comment: string;
}

const s3 = new S3Client({});
const rds = new RDSDataClient({});
const database = { resourceArn: process.env.CLUSTER_ARN, secretArn: process.env.SECRET_ARN, database: process.env.DATABASE_NAME };

/** Keys arrive form-encoded: "+" is a space, the rest is %XX. */
export const decodeKey = (key: string): string => decodeURIComponent(key.replace(/\+/g, " "));

const HEADER = "order_id,customer,amount,comment";
const AMOUNT = /^-?\d{1,10}(\.\d{1,2})?$/;
/** Rows per BatchExecuteStatement call: a request is at most 4 MiB. */
const CHUNK = 100;

/** Parse and validate the whole file first: a bad file is refused before anything is written. */
export function parseOrders(text: string, key: string): OrderRow[] {
  const lines = text.split(/\r?\n/).filter((line) => line.trim() !== "");
  if (lines[0]?.trim() !== HEADER) throw new Error(`${key}: the header must be "${HEADER}", found "${lines[0] ?? ""}"`);
  return lines.slice(1).map((line, i) => {
    const cells = line.split(",");
    if (cells.length !== 4) throw new Error(`${key} row ${i + 1}: expected 4 fields, found ${cells.length}`);
    const [orderId, customer, amount, comment] = cells.map((c) => c.trim()) as [string, string, string, string];
    if (!orderId || !customer) throw new Error(`${key} row ${i + 1}: order_id and customer are required`);
    if (!AMOUNT.test(amount)) throw new Error(`${key} row ${i + 1}: amount "${amount}" is not a number`);
    return { rowNumber: i + 1, orderId, customer, amount, comment };
  });
}

/** A Data API call; a paused Aurora Serverless v2 cluster answers DatabaseResumingException while it wakes up. */
async function withResume<T>(call: () => Promise<T>): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await call();
    } catch (err) {
      if ((err as Error).name !== "DatabaseResumingException" || attempt >= 8) throw err;
      console.log(`the database is resuming; retry ${attempt} in ${250 * attempt} ms`);
      await new Promise((resolve) => setTimeout(resolve, 250 * attempt));
    }
  }
}

const row = (key: string, r: OrderRow): SqlParameter[] => [
  { name: "source_key", value: { stringValue: key } },
  { name: "row_number", value: { longValue: r.rowNumber } },
  { name: "order_id", value: { stringValue: r.orderId } },
  { name: "customer", value: { stringValue: r.customer } },
  { name: "amount", value: { stringValue: r.amount }, typeHint: "DECIMAL" },
  { name: "comment", value: { stringValue: r.comment } },
];

/** All rows of one file in one transaction; ON CONFLICT makes a repeated delivery a no-op. */
async function load(key: string, rows: OrderRow[]): Promise<void> {
  const { transactionId } = await withResume(() => rds.send(new BeginTransactionCommand(database)));
  try {
    for (let i = 0; i < rows.length; i += CHUNK) {
      await rds.send(
        new BatchExecuteStatementCommand({
          ...database,
          transactionId,
          sql: `INSERT INTO orders (source_key, row_number, order_id, customer, amount, comment)
                VALUES (:source_key, :row_number, :order_id, :customer, :amount, :comment)
                ON CONFLICT (source_key, row_number) DO NOTHING`,
          parameterSets: rows.slice(i, i + CHUNK).map((r) => row(key, r)),
        }),
      );
    }
    await rds.send(new CommitTransactionCommand({ ...database, transactionId }));
  } catch (err) {
    await rds.send(new RollbackTransactionCommand({ ...database, transactionId })).catch(() => {});
    throw err;
  }
}

async function processMessage(record: SqsRecord): Promise<void> {
  const body = JSON.parse(record.body) as { Event?: string; Records?: S3EventRecord[] };
  // S3 sends s3:TestEvent when the notification is saved: nothing to load, and not a failure.
  if (body.Event === "s3:TestEvent") {
    console.log("skipping s3:TestEvent");
    return;
  }
  for (const s3Record of body.Records ?? []) {
    const bucket = s3Record.s3.bucket.name;
    const key = decodeKey(s3Record.s3.object.key);
    try {
      const object = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
      const rows = parseOrders(await object.Body!.transformToString(), key);
      await load(key, rows);
      console.log(`loaded ${key}: ${rows.length} rows`);
    } catch (err) {
      // Name the file: the log is where someone looks first when a message lands in the DLQ.
      const e = err as Error;
      throw e.message.includes(key) ? e : new Error(`${key}: ${e.name}: ${e.message}`);
    }
  }
}

export async function handler(event: { Records: SqsRecord[] }): Promise<{ batchItemFailures: Array<{ itemIdentifier: string }> }> {
  const batchItemFailures: Array<{ itemIdentifier: string }> = [];
  for (const record of event.Records) {
    try {
      await processMessage(record);
    } catch (err) {
      // Only this message comes back (and, after maxReceiveCount tries, goes to the DLQ).
      console.error(`message ${record.messageId} failed: ${(err as Error).message}`);
      batchItemFailures.push({ itemIdentifier: record.messageId });
    }
  }
  return { batchItemFailures };
}
