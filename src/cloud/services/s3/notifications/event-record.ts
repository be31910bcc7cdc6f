/**
 * The S3 event record, field by field (aws-behavior.md §2): built from the
 * S3ObjectEvent that S3's object handlers emit and the configuration that
 * matched it. Which `s3.object` fields appear depends on the event type, as
 * recorded against AWS: created events carry key, size, eTag, versionId
 * (versioned buckets only — omitted, never null) and sequencer; a permanent
 * delete carries key (+versionId) and sequencer; a delete marker carries the
 * empty-object eTag; tagging and ACL events carry key, eTag (+versionId) and
 * no sequencer. The message body is always `{"Records":[record]}`, one record
 * per message.
 */
import { createHash } from "node:crypto";
import type { S3ObjectEvent } from "./contract.js";
import { encodeEventKey } from "./key-encoding.js";

/** The ETag S3 reports for a delete marker: the MD5 of nothing. */
export const EMPTY_ETAG = "d41d8cd98f00b204e9800998ecf8427e";

export interface S3EventRecord {
  eventVersion: string;
  eventSource: "aws:s3";
  awsRegion: string;
  eventTime: string;
  eventName: string;
  userIdentity: { principalId: string };
  requestParameters: { sourceIPAddress: string };
  responseElements: { "x-amz-request-id": string; "x-amz-id-2": string };
  s3: {
    s3SchemaVersion: "1.0";
    configurationId: string;
    bucket: { name: string; ownerIdentity: { principalId: string }; arn: string; awsGeneratedTags?: Record<string, string> };
    object: { key: string; size?: number; eTag?: string; versionId?: string; sequencer?: string };
  };
  /** ObjectRestore:Completed: when the restored copy expires and the archive's class [SNAP test_restore_object]. */
  glacierEventData?: { restoreEventData: { lifecycleRestorationExpiryTime: string; lifecycleRestoreStorageClass: string } };
  /** LifecycleTransition: the class the object moved to [S3-ES]. */
  lifecycleEventData?: { transitionEventData: { destinationStorageClass: string } };
}

/**
 * The schema version on every record. Since 2.4 S3 uses ONE version for all
 * event types, raised together whenever the schema grows; the current one is
 * 2.5, which added s3.bucket.awsGeneratedTags [S3-ES 2026]. (Recordings from
 * January 2025 still show the per-type 2.1/2.3 [SNAP]; consumers must only
 * check the major version.)
 */
export const EVENT_VERSION = "2.5";

/** S3 documents 64 KB as the largest event notification (the SQS queue's MaximumMessageSize should allow it). */
export const MAX_EVENT_BYTES = 64 * 1024;

/**
 * userIdentity.principalId as S3 writes it: "AWS:" + the IAM unique id for
 * users and role sessions ("AWS:AROA…:session"); the account's short owner id
 * for the root/admin caller.
 */
export function requesterPrincipalId(principalId: string, account: string): string {
  if (/^A[A-Z]{3}[A-Z0-9]+(:.*)?$/.test(principalId) && principalId !== account) return `AWS:${principalId}`;
  return ownerPrincipalId(account);
}

/**
 * The bucket owner's id as S3 shows it in records ("A3NL1KOZZKEXAMPLE"-like:
 * "A" and 13 upper-case characters). S3 derives it from the account in a way
 * it does not publish; here it is a stable hash of the account id (By design).
 */
const ownerIds = new Map<string, string>();
export function ownerPrincipalId(account: string): string {
  const cached = ownerIds.get(account);
  if (cached) return cached;
  const digest = BigInt("0x" + createHash("sha256").update(`s3-owner:${account}`).digest("hex").slice(0, 20));
  const id = "A" + digest.toString(36).toUpperCase().padStart(13, "0").slice(0, 13);
  ownerIds.set(account, id); // one hash per account, not per event
  return id;
}

/** Who S3 names for what it did by itself: "AmazonCustomer:<owner>" for a restore completing [SNAP], "s3.amazonaws.com" for lifecycle (UNCERTAIN). */
function s3PrincipalId(event: S3ObjectEvent): string {
  return event.eventName.startsWith("ObjectRestore:") ? `AmazonCustomer:${ownerPrincipalId(event.account)}` : "s3.amazonaws.com";
}

/** The `s3.object` member with the fields this event type carries. */
export function objectFields(event: S3ObjectEvent): S3EventRecord["s3"]["object"] {
  const key = encodeEventKey(event.key);
  const family = event.eventName.split(":")[0];
  if (family === "ObjectCreated") {
    return { key, size: event.size ?? 0, eTag: event.eTag ?? EMPTY_ETAG, versionId: event.versionId, sequencer: event.sequencer };
  }
  if (event.eventName.endsWith(":DeleteMarkerCreated")) {
    return { key, eTag: EMPTY_ETAG, versionId: event.versionId, sequencer: event.sequencer };
  }
  if (family === "ObjectRemoved" || family === "LifecycleExpiration") {
    return { key, versionId: event.versionId, sequencer: event.sequencer };
  }
  if (family === "ObjectTagging" || family === "ObjectAcl") {
    return { key, eTag: event.eTag, versionId: event.versionId };
  }
  return { key, size: event.size, eTag: event.eTag, versionId: event.versionId, sequencer: event.sequencer };
}

/** Drop undefined members so they are absent from the JSON, not null. */
function compact<T extends object>(o: T): T {
  for (const k of Object.keys(o) as Array<keyof T>) if (o[k] === undefined) delete o[k];
  return o;
}

export function buildEventRecord(event: S3ObjectEvent, configurationId: string): S3EventRecord {
  const record: S3EventRecord = {
    eventVersion: EVENT_VERSION,
    eventSource: "aws:s3",
    awsRegion: event.region,
    eventTime: event.time.toISOString(),
    eventName: event.eventName,
    // What S3 does by itself (a restore completing) is attributed to "AmazonCustomer:<owner id>" [SNAP test_restore_object].
    userIdentity: { principalId: event.byS3 ? s3PrincipalId(event) : requesterPrincipalId(event.principalId, event.account) },
    requestParameters: { sourceIPAddress: event.sourceIp },
    responseElements: { "x-amz-request-id": event.requestId, "x-amz-id-2": event.hostId },
    s3: {
      s3SchemaVersion: "1.0",
      configurationId,
      bucket: compact({
        name: event.bucket,
        ownerIdentity: { principalId: ownerPrincipalId(event.account) },
        arn: `arn:aws:s3:::${event.bucket}`,
        // 2.5: the bucket's aws:-prefixed tags (e.g. a CloudFormation stack's); absent when it has none (UNCERTAIN: AWS may send {}).
        awsGeneratedTags: event.awsGeneratedTags && Object.keys(event.awsGeneratedTags).length ? event.awsGeneratedTags : undefined,
      }),
      object: compact(objectFields(event)),
    },
  };
  if (event.eventName === "ObjectRestore:Completed" && event.restore?.expiryTime) {
    record.glacierEventData = {
      restoreEventData: { lifecycleRestorationExpiryTime: event.restore.expiryTime.toISOString(), lifecycleRestoreStorageClass: event.restore.storageClass },
    };
  }
  if (event.eventName === "LifecycleTransition" && event.destinationStorageClass) {
    record.lifecycleEventData = { transitionEventData: { destinationStorageClass: event.destinationStorageClass } };
  }
  return record;
}

/** The message body every destination receives: one record per message. */
export function recordMessageBody(record: S3EventRecord): string {
  return JSON.stringify({ Records: [record] });
}
