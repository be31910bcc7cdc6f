/**
 * CompleteMultipartUpload's request: parsing its XML body, checking the part
 * list against the upload as S3 does (InvalidPartOrder, InvalidPart,
 * EntityTooSmall, the checksum mode and per-part checksums), and the checksum
 * the completed object gets (COMPOSITE "-N" or FULL_OBJECT, CRC64NVME when
 * none was chosen). multipart.ts's complete() calls these in that order.
 */
import { AwsError } from "../../core/aws-error.js";
import { compositeChecksum, type ChecksumAlgorithm, type ObjectChecksum } from "./checksums.js";
import type { JoinedParts } from "./multipart-concat.js";
import { MIN_PART_SIZE, type PartRecord, type UploadRecord } from "./multipart.js";

export type RequestedPart = { partNumber: number; etag: string; checksums: Partial<Record<ChecksumAlgorithm, string>> };

/** Parse the <CompleteMultipartUpload> body (already XML-parsed by the caller with Part as a list). */
export function readCompleteRequest(parsed: Record<string, any>): RequestedPart[] {
  const root = parsed.CompleteMultipartUpload;
  if (!root || typeof root !== "object") {
    throw new AwsError("MalformedXML", "The XML you provided was not well-formed or did not validate against our published schema");
  }
  const parts: any[] = Array.isArray(root.Part) ? root.Part : root.Part ? [root.Part] : [];
  return parts.map((p) => {
    const partNumber = String(p?.PartNumber ?? "");
    if (!/^\d+$/.test(partNumber) || typeof p?.ETag !== "string") {
      throw new AwsError("MalformedXML", "The XML you provided was not well-formed or did not validate against our published schema");
    }
    const checksums: Partial<Record<ChecksumAlgorithm, string>> = {};
    for (const alg of ["CRC32", "CRC32C", "CRC64NVME", "SHA1", "SHA256"] as const) {
      if (typeof p[`Checksum${alg}`] === "string") checksums[alg] = p[`Checksum${alg}`];
    }
    return { partNumber: Number(partNumber), etag: p.ETag, checksums };
  });
}

/** The parts Complete names, checked in S3's order of errors; returns them in the request's order. */
export function checkCompleteRequest(
  upload: UploadRecord,
  requested: RequestedPart[],
  requestHeaders: Record<string, string>,
  partOf: (partNumber: number) => PartRecord | undefined,
): PartRecord[] {
  const typeHeader = requestHeaders["x-amz-checksum-type"]?.toUpperCase();
  if (typeHeader !== undefined && upload.checksumType && typeHeader !== upload.checksumType) {
    throw new AwsError(
      "InvalidRequest",
      `The upload was created using the ${upload.checksumType} checksum mode. The complete request must use the same checksum mode.`,
    );
  }
  if (requested.length === 0) {
    throw new AwsError("MalformedXML", "The XML you provided was not well-formed or did not validate against our published schema");
  }
  for (let i = 1; i < requested.length; i++) {
    if (requested[i]!.partNumber <= requested[i - 1]!.partNumber) {
      throw new AwsError("InvalidPartOrder", "The list of parts was not in ascending order. Parts must be ordered by part number.", {
        fields: { UploadId: upload.uploadId },
      });
    }
  }
  const chosen: PartRecord[] = [];
  for (const [i, wanted] of requested.entries()) {
    const part = partOf(wanted.partNumber);
    const etag = wanted.etag.trim().replace(/^"|"$/g, "");
    if (!part || part.etag !== etag) {
      throw new AwsError(
        "InvalidPart",
        "One or more of the specified parts could not be found.  The part may not have been uploaded, or the specified entity tag may not match the part's entity tag.",
        { fields: { UploadId: upload.uploadId, PartNumber: wanted.partNumber, ETag: wanted.etag } },
      );
    }
    if (upload.checksumAlgorithm) {
      const sent = wanted.checksums[upload.checksumAlgorithm];
      if (sent === undefined && upload.checksumType === "COMPOSITE") {
        throw new AwsError(
          "InvalidRequest",
          `The upload was created using a ${upload.checksumAlgorithm.toLowerCase()} checksum. The complete request must include the checksum for each part. It was missing for part ${wanted.partNumber} in the request.`,
        );
      }
      if (sent !== undefined && sent !== part.checksum?.value) {
        throw new AwsError(
          "InvalidPart",
          "One or more of the specified parts could not be found.  The part may not have been uploaded, or the specified entity tag may not match the part's entity tag.",
          { fields: { UploadId: upload.uploadId, PartNumber: wanted.partNumber, ETag: wanted.etag } },
        );
      }
    }
    if (i < requested.length - 1 && part.size < MIN_PART_SIZE) {
      throw new AwsError("EntityTooSmall", "Your proposed upload is smaller than the minimum allowed size", {
        fields: { ProposedSize: part.size, MinSizeAllowed: MIN_PART_SIZE, PartNumber: part.partNumber, ETag: part.etag },
      });
    }
    chosen.push(part);
  }
  return chosen;
}

/** The completed object's checksum, from its parts (COMPOSITE) or the joined bytes' digest (FULL_OBJECT). */
export async function completedChecksum(upload: UploadRecord, chosen: PartRecord[], joined: JoinedParts): Promise<ObjectChecksum> {
  if (upload.checksumAlgorithm && upload.checksumType === "COMPOSITE") {
    const values = chosen.map((p) => p.checksum?.value ?? "");
    return { algorithm: upload.checksumAlgorithm, value: await compositeChecksum(upload.checksumAlgorithm, values), type: "COMPOSITE" };
  }
  if (upload.checksumAlgorithm) return { algorithm: upload.checksumAlgorithm, value: joined.digest!.toString("base64"), type: "FULL_OBJECT" };
  // No algorithm chosen: S3 still gives the object a full-object CRC64NVME.
  return { algorithm: "CRC64NVME", value: joined.digest!.toString("base64"), type: "FULL_OBJECT", defaulted: true };
}
