/**
 * ListObjectsV2, ListObjects (v1) and ListObjectVersions: keys in order,
 * filtered by prefix, rolled up into CommonPrefixes by a delimiter, paged by
 * max-keys (0–1000) with S3's markers — V2's opaque continuation token and
 * start-after, v1's marker/NextMarker, the versions' key-marker and
 * version-id-marker — and encoding-type=url.
 *
 * Paging with a delimiter: an entry is either a key or a common prefix, and a
 * page resumes after the last entry it returned, so a common prefix is never
 * returned twice (every key under it sorts before the next entry).
 */
import type { GatewayResponse } from "../../core/service.js";
import { xml, type S3Call } from "./call.js";
import { invalidArgument, isVersionIdShape } from "./errors.js";
import type { ObjectRecord } from "./object-store.js";
import { OWNER } from "./buckets.js";

interface Options {
  prefix: string;
  delimiter: string;
  maxKeys: number;
  encode: (s: string) => string;
  encodingType?: string;
}

function readOptions(call: S3Call): Options {
  const q = call.query;
  const text = q.get("max-keys");
  let maxKeys = 1000;
  if (text !== null) {
    if (!/^-?\d+$/.test(text)) throw invalidArgument("Provided max-keys not an integer or within integer range", "max-keys", text);
    maxKeys = Number(text);
    if (maxKeys < 0) throw invalidArgument("Argument maxKeys must be an integer between 0 and 2147483647", "maxKeys", text);
    maxKeys = Math.min(maxKeys, 1000);
  }
  const encodingType = q.get("encoding-type") ?? undefined;
  if (encodingType !== undefined && encodingType !== "url") {
    throw invalidArgument("Invalid Encoding Method specified in Request", "encoding-type", encodingType);
  }
  // The SDK and botocore URL-decode every listed key and prefix when they asked for encoding-type=url.
  const encode = encodingType === "url" ? (s: string) => encodeURIComponent(s).replace(/%2F/g, "/") : (s: string) => s;
  return { prefix: q.get("prefix") ?? "", delimiter: q.get("delimiter") ?? "", maxKeys, encode, encodingType };
}

/** Entry name of a key under a delimiter: the common prefix it rolls into, or undefined for a plain key. */
function commonPrefixOf(key: string, prefix: string, delimiter: string): string | undefined {
  if (!delimiter) return undefined;
  const at = key.indexOf(delimiter, prefix.length);
  return at < 0 ? undefined : key.slice(0, at + delimiter.length);
}

interface Page {
  keys: ObjectRecord[];
  prefixes: string[];
  truncated: boolean;
  /** Last entry returned (key or common prefix): where the next page starts. */
  last?: string;
}

/** One page of current (non-deleted) objects after `marker`. */
function pageOfObjects(call: S3Call, options: Options, marker: string): Page {
  const page: Page = { keys: [], prefixes: [], truncated: false };
  if (options.maxKeys === 0) return page;
  for (const record of call.store.recordsOf(call.bucket, options.prefix)) {
    const current = record.versions[0];
    if (!current || current.deleteMarker) continue;
    const cp = commonPrefixOf(record.key, options.prefix, options.delimiter);
    const entry = cp ?? record.key;
    if (entry <= marker) continue; // before the marker, or inside a common prefix already returned
    if (cp !== undefined && page.prefixes[page.prefixes.length - 1] === cp) continue;
    if (page.keys.length + page.prefixes.length >= options.maxKeys) {
      page.truncated = true;
      break;
    }
    if (cp !== undefined) page.prefixes.push(cp);
    else page.keys.push(record);
    page.last = entry;
  }
  return page;
}

function contents(record: ObjectRecord, options: Options, withOwner: boolean): Record<string, unknown> {
  const v = record.versions[0]!;
  return {
    Key: options.encode(record.key),
    LastModified: v.lastModified,
    ETag: `"${v.etag}"`,
    ChecksumAlgorithm: v.checksum ? v.checksum.algorithm : undefined,
    ChecksumType: v.checksum ? v.checksum.type : undefined,
    Size: v.size,
    Owner: withOwner ? OWNER : undefined,
    StorageClass: v.storageClass,
  };
}

