/**
 * The HTTP side of multipart upload: turns requests into calls of the
 * Multipart class (multipart.ts, which owns the upload logic and state) and
 * its results into S3's XML. CompleteMultipartUpload writes the assembled
 * object through the object store, so versioning and the
 * ObjectCreated:CompleteMultipartUpload notification happen there.
 */
import { readUploadBody, releaseUploadBody, type UploadBody } from "./upload-body.js";
import type { GatewayResponse } from "../../core/service.js";
import { empty, xml, xmlBody, type S3Call } from "./call.js";
import { resolveCopySource } from "./copy-object.js";
import { listParts as listPartsOf, listUploads } from "./multipart-listing.js";
import { readCompleteRequest } from "./multipart-complete.js";
import { readObjectAttributes } from "./object-headers.js";
import { OWNER } from "./buckets.js";
import { checkKey } from "./objects.js";

export function createMultipartUpload(call: S3Call): GatewayResponse {
  const bucket = call.store.requireBucket(call.bucket);
  checkKey(call.key!);
  readObjectAttributes(call.headers); // refuse bad metadata, storage class or tags now, not at Complete
  const { upload, responseHeaders } = call.multipart.create({
    account: bucket.account,
    region: bucket.region,
    bucket: bucket.name,
    key: call.key!,
    headers: call.headers,
    initiatorArn: call.ctx.principal.arn,
    initiatorId: call.ctx.principal.principalId,
  });
  return xml(call, "InitiateMultipartUploadResult", { Bucket: upload.bucket, Key: upload.key, UploadId: upload.uploadId }, responseHeaders);
}

export async function uploadPart(call: S3Call): Promise<GatewayResponse> {
  const bucket = call.store.requireBucket(call.bucket);
  let body: UploadBody | undefined;
  let headers: Record<string, string>;
  try {
    ({ headers } = await call.multipart.uploadPart({
      account: bucket.account,
      bucket: bucket.name,
      key: call.key!,
      query: call.query,
      headers: call.headers,
      readBody: async (uploadAlgorithm) => (body = await readUploadBody(call, uploadAlgorithm)),
    }));
  } finally {
    await releaseUploadBody(body);
  }
  return empty(call, 200, { ...headers, "x-amz-server-side-encryption": "AES256" });
}

export async function uploadPartCopy(call: S3Call): Promise<GatewayResponse> {
  const bucket = call.store.requireBucket(call.bucket);
  const source = resolveCopySource(call);
  const { result, headers } = await call.multipart.uploadPartCopy({
    account: bucket.account,
    bucket: bucket.name,
    key: call.key!,
    query: call.query,
    headers: call.headers,
    source: { blobId: source.version.blobId, size: source.version.size, lastModified: source.version.lastModified },
  });
  if (source.versioned) headers["x-amz-copy-source-version-id"] = source.version.versionId;
  return xml(call, "CopyPartResult", result, headers);
}

export async function completeMultipartUpload(call: S3Call): Promise<GatewayResponse> {
  const bucket = call.store.requireBucket(call.bucket);
  const requested = readCompleteRequest(xmlBody(call, ["Part"]));
  const { written, result, headers } = await call.multipart.complete({
    account: bucket.account,
    bucket: bucket.name,
    key: call.key!,
    uploadId: call.query.get("uploadId") ?? "",
    requested,
    headers: call.headers,
    write: async (object) => {
      const attributes = readObjectAttributes(object.objectHeaders);
      return call.store.writeObject(call.ctx, {
        bucket: object.bucket,
        key: object.key,
        body: object.body,
        etag: object.etag,
        contentType: attributes.contentType,
        headers: attributes.headers,
        metadata: attributes.metadata,
        storageClass: attributes.storageClass,
        tags: attributes.tags,
        checksum: object.checksum,
        partsCount: Number(object.etag.split("-")[1] ?? 1),
        eventName: "ObjectCreated:CompleteMultipartUpload",
        ifMatch: call.headers["if-match"],
        ifNoneMatch: call.headers["if-none-match"],
        ids: call.ids,
      });
    },
  });
  const responseHeaders: Record<string, string> = { ...headers, "x-amz-server-side-encryption": "AES256" };
  if (written.versionId) responseHeaders["x-amz-version-id"] = written.versionId;
  const location = `${call.ctx.endpoint}/${encodeURIComponent(bucket.name)}/${call.key!.split("/").map(encodeURIComponent).join("/")}`;
  return xml(call, "CompleteMultipartUploadResult", { Location: location, ...result }, responseHeaders);
}

export async function abortMultipartUpload(call: S3Call): Promise<GatewayResponse> {
  const bucket = call.store.requireBucket(call.bucket);
  await call.multipart.abort(bucket.account, bucket.name, call.key!, call.query.get("uploadId") ?? "");
  return empty(call, 204);
}

export function listParts(call: S3Call): GatewayResponse {
  const bucket = call.store.requireBucket(call.bucket);
  const result = listPartsOf(call.multipart, { account: bucket.account, bucket: bucket.name, key: call.key!, query: call.query, ownerId: OWNER.ID });
  return xml(call, "ListPartsResult", result);
}

export function listMultipartUploads(call: S3Call): GatewayResponse {
  const bucket = call.store.requireBucket(call.bucket);
  const result = listUploads(call.multipart, { account: bucket.account, bucket: bucket.name, query: call.query, ownerId: OWNER.ID });
  return xml(call, "ListMultipartUploadsResult", result);
}
