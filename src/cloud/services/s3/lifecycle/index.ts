/**
 * S3 Lifecycle: Put/Get/DeleteBucketLifecycleConfiguration (?lifecycle) and
 * the rules running on a local clock. Validation: config.ts.
 *
 * **Time**: one lifecycle "day" lasts `lifecycleDaySeconds` real seconds
 * (`--lifecycle-day-seconds`, LOCALCLOUD_LIFECYCLE_DAY_SECONDS, default 10),
 * not the general time scale: at 1/60 a day would still be 24 minutes, too
 * long for a guided lab run. An object is due N local days after its
 * Last-Modified (S3 rounds up to the next midnight UTC; here there is no
 * rounding), a Date rule on that date in real time. A sweep runs every tenth
 * of a day (at least every 100 ms, at most every minute), like S3's daily
 * asynchronous pass: an action happens some time after it is due, never before.
 *
 * **Actions and their events** (S3 user guide, "Lifecycle event
 * notifications"; records name S3 itself: principal "s3.amazonaws.com"):
 * - Expiration Days/Date: an unversioned object is deleted →
 *   s3:LifecycleExpiration:Delete; in a versioned (or suspended) bucket a delete
 *   marker is added → s3:LifecycleExpiration:DeleteMarkerCreated;
 * - ExpiredObjectDeleteMarker: a delete marker left with no versions behind it
 *   is removed → s3:LifecycleExpiration:Delete;
 * - NoncurrentVersionExpiration: a version noncurrent for N days is deleted →
 *   s3:LifecycleExpiration:Delete (with its versionId);
 * - Transition (current version) → the storage class changes and
 *   s3:LifecycleTransition (record lifecycleEventData.transitionEventData);
 *   objects under 128 KiB are not transitioned, S3's default since September
 *   2024 (x-amz-transition-default-minimum-object-size: all_storage_classes_128K;
 *   with varies_by_storage_class, small objects may go to GLACIER/DEEP_ARCHIVE).
 * EventBridge: "Object Deleted" (reason "Lifecycle Expiration", deletion-type
 * "Permanently Deleted" / "Delete Marker Created"), "Object Storage Class
 * Changed" (destination-storage-class).
 *
 * **Gaps**: NoncurrentVersionTransition and AbortIncompleteMultipartUpload are
 * validated and stored but not run; NewerNoncurrentVersions is ignored;
 * S3 Intelligent-Tiering and replication events are not produced. UNCERTAIN
 * wording (ours): "'Days' in Transition action must be a non-negative integer".
 */
import { AwsError } from "../../../core/aws-error.js";
import { s3HostId, s3RequestId } from "../../../core/ids.js";
import { empty, xml, type S3Call, type S3Handler, type S3Parts } from "../call.js";
import type { BucketRecord, ObjectRecord, ObjectVersion } from "../object-store.js";
import { s3Context } from "../restore.js";
import { filterMatches, parseLifecycle, TRANSITION_CLASSES, type LifecycleRule } from "./config.js";

interface StoredLifecycle {
  rules: LifecycleRule[];
  minimumSize: "all_storage_classes_128K" | "varies_by_storage_class";
}
type WithLifecycle = BucketRecord & { lifecycle?: StoredLifecycle };
const lifecycleOf = (b: BucketRecord) => (b as WithLifecycle).lifecycle;

const MIN_HEADER = "x-amz-transition-default-minimum-object-size";
const SMALL = 128 * 1024;

export const putBucketLifecycleConfiguration: S3Handler = (call: S3Call) => {
  const bucket = call.store.requireBucket(call.bucket);
  const rules = parseLifecycle(call.req.body);
  const requested = call.headers[MIN_HEADER];
  if (requested !== undefined && requested !== "all_storage_classes_128K" && requested !== "varies_by_storage_class") {
    throw new AwsError("InvalidArgument", `Invalid value for ${MIN_HEADER}`, { fields: { ArgumentName: MIN_HEADER, ArgumentValue: requested } });
  }
  const minimumSize = (requested ?? "all_storage_classes_128K") as StoredLifecycle["minimumSize"];
  call.store.updateBucket(bucket.name, { lifecycle: { rules, minimumSize } } as Partial<WithLifecycle>);
  lifecycleRunner(call).start();
  return empty(call, 200, { [MIN_HEADER]: minimumSize });
};

export const getBucketLifecycleConfiguration: S3Handler = (call: S3Call) => {
  const bucket = call.store.requireBucket(call.bucket);
  const lifecycle = lifecycleOf(bucket);
  if (!lifecycle) {
    throw new AwsError("NoSuchLifecycleConfiguration", "The lifecycle configuration does not exist", { status: 404, fields: { BucketName: bucket.name } });
  }
  return xml(call, "LifecycleConfiguration", { Rule: lifecycle.rules.map((r) => ({ ...r.raw, ID: r.id })) }, { [MIN_HEADER]: lifecycle.minimumSize });
};

export const deleteBucketLifecycle: S3Handler = (call: S3Call) => {
  const bucket = call.store.requireBucket(call.bucket);
  call.store.updateBucket(bucket.name, { lifecycle: undefined } as Partial<WithLifecycle>);
  return empty(call, 204);
};

const runners = new WeakMap<object, LifecycleRunner>();

