/**
 * Lab 07 — your Lambda function: apply each uploaded order to its customer's
 * balance, exactly once, however often S3 delivers the event.
 *
 * S3 invokes it asynchronously with {"Records":[…]} for every new object
 * version under orders/<customer>/…json; the object holds {"amountCents": N}.
 * Each object version is one order. S3 delivers at least once: the same
 * event (same key, versionId and sequencer) can arrive twice, and events
 * arrive in any order. Write one JSON log line per record with `outcome`
 * "applied", "duplicate" or "rejected" (README "Structured logs").
 */
import { GetObjectCommand, S3Client } from "@aws-sdk/client-s3";
import { DynamoDBClient, UpdateItemCommand } from "@aws-sdk/client-dynamodb";

interface S3EventRecord {
  eventName: string;
  s3: { bucket: { name: string }; object: { key: string; size?: number; eTag?: string; versionId?: string; sequencer: string } };
}

const s3 = new S3Client({});
const dynamodb = new DynamoDBClient({});
const TABLE = process.env.TABLE_NAME!;

function log(level: "INFO" | "ERROR", message: string, fields: Record<string, unknown>): void {
  console.log(JSON.stringify({ level, message, ...fields }));
}

/** The key as uploaded: S3 URL-encodes it in the record, with "+" for spaces. */
function decodeKey(key: string): string {
  return decodeURIComponent(key.replace(/\+/g, " "));
}

/** One S3 event: this bucket, this key, this version (the sequencer when the bucket is not versioned). Never the eTag: equal contents are different orders. */
function eventId(record: S3EventRecord): string {
  const o = record.s3.object;
  return `${record.s3.bucket.name}/${o.key}#${o.versionId ?? o.sequencer}`;
}

function parseOrder(text: string, key: string): number {
  let amount: unknown;
  try {
    amount = (JSON.parse(text) as { amountCents?: unknown }).amountCents;
  } catch {
    throw new Error(`${key} is not JSON`);
  }
  if (typeof amount !== "number" || !Number.isInteger(amount) || amount <= 0) throw new Error(`${key}: amountCents must be a positive integer, got ${JSON.stringify(amount)}`);
  return amount;
}

export async function handler(event: { Records: S3EventRecord[] }): Promise<void> {
  for (const record of event.Records) {
    const bucket = record.s3.bucket.name;
    const key = decodeKey(record.s3.object.key);
    const { versionId, sequencer } = record.s3.object;
    const customer = key.split("/")[1]!;
    const fields = { key, versionId, sequencer, customer };
    try {
      const object = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: key, VersionId: versionId }));
      const amountCents = parseOrder(await object.Body!.transformToString(), key);
      const id = eventId(record);
      try {
        // The effect and the proof that it happened, in one conditional write: no window between them.
        await dynamodb.send(
          new UpdateItemCommand({
            TableName: TABLE,
            Key: { customer: { S: customer } },
            UpdateExpression: "ADD balanceCents :amount, applied :ids",
            ConditionExpression: "NOT contains(applied, :id)",
            ExpressionAttributeValues: { ":amount": { N: String(amountCents) }, ":ids": { SS: [id] }, ":id": { S: id } },
          }),
        );
        log("INFO", "order applied", { ...fields, outcome: "applied", amountCents });
      } catch (err) {
        if ((err as Error).name !== "ConditionalCheckFailedException") throw err;
        log("INFO", "duplicate delivery ignored", { ...fields, outcome: "duplicate" });
      }
    } catch (err) {
      // Log it, then let Lambda see the failure: it retries, then sends the event to the on-failure destination.
      log("ERROR", "order not applied", { ...fields, outcome: "rejected", error: (err as Error).message });
      throw err;
    }
  }
}
