/**
 * Lab 02 — reference solution: summarise each CSV uploaded under uploads/
 * into reports/<path>.json.
 */
import { GetObjectCommand, PutObjectCommand, S3Client } from "@aws-sdk/client-s3";

interface S3EventRecord {
  eventName: string;
  s3: { bucket: { name: string }; object: { key: string; size?: number } };
}

const s3 = new S3Client({});

/** Keys arrive form-encoded: "+" is a space, the rest is %XX. */
const decodeKey = (key: string) => decodeURIComponent(key.replace(/\+/g, " "));

export function summarize(text: string): { rows: number; columns: string[] } {
  const lines = text.split(/\r?\n/).filter((line) => line.trim() !== "");
  const header = lines[0] ?? "";
  return { rows: Math.max(0, lines.length - 1), columns: header ? header.split(",").map((c) => c.trim()) : [] };
}

export async function handler(event: { Records: S3EventRecord[] }): Promise<void> {
  for (const record of event.Records) {
    const bucket = record.s3.bucket.name;
    const key = decodeKey(record.s3.object.key);
    // The trigger's filter already says uploads/ + .csv; checking again keeps a widened trigger from looping.
    if (!key.startsWith("uploads/") || !key.endsWith(".csv")) {
      console.log(`skipping ${key}: not a CSV under uploads/`);
      continue;
    }
    const object = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
    const { rows, columns } = summarize(await object.Body!.transformToString());
    const reportKey = `reports/${key.slice("uploads/".length, -".csv".length)}.json`;
    await s3.send(new PutObjectCommand({ Bucket: bucket, Key: reportKey, Body: JSON.stringify({ source: key, rows, columns }), ContentType: "application/json" }));
    console.log(`summarised ${key}: ${rows} rows → ${reportKey}`);
  }
}
