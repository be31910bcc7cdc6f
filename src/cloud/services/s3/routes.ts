/**
 * S3's operation table: method + level (service, bucket or object) +
 * sub-resource query parameter (or a header, for copies) → operation name and
 * handler. The first matching row wins, so rows with a sub-resource come
 * before the plain one. A request naming a sub-resource this table does not
 * serve answers NotImplemented with the operation's name, never a wrong
 * operation.
 */
import { AwsError, notImplemented } from "../../core/aws-error.js";
import { deleteBucketPolicy, getBucketPolicy, putBucketPolicy, validateBucketPolicy } from "./bucket-policy.js";
import type { IamInternalApi } from "../../core/internal-apis.js";
import {
  createBucket,
  deleteBucket,
  deleteBucketTagging,
  getBucketLocation,
  getBucketTagging,
  getBucketVersioning,
  headBucket,
  listBuckets,
  putBucketTagging,
  putBucketVersioning,
} from "./buckets.js";
import { empty, xml, type S3Call, type S3Handler } from "./call.js";
import { copyObject } from "./copy-object.js";
import { deleteObjects } from "./delete-objects.js";
import { postObject } from "./post-object.js";
import { deleteBucketCors, getBucketCors, preflight, putBucketCors } from "./cors.js";
import { listObjects, listObjectsV2, listObjectVersions } from "./listing.js";
import {
  abortMultipartUpload,
  completeMultipartUpload,
  createMultipartUpload,
  listMultipartUploads,
  listParts,
  uploadPart,
  uploadPartCopy,
} from "./multipart-routes.js";
import { deleteObject, deleteObjectTagging, getObject, getObjectTagging, headObject, putObject, putObjectTagging } from "./objects.js";
import { S3_OWNER_ID } from "../../core/constants.js";
import { getObjectAcl, putObjectAcl } from "./acl.js";
import { restoreObject } from "./restore.js";
import { deleteBucketLifecycle, getBucketLifecycleConfiguration, putBucketLifecycleConfiguration } from "./lifecycle/index.js";
import { deleteBucketOwnershipControls, getBucketOwnershipControls, putBucketOwnershipControls } from "./ownership-controls.js";
import { checkPublicPolicy, deletePublicAccessBlock, getPublicAccessBlock, putPublicAccessBlock } from "./public-access-block.js";

type Level = "service" | "bucket" | "object";

export interface Route {
  method: string;
  level: Level;
  /** Query parameter that must be present (a sub-resource such as "tagging"), or a test of the query. */
  sub?: string;
  /** Header that must be present (x-amz-copy-source turns a PUT into a copy). */
  header?: string;
  operation: string;
  handler: S3Handler;
  /** The handler authorizes the operation itself (POST Object: the key and the signer are in the form). */
  authorizesItself?: boolean;
}

function requireOwnBucket(call: S3Call) {
  return call.store.requireBucket(call.bucket);
}

const putPolicy: S3Handler = (call) => {
  const bucket = requireOwnBucket(call);
  // A malformed policy is MalformedPolicy first; a valid public one then meets BlockPublicPolicy.
  validateBucketPolicy(call.req.body.toString("utf8"), bucket.name, call.cloud.use<IamInternalApi>("iam"));
  checkPublicPolicy(call, bucket, call.req.body.toString("utf8"));
  putBucketPolicy(call.cloud, bucket.account, bucket.name, call.req.body);
  return empty(call, 204);
};
const getPolicy: S3Handler = (call) => {
  const bucket = requireOwnBucket(call);
  const policy = getBucketPolicy(call.cloud, bucket.account, bucket.name);
  return { ...empty(call, 200, { "content-type": "application/json" }), body: policy };
};
const deletePolicy: S3Handler = (call) => {
  const bucket = requireOwnBucket(call);
  deleteBucketPolicy(call.cloud, bucket.account, bucket.name);
  return empty(call, 204);
};

const putNotification: S3Handler = async (call) => {
  requireOwnBucket(call);
  await call.notifier.put(call.ctx, call.bucket, call.req.body, call.headers);
  return empty(call, 200);
};
const getNotification: S3Handler = (call) => {
  requireOwnBucket(call);
  return xml(call, "NotificationConfiguration", call.notifier.get(call.ctx, call.bucket));
};

const getBucketAcl: S3Handler = (call) => {
  requireOwnBucket(call);
  return xml(call, "AccessControlPolicy", {
    Owner: { ID: S3_OWNER_ID },
    AccessControlList: {
      Grant: [
        {
          Grantee: { "@_xmlns:xsi": "http://www.w3.org/2001/XMLSchema-instance", "@_xsi:type": "CanonicalUser", ID: S3_OWNER_ID },
          Permission: "FULL_CONTROL",
        },
      ],
    },
  });
};

