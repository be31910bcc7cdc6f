/**
 * DeleteObjects (POST /{bucket}?delete): up to 1,000 keys in one request,
 * each deleted as DeleteObject would (delete markers in versioned buckets),
 * with one notification for EVERY key in the request, existing or not (as AWS
 * sends [SNAP test_delete_objects]), with per-key results: <Deleted> for each success
 * (omitted in Quiet mode) and <Error> for each failure. The body must carry
 * Content-MD5 or a flexible checksum (the SDK sends x-amz-checksum-crc32),
 * verified by checksums.ts.
 */
import { AwsError, isAwsError } from "../../core/aws-error.js";
import type { GatewayResponse } from "../../core/service.js";
import { CHECKSUM_ALGORITHMS, headerName, verifyChecksums } from "./checksums.js";
import { xml, xmlBody, type S3Call } from "./call.js";
import { isVersionIdShape, malformedXml } from "./errors.js";

const MAX_KEYS = 1000;

export interface DeleteRequestEntry {
  Key: string;
  VersionId?: string;
}

/** Parse <Delete><Quiet/><Object><Key/><VersionId/></Object>…</Delete>. */
export function readDeleteRequest(call: S3Call): { quiet: boolean; objects: DeleteRequestEntry[] } {
  const doc = xmlBody(call, ["Object"]);
  const root = doc.Delete;
  if (!root || typeof root !== "object") throw malformedXml();
  const objects: DeleteRequestEntry[] = (root.Object ?? []).map((o: any) => {
    if (!o || typeof o !== "object" || typeof o.Key !== "string") throw malformedXml();
    return { Key: o.Key, VersionId: typeof o.VersionId === "string" ? o.VersionId : undefined };
  });
  if (objects.length === 0 || objects.length > MAX_KEYS) throw malformedXml();
  const quiet = String(root.Quiet ?? "false").trim().toLowerCase() === "true";
  return { quiet, objects };
}

export async function deleteObjects(call: S3Call): Promise<GatewayResponse> {
  call.store.requireBucket(call.bucket);
  const hasChecksum = call.headers["content-md5"] !== undefined || CHECKSUM_ALGORITHMS.some((a) => call.headers[headerName(a)] !== undefined);
  if (!hasChecksum) {
    throw new AwsError("InvalidRequest", "Missing required header for this request: Content-MD5");
  }
  await verifyChecksums(call.headers, {}, call.req.body);
  const { quiet, objects } = readDeleteRequest(call);
  const deleted: Record<string, unknown>[] = [];
  const errors: Record<string, unknown>[] = [];
  for (const entry of objects) {
    try {
      if (entry.VersionId !== undefined && !isVersionIdShape(entry.VersionId)) {
        throw new AwsError("NoSuchVersion", "The specified version does not exist.");
      }
      const outcome = await call.store.deleteObject(call.ctx, { bucket: call.bucket, key: entry.Key, versionId: entry.VersionId, ids: call.ids, notifyMissing: true });
      if (quiet) continue;
      if (entry.VersionId !== undefined) {
        deleted.push({
          Key: entry.Key,
          VersionId: entry.VersionId,
          DeleteMarker: outcome.deleteMarker ? true : undefined,
          DeleteMarkerVersionId: outcome.deleteMarker ? outcome.versionId : undefined,
        });
      } else {
        deleted.push({
          Key: entry.Key,
          DeleteMarker: outcome.deleteMarker ? true : undefined,
          DeleteMarkerVersionId: outcome.deleteMarker ? outcome.versionId : undefined,
        });
      }
    } catch (err) {
      if (!isAwsError(err)) throw err;
      errors.push({ Key: entry.Key, VersionId: entry.VersionId, Code: err.code, Message: err.message });
    }
  }
  return xml(call, "DeleteResult", { Deleted: deleted, Error: errors });
}
