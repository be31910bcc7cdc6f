/**
 * S3 operations → IAM actions and resources (Service Authorization Reference,
 * "Amazon S3"). Buckets are arn:aws:s3:::<bucket>, objects
 * arn:aws:s3:::<bucket>/<key> (no region, no account).
 *
 * The input is what the S3 service passes to authorize(): the SDK's member
 * names — Bucket, Key, VersionId, CopySource ("bucket/key" or
 * "/bucket/key?versionId=…", URL-encoded), Prefix, Delimiter, MaxKeys, and for
 * DeleteObjects `Delete.Objects[].Key` (or `Keys: string[]`). When DeleteObjects
 * arrives without its keys, the check is made on arn:aws:s3:::<bucket>/* —
 * stricter than AWS, which decides per key (Gap, in enforce.ts's header).
 */
import type { ActionCheck, ActionMapping, Input } from "./types.js";
import { listOf, str } from "./types.js";

/** Operations whose IAM action is not s3:<Operation>. */
const RENAMED: Record<string, string> = {
  HeadObject: "GetObject",
  GetObjectAttributes: "GetObject",
  SelectObjectContent: "GetObject",
  HeadBucket: "ListBucket",
  ListObjects: "ListBucket",
  ListObjectsV2: "ListBucket",
  ListObjectVersions: "ListBucketVersions",
  ListBuckets: "ListAllMyBuckets",
  ListDirectoryBuckets: "ListAllMyBuckets",
  CreateMultipartUpload: "PutObject",
  UploadPart: "PutObject",
  CompleteMultipartUpload: "PutObject",
  ListParts: "ListMultipartUploadParts",
  ListMultipartUploads: "ListBucketMultipartUploads",
  GetBucketNotificationConfiguration: "GetBucketNotification",
  PutBucketNotificationConfiguration: "PutBucketNotification",
  GetBucketLifecycleConfiguration: "GetLifecycleConfiguration",
  PutBucketLifecycleConfiguration: "PutLifecycleConfiguration",
  DeleteBucketLifecycle: "PutLifecycleConfiguration",
  GetBucketCors: "GetBucketCORS",
  PutBucketCors: "PutBucketCORS",
  DeleteBucketCors: "PutBucketCORS",
  DeleteBucketTagging: "PutBucketTagging",
  GetBucketEncryption: "GetEncryptionConfiguration",
  PutBucketEncryption: "PutEncryptionConfiguration",
  DeleteBucketEncryption: "PutEncryptionConfiguration",
  GetPublicAccessBlock: "GetBucketPublicAccessBlock",
  PutPublicAccessBlock: "PutBucketPublicAccessBlock",
  DeletePublicAccessBlock: "PutBucketPublicAccessBlock",
  DeleteBucketOwnershipControls: "PutBucketOwnershipControls",
  GetBucketReplication: "GetReplicationConfiguration",
  PutBucketReplication: "PutReplicationConfiguration",
  DeleteBucketReplication: "PutReplicationConfiguration",
  GetBucketWebsite: "GetBucketWebsite",
  DeleteBucketWebsite: "DeleteBucketWebsite",
  GetObjectLockConfiguration: "GetBucketObjectLockConfiguration",
  PostObject: "PutObject",
  GetBucketAccelerateConfiguration: "GetAccelerateConfiguration",
  PutBucketAccelerateConfiguration: "PutAccelerateConfiguration",
  GetBucketAnalyticsConfiguration: "GetAnalyticsConfiguration",
  PutBucketAnalyticsConfiguration: "PutAnalyticsConfiguration",
  DeleteBucketAnalyticsConfiguration: "PutAnalyticsConfiguration",
  GetBucketInventoryConfiguration: "GetInventoryConfiguration",
  PutBucketInventoryConfiguration: "PutInventoryConfiguration",
  DeleteBucketInventoryConfiguration: "PutInventoryConfiguration",
  GetBucketMetricsConfiguration: "GetMetricsConfiguration",
  PutBucketMetricsConfiguration: "PutMetricsConfiguration",
  DeleteBucketMetricsConfiguration: "PutMetricsConfiguration",
  GetBucketIntelligentTieringConfiguration: "GetIntelligentTieringConfiguration",
  PutBucketIntelligentTieringConfiguration: "PutIntelligentTieringConfiguration",
  DeleteBucketIntelligentTieringConfiguration: "PutIntelligentTieringConfiguration",
  GetBucketLogging: "GetBucketLogging",
  PutBucketLogging: "PutBucketLogging",
  PutObjectLockConfiguration: "PutBucketObjectLockConfiguration",
};