export const ROUTES: Route[] = [
  { method: "GET", level: "service", operation: "ListBuckets", handler: listBuckets },

  { method: "PUT", level: "bucket", sub: "versioning", operation: "PutBucketVersioning", handler: putBucketVersioning },
  { method: "PUT", level: "bucket", sub: "tagging", operation: "PutBucketTagging", handler: putBucketTagging },
  { method: "PUT", level: "bucket", sub: "policy", operation: "PutBucketPolicy", handler: putPolicy },
  { method: "PUT", level: "bucket", sub: "notification", operation: "PutBucketNotificationConfiguration", handler: putNotification },
  { method: "PUT", level: "bucket", sub: "cors", operation: "PutBucketCors", handler: putBucketCors },
  { method: "PUT", level: "bucket", sub: "ownershipControls", operation: "PutBucketOwnershipControls", handler: putBucketOwnershipControls },
  { method: "PUT", level: "bucket", sub: "lifecycle", operation: "PutBucketLifecycleConfiguration", handler: putBucketLifecycleConfiguration },
  { method: "PUT", level: "bucket", sub: "publicAccessBlock", operation: "PutPublicAccessBlock", handler: putPublicAccessBlock },
  { method: "PUT", level: "bucket", operation: "CreateBucket", handler: createBucket },
  { method: "GET", level: "bucket", sub: "location", operation: "GetBucketLocation", handler: getBucketLocation },
  { method: "GET", level: "bucket", sub: "versioning", operation: "GetBucketVersioning", handler: getBucketVersioning },
  { method: "GET", level: "bucket", sub: "tagging", operation: "GetBucketTagging", handler: getBucketTagging },
  { method: "GET", level: "bucket", sub: "policy", operation: "GetBucketPolicy", handler: getPolicy },
  { method: "GET", level: "bucket", sub: "notification", operation: "GetBucketNotificationConfiguration", handler: getNotification },
  { method: "GET", level: "bucket", sub: "acl", operation: "GetBucketAcl", handler: getBucketAcl },
  { method: "GET", level: "bucket", sub: "cors", operation: "GetBucketCors", handler: getBucketCors },
  { method: "GET", level: "bucket", sub: "ownershipControls", operation: "GetBucketOwnershipControls", handler: getBucketOwnershipControls },
  { method: "GET", level: "bucket", sub: "lifecycle", operation: "GetBucketLifecycleConfiguration", handler: getBucketLifecycleConfiguration },
  { method: "GET", level: "bucket", sub: "publicAccessBlock", operation: "GetPublicAccessBlock", handler: getPublicAccessBlock },
  { method: "GET", level: "bucket", sub: "uploads", operation: "ListMultipartUploads", handler: listMultipartUploads },
  { method: "GET", level: "bucket", sub: "versions", operation: "ListObjectVersions", handler: listObjectVersions },
  { method: "GET", level: "bucket", sub: "list-type", operation: "ListObjectsV2", handler: listObjectsV2 },
  { method: "GET", level: "bucket", operation: "ListObjects", handler: listObjects },
  { method: "HEAD", level: "bucket", operation: "HeadBucket", handler: headBucket },
  { method: "DELETE", level: "bucket", sub: "tagging", operation: "DeleteBucketTagging", handler: deleteBucketTagging },
  { method: "DELETE", level: "bucket", sub: "policy", operation: "DeleteBucketPolicy", handler: deletePolicy },
  { method: "DELETE", level: "bucket", sub: "cors", operation: "DeleteBucketCors", handler: deleteBucketCors },
  { method: "DELETE", level: "bucket", sub: "ownershipControls", operation: "DeleteBucketOwnershipControls", handler: deleteBucketOwnershipControls },
  { method: "DELETE", level: "bucket", sub: "lifecycle", operation: "DeleteBucketLifecycle", handler: deleteBucketLifecycle },
  { method: "DELETE", level: "bucket", sub: "publicAccessBlock", operation: "DeletePublicAccessBlock", handler: deletePublicAccessBlock },
  // The CORS preflight is unsigned: the bucket's CORS rules decide, not IAM.
  { method: "OPTIONS", level: "bucket", operation: "PreflightCors", handler: preflight, authorizesItself: true },
  { method: "OPTIONS", level: "object", operation: "PreflightCors", handler: preflight, authorizesItself: true },
  { method: "DELETE", level: "bucket", operation: "DeleteBucket", handler: deleteBucket },
  { method: "POST", level: "bucket", sub: "delete", operation: "DeleteObjects", handler: deleteObjects },
  { method: "POST", level: "bucket", operation: "PostObject", handler: postObject, authorizesItself: true },

  { method: "PUT", level: "object", sub: "tagging", operation: "PutObjectTagging", handler: putObjectTagging },
  { method: "PUT", level: "object", sub: "acl", operation: "PutObjectAcl", handler: putObjectAcl },
  { method: "PUT", level: "object", sub: "uploadId", header: "x-amz-copy-source", operation: "UploadPartCopy", handler: uploadPartCopy },
  { method: "PUT", level: "object", sub: "uploadId", operation: "UploadPart", handler: uploadPart },
  { method: "PUT", level: "object", header: "x-amz-copy-source", operation: "CopyObject", handler: copyObject },
  { method: "PUT", level: "object", operation: "PutObject", handler: putObject },
  { method: "GET", level: "object", sub: "tagging", operation: "GetObjectTagging", handler: getObjectTagging },
  { method: "GET", level: "object", sub: "acl", operation: "GetObjectAcl", handler: getObjectAcl },
  { method: "GET", level: "object", sub: "uploadId", operation: "ListParts", handler: listParts },
  { method: "GET", level: "object", operation: "GetObject", handler: getObject },
  { method: "HEAD", level: "object", operation: "HeadObject", handler: headObject },
  { method: "DELETE", level: "object", sub: "tagging", operation: "DeleteObjectTagging", handler: deleteObjectTagging },
  { method: "DELETE", level: "object", sub: "uploadId", operation: "AbortMultipartUpload", handler: abortMultipartUpload },
  { method: "DELETE", level: "object", operation: "DeleteObject", handler: deleteObject },
  { method: "POST", level: "object", sub: "restore", operation: "RestoreObject", handler: restoreObject },
  { method: "POST", level: "object", sub: "uploads", operation: "CreateMultipartUpload", handler: createMultipartUpload },
  { method: "POST", level: "object", sub: "uploadId", operation: "CompleteMultipartUpload", handler: completeMultipartUpload },
];

