/**
 * Lab 01 — reference solution: the event reader.
 */

export interface ObjectChange {
  change: "created" | "removed" | "other";
  eventName: string;
  bucket: string;
  key: string;
  size?: number;
  sequencer?: string;
}

interface S3EventRecord {
  eventName: string;
  s3: { bucket: { name: string }; object: { key: string; size?: number; sequencer?: string } };
}

/** S3 encodes keys like an HTML form: "+" is a space, everything else is %XX (UTF-8). */
export function decodeS3Key(key: string): string {
  return decodeURIComponent(key.replace(/\+/g, " "));
}

function changeOf(eventName: string): ObjectChange["change"] {
  if (eventName.startsWith("ObjectCreated:")) return "created";
  if (eventName.startsWith("ObjectRemoved:")) return "removed";
  return "other";
}

export function readS3Message(body: string): ObjectChange[] {
  const message = JSON.parse(body) as { Records?: S3EventRecord[]; Event?: string };
  // Sent once when the configuration is saved; it describes no object.
  if (message.Event === "s3:TestEvent" || !Array.isArray(message.Records)) return [];
  return message.Records.map((record) => ({
    change: changeOf(record.eventName),
    eventName: record.eventName,
    bucket: record.s3.bucket.name,
    key: decodeS3Key(record.s3.object.key),
    size: record.s3.object.size,
    sequencer: record.s3.object.sequencer,
  }));
}
