/**
 * Lab 06 — reference solution: the import function. Counts the rows of each
 * new CSV under imports/ into one running total — exactly once per upload,
 * however often EventBridge delivers its event (retries, replays).
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
  // One upload = one key + one sequencer; a replay or a retry carries the same pair again.
  const uploadId = `${object.key}#${object.sequencer}`;
  let text: string;
  try {
    text = await (await s3.send(new GetObjectCommand({ Bucket: bucket.name, Key: object.key }))).Body!.transformToString();
  } catch (err) {
    // A replayed (or late) event can name a file deleted since: nothing left to import.
    if ((err as Error).name !== "NoSuchKey") throw err;
    console.log(`${object.key} no longer exists: nothing to import`);
    return;
  }
  const rows = countRows(text);
  try {
    await dynamodb.send(
      new UpdateItemCommand({
        TableName: process.env.TABLE_NAME,
        Key: { id: { S: "totals" } },
        UpdateExpression: "ADD #files :one, #rows :rows, #seen :upload",
        ConditionExpression: "attribute_not_exists(#seen) OR NOT contains(#seen, :uploadId)",
        ExpressionAttributeNames: { "#files": "files", "#rows": "rows", "#seen": "seen" },
        ExpressionAttributeValues: { ":one": { N: "1" }, ":rows": { N: String(rows) }, ":upload": { SS: [uploadId] }, ":uploadId": { S: uploadId } },
      }),
    );
    console.log(`imported ${object.key}: ${rows} rows${event["replay-name"] ? ` (replay ${event["replay-name"]})` : ""}`);
  } catch (err) {
    if ((err as Error).name !== "ConditionalCheckFailedException") throw err;
    console.log(`already imported ${uploadId}${event["replay-name"] ? ` (replay ${event["replay-name"]})` : ""}: nothing to do`);
  }
}
