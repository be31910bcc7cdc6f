/**
 * Bucket operations: CreateBucket (name rules, LocationConstraint against the
 * request's region, re-creation), HeadBucket, ListBuckets, DeleteBucket
 * (BucketNotEmpty), GetBucketLocation, Put/GetBucketVersioning and
 * Put/Get/DeleteBucketTagging. The bucket's notification configuration,
 * policy, CORS rules and in-progress multipart uploads go with it on DeleteBucket.
 *
 * CreateBucket on a bucket the caller already owns: 409
 * BucketAlreadyOwnedByYou, except in us-east-1 — a bucket created there and
 * re-created through us-east-1 with no other location answers 200 and changes
 * nothing (S3's documented legacy behaviour). Another account's bucket: 409
 * BucketAlreadyExists.
 */
import { AwsError } from "../../core/aws-error.js";
import { DEFAULT_REGION, S3_OWNER_ID } from "../../core/constants.js";
import type { GatewayResponse } from "../../core/service.js";
import { bucketNameProblem, checkBucketName } from "./bucket-names.js";
import { forgetBucketPolicy } from "./bucket-policy.js";
import { forgetBucketCors } from "./cors.js";
import { empty, xml, xmlBody, type S3Call } from "./call.js";
import { invalidArgument, malformedXml } from "./errors.js";
import { parseTaggingBody, tagSetXml } from "./tagging.js";
import { ownershipFromHeader } from "./ownership-controls.js";
import { ALL_BLOCKED } from "./public-access-block.js";
import type { BucketRecord } from "./object-store.js";

export const OWNER = { ID: S3_OWNER_ID, DisplayName: "webfile" };

const REGION_PATTERN = /^[a-z]{2}(-[a-z]+)+-\d+$/;

export async function createBucket(call: S3Call): Promise<GatewayResponse> {
  const name = call.bucket;
  checkBucketName(name);
  const requestRegion = call.ctx.region;
  let constraint: string | undefined;
  if (call.req.body.length > 0 && call.req.body.toString("utf8").trim() !== "") {
    const doc = xmlBody(call);
    const config = doc.CreateBucketConfiguration;
    if (config === undefined) throw malformedXml();
    const value = typeof config === "object" ? config.LocationConstraint : undefined;
    if (typeof value === "string" && value !== "") constraint = value;
  }
  if (constraint !== undefined && !REGION_PATTERN.test(constraint) && constraint !== "EU") {
    throw new AwsError("InvalidLocationConstraint", "The specified location-constraint is not valid", { fields: { LocationConstraint: constraint } });
  }
  if (requestRegion === DEFAULT_REGION) {
    if (constraint === DEFAULT_REGION) {
      // us-east-1 is the absence of a constraint; naming it is refused.
      throw new AwsError("InvalidLocationConstraint", "The specified location-constraint is not valid", { fields: { LocationConstraint: constraint } });
    }
  } else if (constraint === undefined) {
    throw new AwsError(
      "IllegalLocationConstraintException",
      "The unspecified location constraint is incompatible for the region specific endpoint this request was sent to.",
    );
  }
  if (constraint !== undefined && constraint !== requestRegion) {
    throw new AwsError("IllegalLocationConstraintException", `The ${constraint} location constraint is incompatible for the region specific endpoint this request was sent to.`);
  }
  const region = constraint ?? DEFAULT_REGION;

  const existing = call.store.bucket(name);
  if (existing) {
    if (existing.account !== call.ctx.account) {
      throw new AwsError("BucketAlreadyExists", "The requested bucket name is not available. The bucket namespace is shared by all users of the system. Please select a different name and try again.", {
        status: 409,
        fields: { BucketName: name },
      });
    }
    if (existing.region === DEFAULT_REGION && region === DEFAULT_REGION) {
      return empty(call, 200, { location: `/${name}` });
    }
    throw new AwsError("BucketAlreadyOwnedByYou", "Your previous request to create the named bucket succeeded and you already own it.", {
      status: 409,
      fields: { BucketName: name },
    });
  }
  // New buckets: ACLs disabled (BucketOwnerEnforced unless x-amz-object-ownership says otherwise) and all public access blocked, as S3 does since April 2023.
  const ownership = ownershipFromHeader(call.headers["x-amz-object-ownership"]);
  call.store.createBucket({ name, account: call.ctx.account, region, created: new Date().toISOString(), ownership, publicAccessBlock: { ...ALL_BLOCKED } } as BucketRecord);
  return empty(call, 200, { location: `/${name}` });
}

export function headBucket(call: S3Call): GatewayResponse {
  const bucket = call.store.requireBucket(call.bucket);
  return empty(call, 200, { "x-amz-bucket-region": bucket.region, "x-amz-access-point-alias": "false" });
}