/**
 * Query parameters that name a sub-resource (S3 API reference). Only these
 * select an operation; others (prefix, max-keys, versionId, response-*…) are
 * arguments. Names with an operation in the comment are not served here.
 */
const SUBRESOURCES: Record<string, string> = {
  accelerate: "BucketAccelerateConfiguration",
  acl: "Acl",
  analytics: "BucketAnalyticsConfiguration",
  attributes: "GetObjectAttributes",
  encryption: "BucketEncryption",
  "intelligent-tiering": "BucketIntelligentTieringConfiguration",
  inventory: "BucketInventoryConfiguration",
  "legal-hold": "ObjectLegalHold",
  lifecycle: "BucketLifecycleConfiguration",
  logging: "BucketLogging",
  metadataTable: "BucketMetadataTableConfiguration",
  metrics: "BucketMetricsConfiguration",
  "object-lock": "ObjectLockConfiguration",
  ownershipControls: "BucketOwnershipControls",
  policyStatus: "BucketPolicyStatus",
  publicAccessBlock: "PublicAccessBlock",
  replication: "BucketReplication",
  requestPayment: "BucketRequestPayment",
  restore: "RestoreObject",
  retention: "ObjectRetention",
  select: "SelectObjectContent",
  session: "CreateSession",
  torrent: "GetObjectTorrent",
  website: "BucketWebsite",
  renameObject: "RenameObject",
};

const METHOD_VERB: Record<string, string> = { GET: "Get", PUT: "Put", DELETE: "Delete", POST: "Post", HEAD: "Head" };

export interface Resolved {
  operation: string;
  handler: S3Handler;
  authorizesItself: boolean;
}

export function resolveRoute(method: string, level: Level, query: URLSearchParams, headers: Record<string, string>): Resolved {
  for (const route of ROUTES) {
    if (route.method !== method || route.level !== level) continue;
    if (route.sub !== undefined && !query.has(route.sub)) continue;
    if (route.header !== undefined && headers[route.header] === undefined) continue;
    if (route.sub === undefined) {
      // A plain route must not swallow a sub-resource it does not serve (GET ?cors is not ListObjects).
      const unserved = [...query.keys()].find((k) => k in SUBRESOURCES);
      if (unserved) {
        const name = SUBRESOURCES[unserved]!;
        const operation = /^(Get|Put|Delete|Create|Restore|Select|Rename)/.test(name) ? name : `${METHOD_VERB[method] ?? method}${name}`;
        throw notImplemented("s3", operation);
      }
    }
    return { operation: route.operation, handler: route.handler, authorizesItself: !!route.authorizesItself };
  }
  if (level === "service") {
    // S3 serves only GET (ListBuckets) on the service root; any other method is AWS's 405, not a gap.
    throw new AwsError("MethodNotAllowed", "The specified method is not allowed against this resource.", { status: 405, fields: { Method: method, ResourceType: "SERVICE" } });
  }
  const what = level === "bucket" ? `${method} /{bucket}` : `${method} /{bucket}/{key}`;
  throw notImplemented("s3", `${what}${query.toString() ? "?" + [...query.keys()].join("&") : ""}`);
}
