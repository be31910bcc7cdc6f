/**
 * The contract between S3's object handlers and S3 event notifications.
 * Object handlers build an S3ObjectEvent after every *successful* mutation and
 * hand it to `notifier.emit`; the notifications module matches it against the
 * bucket's configuration, builds the §2 event record and routes it through
 * cloud.destinations, asynchronously — emit never blocks or fails the request.
 */
import type { RequestContext } from "../../../core/context.js";

export interface S3ObjectEvent {
  /** Without the "s3:" prefix, e.g. "ObjectCreated:Put", "ObjectRemoved:DeleteMarkerCreated". */
  eventName: string;
  account: string;
  region: string;
  bucket: string;
  /** The key as stored (not URL-encoded). */
  key: string;
  size?: number;
  /** Without quotes; multipart ETags keep their "-N" suffix. */
  eTag?: string;
  /** Only when the bucket's versioning is Enabled (or Suspended with a "null" version). */
  versionId?: string;
  /** Hex, grows with every write of the same key; absent for tagging/ACL events. */
  sequencer?: string;
  /** x-amz-request-id and x-amz-id-2 of the request that caused the event. */
  requestId: string;
  hostId: string;
  /** Caller's principal id for userIdentity.principalId. */
  principalId: string;
  sourceIp: string;
  time: Date;
  /** The bucket's aws:-prefixed tags (record 2.5 s3.bucket.awsGeneratedTags); filled in by notifications/ from the bucket. */
  awsGeneratedTags?: Record<string, string>;
  /** ObjectRestore:* / LifecycleTransition: the archive's storage class and (Completed) when the restored copy expires. */
  restore?: { storageClass: string; expiryTime?: Date };
  /** LifecycleTransition: the class the object moved to. */
  destinationStorageClass?: string;
  /** Events S3 itself causes (restore completion, lifecycle): userIdentity is S3, not a caller. */
  byS3?: boolean;
  /** X-Amzn-Trace-Id of the request (optional): carries Lambda loop-detection lineage into the deliveries. */
  traceHeader?: string;
}

export interface BucketNotifications {
  /** PUT /{bucket}?notification — validate and replace atomically; throws AwsError. */
  put(ctx: RequestContext, bucket: string, body: Buffer, headers: Record<string, string>): Promise<void>;
  /** GET /{bucket}?notification — the saved configuration as the XML body object (under <NotificationConfiguration>). */
  get(ctx: RequestContext, bucket: string): Record<string, unknown>;
  /** Called after every successful object mutation. Never throws. */
  emit(event: S3ObjectEvent): void;
  /** The bucket was deleted: drop its configuration. */
  forgetBucket(account: string, region: string, bucket: string): void;
}
