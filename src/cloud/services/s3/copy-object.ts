/**
 * CopyObject (PUT with x-amz-copy-source) and the source lookup that
 * UploadPartCopy shares. The source header is "bucket/key" or "/bucket/key",
 * URL-encoded, with an optional "?versionId=". Metadata is copied
 * (x-amz-metadata-directive COPY, the default) or taken from the request
 * (REPLACE); tags likewise with x-amz-tagging-directive. Copying an object
 * onto itself without changing anything is refused, as S3 does. The new
 * object gets the MD5 ETag of its bytes (a multipart source loses its "-N").
 * A source past the spool threshold is copied by streaming it into a spool
 * file (multipart-concat.ts), MD5 and checksum computed on the way.
 */
import * as fsp from "node:fs/promises";
import { isBlobFile } from "../../core/blob-store.js";
import { AwsError } from "../../core/aws-error.js";
import type { GatewayResponse } from "../../core/service.js";
import { xml, type S3Call } from "./call.js";
import { parseAlgorithm, type ObjectChecksum } from "./checksums.js";
import { joinParts, type JoinedParts } from "./multipart-concat.js";
import { checkCopySourceConditions } from "./conditions.js";
import { invalidVersionId, isVersionIdShape, noSuchBucket, noSuchKey, noSuchVersion } from "./errors.js";
import { readObjectAttributes } from "./object-headers.js";
import type { ObjectVersion } from "./object-store.js";
import { checkKey } from "./objects.js";

export interface CopySource {
  bucket: string;
  key: string;
  versionId?: string;
  version: ObjectVersion;
  /** Is the source bucket versioned (then S3 answers x-amz-copy-source-version-id)? */
  versioned: boolean;
}

const invalidCopySource = () => new AwsError("InvalidArgument", "Invalid copy source object key", { fields: { ArgumentName: "x-amz-copy-source" } });

/** Parse and look up x-amz-copy-source; checks the x-amz-copy-source-if-* conditions. */
export function resolveCopySource(call: S3Call): CopySource {
  const raw = call.headers["x-amz-copy-source"] ?? "";
  let text = raw.startsWith("/") ? raw.slice(1) : raw;
  let versionId: string | undefined;
  const q = text.indexOf("?");
  if (q >= 0) {
    const params = new URLSearchParams(text.slice(q + 1));
    versionId = params.get("versionId") ?? undefined;
    text = text.slice(0, q);
  }
  let decoded: string;
  try {
    decoded = decodeURIComponent(text);
  } catch {
    throw invalidCopySource();
  }
  const slash = decoded.indexOf("/");
  if (slash <= 0 || slash === decoded.length - 1) throw invalidCopySource();
  const bucket = decoded.slice(0, slash);
  const key = decoded.slice(slash + 1);
  const record = call.store.bucket(bucket);
  if (!record) throw noSuchBucket(bucket);
  let version: ObjectVersion | undefined;
  if (versionId !== undefined) {
    version = call.store.version(bucket, key, versionId);
    if (!version) {
      if (!isVersionIdShape(versionId)) throw invalidVersionId(versionId);
      throw noSuchVersion(key, versionId);
    }
    if (version.deleteMarker) throw new AwsError("InvalidRequest", "The source of a copy request may not specifically refer to a delete marker by version id.");
  } else {
    version = call.store.current(bucket, key);
    if (!version || version.deleteMarker) throw noSuchKey(key);
  }
  checkCopySourceConditions(call.headers, version);
  return { bucket, key, versionId, version, versioned: !!record.versioning };
}

function directive(call: S3Call, header: string): "COPY" | "REPLACE" {
  const value = call.headers[header];
  if (value === undefined) return "COPY";
  if (value === "COPY" || value === "REPLACE") return value;
  throw new AwsError("InvalidArgument", header === "x-amz-metadata-directive" ? "Unknown metadata directive." : "Unknown tagging directive.", {
    fields: { ArgumentName: header, ArgumentValue: value },
  });
}

