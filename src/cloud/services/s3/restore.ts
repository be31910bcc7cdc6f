/**
 * Archived objects and RestoreObject (POST /{bucket}/{key}?restore).
 * An object written with x-amz-storage-class GLACIER or DEEP_ARCHIVE keeps its
 * bytes, but GetObject answers 403 InvalidObjectState until a restore has
 * completed (HEAD works and shows x-amz-storage-class). RestoreObject with
 * <RestoreRequest><Days>N</Days><GlacierJobParameters><Tier>…</Tier>…:
 * 202 and s3:ObjectRestore:Post for a new restore, 409
 * RestoreAlreadyInProgress while one runs, 200 when the object is already
 * restored (the expiry moves; no event). The restore completes after AWS's
 * retrieval time on the cloud's time scale (cloud.scaled), then
 * s3:ObjectRestore:Completed (record with glacierEventData, userIdentity
 * "AmazonCustomer:<owner>"); the restored copy expires N days (scaled) later
 * with s3:ObjectRestore:Delete. HEAD shows `x-amz-restore: ongoing-request="true"`,
 * then `ongoing-request="false", expiry-date="<HTTP date>"`. EventBridge:
 * Object Restore Initiated / Completed / Expired with source-storage-class.
 *
 * Retrieval times (S3 user guide, "Archive retrieval options"; the low end of
 * each range): Expedited 1 minute (GLACIER only), Standard 3 hours (GLACIER) /
 * 12 hours (DEEP_ARCHIVE), Bulk 5 / 48 hours. At the default time scale 1/60
 * an Expedited restore takes 1 s, a Standard one 3 minutes; tests start their
 * cloud with a smaller scale.
 * State lives on the version (record "restore"), with absolute due times, so
 * a restart re-arms the timers (scheduleRestores) and nothing is lost.
 * Gaps: SELECT restores, GLACIER_IR (not archived: no restore needed, as on
 * AWS), CopyObject from an unrestored archive is not refused.
 */
import { AwsError } from "../../core/aws-error.js";
import type { RequestContext } from "../../core/context.js";
import type { GatewayResponse } from "../../core/service.js";
import { s3HostId, s3RequestId } from "../../core/ids.js";
import { empty, xmlBody, type S3Call, type S3Parts } from "./call.js";
import { malformedXml } from "./errors.js";
import type { ObjectStore, ObjectVersion } from "./object-store.js";
import { resolveVersion } from "./objects.js";

export const ARCHIVE_CLASSES = new Set(["GLACIER", "DEEP_ARCHIVE"]);

interface RestoreState {
  /** When the restore completes (ISO), while ongoing. */
  completesAt?: string;
  /** When the restored copy expires (ISO), once complete. */
  expiresAt?: string;
  days: number;
  tier: string;
}
type VersionWithRestore = ObjectVersion & { restore?: RestoreState };

const HOUR = 3_600_000;
const RETRIEVAL_MS: Record<string, Record<string, number>> = {
  GLACIER: { Expedited: 60_000, Standard: 3 * HOUR, Bulk: 5 * HOUR },
  DEEP_ARCHIVE: { Standard: 12 * HOUR, Bulk: 48 * HOUR },
};
const DAY_MS = 24 * HOUR;

export const restoreOf = (version: ObjectVersion): RestoreState | undefined => (version as VersionWithRestore).restore;

/** GetObject's check: an archived object is readable only while a completed restore has not expired. */
export function checkReadable(version: ObjectVersion): void {
  if (!ARCHIVE_CLASSES.has(version.storageClass)) return;
  const restore = restoreOf(version);
  if (restore?.expiresAt && !restore.completesAt) return;
  throw new AwsError("InvalidObjectState", "The operation is not valid for the object's storage class", { status: 403, fields: { StorageClass: version.storageClass } });
}

/** The x-amz-restore header HEAD/GET show, or undefined. */
export function restoreHeader(version: ObjectVersion): string | undefined {
  const restore = restoreOf(version);
  if (!restore) return undefined;
  if (restore.completesAt) return 'ongoing-request="true"';
  return `ongoing-request="false", expiry-date="${new Date(restore.expiresAt!).toUTCString()}"`;
}

function setRestore(store: ObjectStore, bucket: string, key: string, versionId: string, restore: RestoreState | undefined): VersionWithRestore | undefined {
  const record = store.record(bucket, key);
  const version = record?.versions.find((v) => v.versionId === versionId);
  if (!record || !version) return undefined;
  const next: VersionWithRestore = { ...version, restore };
  store.objects.set(`${bucket}/${key}`, { ...record, versions: record.versions.map((v) => (v === version ? next : v)) });
  return next;
}

/** What S3 itself does is attributed to S3: a context for events nobody requested. */
export function s3Context(account: string, region: string): RequestContext {
  return { account, region, principal: { principalId: "s3.amazonaws.com" }, sourceIp: "s3.amazonaws.com" } as unknown as RequestContext;
}

const schedulers = new WeakMap<object, RestoreScheduler>();

/** The cloud's one scheduler (created, and its pending timers re-armed, when S3 starts: index.ts). */
export function restoreScheduler(parts: S3Parts): RestoreScheduler {
  let scheduler = schedulers.get(parts.cloud);
  if (!scheduler) {
    scheduler = new RestoreScheduler(parts);
    schedulers.set(parts.cloud, scheduler);
    scheduler.rearm();
  }
  return scheduler;
}

export class RestoreScheduler {
  private readonly timers = new Set<NodeJS.Timeout>();

