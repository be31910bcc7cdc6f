/**
 * Multipart upload: CreateMultipartUpload, UploadPart, UploadPartCopy,
 * CompleteMultipartUpload, AbortMultipartUpload, ListParts,
 * ListMultipartUploads (the AWS CLI switches to these above 8 MB).
 *
 * State: uploads in "s3.multipart-uploads" (key = upload id) and parts in
 * "s3.multipart-parts" (key = `<uploadId>/<partNumber, 5 digits>` so a prefix
 * scan lists them in order), part bytes as blobs — so an upload survives a
 * restart. Part bodies come decoded and verified (upload-body.ts; spooled
 * to disk when large). Complete concatenates the parts — by streaming them
 * into one file when large (multipart-concat.ts) — and hands the object to the
 * object store's single write function (versioning and the
 * `ObjectCreated:CompleteMultipartUpload` notification happen there), then
 * frees the part blobs. Complete's request checks and the completed checksum
 * are in multipart-complete.ts; ListParts and ListMultipartUploads in
 * multipart-listing.ts.
 *
 * AWS behaviour reproduced: part numbers 1–10,000; a part uploaded again
 * replaces the earlier one; Complete checks ascending order (InvalidPartOrder),
 * each part's existence and ETag (InvalidPart), 5 MiB minimum for every part
 * but the last (EntityTooSmall); ETag = MD5 of the concatenated binary part
 * MD5s + "-N"; checksums are COMPOSITE ("-N") by default or FULL_OBJECT when
 * asked (and for CRC64NVME), and an upload created with a checksum algorithm
 * needs that checksum on every part of the Complete request.
 */
import { createHash, randomBytes } from "node:crypto";
import type { Cloud } from "../../core/cloud.js";
import { AwsError } from "../../core/aws-error.js";
import {
  checksumHeaders,
  headerName,
  parseAlgorithm,
  type BodyDigests,
  type ChecksumAlgorithm,
  type ChecksumType,
  type ObjectChecksum,
} from "./checksums.js";
import { blobSize, isBlobFile, type BlobFile } from "../../core/blob-store.js";
import { joinParts, type JoinedParts } from "./multipart-concat.js";
import { checkCompleteRequest, completedChecksum, type RequestedPart } from "./multipart-complete.js";
import * as fsp from "node:fs/promises";
import type { UploadBody } from "./upload-body.js";

export const UPLOADS_TABLE = "s3.multipart-uploads";
export const PARTS_TABLE = "s3.multipart-parts";

/** Every part but the last must be at least this big (S3's limit). */
export const MIN_PART_SIZE = 5 * 1024 * 1024;
export const MAX_PART_NUMBER = 10_000;

export interface UploadRecord {
  uploadId: string;
  account: string;
  region: string;
  bucket: string;
  key: string;
  initiated: string;
  /** Who started it, for ListParts/ListMultipartUploads <Initiator>. */
  initiatorArn: string;
  initiatorId: string;
  storageClass: string;
  checksumAlgorithm?: ChecksumAlgorithm;
  checksumType?: ChecksumType;
  /**
   * The object attributes given at CreateMultipartUpload (content-type,
   * x-amz-meta-*, cache-control, tagging…), as request headers with lower-case
   * names: applied to the object when the upload completes.
   */
  objectHeaders: Record<string, string>;
}

export interface PartRecord {
  partNumber: number;
  /** Hex MD5, no quotes. */
  etag: string;
  size: number;
  blobId: string;
  lastModified: string;
  /** base64 checksum of the part in the upload's algorithm (or the one the client sent). */
  checksum?: { algorithm: ChecksumAlgorithm; value: string };
}

/** What Complete gives the object store's write function. */
export interface CompletedObject {
  account: string;
  region: string;
  bucket: string;
  key: string;
  /** The joined parts; a spool file for a large upload (multipart-concat.ts), moved into the blob store by the write. */
  body: Buffer | BlobFile;
  /** Without quotes, "<hex>-N". */
  etag: string;
  checksum: ObjectChecksum;
  /** Attributes from CreateMultipartUpload (see UploadRecord.objectHeaders). */
  objectHeaders: Record<string, string>;
}

