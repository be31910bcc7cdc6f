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
 *
 * This version works on a good day. Make it right on a bad one.
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

function decodeKey(key: string): string {
  return decodeURIComponent(key.replace(/\+/g, " "));
}

export async function handler(event: { Records: S3EventRecord[] }): Promise<void> {
  for (const record of event.Records) {
    const bucket = record.s3.bucket.name;
    const key = decodeKey(record.s3.object.key);
    const customer = key.split("/")[1]!;
    try {
      const object = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: key, VersionId: record.s3.object.versionId }));
      const { amountCents } = JSON.parse(await object.Body!.transformToString()) as { amountCents: number };
      // TODO 1: a repeated delivery of the same event must not add the amount again. Which fields of the
      //         record name one event? (README "Exactly once" — and why not the eTag?)
      // TODO 2: make "apply" and "remember it was applied" one conditional write (README "One write, not two").
      await dynamodb.send(
        new UpdateItemCommand({
          TableName: TABLE,
          Key: { customer: { S: customer } },
          UpdateExpression: "ADD balanceCents :amount",
          ExpressionAttributeValues: { ":amount": { N: String(amountCents) } },
        }),
      );
      console.log(`applied ${amountCents} to ${customer}`);
      // TODO 3: one JSON log line per record: { level, message, outcome, key, versionId, … } (README "Structured logs").
    } catch (err) {
      // TODO 4: a bad order (amountCents not a positive integer) must fail loudly, and so must any error
      //         that is not a duplicate: what does Lambda do when the handler throws? (README "Retries")
      console.log("could not apply the order", err);
    }
  }
}
