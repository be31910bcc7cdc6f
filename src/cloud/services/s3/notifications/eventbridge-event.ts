/**
 * The event S3 puts on the account's default EventBridge bus when the bucket
 * has <EventBridgeConfiguration/> (aws-behavior.md §4; S3 user guide,
 * "EventBridge" and "ev-events"): source "aws.s3", a detail-type per event
 * family, `time` to the second, `resources` = the bucket ARN, and a detail
 * whose object key is NOT URL-encoded (UNCERTAIN), with `reason` naming the
 * request and, for deletions, `deletion-type`.
 */
import { uuid } from "../../../core/ids.js";
import type { S3ObjectEvent } from "./contract.js";
import { EMPTY_ETAG } from "./event-record.js";

/** detail-type and reason per event name, for every event S3 emits here (and the rest of the family). */
const MAPPING: Record<string, { detailType: string; reason?: string; deletionType?: string }> = {
  "ObjectCreated:Put": { detailType: "Object Created", reason: "PutObject" },
  "ObjectCreated:Post": { detailType: "Object Created", reason: "POST Object" },
  "ObjectCreated:Copy": { detailType: "Object Created", reason: "CopyObject" },
  "ObjectCreated:CompleteMultipartUpload": { detailType: "Object Created", reason: "CompleteMultipartUpload" },
  "ObjectRemoved:Delete": { detailType: "Object Deleted", reason: "DeleteObject", deletionType: "Permanently Deleted" },
  "ObjectRemoved:DeleteMarkerCreated": { detailType: "Object Deleted", reason: "DeleteObject", deletionType: "Delete Marker Created" },
  "LifecycleExpiration:Delete": { detailType: "Object Deleted", reason: "Lifecycle Expiration", deletionType: "Permanently Deleted" },
  "LifecycleExpiration:DeleteMarkerCreated": { detailType: "Object Deleted", reason: "Lifecycle Expiration", deletionType: "Delete Marker Created" },
  "ObjectTagging:Put": { detailType: "Object Tags Added" },
  "ObjectTagging:Delete": { detailType: "Object Tags Deleted" },
  "ObjectAcl:Put": { detailType: "Object ACL Updated" },
  "ObjectRestore:Post": { detailType: "Object Restore Initiated" },
  "ObjectRestore:Completed": { detailType: "Object Restore Completed" },
  "ObjectRestore:Delete": { detailType: "Object Restore Expired" },
  LifecycleTransition: { detailType: "Object Storage Class Changed" },
};

/**
 * detail."event-version": the detail schema's version (the envelope `version`
 * stays "0" and is documented as NOT the schema version). The user guide's
 * ev-events examples show "1.0" and, with bucket."aws-generated-tags", "1.1";
 * the newer one is sent here (UNCERTAIN which examples are current).
 */
export const DETAIL_EVENT_VERSION = "1.1";

export function detailTypeOf(eventName: string): string | undefined {
  return MAPPING[eventName]?.detailType;
}

/** `time` has seconds precision: "2026-11-22T12:00:00Z". */
export function eventBridgeTime(date: Date): string {
  return date.toISOString().replace(/\.\d{3}Z$/, "Z");
}

export interface S3EventBridgeEvent {
  version: "0";
  id: string;
  "detail-type": string;
  source: "aws.s3";
  account: string;
  time: string;
  region: string;
  resources: string[];
  detail: Record<string, unknown>;
}

function objectDetail(event: S3ObjectEvent, detailType: string): Record<string, unknown> {
  const object: Record<string, unknown> = { key: event.key };
  // Created and restore events carry size and etag [SNAP test_restore_object]; deletions neither; tags/ACL only the etag.
  if (detailType === "Object Created" || detailType.startsWith("Object Restore") || detailType === "Object Storage Class Changed") {
    object.size = event.size ?? 0;
    object.etag = event.eTag ?? EMPTY_ETAG;
  } else if (detailType !== "Object Deleted") {
    if (event.eTag !== undefined) object.etag = event.eTag;
  }
  if (event.versionId !== undefined) object["version-id"] = event.versionId;
  if (event.sequencer !== undefined && (detailType === "Object Created" || detailType === "Object Deleted")) object.sequencer = event.sequencer;
  return object;
}

/** The EventBridge event for an S3 event, or undefined for an event type EventBridge does not carry. */
export function buildEventBridgeEvent(event: S3ObjectEvent): S3EventBridgeEvent | undefined {
  const mapping = MAPPING[event.eventName];
  if (!mapping) return undefined;
  const bucket: Record<string, unknown> = { name: event.bucket };
  if (event.awsGeneratedTags && Object.keys(event.awsGeneratedTags).length) bucket["aws-generated-tags"] = event.awsGeneratedTags;
  const detail: Record<string, unknown> = {
    version: "0",
    "event-version": DETAIL_EVENT_VERSION,
    bucket,
    object: objectDetail(event, mapping.detailType),
    "request-id": event.requestId,
    // What S3 does by itself (restore completion, lifecycle) names S3 as the requester and has no source IP [SNAP, ev-events].
    requester: event.byS3 ? "s3.amazonaws.com" : event.account,
  };
  if (!event.byS3) detail["source-ip-address"] = event.sourceIp;
  if (mapping.reason) detail.reason = mapping.reason;
  if (mapping.deletionType) detail["deletion-type"] = mapping.deletionType;
  if (event.restore) {
    detail["source-storage-class"] = event.restore.storageClass;
    if (event.restore.expiryTime) detail["restore-expiry-time"] = event.restore.expiryTime.toISOString();
  }
  if (event.destinationStorageClass) detail["destination-storage-class"] = event.destinationStorageClass;
  return {
    version: "0",
    id: uuid(),
    "detail-type": mapping.detailType,
    source: "aws.s3",
    account: event.account,
    time: eventBridgeTime(event.time),
    region: event.region,
    resources: [`arn:aws:s3:::${event.bucket}`],
    detail,
  };
}