const noSuchUpload = (uploadId: string) =>
  new AwsError("NoSuchUpload", "The specified upload does not exist. The upload ID may be invalid, or the upload may have been aborted or completed.", {
    status: 404,
    fields: { UploadId: uploadId },
  });

function partKey(uploadId: string, partNumber: number): string {
  return `${uploadId}/${String(partNumber).padStart(5, "0")}`;
}

export function iso(d: Date | string): string {
  return (typeof d === "string" ? new Date(d) : d).toISOString();
}

/** The headers CreateMultipartUpload keeps for the final object. */
function objectHeadersOf(headers: Record<string, string>): Record<string, string> {
  const kept: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) {
    if (
      name.startsWith("x-amz-meta-") ||
      ["content-type", "content-disposition", "content-encoding", "content-language", "cache-control", "expires", "x-amz-tagging", "x-amz-website-redirect-location", "x-amz-storage-class"].includes(name)
    ) {
      kept[name] = value;
    }
  }
  return kept;
}

export class Multipart {
  constructor(private readonly cloud: Cloud) {}

  private get uploads() {
    return this.cloud.store.table<UploadRecord>(UPLOADS_TABLE);
  }
  private get parts() {
    return this.cloud.store.table<PartRecord>(PARTS_TABLE);
  }

  /** The upload, checked to belong to this bucket and key (AWS answers NoSuchUpload otherwise). */
  upload(account: string, bucket: string, key: string, uploadId: string): UploadRecord {
    const upload = this.uploads.get(uploadId);
    if (!upload || upload.account !== account || upload.bucket !== bucket || upload.key !== key) throw noSuchUpload(uploadId);
    return upload;
  }

  partsOf(uploadId: string): PartRecord[] {
    return this.parts.withPrefix(uploadId + "/").map(([, part]) => part);
  }

  /** POST /{bucket}/{key}?uploads */
  create(input: {
    account: string;
    region: string;
    bucket: string;
    key: string;
    headers: Record<string, string>;
    initiatorArn: string;
    initiatorId: string;
  }): { upload: UploadRecord; responseHeaders: Record<string, string> } {
    const algorithmHeader = input.headers["x-amz-checksum-algorithm"];
    const checksumAlgorithm = parseAlgorithm(algorithmHeader);
    if (algorithmHeader !== undefined && !checksumAlgorithm) {
      throw new AwsError("InvalidRequest", "Checksum algorithm provided is unsupported. Please try again with any of the valid types: [CRC32, CRC32C, CRC64NVME, SHA1, SHA256]");
    }
    const typeHeader = input.headers["x-amz-checksum-type"];
    let checksumType: ChecksumType | undefined;
    if (typeHeader !== undefined) {
      const upper = typeHeader.toUpperCase();
      if (upper !== "COMPOSITE" && upper !== "FULL_OBJECT") throw new AwsError("InvalidRequest", "Value for x-amz-checksum-type header is invalid.");
      if (!checksumAlgorithm) throw new AwsError("InvalidRequest", "The x-amz-checksum-type header can only be used with the x-amz-checksum-algorithm header.");
      checksumType = upper;
    } else if (checksumAlgorithm) {
      // CRC64NVME supports only full-object checksums; the others default to composite.
      checksumType = checksumAlgorithm === "CRC64NVME" ? "FULL_OBJECT" : "COMPOSITE";
    }
    if (checksumAlgorithm && checksumType === "FULL_OBJECT" && (checksumAlgorithm === "SHA1" || checksumAlgorithm === "SHA256")) {
      throw new AwsError("InvalidRequest", `The FULL_OBJECT checksum type cannot be used with the ${checksumAlgorithm.toLowerCase()} checksum algorithm.`);
    }
    if (checksumAlgorithm === "CRC64NVME" && checksumType === "COMPOSITE") {
      throw new AwsError("InvalidRequest", "The COMPOSITE checksum type cannot be used with the crc64nvme checksum algorithm.");
    }
    const upload: UploadRecord = {
      uploadId: randomBytes(48).toString("base64url"),
      account: input.account,
      region: input.region,
      bucket: input.bucket,
      key: input.key,
      initiated: new Date().toISOString(),
      initiatorArn: input.initiatorArn,
      initiatorId: input.initiatorId,
      storageClass: input.headers["x-amz-storage-class"] ?? "STANDARD",
      checksumAlgorithm,
      checksumType,
      objectHeaders: objectHeadersOf(input.headers),
    };
    this.uploads.set(upload.uploadId, upload);
    const responseHeaders: Record<string, string> = {};
    if (checksumAlgorithm) {
      responseHeaders["x-amz-checksum-algorithm"] = checksumAlgorithm;
      responseHeaders["x-amz-checksum-type"] = checksumType!;
    }
    return { upload, responseHeaders };
  }

