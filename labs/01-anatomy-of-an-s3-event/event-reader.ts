/**
 * Lab 01 — your event reader.
 *
 * Each SQS message S3 sends has a body like {"Records":[ … one record … ]}.
 * Turn one message body into the list of object changes it describes.
 * Three things to get right (the grader tests each with real uploads):
 *   1. When you save a notification configuration, S3 sends a test message,
 *      {"Service":"Amazon S3","Event":"s3:TestEvent",…}, with no Records.
 *   2. Keys arrive URL-encoded, form style: a space becomes "+", a real "+"
 *      becomes "%2B", "=" becomes "%3D", "é" becomes "%C3%A9"…
 *   3. eventName says what happened: "ObjectCreated:Put", "ObjectCreated:Copy",
 *      "ObjectCreated:CompleteMultipartUpload", "ObjectRemoved:Delete"…
 */

export interface ObjectChange {
  /** "created" for ObjectCreated:*, "removed" for ObjectRemoved:*, "other" for anything else. */
  change: "created" | "removed" | "other";
  /** As S3 sent it, e.g. "ObjectCreated:Put". */
  eventName: string;
  bucket: string;
  /** The object key exactly as it was uploaded (decoded). */
  key: string;
  /** Bytes; S3 sends it for created events only. */
  size?: number;
  /** Orders events of the same key; present for created and removed events. */
  sequencer?: string;
}

/** The parts of an S3 event record this reader needs. */
interface S3EventRecord {
  eventName: string;
  s3: { bucket: { name: string }; object: { key: string; size?: number; sequencer?: string } };
}

export function readS3Message(body: string): ObjectChange[] {
  const message = JSON.parse(body) as { Records: S3EventRecord[] };

  // TODO 1: the test message S3 sends first (see 1. above) describes no object change.

  return message.Records.map((record) => ({
    // TODO 2: "created", "removed" or "other", from what eventName says happened.
    change: "other",
    eventName: record.eventName,
    bucket: record.s3.bucket.name,
    // TODO 3: the key as it was uploaded (see 2. above). AWS: "Event message structure"
    //   https://docs.aws.amazon.com/AmazonS3/latest/userguide/notification-content-structure.html
    key: record.s3.object.key,
    size: record.s3.object.size,
    sequencer: record.s3.object.sequencer,
  }));
}
