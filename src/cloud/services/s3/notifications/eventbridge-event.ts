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
  if (detailType === "Object Created") {
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
  const detail: Record<string, unknown> = {
    version: "0",
    bucket: { name: event.bucket },
    object: objectDetail(event, mapping.detailType),
    "request-id": event.requestId,
    requester: event.account,
    "source-ip-address": event.sourceIp,
  };
  if (mapping.reason) detail.reason = mapping.reason;
  if (mapping.deletionType) detail["deletion-type"] = mapping.deletionType;
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