  private partNumber(text: string | null): number {
    if (text === null || !/^\d+$/.test(text) || Number(text) < 1 || Number(text) > MAX_PART_NUMBER) {
      throw new AwsError("InvalidArgument", "Part number must be an integer between 1 and 10000, inclusive", {
        fields: { ArgumentName: "partNumber", ArgumentValue: text ?? undefined },
      });
    }
    return Number(text);
  }

  /** Store one part's bytes (replacing an earlier part with the same number). */
  private async storePart(upload: UploadRecord, partNumber: number, body: Buffer | BlobFile, checksum: PartRecord["checksum"], md5Hex: string): Promise<PartRecord> {
    const blobId = await this.cloud.store.blobs.put(body);
    if (!this.uploads.has(upload.uploadId)) {
      // Aborted or completed while the bytes were being written: keep nothing.
      await this.cloud.store.blobs.delete(blobId);
      throw noSuchUpload(upload.uploadId);
    }
    const previous = this.parts.get(partKey(upload.uploadId, partNumber));
    const part: PartRecord = { partNumber, etag: md5Hex, size: blobSize(body), blobId, lastModified: new Date().toISOString(), checksum };
    this.parts.set(partKey(upload.uploadId, partNumber), part);
    if (previous) await this.cloud.store.blobs.delete(previous.blobId);
    return part;
  }

  /** The part's checksum in the upload's algorithm: verified when sent, computed when not. */
  private async partChecksum(upload: UploadRecord, sent: ObjectChecksum | undefined, body: BodyDigests): Promise<PartRecord["checksum"]> {
    if (sent && !sent.defaulted) {
      if (upload.checksumAlgorithm && sent.algorithm !== upload.checksumAlgorithm) {
        throw new AwsError(
          "InvalidRequest",
          `Checksum Type mismatch occurred, expected checksum Type: ${upload.checksumAlgorithm.toLowerCase()}, actual checksum Type: ${sent.algorithm.toLowerCase()}`,
        );
      }
      return { algorithm: sent.algorithm, value: sent.value };
    }
    if (upload.checksumAlgorithm) return { algorithm: upload.checksumAlgorithm, value: (await body.digest(upload.checksumAlgorithm)).toString("base64") };
    return undefined;
  }

  /** PUT /{bucket}/{key}?partNumber=N&uploadId=… with a body. */
  async uploadPart(input: {
    account: string;
    bucket: string;
    key: string;
    query: URLSearchParams;
    headers: Record<string, string>;
    /** Reads, decodes and verifies the part's body (upload-body.ts), after the upload is known to exist. */
    readBody: (uploadAlgorithm: ChecksumAlgorithm | undefined) => Promise<UploadBody>;
  }): Promise<{ headers: Record<string, string> }> {
    const uploadId = input.query.get("uploadId") ?? "";
    const partNumber = this.partNumber(input.query.get("partNumber"));
    const upload = this.upload(input.account, input.bucket, input.key, uploadId);
    const decoded = await input.readBody(upload.checksumAlgorithm);
    const verified = decoded.verified;
    const checksum = await this.partChecksum(upload, verified.checksum, decoded.digests);
    const part = await this.storePart(upload, partNumber, decoded.body, checksum, verified.md5Hex);
    const headers: Record<string, string> = { etag: `"${part.etag}"` };
    if (checksum) headers[headerName(checksum.algorithm)] = checksum.value;
    return { headers };
  }