  constructor(private readonly parts: S3Parts) {
    parts.cloud.onClose(() => this.stop());
    parts.cloud.onReset(() => this.stop());
  }

  stop(): void {
    for (const t of this.timers) clearTimeout(t);
    this.timers.clear();
  }

  /** Re-arm every pending completion and expiry (after a restart). */
  rearm(): void {
    for (const [, record] of this.parts.store.objects.entries()) {
      for (const version of record.versions) {
        if (restoreOf(version)) this.arm(record.bucket, record.key, version.versionId);
      }
    }
  }

  /** One timer for the version's next restore step (completion or expiry). */
  arm(bucket: string, key: string, versionId: string): void {
    const version = this.parts.store.version(bucket, key, versionId);
    const restore = version && restoreOf(version);
    const due = restore?.completesAt ?? restore?.expiresAt;
    if (!due) return;
    const timer = setTimeout(() => {
      this.timers.delete(timer);
      this.step(bucket, key, versionId);
    }, Math.max(0, Date.parse(due) - Date.now()));
    timer.unref();
    this.timers.add(timer);
  }

  private step(bucket: string, key: string, versionId: string): void {
    const { store } = this.parts;
    const record = store.record(bucket, key);
    const version = store.version(bucket, key, versionId);
    const restore = version && restoreOf(version);
    const owner = store.bucket(bucket);
    if (!record || !version || !restore || !owner) return;
    if (Date.parse(restore.completesAt ?? restore.expiresAt!) > Date.now() + 5) return this.arm(bucket, key, versionId); // moved by a newer request
    const ids = { requestId: s3RequestId(), hostId: s3HostId() };
    const ctx = s3Context(owner.account, owner.region);
    const detail = { size: version.size, eTag: version.etag, versionId: owner.versioning === "Enabled" ? version.versionId : undefined, sequencer: record.sequencer, byS3: true };
    if (restore.completesAt) {
      const expiresAt = new Date(Date.now() + this.parts.cloud.scaled(restore.days * DAY_MS));
      setRestore(store, bucket, key, versionId, { days: restore.days, tier: restore.tier, expiresAt: expiresAt.toISOString() });
      store.emit(ctx, "ObjectRestore:Completed", bucket, key, ids, { ...detail, restore: { storageClass: version.storageClass, expiryTime: expiresAt } });
      this.arm(bucket, key, versionId);
    } else {
      setRestore(store, bucket, key, versionId, undefined);
      store.emit(ctx, "ObjectRestore:Delete", bucket, key, ids, { ...detail, restore: { storageClass: version.storageClass } });
    }
  }
}

function readRestoreRequest(call: S3Call, storageClass: string): { days: number; tier: string } {
  const root = xmlBody(call).RestoreRequest;
  if (!root || typeof root !== "object") throw malformedXml();
  const days = Number(root.Days);
  if (root.Days === undefined || !Number.isInteger(days)) throw malformedXml();
  if (days < 1) throw new AwsError("InvalidArgument", "Days must be a positive integer", { fields: { ArgumentName: "Days", ArgumentValue: String(root.Days) } });
  const tier = root.GlacierJobParameters?.Tier ?? root.Tier ?? "Standard";
  if (!["Expedited", "Standard", "Bulk"].includes(tier)) throw malformedXml();
  if (RETRIEVAL_MS[storageClass]![tier] === undefined) {
    throw new AwsError("InvalidArgument", `The ${tier} tier is not supported for the ${storageClass} storage class`, { fields: { ArgumentName: "Tier", ArgumentValue: tier } });
  }
  return { days, tier };
}

export function restoreObject(call: S3Call): GatewayResponse {
  const scheduler = restoreScheduler(call);
  const bucket = call.store.requireBucket(call.bucket);
  const version = resolveVersion(call);
  if (!ARCHIVE_CLASSES.has(version.storageClass)) {
    throw new AwsError("InvalidObjectState", "Restore is not allowed for the object's current storage class", { status: 403, fields: { StorageClass: version.storageClass } });
  }
  const { days, tier } = readRestoreRequest(call, version.storageClass);
  const current = restoreOf(version);
  if (current?.completesAt) throw new AwsError("RestoreAlreadyInProgress", "Object restore is already in progress", { status: 409 });
  const versionHeader: Record<string, string> = bucket.versioning ? { "x-amz-version-id": version.versionId } : {};
  if (current?.expiresAt) {
    // Already restored: S3 moves the expiry and answers 200, with no new event.
    setRestore(call.store, call.bucket, call.key!, version.versionId, { days, tier, expiresAt: new Date(Date.now() + call.cloud.scaled(days * DAY_MS)).toISOString() });
    scheduler.arm(call.bucket, call.key!, version.versionId);
    return empty(call, 200, versionHeader);
  }
  const completesAt = new Date(Date.now() + call.cloud.scaled(RETRIEVAL_MS[version.storageClass]![tier]!));
  setRestore(call.store, call.bucket, call.key!, version.versionId, { days, tier, completesAt: completesAt.toISOString() });
  const record = call.store.record(call.bucket, call.key!)!;
  call.store.emit(call.ctx, "ObjectRestore:Post", call.bucket, call.key!, call.ids, {
    size: version.size,
    eTag: version.etag,
    versionId: bucket.versioning === "Enabled" ? version.versionId : undefined,
    sequencer: record.sequencer,
    restore: { storageClass: version.storageClass },
  });
  scheduler.arm(call.bucket, call.key!, version.versionId);
  return empty(call, 202, versionHeader);
}
