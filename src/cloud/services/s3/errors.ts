/**
 * The S3 errors more than one handler throws, with AWS's codes, statuses,
 * messages and the extra <Error> elements S3 adds (<BucketName>, <Key>…), so
 * that every handler answers the same mistake the same way.
 */
import { AwsError } from "../../core/aws-error.js";

export const noSuchBucket = (bucket: string) =>
  new AwsError("NoSuchBucket", "The specified bucket does not exist", { status: 404, fields: { BucketName: bucket } });

export const noSuchKey = (key: string) => new AwsError("NoSuchKey", "The specified key does not exist.", { status: 404, fields: { Key: key } });

export const noSuchVersion = (key: string, versionId: string) =>
  new AwsError("NoSuchVersion", "The specified version does not exist.", { status: 404, fields: { Key: key, VersionId: versionId } });

/** Could this be a version id S3 (or this cloud) issued? "null" or 32 URL-safe characters. */
export function isVersionIdShape(versionId: string): boolean {
  return versionId === "null" || /^[A-Za-z0-9._-]{32}$/.test(versionId);
}

/** A versionId that cannot be one of ours (S3 checks the form before looking). */
export const invalidVersionId = (versionId: string) =>
  new AwsError("InvalidArgument", "Invalid version id specified", { fields: { ArgumentName: "versionId", ArgumentValue: versionId } });

export const malformedXml = () =>
  new AwsError("MalformedXML", "The XML you provided was not well-formed or did not validate against our published schema");

export const preconditionFailed = (condition: string) =>
  new AwsError("PreconditionFailed", "At least one of the pre-conditions you specified did not hold", { status: 412, fields: { Condition: condition } });

export const invalidArgument = (message: string, name: string, value?: string) =>
  new AwsError("InvalidArgument", message, { fields: { ArgumentName: name, ArgumentValue: value } });

/** GET/HEAD of a delete marker: 404 (or 405 with a versionId) and the marker headers. */
export function deleteMarkerError(key: string, versionId: string, explicitVersion: boolean): AwsError {
  if (explicitVersion) {
    return new AwsError("MethodNotAllowed", "The specified method is not allowed against this resource.", {
      status: 405,
      fields: { Method: "GET", ResourceType: "DeleteMarker" },
      headers: { "x-amz-delete-marker": "true", "x-amz-version-id": versionId, allow: "DELETE" },
    });
  }
  return new AwsError("NoSuchKey", "The specified key does not exist.", {
    status: 404,
    fields: { Key: key },
    headers: { "x-amz-delete-marker": "true", "x-amz-version-id": versionId },
  });
}
