/**
 * Lab 03 — your Lambda function: the image pipeline.
 *
 * S3 invokes it with {"Records":[…]} for each new .jpg, .jpeg or .png under
 * uploads/. For each record:
 *   1. decode the key (URL-encoded: "+" is a space, then %XX);
 *   2. skip anything that is not under uploads/ — if the trigger is ever
 *      widened, your own thumbnails would otherwise invoke you again (a loop);
 *   3. read the image (GetObject: the event carries no content);
 *   4. make the thumbnail with sharp: fit inside 200×200 keeping the aspect
 *      ratio, upright by its EXIF orientation (.rotate() with no angle),
 *      transparency flattened onto white, JPEG;
 *   5. write it to thumbnails/<path under uploads/ without extension>.jpg
 *      with ContentType "image/jpeg" (thumbnailKeyFor below);
 *   6. store the metadata in the table (env TABLE_NAME), one item per image:
 *        id ("<bucket>/<key>", the table's key), bucket, key (decoded),
 *        format (sharp's: "jpeg" | "png"), width, height, size (bytes),
 *        thumbnailKey, processedAt (ISO time), sequencer (from the event)
 *      as a CONDITIONAL write: S3 may deliver an event twice (same
 *      sequencer) or late (an older sequencer), so only write when there is
 *      no item yet or the stored sequencer is older:
 *        write it with a condition expression (README "Steps", docs/glossary.md
 *        "idempotency"; AWS: "DynamoDB condition expressions"), comparing
 *        sequencers padded to one length (normalizeSequencer below);
 *      a ConditionalCheckFailedException means "already done": not an error;
 *   7. only when the write happened, publish to SNS (env TOPIC_ARN) a JSON
 *      message { id, bucket, key, thumbnailKey, format, width, height, size, processedAt };
 *   8. a bad image must fail loudly (an error in the log, the invocation
 *      fails) without stopping the other records of the same event.
 *
 * The kit bundles this file with esbuild and packs sharp's linux-x64 build
 * next to it; @aws-sdk/* comes from the Lambda runtime.
 */
import { S3Client } from "@aws-sdk/client-s3";
import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { SNSClient } from "@aws-sdk/client-sns";
import sharp from "sharp";

interface S3EventRecord {
  eventName: string;
  s3: { bucket: { name: string }; object: { key: string; size?: number; sequencer?: string } };
}

const s3 = new S3Client({});
const dynamodb = new DynamoDBClient({});
const sns = new SNSClient({});

/** thumbnails/<path under uploads/ without its extension>.jpg */
export const thumbnailKeyFor = (key: string): string => `thumbnails/${key.slice("uploads/".length).replace(/\.(jpe?g|png)$/i, "")}.jpg`;

/** Sequencers compare as strings once the shorter is right-padded with "0" (S3 docs). */
export const normalizeSequencer = (sequencer: string): string => sequencer.toUpperCase().padEnd(32, "0");

async function processRecord(record: S3EventRecord): Promise<void> {
  void [s3, dynamodb, sns, sharp];
  const bucket = record.s3.bucket.name;
  const key = record.s3.object.key; // TODO 1: decode it (step 1 above; you did this in lab 01)
  console.log("received", record.eventName, bucket, key);
  // TODO 2: step 2 above — the loop guard.
  // TODO 3: read the image's bytes.
  // TODO 4: its metadata and the thumbnail (step 4). sharp's docs: https://sharp.pixelplumbing.com/api-resize
  //         (resize, fit), https://sharp.pixelplumbing.com/api-operation (rotate, flatten), api-output (jpeg).
  // TODO 5: write the thumbnail (step 5).
  // TODO 6: the conditional write (step 6); a failed condition means "already done".
  // TODO 7: publish (step 7), only when the write happened.
}

export async function handler(event: { Records?: S3EventRecord[] }): Promise<void> {
  // TODO 8: one bad record must not stop the others, yet the invocation must fail (step 8).
  for (const record of event.Records ?? []) await processRecord(record);
}