export async function copyObject(call: S3Call): Promise<GatewayResponse> {
  const key = call.key!;
  checkKey(key);
  call.store.requireBucket(call.bucket);
  const source = resolveCopySource(call);
  const metadataDirective = directive(call, "x-amz-metadata-directive");
  const taggingDirective = directive(call, "x-amz-tagging-directive");
  const requested = readObjectAttributes(call.headers);
  const algorithm = parseAlgorithm(call.headers["x-amz-checksum-algorithm"]);
  if (call.headers["x-amz-checksum-algorithm"] !== undefined && !algorithm) {
    throw new AwsError("InvalidRequest", "Checksum algorithm provided is unsupported. Please try again with any of the valid types: [CRC32, CRC32C, CRC64NVME, SHA1, SHA256]");
  }
  const sameObject = source.bucket === call.bucket && source.key === key && source.versionId === undefined;
  const changesSomething =
    metadataDirective === "REPLACE" ||
    call.headers["x-amz-storage-class"] !== undefined ||
    call.headers["x-amz-website-redirect-location"] !== undefined ||
    call.headers["x-amz-server-side-encryption"] !== undefined ||
    algorithm !== undefined;
  if (sameObject && !changesSomething) {
    throw new AwsError(
      "InvalidRequest",
      "This copy request is illegal because it is trying to copy an object to itself without changing the object's metadata, storage class, website redirect location or encryption attributes.",
    );
  }

  const src = source.version;
  // The copy's bytes, MD5 and checksum in one pass; a large source is copied file to file, never read whole.
  const keepsChecksum = !algorithm && src.checksum?.type === "FULL_OBJECT";
  const copied = await joinParts(call.cloud.store.blobs, src.blobId ? [{ blobId: src.blobId, size: src.size }] : [], keepsChecksum ? undefined : (algorithm ?? "CRC64NVME"), true);
  try {
    const checksum: ObjectChecksum = keepsChecksum
      ? src.checksum!
      : algorithm
        ? { algorithm, value: copied.digest!.toString("base64"), type: "FULL_OBJECT" }
        : { algorithm: "CRC64NVME", value: copied.digest!.toString("base64"), type: "FULL_OBJECT", defaulted: true };
    return await writeCopy(call, key, source, copied, checksum, metadataDirective === "REPLACE", taggingDirective, requested);
  } finally {
    if (isBlobFile(copied.body)) await fsp.rm(copied.body.path, { force: true });
  }
}

async function writeCopy(
  call: S3Call,
  key: string,
  source: CopySource,
  copied: JoinedParts,
  checksum: ObjectChecksum,
  replace: boolean,
  taggingDirective: string | undefined,
  requested: ReturnType<typeof readObjectAttributes>,
): Promise<GatewayResponse> {
  const src = source.version;
  const written = await call.store.writeObject(call.ctx, {
    bucket: call.bucket,
    key,
    body: copied.body,
    etag: copied.md5Hex!,
    contentType: replace ? requested.contentType : src.contentType,
    headers: replace ? requested.headers : src.headers,
    metadata: replace ? requested.metadata : src.metadata,
    storageClass: call.headers["x-amz-storage-class"] ? requested.storageClass : src.storageClass,
    tags: taggingDirective === "REPLACE" ? (requested.tags ?? []) : src.tags,
    checksum,
    eventName: "ObjectCreated:Copy",
    ids: call.ids,
  });
  const headers: Record<string, string> = { "x-amz-server-side-encryption": "AES256" };
  if (written.versionId) headers["x-amz-version-id"] = written.versionId;
  if (source.versioned) headers["x-amz-copy-source-version-id"] = src.versionId;
  const result: Record<string, unknown> = { ETag: `"${written.etag}"`, LastModified: written.lastModified };
  if (checksum && !checksum.defaulted) {
    result[`Checksum${checksum.algorithm}`] = checksum.value;
    result.ChecksumType = checksum.type;
  }
  return xml(call, "CopyObjectResult", result, headers);
}
