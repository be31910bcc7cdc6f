/**
 * S3's state: buckets and objects, and the ONE place every object mutation
 * goes through, so versioning, delete markers, the per-key sequencer and the
 * event notification are done once and the same way for PutObject,
 * CopyObject, CompleteMultipartUpload, DeleteObject(s) and tagging.
 *
 * Interface for the other S3 modules (multipart.ts plugs in here):
 *   store.writeObject(ctx, { bucket, key, body, etag?, contentType?, headers?,
 *     metadata?, checksum?, tags?, partsCount?, storageClass?, eventName,
 *     ifMatch?, ifNoneMatch?, ids }) → { versionId?, etag, sequencer, lastModified, size }
 *   store.deleteObject(ctx, { bucket, key, versionId?, ids }) → { versionId?, deleteMarker }
 *   store.bucket(name) / store.requireBucket(name) / store.current(bucket, key)
 *
 * State: table "s3.buckets" (key = bucket name: S3's bucket namespace is
 * global, the record names the owning account and region) and "s3.objects"
 * (key = `<bucket>/<key>`, one record per key holding its versions newest
 * first). Bytes are blobs in cloud.store.blobs under random ids — an object
 * key never becomes a file path. A write stores the blob first and then the
 * record (store.ts journals it synchronously), so a failed or interrupted
 * request leaves no partial object; a replaced version's blob is freed after
 * the record no longer points at it.
 */
import { createHash, randomBytes } from "node:crypto";
import { Readable } from "node:stream";
import { blobSize, isBlobFile, type BlobFile } from "../../core/blob-store.js";
import type { Cloud } from "../../core/cloud.js";
import type { RequestContext } from "../../core/context.js";
import { AwsError } from "../../core/aws-error.js";
import type { ObjectChecksum } from "./checksums.js";
import type { BucketNotifications, S3ObjectEvent } from "./notifications/contract.js";
import { noSuchBucket, preconditionFailed } from "./errors.js";

export interface Tag {
  Key: string;
  Value: string;
}

export interface BucketRecord {
  name: string;
  account: string;
  region: string;
  created: string;
  versioning?: "Enabled" | "Suspended";
  tags?: Tag[];
}

export interface ObjectVersion {
  /** "null" for objects written while versioning was never enabled or is suspended. */
  versionId: string;
  deleteMarker?: boolean;
  blobId?: string;
  size: number;
  /** Hex MD5 (or "<hex>-N" for multipart), without quotes. */
  etag: string;
  lastModified: string;
  contentType?: string;
  /** Standard headers stored with the object: cache-control, content-disposition, content-encoding, content-language, expires, x-amz-website-redirect-location. */
  headers: Record<string, string>;
  /** x-amz-meta-* without the prefix, names lower-cased (as S3 returns them). */
  metadata: Record<string, string>;
  checksum?: ObjectChecksum;
  tags: Tag[];
  storageClass: string;
  partsCount?: number;
}

export interface ObjectRecord {
  bucket: string;
  key: string;
  /** Sequencer of the last write or delete of this key (hex, grows). */
  sequencer: string;
  /** Newest first. */
  versions: ObjectVersion[];
}

export type ObjectEventName =
  | "ObjectCreated:Put"
  | "ObjectCreated:Post"
  | "ObjectCreated:Copy"
  | "ObjectCreated:CompleteMultipartUpload"
  | "ObjectRemoved:Delete"
  | "ObjectRemoved:DeleteMarkerCreated"
  | "ObjectTagging:Put"
  | "ObjectTagging:Delete"
  | "ObjectAcl:Put"
  | "ObjectRestore:Post"
  | "ObjectRestore:Completed"
  | "ObjectRestore:Delete"
  | "LifecycleExpiration:Delete"
  | "LifecycleExpiration:DeleteMarkerCreated"
  | "LifecycleTransition";

export interface RequestIds {
  requestId: string;
  hostId: string;
}

export interface WriteInput {
  bucket: string;
  key: string;
  /** The bytes, or a spooled file (large uploads) that the write moves into the blob store. */
  body: Buffer | BlobFile;
  /** Defaults to the hex MD5 of the body (required for a file body). */
  etag?: string;
  contentType?: string;
  headers?: Record<string, string>;
  metadata?: Record<string, string>;
  checksum?: ObjectChecksum;
  tags?: Tag[];
  partsCount?: number;
  storageClass?: string;
  eventName: ObjectEventName;
  /** Conditional write (If-Match / If-None-Match on PUT and Complete), checked atomically with the write. */
  ifMatch?: string;
  ifNoneMatch?: string;
  ids: RequestIds;
}

