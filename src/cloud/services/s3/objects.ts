/**
 * Object operations on one key: PutObject (the body read, decoded and verified
 * by upload-body.ts — spooled to disk when large — conditional writes),
 * GetObject/HeadObject (versions, delete markers, conditions, ranges; bodies
 * past the spool threshold are streamed from their file, never read whole),
 * DeleteObject, and Put/Get/DeleteObjectTagging. Every mutation goes
 * through the object store, which handles versioning and notifications.
 */
import type { Readable } from "node:stream";
import { AwsError } from "../../core/aws-error.js";
import { spoolThresholdBytes } from "../../core/blob-store.js";
import type { GatewayResponse } from "../../core/service.js";
import { empty, xml, type S3Call } from "./call.js";
import { readUploadBody, releaseUploadBody, type UploadBody } from "./upload-body.js";
import { checkReadConditions, notModifiedHeaders, parseRange } from "./conditions.js";
import { deleteMarkerError, invalidVersionId, isVersionIdShape, noSuchKey, noSuchVersion } from "./errors.js";
import { readObjectAttributes, objectResponseHeaders } from "./object-headers.js";
import type { ObjectVersion } from "./object-store.js";
import { parseTaggingBody, tagSetXml } from "./tagging.js";
import { checkRequestAcl, setVersionAcl } from "./acl.js";
import { checkReadable, restoreHeader } from "./restore.js";

/** S3's limit on a key: 1,024 bytes of UTF-8. */
const MAX_KEY_BYTES = 1024;

export function checkKey(key: string): void {
  const size = Buffer.byteLength(key);
  if (size > MAX_KEY_BYTES) throw new AwsError("KeyTooLongError", "Your key is too long", { fields: { Size: size, MaxSizeAllowed: MAX_KEY_BYTES } });
}

/** The version a read addresses: ?versionId=…, or the current one. Throws S3's 404/405 forms. */
export function resolveVersion(call: S3Call, versionId: string | null = call.query.get("versionId")): ObjectVersion {
  const key = call.key!;
  call.store.requireBucket(call.bucket);
  if (versionId !== null) {
    if (versionId === "") throw new AwsError("InvalidArgument", "Version id cannot be the empty string", { fields: { ArgumentName: "versionId", ArgumentValue: "" } });
    const version = call.store.version(call.bucket, key, versionId);
    if (!version) {
      if (!isVersionIdShape(versionId)) throw invalidVersionId(versionId);
      throw noSuchVersion(key, versionId);
    }
    if (version.deleteMarker) throw deleteMarkerError(key, version.versionId, true);
    return version;
  }
  const current = call.store.current(call.bucket, key);
  if (!current) throw noSuchKey(key);
  if (current.deleteMarker) throw deleteMarkerError(key, current.versionId, false);
  return current;
}

export async function putObject(call: S3Call): Promise<GatewayResponse> {
  const key = call.key!;
  checkKey(key);
  call.store.requireBucket(call.bucket);
  const headers = call.headers;
  if (headers["content-length"] === undefined && headers["x-amz-decoded-content-length"] === undefined) {
    throw new AwsError("MissingContentLength", "You must provide the Content-Length HTTP header.", { status: 411 });
  }
  const decoded = await readUploadBody(call);
  try {
    return await storeObject(call, decoded);
  } finally {
    await releaseUploadBody(decoded);
  }
}

async function storeObject(call: S3Call, decoded: UploadBody): Promise<GatewayResponse> {
  const key = call.key!;
  const headers = call.headers;
  const verified = decoded.verified;
  const attributes = readObjectAttributes(headers, decoded.chunked ? decoded.contentEncoding : undefined);
  const acl = checkRequestAcl(call); // x-amz-acl / x-amz-grant-*: ownership controls and Block Public Access first
  const written = await call.store.writeObject(call.ctx, {
    bucket: call.bucket,
    key,
    body: decoded.body,
    etag: verified.md5Hex,
    contentType: attributes.contentType,
    headers: attributes.headers,
    metadata: attributes.metadata,
    storageClass: attributes.storageClass,
    tags: attributes.tags,
    checksum: verified.checksum,
    eventName: "ObjectCreated:Put",
    ifMatch: headers["if-match"],
    ifNoneMatch: headers["if-none-match"],
    ids: call.ids,
  });
  if (acl) setVersionAcl(call, key, written.versionId ?? "null", acl.grants);
  const response: Record<string, string> = { etag: `"${written.etag}"`, "x-amz-server-side-encryption": "AES256", ...verified.headers };
  if (written.versionId) response["x-amz-version-id"] = written.versionId;
  return empty(call, 200, response);
}

