/**
 * Lab 02 — your Lambda function: summarise each CSV file uploaded under uploads/.
 *
 * S3 invokes it asynchronously with {"Records":[…]}. An event carries the
 * object's metadata (bucket, key, size), never its content: fetch the object.
 * For uploads/<path>.csv write reports/<path>.json containing
 *   { "source": "uploads/<path>.csv", "rows": <data rows>, "columns": [<header cells>] }
 * where rows counts the non-empty lines after the header line (files may use
 * \n or \r\n and may or may not end with a newline).
 *
 * The kit bundles this file with esbuild; @aws-sdk/* comes from the Lambda
 * runtime. Locally the runtime sets AWS_ENDPOINT_URL, so `new S3Client({})`
 * reaches the local cloud with no change to this code.
 */
import { S3Client } from "@aws-sdk/client-s3";

interface S3EventRecord {
  eventName: string;
  s3: { bucket: { name: string }; object: { key: string; size?: number } };
}

const s3 = new S3Client({});

export async function handler(event: { Records: S3EventRecord[] }): Promise<void> {
  void s3;
  for (const record of event.Records) {
    console.log("received", record.eventName, record.s3.bucket.name, record.s3.object.key);
    // TODO 1: the key as it was uploaded (it arrives URL-encoded — lab 01's event reader).
    // TODO 2: fetch the object's content (the event has none).
    // TODO 3: count the data rows and read the header's column names.
    // TODO 4: write the summary as JSON to reports/<path>.json.
    // Read: README "Steps"; AWS: "Tutorial: Using an Amazon S3 trigger to invoke a Lambda function"
    //   https://docs.aws.amazon.com/lambda/latest/dg/with-s3-example.html
  }
}