export interface WriteResult {
  /** Present when the bucket is versioned (Enabled: a new id; Suspended: "null"). */
  versionId?: string;
  etag: string;
  sequencer: string;
  lastModified: string;
  size: number;
}

const VERSION_ID_BYTES = 24; // 32 base64url characters, like S3's version ids

export const BUCKETS_TABLE = "s3.buckets";
export const OBJECTS_TABLE = "s3.objects";

/** S3 keeps Last-Modified to the second (listings show ".000Z"; HTTP dates have no fraction). */
function wholeSecond(): string {
  return new Date(Math.floor(Date.now() / 1000) * 1000).toISOString();
}

function objectKey(bucket: string, key: string): string {
  return `${bucket}/${key}`;
}

/** Strip the quotes and whitespace of an ETag as a client may send it. */
export function bareEtag(value: string): string {
  return value.trim().replace(/^W\//, "").replace(/^"|"$/g, "");
}

/** Does an If-Match / If-None-Match header value match this ETag ("*" matches anything, lists are comma-separated)? */
export function etagMatches(header: string, etag: string): boolean {
  return header.split(",").some((part) => {
    const t = part.trim();
    return t === "*" || bareEtag(t) === etag;
  });
}

export class ObjectStore {
  /** Last sequencer handed out; sequencers also never go below the clock, so they keep growing across restarts. */
  private lastSequence = 0n;

  constructor(
    private readonly cloud: Cloud,
    private readonly notifier: BucketNotifications,
  ) {}

  get buckets() {
    return this.cloud.store.table<BucketRecord>(BUCKETS_TABLE);
  }
  get objects() {
    return this.cloud.store.table<ObjectRecord>(OBJECTS_TABLE);
  }

  bucket(name: string): BucketRecord | undefined {
    return this.buckets.get(name);
  }

  /** The bucket, or 404 NoSuchBucket. (Ownership is not checked here: see "Cross-account" in index.ts.) */
  requireBucket(name: string): BucketRecord {
    const bucket = this.buckets.get(name);
    if (!bucket) throw noSuchBucket(name);
    return bucket;
  }

  record(bucket: string, key: string): ObjectRecord | undefined {
    return this.objects.get(objectKey(bucket, key));
  }

  /** The current version (which may be a delete marker), or undefined. */
  current(bucket: string, key: string): ObjectVersion | undefined {
    return this.record(bucket, key)?.versions[0];
  }

  version(bucket: string, key: string, versionId: string): ObjectVersion | undefined {
    return this.record(bucket, key)?.versions.find((v) => v.versionId === versionId);
  }

  /** Every object record of a bucket, in key order. */
  recordsOf(bucket: string, prefix = ""): ObjectRecord[] {
    return this.objects.withPrefix(objectKey(bucket, prefix)).map(([, r]) => r);
  }

  hasObjects(bucket: string): boolean {
    const start = `${bucket}/`;
    for (const k of this.objects.keys()) if (k.startsWith(start)) return true;
    return false;
  }

  async readBody(version: ObjectVersion, range?: { start: number; end: number }): Promise<Buffer> {
    if (!version.blobId || version.size === 0) return Buffer.alloc(0);
    return this.cloud.store.blobs.get(version.blobId, range);
  }

  /** The body (or a range of it) as a stream, for objects past the spool threshold: never read whole. */
  streamBody(version: ObjectVersion, range?: { start: number; end: number }): Readable {
    if (!version.blobId || version.size === 0) return Readable.from([]);
    return this.cloud.store.blobs.stream(version.blobId, range);
  }

  /** A sequencer greater than every earlier one (and than the key's last one). */
  private nextSequencer(previous?: string): string {
    let next = BigInt(Date.now()) * 1_000_000n;
    if (next <= this.lastSequence) next = this.lastSequence + 1n;
    if (previous) {
      const prev = BigInt("0x" + previous);
      if (next <= prev) next = prev + 1n;
    }
    this.lastSequence = next;
    return next.toString(16).toUpperCase().padStart(18, "0");
  }

  private newVersionId(): string {
    return randomBytes(VERSION_ID_BYTES).toString("base64url");
  }

  /**
   * Store an object (a new current version) and emit its notification.
   * Blob first, then the record: nothing is visible until both are in place.
   */
  async writeObject(ctx: RequestContext, input: WriteInput): Promise<WriteResult> {
    this.requireBucket(input.bucket);
    const size = blobSize(input.body);
    const blobId = size > 0 ? await this.cloud.store.blobs.put(input.body) : undefined;
    // Everything from here to `set` is synchronous, so concurrent writes of a key serialize.
    let freed: string[] = [];
    let result: WriteResult;
    try {
      const bucket = this.requireBucket(input.bucket); // it may have been deleted while the blob was written
      const existing = this.record(input.bucket, input.key);
      const live = existing?.versions[0] && !existing.versions[0].deleteMarker ? existing.versions[0] : undefined;
      if (input.ifNoneMatch !== undefined) {
        if (input.ifNoneMatch.trim() !== "*") {
          throw new AwsError("NotImplemented", "A header you provided implies functionality that is not implemented", {
            status: 501,
            fields: { Header: "If-None-Match" },
          });
        }
        if (live) throw preconditionFailed("If-None-Match");
      }
      if (input.ifMatch !== undefined) {
        if (!live) throw new AwsError("NoSuchKey", "The specified key does not exist.", { status: 404, fields: { Key: input.key } });
        if (!etagMatches(input.ifMatch, live.etag)) throw preconditionFailed("If-Match");
      }
      if (input.etag === undefined && isBlobFile(input.body)) throw new Error("writeObject: a file body comes with its etag (computed as it was spooled)");
      const etag = input.etag ?? createHash("md5").update(input.body as Buffer).digest("hex");
      const lastModified = wholeSecond();
      const versionId = bucket.versioning === "Enabled" ? this.newVersionId() : "null";
      const version: ObjectVersion = {
        versionId,
        blobId,
        size,
        etag,
        lastModified,
        contentType: input.contentType,
        headers: input.headers ?? {},
        metadata: input.metadata ?? {},
        checksum: input.checksum,
        tags: input.tags ?? [],
        storageClass: input.storageClass ?? "STANDARD",
        partsCount: input.partsCount,
      };
      const sequencer = this.nextSequencer(existing?.sequencer);
      // Unversioned and suspended buckets keep one "null" version: a new write replaces it.
      const older = (existing?.versions ?? []).filter((v) => {
        if (v.versionId !== "null" || versionId !== "null") return true;
        if (v.blobId) freed.push(v.blobId);
        return false;
      });
      this.objects.set(objectKey(input.bucket, input.key), { bucket: input.bucket, key: input.key, sequencer, versions: [version, ...older] });
      // A Suspended bucket's "null" version is not reported, in the response or the event (AWS sends none).
      result = { versionId: bucket.versioning === "Enabled" ? versionId : undefined, etag, sequencer, lastModified, size };
    } catch (err) {
      freed = [];
      if (blobId) await this.cloud.store.blobs.delete(blobId);
      throw err;
    }
    // Emit before any await, so events leave in sequencer order.
    this.emit(ctx, input.eventName, input.bucket, input.key, input.ids, {
      size: result.size,
      eTag: result.etag,
      versionId: result.versionId,
      sequencer: result.sequencer,
    });
    for (const id of freed) await this.cloud.store.blobs.delete(id);
    return result;
  }

  /**
   * DeleteObject semantics for one key. Without a versionId: unversioned buckets
   * remove the object; versioned ones add a delete marker (Enabled: a new id,
   * Suspended: the "null" version becomes the marker). With a versionId: that
   * version is removed for good. Deleting what does not exist succeeds (204).
   */
  async deleteObject(
    ctx: RequestContext,
    input: { bucket: string; key: string; versionId?: string; ids: RequestIds; notifyMissing?: boolean; lifecycle?: boolean },
  ): Promise<{ versionId?: string; deleteMarker: boolean }> {
    const bucket = this.requireBucket(input.bucket);
    const existing = this.record(input.bucket, input.key);
    const freed: string[] = [];
    let outcome: { versionId?: string; deleteMarker: boolean };
    let eventName: ObjectEventName;
    let sequencer: string;

    if (input.versionId !== undefined) {
      const target = existing?.versions.find((v) => v.versionId === input.versionId);
      if (!existing || !target) return this.missing(ctx, input, input.versionId);
      sequencer = this.nextSequencer(existing.sequencer);
      const rest = existing.versions.filter((v) => v !== target);
      if (target.blobId) freed.push(target.blobId);
      if (rest.length) this.objects.set(objectKey(input.bucket, input.key), { ...existing, sequencer, versions: rest });
      else this.objects.delete(objectKey(input.bucket, input.key));
      outcome = { versionId: target.versionId, deleteMarker: !!target.deleteMarker };
      eventName = "ObjectRemoved:Delete";
    } else if (!bucket.versioning) {
      if (!existing) return this.missing(ctx, input);
      sequencer = this.nextSequencer(existing.sequencer);
      for (const v of existing.versions) if (v.blobId) freed.push(v.blobId);
      this.objects.delete(objectKey(input.bucket, input.key));
      outcome = { deleteMarker: false };
      eventName = "ObjectRemoved:Delete";
    } else {
      const versionId = bucket.versioning === "Enabled" ? this.newVersionId() : "null";
      const marker: ObjectVersion = {
        versionId,
        deleteMarker: true,
        size: 0,
        etag: "",
        lastModified: wholeSecond(),
        headers: {},
        metadata: {},
        tags: [],
        storageClass: "STANDARD",
      };
      sequencer = this.nextSequencer(existing?.sequencer);
      const older = (existing?.versions ?? []).filter((v) => {
        if (versionId !== "null" || v.versionId !== "null") return true;
        if (v.blobId) freed.push(v.blobId);
        return false;
      });
      this.objects.set(objectKey(input.bucket, input.key), { bucket: input.bucket, key: input.key, sequencer, versions: [marker, ...older] });
      outcome = { versionId, deleteMarker: true };
      eventName = "ObjectRemoved:DeleteMarkerCreated";
    }
    // A lifecycle rule's deletion is a LifecycleExpiration:* event, done by S3 itself (lifecycle/).
    const name: ObjectEventName = input.lifecycle ? (eventName === "ObjectRemoved:Delete" ? "LifecycleExpiration:Delete" : "LifecycleExpiration:DeleteMarkerCreated") : eventName;
    this.emit(ctx, name, input.bucket, input.key, input.ids, {
      versionId: bucket.versioning || input.versionId !== undefined ? outcome.versionId : undefined,
      sequencer,
      byS3: input.lifecycle || undefined,
    });
    for (const id of freed) await this.cloud.store.blobs.delete(id);
    return outcome;
  }

  /** Deleting what does not exist: 204 and, for DeleteObjects (notifyMissing), still an ObjectRemoved:Delete, as AWS sends one per requested key. */
  private missing(ctx: RequestContext, input: { bucket: string; key: string; ids: RequestIds; notifyMissing?: boolean }, versionId?: string) {
    if (input.notifyMissing) {
      this.emit(ctx, "ObjectRemoved:Delete", input.bucket, input.key, input.ids, { versionId, sequencer: this.nextSequencer(this.record(input.bucket, input.key)?.sequencer) });
    }
    return { versionId, deleteMarker: false };
  }

  /** Replace (or clear) the tag set of a version; emits ObjectTagging:Put/Delete. */
  setTags(ctx: RequestContext, input: { bucket: string; key: string; version: ObjectVersion; tags: Tag[]; ids: RequestIds }): void {
    const record = this.record(input.bucket, input.key);
    if (!record) return;
    const versions = record.versions.map((v) => (v.versionId === input.version.versionId ? { ...v, tags: input.tags } : v));
    this.objects.set(objectKey(input.bucket, input.key), { ...record, versions });
    const bucket = this.bucket(input.bucket);
    this.emit(ctx, input.tags.length ? "ObjectTagging:Put" : "ObjectTagging:Delete", input.bucket, input.key, input.ids, {
      // As for writes, a Suspended bucket's "null" version is not named in the event.
      versionId: bucket?.versioning && !(bucket.versioning === "Suspended" && input.version.versionId === "null") ? input.version.versionId : undefined,
      eTag: input.version.etag,
      size: input.version.size,
    });
  }

  createBucket(record: BucketRecord): void {
    this.buckets.set(record.name, record);
  }

  updateBucket(name: string, change: Partial<BucketRecord>): BucketRecord {
    const bucket = this.requireBucket(name);
    const next = { ...bucket, ...change };
    this.buckets.set(name, next);
    return next;
  }

  deleteBucket(name: string): void {
    this.buckets.delete(name);
  }

  /** Hand one event to notifications/ (also used by acl.ts, restore.ts and lifecycle/ for the events they cause). */
  emit(
    ctx: RequestContext,
    eventName: ObjectEventName,
    bucketName: string,
    key: string,
    ids: RequestIds,
    detail: Pick<S3ObjectEvent, "size" | "eTag" | "versionId" | "sequencer" | "restore" | "destinationStorageClass" | "byS3">,
  ): void {
    const bucket = this.bucket(bucketName);
    this.notifier.emit({
      eventName,
      account: bucket?.account ?? ctx.account,
      region: bucket?.region ?? ctx.region,
      bucket: bucketName,
      key,
      ...detail,
      requestId: ids.requestId,
      hostId: ids.hostId,
      principalId: ctx.principal.principalId,
      sourceIp: ctx.sourceIp,
      time: new Date(),
      traceHeader: ctx.traceHeader,
    });
  }
}
