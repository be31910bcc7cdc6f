/**
 * Lab 05 — reference solution: unwrap SNS's envelope, then S3's event, decode
 * each key and put one catalog item per object.
 */
import { DynamoDBClient, PutItemCommand } from "@aws-sdk/client-dynamodb";

interface SnsEventRecord {
  EventSource: string;
  Sns: { Message: string; Subject?: string | null; TopicArn: string };
}

interface S3EventRecord {
  eventTime: string;
  s3: { bucket: { name: string }; object: { key: string; size?: number } };
}

const dynamodb = new DynamoDBClient({});

/** Keys arrive form-encoded: "+" is a space, the rest is %XX. */
const decodeKey = (key: string) => decodeURIComponent(key.replace(/\+/g, " "));

export async function handler(event: { Records: SnsEventRecord[] }): Promise<void> {
  for (const record of event.Records) {
    const s3Event = JSON.parse(record.Sns.Message) as { Event?: string; Records?: S3EventRecord[] };
    if (s3Event.Event === "s3:TestEvent" || !Array.isArray(s3Event.Records)) {
      console.log("skipping a message without S3 records:", record.Sns.Message.slice(0, 120));
      continue;
    }
    for (const r of s3Event.Records) {
      const bucket = r.s3.bucket.name;
      const key = decodeKey(r.s3.object.key);
      const size = r.s3.object.size ?? 0;
      await dynamodb.send(
        new PutItemCommand({
          TableName: process.env.TABLE_NAME,
          Item: { id: { S: `${bucket}/${key}` }, bucket: { S: bucket }, key: { S: key }, size: { N: String(size) }, eventTime: { S: r.eventTime } },
        }),
      );
      console.log(`catalogued ${bucket}/${key} (${size} bytes)`);
    }
  }
}
