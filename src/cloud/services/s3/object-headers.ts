/**
 * The object attributes carried in HTTP headers: what a write stores
 * (Content-Type, the standard entity headers, x-amz-meta-* user metadata,
 * storage class, x-amz-tagging) and what GetObject/HeadObject answer with
 * (ETag, Last-Modified, Content-Length, metadata, version id, tag count,
 * checksums in checksum mode, response-* overrides of presigned URLs).
 */
import { AwsError } from "../../core/aws-error.js";
import { checksumHeaders } from "./checksums.js";
import type { ObjectVersion, Tag } from "./object-store.js";
import { parseTaggingHeader } from "./tagging.js";

/** Entity headers S3 stores and returns as sent. */
export const STORED_HEADERS = ["cache-control", "content-disposition", "content-encoding", "content-language", "expires", "x-amz-website-redirect-location"];

const STORAGE_CLASSES = new Set([
  "STANDARD",
  "REDUCED_REDUNDANCY",
  "STANDARD_IA",
  "ONEZONE_IA",
  "INTELLIGENT_TIERING",
  "GLACIER",
  "DEEP_ARCHIVE",
  "GLACIER_IR",
  "OUTPOSTS",
  "SNOW",
  "EXPRESS_ONEZONE",
]);

/** S3's limit on the user-defined part of the metadata (names + values, UTF-8). */
const MAX_USER_METADATA = 2 * 1024;

/** S3's default when a write names no Content-Type. */
export const DEFAULT_CONTENT_TYPE = "binary/octet-stream";

export interface ObjectAttributes {
  contentType?: string;
  headers: Record<string, string>;
  metadata: Record<string, string>;
  storageClass: string;
  tags?: Tag[];
}

/** Read the attributes of a write from its (lower-cased) request headers. */
export function readObjectAttributes(headers: Record<string, string>, contentEncoding?: string): ObjectAttributes {
  const stored: Record<string, string> = {};
  for (const name of STORED_HEADERS) if (headers[name] !== undefined) stored[name] = headers[name]!;
  // aws-chunked is a transfer detail, not the object's encoding (aws-chunked.ts strips it).
  if (contentEncoding !== undefined) stored["content-encoding"] = contentEncoding;
  else if (headers["content-encoding"] !== undefined) {
    const rest = headers["content-encoding"].split(",").map((s) => s.trim()).filter((s) => s && s !== "aws-chunked");
    if (rest.length) stored["content-encoding"] = rest.join(",");
    else delete stored["content-encoding"];
  }
  const metadata: Record<string, string> = {};
  let metadataBytes = 0;
  for (const [name, value] of Object.entries(headers)) {
    if (!name.startsWith("x-amz-meta-")) continue;
    const short = name.slice("x-amz-meta-".length);
    metadata[short] = value;
    metadataBytes += Buffer.byteLength(short) + Buffer.byteLength(value);
  }
  if (metadataBytes > MAX_USER_METADATA) {
    throw new AwsError("MetadataTooLarge", "Your metadata headers exceed the maximum allowed metadata size.", {
      fields: { Size: metadataBytes, MaxSizeAllowed: MAX_USER_METADATA },
    });
  }
  const storageClass = headers["x-amz-storage-class"] ?? "STANDARD";
  if (!STORAGE_CLASSES.has(storageClass)) {
    throw new AwsError("InvalidStorageClass", "The storage class you specified is not valid", { fields: { StorageClassRequested: storageClass } });
  }
  return {
    contentType: headers["content-type"] || undefined,
    headers: stored,
    metadata,
    storageClass,
    tags: parseTaggingHeader(headers["x-amz-tagging"]),
  };
}

/** HTTP date, as S3 writes Last-Modified. */
export function httpDate(iso: string): string {
  return new Date(iso).toUTCString();
}

/** Query parameters of GetObject that override response headers (used by presigned URLs). */
const RESPONSE_OVERRIDES: Record<string, string> = {
  "response-content-type": "content-type",
  "response-content-language": "content-language",
  "response-expires": "expires",
  "response-cache-control": "cache-control",
  "response-content-disposition": "content-disposition",
  "response-content-encoding": "content-encoding",
};

/** Headers of GetObject/HeadObject for a stored version. */
export function objectResponseHeaders(
  version: ObjectVersion,
  options: { versioned: boolean; checksumMode: boolean; query?: URLSearchParams; includeTagCount: boolean },
): Record<string, string> {
  const headers: Record<string, string> = {
    "accept-ranges": "bytes",
    "last-modified": httpDate(version.lastModified),
    etag: `"${version.etag}"`,
    "content-type": version.contentType ?? DEFAULT_CONTENT_TYPE,
    "x-amz-server-side-encryption": "AES256",
    ...version.headers,
  };
  for (const [name, value] of Object.entries(version.metadata)) headers[`x-amz-meta-${name}`] = value;
  if (options.versioned) headers["x-amz-version-id"] = version.versionId;
  if (version.storageClass !== "STANDARD") headers["x-amz-storage-class"] = version.storageClass;
  if (options.includeTagCount && version.tags.length) headers["x-amz-tagging-count"] = String(version.tags.length);
  if (options.checksumMode && version.checksum) Object.assign(headers, checksumHeaders(version.checksum));
  if (version.partsCount && options.query?.has("partNumber")) headers["x-amz-mp-parts-count"] = String(version.partsCount);
  if (options.query) {
    for (const [param, header] of Object.entries(RESPONSE_OVERRIDES)) {
      const value = options.query.get(param);
      if (value !== null) headers[header] = value;
    }
  }
  return headers;
}
