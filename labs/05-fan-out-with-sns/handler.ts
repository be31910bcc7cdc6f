/**
 * Lab 05 — your catalog function: one DynamoDB item per upload.
 *
 * It is subscribed to the topic, so SNS invokes it — not S3. Its event is
 * SNS's, and S3's event is inside it as a string:
 *   { "Records": [ { "EventSource": "aws:sns", "Sns": { "Message": "<S3's event as JSON text>", … } } ] }
 * and S3's event is { "Records": [ { "s3": { "bucket": …, "object": { "key", "size", … } } } ] }
 * with the key URL-encoded (lab 01). Unwrap both, decode the key, and put
 * one item per object into the table TABLE_NAME (environment):
 *   { id: "<bucket>/<key>", bucket, key, size, eventTime }
 * `id` is the table's key, so a re-upload of the same key updates its item
 * instead of adding a second one.
 *
 * When the bucket's notification is saved, S3 also publishes a test message
 * ({"Service":"Amazon S3","Event":"s3:TestEvent",…} — no Records); the
 * function must return quietly for it.
 */
import { DynamoDBClient } from "@aws-sdk/client-dynamodb";

interface SnsEventRecord {
  EventSource: string;
  Sns: { Message: string; Subject?: string | null; TopicArn: string };
}

const dynamodb = new DynamoDBClient({});

export async function handler(event: { Records: SnsEventRecord[] }): Promise<void> {
  void dynamodb;
  for (const record of event.Records) {
    console.log("received", record.Sns.Subject, record.Sns.Message.slice(0, 200));
    // TODO 1: S3's event is the text in record.Sns.Message — parse it.
    // TODO 2: skip S3's s3:TestEvent (it has no Records).
    // TODO 3: for each S3 record: the bucket, the decoded key, the size, the eventTime.
    // TODO 4: PutItem { id: "<bucket>/<key>", bucket, key, size, eventTime } into process.env.TABLE_NAME.
    // Read: README "Steps"; AWS: "Using AWS Lambda with Amazon SNS"
    //   https://docs.aws.amazon.com/lambda/latest/dg/with-sns.html
  }
}