  /**
   * PUT /{bucket}/{key}?partNumber=N&uploadId=… with x-amz-copy-source. `source`
   * is the source object's bytes as the object store read them (it checks the
   * source exists and the caller may read it).
   */
  async uploadPartCopy(input: {
    account: string;
    bucket: string;
    key: string;
    query: URLSearchParams;
    headers: Record<string, string>;
    /** The source object's blob (none when empty) and size; its bytes are copied by streaming when large. */
    source: { blobId?: string; size: number; lastModified: Date | string };
  }): Promise<{ result: Record<string, unknown>; headers: Record<string, string> }> {
    const uploadId = input.query.get("uploadId") ?? "";
    const partNumber = this.partNumber(input.query.get("partNumber"));
    const upload = this.upload(input.account, input.bucket, input.key, uploadId);
    const sourceSize = input.source.size;
    let taken: { start: number; end: number } | undefined;
    const range = input.headers["x-amz-copy-source-range"];
    if (range !== undefined) {
      const m = /^bytes=(\d+)-(\d+)$/.exec(range.trim());
      if (!m) {
        throw new AwsError(
          "InvalidArgument",
          "The x-amz-copy-source-range value must be of the form bytes=first-last where first and last are the zero-based offsets of the first and last bytes to copy",
          { fields: { ArgumentName: "x-amz-copy-source-range", ArgumentValue: range } },
        );
      }
      const first = Number(m[1]);
      const last = Number(m[2]);
      if (first > last || last >= sourceSize) {
        throw new AwsError("InvalidRequest", "The specified copy range is invalid for the source object size");
      }
      taken = { start: first, end: last };
    }
    const size = taken ? taken.end - taken.start + 1 : sourceSize;
    const blobs = input.source.blobId && size > 0 ? [{ blobId: input.source.blobId, size, range: taken }] : [];
    const copied = await joinParts(this.cloud.store.blobs, blobs, upload.checksumAlgorithm, true);
    const checksum = upload.checksumAlgorithm ? { algorithm: upload.checksumAlgorithm, value: copied.digest!.toString("base64") } : undefined;
    let part: PartRecord;
    try {
      part = await this.storePart(upload, partNumber, copied.body, checksum, copied.md5Hex!);
    } finally {
      if (isBlobFile(copied.body)) await fsp.rm(copied.body.path, { force: true });
    }
    const result: Record<string, unknown> = { ETag: `"${part.etag}"`, LastModified: iso(part.lastModified) };
    if (checksum) result[`Checksum${checksum.algorithm}`] = checksum.value;
    return { result, headers: {} };
  }

  /**
   * POST /{bucket}/{key}?uploadId=… — validate the part list and assemble the
   * object. The caller writes it through the object store (`write`), whose
   * result (version id…) is returned with the response fields; then the parts
   * are freed.
   */
  async complete<W>(input: {
    account: string;
    bucket: string;
    key: string;
    uploadId: string;
    /** Parsed <CompleteMultipartUpload>: parts as the client listed them. */
    requested: RequestedPart[];
    /** The Complete request's headers: x-amz-checksum-type and an x-amz-checksum-<alg> for the whole object are checked. */
    headers?: Record<string, string>;
    write: (object: CompletedObject) => Promise<W>;
  }): Promise<{ object: CompletedObject; written: W; result: Record<string, unknown>; headers: Record<string, string> }> {
    const upload = this.upload(input.account, input.bucket, input.key, input.uploadId);
    const requestHeaders = input.headers ?? {};
    const chosen = checkCompleteRequest(upload, input.requested, requestHeaders, (n) => this.parts.get(partKey(upload.uploadId, n)));

    // The full-object checksum, when there is one, is computed while the parts are joined.
    const fullAlgorithm = upload.checksumAlgorithm && upload.checksumType === "COMPOSITE" ? undefined : (upload.checksumAlgorithm ?? "CRC64NVME");
    const joined = await joinParts(this.cloud.store.blobs, chosen, fullAlgorithm);
    try {
      return await this.finishComplete(upload, chosen, joined, requestHeaders, input.write);
    } finally {
      // A joined file the write did not move into the blob store (a failed condition, a bad digest) is removed.
      if (isBlobFile(joined.body)) await fsp.rm(joined.body.path, { force: true });
    }
  }