/** The cloud's one runner (started by index.ts, and again whenever a configuration is saved). */
export function lifecycleRunner(parts: S3Parts): LifecycleRunner {
  let runner = runners.get(parts.cloud);
  if (!runner) {
    runner = new LifecycleRunner(parts);
    runners.set(parts.cloud, runner);
  }
  return runner;
}

export class LifecycleRunner {
  private timer?: NodeJS.Timeout;
  private readonly dayMs: number;

  constructor(private readonly parts: S3Parts) {
    this.dayMs = (parts.cloud.config.lifecycleDaySeconds ?? 10) * 1000;
    parts.cloud.onClose(() => this.stop());
  }

  /** Sweep periodically while some bucket has a configuration. */
  start(): void {
    if (this.timer) return;
    const every = Math.min(60_000, Math.max(100, this.dayMs / 10));
    this.timer = setInterval(() => {
      void this.sweep().catch((err) => this.parts.cloud.log.error(`s3 lifecycle: sweep failed: ${(err as Error)?.stack ?? err}`));
    }, every);
    this.timer.unref();
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
  }

  private running = false;

  async sweep(now = Date.now()): Promise<void> {
    if (this.running) return;
    this.running = true;
    try {
      let any = false;
      for (const bucket of [...this.parts.store.buckets.values()]) {
        const lifecycle = lifecycleOf(bucket);
        if (!lifecycle) continue;
        any = true;
        const rules = lifecycle.rules.filter((r) => r.enabled);
        for (const record of this.parts.store.recordsOf(bucket.name)) await this.apply(bucket, lifecycle, rules, record, now);
      }
      if (!any) this.stop();
    } finally {
      this.running = false;
    }
  }

  private due(since: string, days: number | undefined, date: string | undefined, now: number): boolean {
    if (days !== undefined) return now >= Date.parse(since) + days * this.dayMs;
    return date !== undefined && now >= Date.parse(date);
  }

  private async apply(bucket: BucketRecord, lifecycle: StoredLifecycle, rules: LifecycleRule[], record: ObjectRecord, now: number): Promise<void> {
    const { store } = this.parts;
    const ctx = s3Context(bucket.account, bucket.region);
    const ids = () => ({ requestId: s3RequestId(), hostId: s3HostId() });
    const current = record.versions[0];
    if (!current) return;
    const matching = rules.filter((r) => filterMatches(r.filter, record.key, current.size, current.tags));
    if (!matching.length) return;

    // Noncurrent versions: each became noncurrent when the next newer one was written.
    for (let i = 1; i < record.versions.length; i++) {
      const version = record.versions[i]!;
      const since = record.versions[i - 1]!.lastModified;
      if (matching.some((r) => r.noncurrentDays !== undefined && this.due(since, r.noncurrentDays, undefined, now))) {
        await store.deleteObject(ctx, { bucket: bucket.name, key: record.key, versionId: version.versionId, ids: ids(), lifecycle: true });
      }
    }
    if (current.deleteMarker) {
      const fresh = store.record(bucket.name, record.key);
      if (fresh?.versions.length === 1 && matching.some((r) => r.expiredObjectDeleteMarker)) {
        await store.deleteObject(ctx, { bucket: bucket.name, key: record.key, versionId: current.versionId, ids: ids(), lifecycle: true });
      }
      return;
    }
    if (matching.some((r) => this.due(current.lastModified, r.expirationDays, r.expirationDate, now))) {
      await store.deleteObject(ctx, { bucket: bucket.name, key: record.key, ids: ids(), lifecycle: true });
      return;
    }
    const target = this.transitionTarget(current, matching, lifecycle, now);
    if (target) this.transition(bucket, record, current, target, ids());
  }

  /** The furthest class a due transition moves the current version to (only ever "down" the list). */
  private transitionTarget(version: ObjectVersion, rules: LifecycleRule[], lifecycle: StoredLifecycle, now: number): string | undefined {
    const rank = (c: string) => TRANSITION_CLASSES.indexOf(c);
    let best: string | undefined;
    for (const r of rules) {
      for (const t of r.transitions) {
        if (!this.due(version.lastModified, t.days, t.date, now)) continue;
        const smallAllowed = lifecycle.minimumSize === "varies_by_storage_class" && (t.storageClass === "GLACIER" || t.storageClass === "DEEP_ARCHIVE");
        if (version.size < SMALL && !smallAllowed) continue;
        if (rank(t.storageClass) > rank(version.storageClass) && (!best || rank(t.storageClass) > rank(best))) best = t.storageClass;
      }
    }
    return best;
  }

  private transition(bucket: BucketRecord, record: ObjectRecord, version: ObjectVersion, storageClass: string, ids: { requestId: string; hostId: string }): void {
    const { store } = this.parts;
    const versions = record.versions.map((v) => (v === version ? { ...v, storageClass } : v));
    store.objects.set(`${bucket.name}/${record.key}`, { ...record, versions });
    store.emit(s3Context(bucket.account, bucket.region), "LifecycleTransition", bucket.name, record.key, ids, {
      size: version.size,
      eTag: version.etag,
      versionId: bucket.versioning === "Enabled" ? version.versionId : undefined,
      sequencer: record.sequencer,
      destinationStorageClass: storageClass,
      byS3: true,
    });
  }
}