async function readObject(call: S3Call, head: boolean): Promise<GatewayResponse> {
  const version = resolveVersion(call);
  const bucket = call.store.requireBucket(call.bucket);
  if (!head) checkReadable(version); // an archived object needs a completed restore (restore.ts)
  const base = objectResponseHeaders(version, {
    versioned: !!bucket.versioning || version.versionId !== "null",
    checksumMode: (call.headers["x-amz-checksum-mode"] ?? "").toUpperCase() === "ENABLED",
    query: call.query,
    includeTagCount: !head,
  });
  const restore = restoreHeader(version);
  if (restore) base["x-amz-restore"] = restore;
  if (checkReadConditions(call.headers, version) === "not-modified") {
    return empty(call, 304, notModifiedHeaders(version));
  }
  const range = parseRange(call.headers["range"], version.size);
  if (range) {
    const body = head ? Buffer.alloc(0) : await bodyOf(call, version, range);
    // A partial response carries no full-object checksum.
    for (const name of Object.keys(base)) if (name.startsWith("x-amz-checksum-")) delete base[name];
    return {
      ...empty(call, 206, {
        ...base,
        "content-range": `bytes ${range.start}-${range.end}/${version.size}`,
        "content-length": String(range.end - range.start + 1),
      }),
      body: head ? undefined : body,
    };
  }
  const body = head ? undefined : await bodyOf(call, version);
  return { ...empty(call, 200, { ...base, "content-length": String(version.size) }), body };
}

/** Small bodies as one Buffer (the fast path); large ones streamed from their file. */
function bodyOf(call: S3Call, version: ObjectVersion, range?: { start: number; end: number }): Promise<Buffer> | Readable {
  const size = range ? range.end - range.start + 1 : version.size;
  return size > spoolThresholdBytes() ? call.store.streamBody(version, range) : call.store.readBody(version, range);
}

export const getObject = (call: S3Call) => readObject(call, false);
export const headObject = (call: S3Call) => readObject(call, true);

export async function deleteObject(call: S3Call): Promise<GatewayResponse> {
  const key = call.key!;
  const versionId = call.query.get("versionId");
  call.store.requireBucket(call.bucket);
  if (versionId !== null && !isVersionIdShape(versionId)) throw invalidVersionId(versionId);
  const outcome = await call.store.deleteObject(call.ctx, { bucket: call.bucket, key, versionId: versionId ?? undefined, ids: call.ids });
  const headers: Record<string, string> = {};
  if (outcome.deleteMarker) headers["x-amz-delete-marker"] = "true";
  if (outcome.versionId) headers["x-amz-version-id"] = outcome.versionId;
  return empty(call, 204, headers);
}

export function putObjectTagging(call: S3Call): GatewayResponse {
  const version = resolveVersion(call);
  const tags = parseTaggingBody(call.req.body, "Object");
  call.store.setTags(call.ctx, { bucket: call.bucket, key: call.key!, version, tags, ids: call.ids });
  const bucket = call.store.bucket(call.bucket);
  return empty(call, 200, bucket?.versioning ? { "x-amz-version-id": version.versionId } : {});
}

export function getObjectTagging(call: S3Call): GatewayResponse {
  const version = resolveVersion(call);
  const bucket = call.store.bucket(call.bucket);
  return xml(call, "Tagging", tagSetXml(version.tags), bucket?.versioning ? { "x-amz-version-id": version.versionId } : {});
}

export function deleteObjectTagging(call: S3Call): GatewayResponse {
  const version = resolveVersion(call);
  call.store.setTags(call.ctx, { bucket: call.bucket, key: call.key!, version, tags: [], ids: call.ids });
  const bucket = call.store.bucket(call.bucket);
  return empty(call, 204, bucket?.versioning ? { "x-amz-version-id": version.versionId } : {});
}
