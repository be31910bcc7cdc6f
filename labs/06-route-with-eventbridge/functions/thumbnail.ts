/**
 * Lab 06 — the workflow's task function (the kit's, not a learner file).
 * Input: { bucket, key, format } — what the learner's task Parameters pass.
 * It checks the object really is a PNG or JPEG (magic bytes) and writes a
 * copy to processed/<path> as the "thumbnail" (the lab is about routing, not
 * pixels: lab 03 did pixels). Two ways to fail, on purpose:
 * - keys containing "flaky" fail with ThumbnailServiceBusy on their first
 *   FLAKY_FAILURES attempts (counted atomically in DynamoDB, so it holds
 *   whichever execution environment runs the retry) — transient: retry it;
 * - bytes that are neither PNG nor JPEG fail with UnsupportedImage —
 *   permanent: retrying cannot help.
 * Keys outside uploads/ (e.g. processed/… when a pattern also matches the
 * workflow's own outputs) are skipped, so such a mistake costs one extra
 * execution per output, not an endless loop.
 */
import { GetObjectCommand, PutObjectCommand, S3Client } from "@aws-sdk/client-s3";
import { DynamoDBClient, UpdateItemCommand } from "@aws-sdk/client-dynamodb";

export const FLAKY_FAILURES = 2;

class ThumbnailServiceBusy extends Error {
  constructor(message: string) {
    super(message);
    this.name = "ThumbnailServiceBusy";
  }
}
class UnsupportedImage extends Error {
  constructor(message: string) {
    super(message);
    this.name = "UnsupportedImage";
  }
}
class BadTaskInput extends Error {
  constructor(message: string) {
    super(message);
    this.name = "BadTaskInput";
  }
}

const s3 = new S3Client({});
const dynamodb = new DynamoDBClient({});

function sniff(bytes: Uint8Array): "png" | "jpeg" | undefined {
  if (bytes.length >= 8 && bytes[0] === 0x89 && bytes[1] === 0x50 && bytes[2] === 0x4e && bytes[3] === 0x47) return "png";
  if (bytes.length >= 3 && bytes[0] === 0xff && bytes[1] === 0xd8 && bytes[2] === 0xff) return "jpeg";
  return undefined;
}

async function attempt(key: string): Promise<number> {
  const out = await dynamodb.send(
    new UpdateItemCommand({
      TableName: process.env.TABLE_NAME,
      Key: { id: { S: `attempts#${key}` } },
      UpdateExpression: "ADD #n :one",
      ExpressionAttributeNames: { "#n": "attempts" },
      ExpressionAttributeValues: { ":one": { N: "1" } },
      ReturnValues: "UPDATED_NEW",
    }),
  );
  return Number(out.Attributes?.attempts?.N ?? "1");
}

export async function handler(input: { bucket?: unknown; key?: unknown; format?: unknown }) {
  if (!input || typeof input.bucket !== "string" || typeof input.key !== "string") {
    throw new BadTaskInput(`expected a payload {"bucket": "…", "key": "…", "format": "png|jpeg"}, got ${JSON.stringify(input).slice(0, 300)}`);
  }
  const { bucket, key } = input;
  if (!key.startsWith("uploads/")) {
    console.log(`skipping ${key}: not under uploads/ (is an event pattern also matching the workflow's outputs?)`);
    return { bucket, key, skipped: "not under uploads/" };
  }
  if (key.includes("flaky")) {
    const n = await attempt(key);
    if (n <= FLAKY_FAILURES) throw new ThumbnailServiceBusy(`the thumbnail service is busy (attempt ${n} for ${key}); try again shortly`);
  }
  const object = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
  const bytes = await object.Body!.transformToByteArray();
  const format = sniff(bytes);
  if (!format) throw new UnsupportedImage(`${key} is neither a PNG nor a JPEG (first bytes ${Buffer.from(bytes.slice(0, 4)).toString("hex") || "none"})`);
  const processedKey = `processed/${key.slice("uploads/".length)}`;
  await s3.send(new PutObjectCommand({ Bucket: bucket, Key: processedKey, Body: bytes, ContentType: format === "png" ? "image/png" : "image/jpeg" }));
  console.log(`processed ${key} (${format}, ${bytes.length} bytes) → ${processedKey}`);
  return { bucket, key, processedKey, format, size: bytes.length };
}