/** With a VersionId these act on a version and need the …Version action. */
const VERSIONED: Record<string, string> = {
  GetObject: "GetObjectVersion",
  HeadObject: "GetObjectVersion",
  DeleteObject: "DeleteObjectVersion",
  GetObjectTagging: "GetObjectVersionTagging",
  PutObjectTagging: "PutObjectVersionTagging",
  DeleteObjectTagging: "DeleteObjectVersionTagging",
  GetObjectAcl: "GetObjectVersionAcl",
  PutObjectAcl: "PutObjectVersionAcl",
};

const bucketArn = (bucket: string) => `arn:aws:s3:::${bucket}`;
const objectArn = (bucket: string, key: string) => `arn:aws:s3:::${bucket}/${key}`;

/** "bucket/key", "/bucket/key?versionId=v" (URL-encoded) → parts. */
export function parseCopySource(copySource: string): { bucket: string; key: string; versionId?: string } | undefined {
  let text = copySource.startsWith("/") ? copySource.slice(1) : copySource;
  let versionId: string | undefined;
  const q = text.indexOf("?versionId=");
  if (q >= 0) {
    versionId = decodeURIComponent(text.slice(q + "?versionId=".length));
    text = text.slice(0, q);
  }
  let decoded: string;
  try {
    decoded = decodeURIComponent(text);
  } catch {
    decoded = text;
  }
  const slash = decoded.indexOf("/");
  if (slash <= 0 || slash === decoded.length - 1) return undefined;
  return { bucket: decoded.slice(0, slash), key: decoded.slice(slash + 1), versionId };
}

function deleteKeys(input: Input): string[] {
  const explicit = listOf(input.Keys).filter((k): k is string => typeof k === "string");
  if (explicit.length) return explicit;
  const del = input.Delete as { Objects?: unknown; Object?: unknown } | undefined;
  const objects = listOf(del?.Objects ?? del?.Object);
  return objects.map((o) => (o && typeof o === "object" ? str(o as Input, "Key") : undefined)).filter((k): k is string => !!k);
}

export function s3Actions(operation: string, input: Input): ActionMapping {
  const bucket = str(input, "Bucket");
  const key = str(input, "Key");
  const versionId = str(input, "VersionId");
  const action = (op: string) => `s3:${(versionId && VERSIONED[op]) || RENAMED[op] || op}`;

  if (operation === "ListBuckets" || operation === "ListDirectoryBuckets") return { checks: [{ action: "s3:ListAllMyBuckets", resource: "*" }] };
  if (!bucket) return { checks: [{ action: action(operation), resource: "*" }], guessed: !(operation in RENAMED) };

  if (operation === "CopyObject" || operation === "UploadPartCopy") {
    const source = parseCopySource(str(input, "CopySource") ?? "");
    const checks: ActionCheck[] = [];
    if (source) checks.push({ action: source.versionId ? "s3:GetObjectVersion" : "s3:GetObject", resource: objectArn(source.bucket, source.key) });
    checks.push({ action: "s3:PutObject", resource: objectArn(bucket, key ?? "") });
    return { checks };
  }
  if (operation === "DeleteObjects") {
    const keys = deleteKeys(input);
    return { checks: keys.length ? keys.map((k) => ({ action: "s3:DeleteObject", resource: objectArn(bucket, k) })) : [{ action: "s3:DeleteObject", resource: `${bucketArn(bucket)}/*` }] };
  }
  if (operation === "ListObjects" || operation === "ListObjectsV2" || operation === "ListObjectVersions") {
    // s3:prefix / s3:delimiter / s3:max-keys are present only when the request sends them.
    const context = {
      "s3:prefix": str(input, "Prefix", "prefix"),
      "s3:delimiter": str(input, "Delimiter", "delimiter"),
      "s3:max-keys": str(input, "MaxKeys", "max-keys"),
    };
    return { checks: [{ action: action(operation), resource: bucketArn(bucket), context }] };
  }
  const known = operation in RENAMED || operation in VERSIONED || /^(Get|Put|Delete|Create|Abort|Restore)/.test(operation);
  const resource = key !== undefined ? objectArn(bucket, key) : bucketArn(bucket);
  return { checks: [{ action: action(operation), resource, context: versionId ? { "s3:versionid": versionId } : undefined }], guessed: !known };
}
