/**
 * Lab 03 — reference solution: for each image uploaded under uploads/, write
 * a 200×200-bounded JPEG thumbnail to thumbnails/, store the image's metadata
 * in DynamoDB once, and announce first-time results on SNS.
 *
 * - Keys arrive URL-encoded, with spaces as "+": decoded before use.
 * - Anything outside uploads/ is skipped: if the trigger is ever widened to
 *   the whole bucket, the thumbnails this function writes do not start a loop.
 * - S3 delivers at least once and not in order. The metadata write is
 *   conditional on the event's sequencer: the item for bucket + key is only
 *   written when none exists or the stored sequencer is older, so a duplicate
 *   (same sequencer) or a stale event (older sequencer) is a no-op, and only
 *   a write that happened publishes to SNS.
 * - Each record is processed on its own; failures are logged and the function
 *   throws at the end, so a bad image fails loudly (Lambda retries it, the
 *   error is in the log) without stopping the other records.
 */
import { GetObjectCommand, PutObjectCommand, S3Client } from "@aws-sdk/client-s3";
import { ConditionalCheckFailedException, DynamoDBClient, PutItemCommand } from "@aws-sdk/client-dynamodb";
import { PublishCommand, SNSClient } from "@aws-sdk/client-sns";
import sharp from "sharp";

interface S3EventRecord {
  eventName: string;
  s3: { bucket: { name: string }; object: { key: string; size?: number; sequencer?: string } };
}

const s3 = new S3Client({});
const dynamodb = new DynamoDBClient({});
const sns = new SNSClient({});

/** Keys arrive form-encoded: "+" is a space, the rest is %XX (UTF-8). */
export const decodeKey = (key: string): string => decodeURIComponent(key.replace(/\+/g, " "));

/** thumbnails/<path under uploads/ without its extension>.jpg */
export const thumbnailKeyFor = (key: string): string => `thumbnails/${key.slice("uploads/".length).replace(/\.(jpe?g|png)$/i, "")}.jpg`;

/** Sequencers compare as strings once the shorter is right-padded with "0" (S3 docs). */
export const normalizeSequencer = (sequencer: string): string => sequencer.toUpperCase().padEnd(32, "0");

/** Fit inside 200×200 keeping the aspect ratio, upright by EXIF, transparency on white, as JPEG. */
export async function makeThumbnail(image: Uint8Array): Promise<{ thumbnail: Buffer; format: string; width: number; height: number }> {
  const meta = await sharp(image).metadata();
  const thumbnail = await sharp(image)
    .rotate()
    .resize({ width: 200, height: 200, fit: "inside", withoutEnlargement: true })
    .flatten({ background: "#ffffff" })
    .jpeg({ quality: 82 })
    .toBuffer();
  // Report the size as the picture is shown (EXIF orientations 5–8 swap width and height).
  const shown = meta.autoOrient ?? { width: meta.width, height: meta.height };
  return { thumbnail, format: meta.format ?? "unknown", width: shown.width ?? 0, height: shown.height ?? 0 };
}

async function processRecord(record: S3EventRecord): Promise<void> {
  const bucket = record.s3.bucket.name;
  const key = decodeKey(record.s3.object.key);
  if (!key.startsWith("uploads/")) {
    console.log(`skipping ${key}: not under uploads/ (this guard is what stops a loop)`);
    return;
  }
  const sequencer = normalizeSequencer(record.s3.object.sequencer ?? "0");
  const object = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
  const bytes = await object.Body!.transformToByteArray();
  const { thumbnail, format, width, height } = await makeThumbnail(bytes);
  const thumbnailKey = thumbnailKeyFor(key);
  // Writing the same thumbnail twice is harmless, so it happens before the dedupe decision.
  await s3.send(new PutObjectCommand({ Bucket: bucket, Key: thumbnailKey, Body: thumbnail, ContentType: "image/jpeg" }));

  const id = `${bucket}/${key}`;
  const processedAt = new Date().toISOString();
  try {
    await dynamodb.send(
      new PutItemCommand({
        TableName: process.env.TABLE_NAME,
        Item: {
          id: { S: id },
          bucket: { S: bucket },
          key: { S: key },
          format: { S: format },
          width: { N: String(width) },
          height: { N: String(height) },
          size: { N: String(bytes.length) },
          thumbnailKey: { S: thumbnailKey },
          processedAt: { S: processedAt },
          sequencer: { S: sequencer },
        },
        ConditionExpression: "attribute_not_exists(id) OR #sequencer < :sequencer",
        ExpressionAttributeNames: { "#sequencer": "sequencer" },
        ExpressionAttributeValues: { ":sequencer": { S: sequencer } },
      }),
    );
  } catch (err) {
    if (err instanceof ConditionalCheckFailedException) {
      console.log(`already processed ${key} (sequencer ${sequencer} is not newer): nothing to do`);
      return;
    }
    throw err;
  }
  await sns.send(
    new PublishCommand({
      TopicArn: process.env.TOPIC_ARN,
      Subject: "Thumbnail ready",
      Message: JSON.stringify({ id, bucket, key, thumbnailKey, format, width, height, size: bytes.length, processedAt }),
    }),
  );
  console.log(`thumbnail for ${key}: ${thumbnailKey} (${format} ${width}×${height}, ${bytes.length} bytes)`);
}

export async function handler(event: { Records?: S3EventRecord[] }): Promise<void> {
  const records = event.Records ?? [];
  const failures: string[] = [];
  for (const record of records) {
    try {
      await processRecord(record);
    } catch (err) {
      const key = record.s3?.object?.key;
      console.error(`FAILED ${key}: ${err instanceof Error ? err.message : String(err)}`);
      failures.push(`${key}: ${err instanceof Error ? err.message : String(err)}`);
    }
  }
  if (failures.length) throw new Error(`${failures.length} of ${records.length} image(s) failed: ${failures.join("; ")}`);
}
