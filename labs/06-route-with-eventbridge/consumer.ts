/**
 * Lab 06 — your import function: the CSV rule invokes it (asynchronously)
 * with the whole EventBridge event. It counts the rows of the new CSV and
 * adds them to one running total, the item { id: "totals", files, rows } in
 * the table named by process.env.TABLE_NAME.
 *
 * EventBridge delivers at least once, and a replay delivers old events again
 * (marked with "replay-name"): the same upload must be counted ONCE. One
 * upload is one key with one sequencer (detail.object.sequencer) — a new
 * upload of the same key has a new sequencer and counts again. A replayed
 * event may also name a file that has been deleted since.
 * Keys on EventBridge are not URL-encoded (unlike S3's own notifications).
 */
import { DynamoDBClient, UpdateItemCommand } from "@aws-sdk/client-dynamodb";
import { GetObjectCommand, S3Client } from "@aws-sdk/client-s3";

export interface ObjectCreatedEvent {
  id: string;
  "detail-type": string;
  "replay-name"?: string;
  detail: { bucket: { name: string }; object: { key: string; size: number; sequencer: string } };
}

const s3 = new S3Client({});
const dynamodb = new DynamoDBClient({});

export function countRows(text: string): number {
  return Math.max(0, text.split(/\r?\n/).filter((line) => line.trim() !== "").length - 1);
}

export async function handler(event: ObjectCreatedEvent): Promise<void> {
  const { bucket, object } = event.detail;
  const file = await s3.send(new GetObjectCommand({ Bucket: bucket.name, Key: object.key }));
  const rows = countRows(await file.Body!.transformToString());
  // TODO: this counts every delivery — a replay counts the same upload twice. Remember which uploads
  //   (key + sequencer) are counted, in the same conditional write (README "Idempotent consumers");
  //   and return quietly when the file no longer exists.
  await dynamodb.send(
    new UpdateItemCommand({
      TableName: process.env.TABLE_NAME,
      Key: { id: { S: "totals" } },
      UpdateExpression: "ADD #files :one, #rows :rows",
      ExpressionAttributeNames: { "#files": "files", "#rows": "rows" },
      ExpressionAttributeValues: { ":one": { N: "1" }, ":rows": { N: String(rows) } },
    }),
  );
  console.log(`imported ${object.key}: ${rows} rows`);
}