export function listObjectsV2(call: S3Call): GatewayResponse {
  call.store.requireBucket(call.bucket);
  const options = readOptions(call);
  const token = call.query.get("continuation-token");
  const startAfter = call.query.get("start-after") ?? "";
  let marker = startAfter;
  if (token !== null) {
    let decoded = "";
    try {
      const parsed = JSON.parse(Buffer.from(token, "base64url").toString("utf8"));
      if (typeof parsed?.after !== "string") throw new Error("bad token");
      decoded = parsed.after;
    } catch {
      throw invalidArgument("The continuation token provided is incorrect", "continuation-token", token);
    }
    marker = decoded > marker ? decoded : marker;
  }
  const page = pageOfObjects(call, options, marker);
  const fetchOwner = call.query.get("fetch-owner") === "true";
  return xml(call, "ListBucketResult", {
    Name: call.bucket,
    Prefix: options.encode(options.prefix),
    Delimiter: options.delimiter ? options.encode(options.delimiter) : undefined,
    MaxKeys: options.maxKeys,
    EncodingType: options.encodingType,
    KeyCount: page.keys.length + page.prefixes.length,
    IsTruncated: page.truncated,
    ContinuationToken: token ?? undefined,
    NextContinuationToken: page.truncated ? Buffer.from(JSON.stringify({ after: page.last })).toString("base64url") : undefined,
    StartAfter: startAfter ? options.encode(startAfter) : undefined,
    Contents: page.keys.map((r) => contents(r, options, fetchOwner)),
    CommonPrefixes: page.prefixes.map((p) => ({ Prefix: options.encode(p) })),
  });
}

export function listObjects(call: S3Call): GatewayResponse {
  call.store.requireBucket(call.bucket);
  const options = readOptions(call);
  const marker = call.query.get("marker") ?? "";
  const page = pageOfObjects(call, options, marker);
  return xml(call, "ListBucketResult", {
    Name: call.bucket,
    Prefix: options.encode(options.prefix),
    Marker: options.encode(marker),
    // S3 gives NextMarker only with a delimiter; without one the client resumes from the last key.
    NextMarker: page.truncated && options.delimiter ? options.encode(page.last!) : undefined,
    MaxKeys: options.maxKeys,
    Delimiter: options.delimiter ? options.encode(options.delimiter) : undefined,
    EncodingType: options.encodingType,
    IsTruncated: page.truncated,
    Contents: page.keys.map((r) => contents(r, options, true)),
    CommonPrefixes: page.prefixes.map((p) => ({ Prefix: options.encode(p) })),
  });
}

export function listObjectVersions(call: S3Call): GatewayResponse {
  call.store.requireBucket(call.bucket);
  const options = readOptions(call);
  const keyMarker = call.query.get("key-marker") ?? "";
  const versionIdMarker = call.query.get("version-id-marker") ?? "";
  if (versionIdMarker && !keyMarker) {
    throw invalidArgument("A version-id marker cannot be specified without a key marker.", "version-id-marker", versionIdMarker);
  }
  const versions: Record<string, unknown>[] = [];
  const markers: Record<string, unknown>[] = [];
  const prefixes: string[] = [];
  let count = 0;
  let truncated = false;
  let nextKey: string | undefined;
  let nextVersion: string | undefined;
  outer: for (const record of call.store.recordsOf(call.bucket, options.prefix)) {
    const cp = commonPrefixOf(record.key, options.prefix, options.delimiter);
    if (cp !== undefined) {
      if (cp <= keyMarker || prefixes[prefixes.length - 1] === cp) continue;
      if (count >= options.maxKeys) {
        truncated = true;
        break;
      }
      prefixes.push(cp);
      count++;
      nextKey = cp;
      nextVersion = undefined;
      continue;
    }
    if (record.key < keyMarker) continue;
    let list = record.versions.map((v, i) => ({ v, latest: i === 0 }));
    if (record.key === keyMarker) {
      if (!versionIdMarker) continue;
      const at = list.findIndex((x) => x.v.versionId === versionIdMarker);
      if (at < 0) {
        if (!isVersionIdShape(versionIdMarker)) throw invalidArgument("Invalid version id specified", "version-id-marker", versionIdMarker);
        continue;
      }
      list = list.slice(at + 1);
    }
    for (const { v, latest } of list) {
      if (count >= options.maxKeys) {
        truncated = true;
        break outer;
      }
      const common = { Key: options.encode(record.key), VersionId: v.versionId, IsLatest: latest, LastModified: v.lastModified, Owner: OWNER };
      if (v.deleteMarker) markers.push(common);
      else {
        versions.push({
          ...common,
          ETag: `"${v.etag}"`,
          Size: v.size,
          StorageClass: v.storageClass,
          ChecksumAlgorithm: v.checksum?.algorithm,
          ChecksumType: v.checksum?.type,
        });
      }
      count++;
      nextKey = record.key;
      nextVersion = v.versionId;
    }
  }
  if (options.maxKeys === 0) truncated = false;
  return xml(call, "ListVersionsResult", {
    Name: call.bucket,
    Prefix: options.encode(options.prefix),
    KeyMarker: options.encode(keyMarker),
    VersionIdMarker: versionIdMarker,
    NextKeyMarker: truncated && nextKey !== undefined ? options.encode(nextKey) : undefined,
    NextVersionIdMarker: truncated && nextVersion !== undefined ? nextVersion : undefined,
    MaxKeys: options.maxKeys,
    Delimiter: options.delimiter ? options.encode(options.delimiter) : undefined,
    EncodingType: options.encodingType,
    IsTruncated: truncated,
    Version: versions,
    DeleteMarker: markers,
    CommonPrefixes: prefixes.map((p) => ({ Prefix: options.encode(p) })),
  });
}