export function listBuckets(call: S3Call): GatewayResponse {
  const q = call.query;
  const prefix = q.get("prefix") ?? "";
  const region = q.get("bucket-region");
  const maxText = q.get("max-buckets");
  let max = 10_000;
  if (maxText !== null) {
    if (!/^\d+$/.test(maxText) || Number(maxText) < 1 || Number(maxText) > 10_000) {
      throw invalidArgument("Argument max-buckets must be an integer between 1 and 10000", "max-buckets", maxText);
    }
    max = Number(maxText);
  }
  const token = q.get("continuation-token");
  let after = "";
  if (token !== null) {
    after = Buffer.from(token, "base64url").toString("utf8");
    if (!token || bucketNameProblem(after) !== undefined) throw invalidArgument("The continuation token provided is incorrect", "continuation-token", token);
  }
  const all = [...call.store.buckets.values()]
    .filter((b) => b.account === call.ctx.account && b.name.startsWith(prefix) && b.name > after && (region === null || b.region === region))
    .sort((a, b) => (a.name < b.name ? -1 : 1));
  const page = all.slice(0, max);
  const truncated = all.length > page.length;
  return xml(call, "ListAllMyBucketsResult", {
    Owner: OWNER,
    Buckets: { Bucket: page.map((b) => ({ Name: b.name, CreationDate: b.created, BucketRegion: b.region })) },
    ContinuationToken: truncated ? Buffer.from(page[page.length - 1]!.name).toString("base64url") : undefined,
    Prefix: prefix || undefined,
  });
}

export async function deleteBucket(call: S3Call): Promise<GatewayResponse> {
  const bucket = call.store.requireBucket(call.bucket);
  if (call.store.hasObjects(bucket.name)) {
    throw new AwsError("BucketNotEmpty", "The bucket you tried to delete is not empty", { status: 409, fields: { BucketName: bucket.name } });
  }
  call.store.deleteBucket(bucket.name);
  await call.multipart.forgetBucket(bucket.account, bucket.name);
  forgetBucketPolicy(call.cloud, bucket.account, bucket.name);
  forgetBucketCors(call, bucket.name);
  call.notifier.forgetBucket(bucket.account, bucket.region, bucket.name);
  return empty(call, 204);
}

export function getBucketLocation(call: S3Call): GatewayResponse {
  const bucket = call.store.requireBucket(call.bucket);
  // us-east-1 is reported as an empty LocationConstraint.
  return xml(call, "LocationConstraint", bucket.region === DEFAULT_REGION ? {} : { "#text": bucket.region });
}

export function putBucketVersioning(call: S3Call): GatewayResponse {
  call.store.requireBucket(call.bucket);
  const doc = xmlBody(call);
  const config = doc.VersioningConfiguration;
  if (config === undefined) throw malformedXml();
  const status = typeof config === "object" ? config.Status : undefined;
  if (status !== "Enabled" && status !== "Suspended") throw malformedXml();
  const mfa = typeof config === "object" ? config.MfaDelete : undefined;
  if (mfa === "Enabled") {
    throw new AwsError("InvalidRequest", "DevPay and Mfa are mutually exclusive authorization methods.");
  }
  call.store.updateBucket(call.bucket, { versioning: status });
  return empty(call, 200);
}

export function getBucketVersioning(call: S3Call): GatewayResponse {
  const bucket = call.store.requireBucket(call.bucket);
  return xml(call, "VersioningConfiguration", bucket.versioning ? { Status: bucket.versioning } : {});
}

/**
 * Local-only header standing in for the AWS service (e.g. CloudFormation) that
 * sets a bucket's aws:-prefixed tags, which S3 refuses from users: with it, the
 * cloud's admin may set them (they then appear as awsGeneratedTags in events).
 */
export const AWS_GENERATED_TAGS_HEADER = "x-localcloud-aws-generated-tags";

const isAwsTag = (t: { Key: string }) => t.Key.toLowerCase().startsWith("aws:");

export function putBucketTagging(call: S3Call): GatewayResponse {
  const bucket = call.store.requireBucket(call.bucket);
  const asAws = call.headers[AWS_GENERATED_TAGS_HEADER] === "true" && call.ctx.principal.kind === "admin";
  const tags = parseTaggingBody(call.req.body, "Bucket", asAws);
  // A user's tag set replaces the user tags; the aws: tags a service set stay (UNCERTAIN, see the s3 header).
  const kept = asAws ? [] : (bucket.tags ?? []).filter(isAwsTag);
  call.store.updateBucket(call.bucket, { tags: [...kept, ...tags] });
  return empty(call, 204);
}

export function getBucketTagging(call: S3Call): GatewayResponse {
  const bucket = call.store.requireBucket(call.bucket);
  if (!bucket.tags?.length) {
    throw new AwsError("NoSuchTagSet", "The TagSet does not exist", { status: 404, fields: { BucketName: bucket.name } });
  }
  return xml(call, "Tagging", tagSetXml(bucket.tags));
}

export function deleteBucketTagging(call: S3Call): GatewayResponse {
  const bucket = call.store.requireBucket(call.bucket);
  const kept = (bucket.tags ?? []).filter(isAwsTag);
  call.store.updateBucket(call.bucket, { tags: kept.length ? kept : undefined });
  return empty(call, 204);
}
