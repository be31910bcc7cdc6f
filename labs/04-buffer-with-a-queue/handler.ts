/**
 * Lab 04 — your Lambda function: load uploaded CSV files into the orders
 * table (README "The handler").
 *
 * Lambda's event source mapping reads the queue and calls this with a batch:
 *   { Records: [{ messageId, body, … }, …] }
 * Each `body` is the message S3 sent to the queue — a JSON string:
 *   - usually an S3 event {"Records":[{ s3: { bucket, object: { key } } }]};
 *   - once, when the notification is saved, {"Event":"s3:TestEvent", …}
 *     with no Records: skip it (it is not a failure).
 * For each S3 record:
 *   1. decode the key (URL-encoded: "+" is a space, then %XX — lab 01);
 *   2. read the file (GetObject) and validate ALL of it before writing:
 *      the header "order_id,customer,amount,comment", then rows of exactly 4
 *      fields, order_id and customer not empty, amount a number with at most
 *      two decimals; empty lines are ignored; row_number counts data rows
 *      from 1. A file that breaks a rule is refused as a whole;
 *   3. insert its rows in ONE transaction (BeginTransaction, then the
 *      inserts with the transactionId, CommitTransaction; RollbackTransaction
 *      when anything fails), with parameters (:name) — never values pasted
 *      into the SQL text — and ON CONFLICT … DO NOTHING, so a second delivery
 *      of the same file adds nothing. BatchExecuteStatement takes many rows
 *      per call (a request is at most 4 MiB: send them in chunks of ~100);
 *   4. the database auto-pauses when idle: the first call afterwards fails
 *      with DatabaseResumingException — wait a moment and try again.
 * Return { batchItemFailures: [{ itemIdentifier: messageId }] } listing ONLY
 * the messages that failed: they come back (and after maxReceiveCount tries
 * go to the dead-letter queue); the rest of the batch is done.
 *
 * Environment: CLUSTER_ARN, SECRET_ARN, DATABASE_NAME (the Data API's
 * resourceArn, secretArn and database). The kit bundles this file with
 * esbuild; @aws-sdk/* (client-s3, client-rds-data) comes from the runtime.
 *
 * AWS: https://docs.aws.amazon.com/lambda/latest/dg/services-sqs-errorhandling.html
 *      https://docs.aws.amazon.com/AmazonRDS/latest/AuroraUserGuide/data-api.html
 */
import { S3Client } from "@aws-sdk/client-s3";
import { RDSDataClient } from "@aws-sdk/client-rds-data";

interface SqsRecord {
  messageId: string;
  body: string;
}

const s3 = new S3Client({});
const rds = new RDSDataClient({});
const database = { resourceArn: process.env.CLUSTER_ARN, secretArn: process.env.SECRET_ARN, database: process.env.DATABASE_NAME };

export async function handler(event: { Records: SqsRecord[] }): Promise<{ batchItemFailures: Array<{ itemIdentifier: string }> }> {
  void [s3, rds, database];
  for (const record of event.Records) {
    const body = JSON.parse(record.body);
    console.log("message", record.messageId, JSON.stringify(body).slice(0, 200));
    // TODO 1: skip s3:TestEvent.
    // TODO 2: for each S3 record: decode the key, read and validate the CSV.
    // TODO 3: insert the rows in one transaction, with parameters and ON CONFLICT.
    // TODO 4: retry DatabaseResumingException.
    // TODO 5: a failed message must not fail (or repeat) the others: collect it below.
  }
  return { batchItemFailures: [] };
}