  private async finishComplete<W>(
    upload: UploadRecord,
    chosen: PartRecord[],
    joined: JoinedParts,
    requestHeaders: Record<string, string>,
    write: (object: CompletedObject) => Promise<W>,
  ) {
    const body = joined.body;
    const md5s = Buffer.concat(chosen.map((p) => Buffer.from(p.etag, "hex")));
    const etag = `${createHash("md5").update(md5s).digest("hex")}-${chosen.length}`;
    const checksum = await completedChecksum(upload, chosen, joined);
    // A whole-object checksum sent with Complete must match what the parts add up to.
    const claimed = upload.checksumAlgorithm ? requestHeaders[headerName(upload.checksumAlgorithm)] : undefined;
    if (claimed !== undefined && claimed.trim().replace(/-\d+$/, "") !== checksum.value.replace(/-\d+$/, "")) {
      throw new AwsError("BadDigest", `The ${checksum.algorithm} you specified did not match the calculated checksum.`);
    }
    const object: CompletedObject = {
      account: upload.account,
      region: upload.region,
      bucket: upload.bucket,
      key: upload.key,
      body,
      etag,
      checksum,
      objectHeaders: upload.objectHeaders,
    };
    const written = await write(object);
    await this.forget(upload.uploadId);

    const result: Record<string, unknown> = { Bucket: upload.bucket, Key: upload.key, ETag: `"${etag}"` };
    const headers: Record<string, string> = {};
    if (!checksum.defaulted) {
      result[`Checksum${checksum.algorithm}`] = checksum.value;
      result.ChecksumType = checksum.type;
      Object.assign(headers, checksumHeaders(checksum));
      delete headers[headerName(checksum.algorithm)]; // in the XML body, not a header
      delete headers["x-amz-checksum-type"];
    }
    return { object, written, result, headers };
  }

  /** DELETE /{bucket}/{key}?uploadId=… */
  async abort(account: string, bucket: string, key: string, uploadId: string): Promise<void> {
    this.upload(account, bucket, key, uploadId);
    await this.forget(uploadId);
  }

  /** Drop an upload and free its parts. */
  private async forget(uploadId: string): Promise<void> {
    const parts = this.parts.withPrefix(uploadId + "/");
    this.uploads.delete(uploadId);
    for (const [k, part] of parts) {
      this.parts.delete(k);
      await this.cloud.store.blobs.delete(part.blobId);
    }
  }

  /** A deleted bucket takes its in-progress uploads with it. */
  async forgetBucket(account: string, bucket: string): Promise<void> {
    for (const upload of [...this.uploads.values()]) {
      if (upload.account === account && upload.bucket === bucket) await this.forget(upload.uploadId);
    }
  }

  /** Does the bucket have uploads in progress? (S3 refuses DeleteBucket only for objects, but callers may want to know.) */
  hasUploads(account: string, bucket: string): boolean {
    for (const upload of this.uploads.values()) if (upload.account === account && upload.bucket === bucket) return true;
    return false;
  }

  /** The bucket's uploads in progress (ListMultipartUploads pages through them). */
  uploadsIn(account: string, bucket: string): UploadRecord[] {
    return [...this.uploads.values()].filter((u) => u.account === account && u.bucket === bucket);
  }
}
