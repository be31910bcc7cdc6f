/**
 * Reading multipart uploads: ListParts and ListMultipartUploads (their
 * paging, markers, delimiter and url encoding, as S3 answers them). The
 * upload state and its changes stay in multipart.ts (the Multipart class).
 */
import { AwsError } from "../../core/aws-error.js";
import { iso, MAX_PART_NUMBER, type Multipart, type UploadRecord } from "./multipart.js";

/** GET /{bucket}/{key}?uploadId=… → <ListPartsResult> fields. */
export function listParts(multipart: Multipart, input: { account: string; bucket: string; key: string; query: URLSearchParams; ownerId: string }): Record<string, unknown> {
  const uploadId = input.query.get("uploadId") ?? "";
  const upload = multipart.upload(input.account, input.bucket, input.key, uploadId);
  const maxParts = intParam(input.query, "max-parts", 1000, 0, 1000);
  const marker = intParam(input.query, "part-number-marker", 0, 0, MAX_PART_NUMBER);
  const all = multipart.partsOf(uploadId).filter((p) => p.partNumber > marker);
  const page = all.slice(0, maxParts);
  const truncated = all.length > page.length;
  return {
    Bucket: upload.bucket,
    Key: upload.key,
    UploadId: upload.uploadId,
    Initiator: { ID: upload.initiatorArn, DisplayName: upload.initiatorId },
    Owner: { ID: input.ownerId, DisplayName: "webfile" },
    StorageClass: upload.storageClass,
    PartNumberMarker: marker,
    NextPartNumberMarker: page.length ? page[page.length - 1]!.partNumber : marker,
    MaxParts: maxParts,
    IsTruncated: truncated,
    ChecksumAlgorithm: upload.checksumAlgorithm,
    ChecksumType: upload.checksumType,
    Part: page.map((p) => ({
      PartNumber: p.partNumber,
      LastModified: iso(p.lastModified),
      ETag: `"${p.etag}"`,
      Size: p.size,
      ...(p.checksum ? { [`Checksum${p.checksum.algorithm}`]: p.checksum.value } : {}),
    })),
  };
}

/** GET /{bucket}?uploads → <ListMultipartUploadsResult> fields. */
export function listUploads(multipart: Multipart, input: { account: string; bucket: string; query: URLSearchParams; ownerId: string }): Record<string, unknown> {
  const q = input.query;
  const prefix = q.get("prefix") ?? "";
  const delimiter = q.get("delimiter") ?? "";
  const keyMarker = q.get("key-marker") ?? "";
  const uploadIdMarker = q.get("upload-id-marker") ?? "";
  const maxUploads = intParam(q, "max-uploads", 1000, 0, 1000);
  const encodingType = q.get("encoding-type");
  if (encodingType !== null && encodingType !== "url") {
    throw new AwsError("InvalidArgument", "Invalid Encoding Method specified in Request", { fields: { ArgumentName: "encoding-type", ArgumentValue: encodingType } });
  }
  const enc = (s: string) => (encodingType === "url" ? encodeURIComponent(s).replace(/%2F/g, "/") : s);

  // S3 orders by key, then by initiation time within a key.
  const all = multipart
    .uploadsIn(input.account, input.bucket)
    .filter((u) => u.key.startsWith(prefix))
    .sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : a.initiated < b.initiated ? -1 : a.initiated > b.initiated ? 1 : a.uploadId < b.uploadId ? -1 : 1));
  const afterMarker = all.filter((u) => {
    if (!keyMarker) return true;
    if (u.key > keyMarker) return true;
    if (u.key === keyMarker && uploadIdMarker) {
      const markerUpload = all.find((x) => x.uploadId === uploadIdMarker);
      return markerUpload ? (u.initiated > markerUpload.initiated || (u.initiated === markerUpload.initiated && u.uploadId > uploadIdMarker)) : false;
    }
    return false;
  });

  const uploads: UploadRecord[] = [];
  const prefixes: string[] = [];
  let truncated = false;
  let nextKey = "";
  let nextId = "";
  for (const u of afterMarker) {
    let commonPrefix: string | undefined;
    if (delimiter) {
      const at = u.key.indexOf(delimiter, prefix.length);
      if (at >= 0) commonPrefix = u.key.slice(0, at + delimiter.length);
    }
    if (commonPrefix !== undefined && prefixes.includes(commonPrefix)) continue;
    if (uploads.length + prefixes.length >= maxUploads) {
      truncated = true;
      break;
    }
    if (commonPrefix !== undefined) {
      prefixes.push(commonPrefix);
      nextKey = commonPrefix;
      nextId = "";
    } else {
      uploads.push(u);
      nextKey = u.key;
      nextId = u.uploadId;
    }
  }
  return {
    Bucket: input.bucket,
    KeyMarker: enc(keyMarker),
    UploadIdMarker: uploadIdMarker,
    NextKeyMarker: truncated ? enc(nextKey) : undefined,
    NextUploadIdMarker: truncated ? nextId : undefined,
    Delimiter: delimiter ? enc(delimiter) : undefined,
    Prefix: prefix ? enc(prefix) : undefined,
    EncodingType: encodingType ?? undefined,
    MaxUploads: maxUploads,
    IsTruncated: truncated,
    Upload: uploads.map((u) => ({
      Key: enc(u.key),
      UploadId: u.uploadId,
      Initiator: { ID: u.initiatorArn, DisplayName: u.initiatorId },
      Owner: { ID: input.ownerId, DisplayName: "webfile" },
      StorageClass: u.storageClass,
      Initiated: iso(u.initiated),
      ChecksumAlgorithm: u.checksumAlgorithm,
      ChecksumType: u.checksumType,
    })),
    CommonPrefixes: prefixes.map((p) => ({ Prefix: enc(p) })),
  };
}

function intParam(query: URLSearchParams, name: string, fallback: number, min: number, max: number): number {
  const text = query.get(name);
  if (text === null) return fallback;
  if (!/^-?\d+$/.test(text)) {
    throw new AwsError("InvalidArgument", `Provided ${name} not an integer or within integer range`, { fields: { ArgumentName: name, ArgumentValue: text } });
  }
  const n = Number(text);
  if (n < min) {
    throw new AwsError("InvalidArgument", `Argument ${name} must be an integer between ${min} and 2147483647`, { fields: { ArgumentName: name, ArgumentValue: text } });
  }
  return Math.min(n, max);
}
