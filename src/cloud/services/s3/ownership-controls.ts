/**
 * S3 Object Ownership (Put/Get/DeleteBucketOwnershipControls,
 * ?ownershipControls; CreateBucket's x-amz-object-ownership header):
 * BucketOwnerEnforced disables ACLs — a request that sets an ACL other than
 * bucket-owner-full-control fails with 400 AccessControlListNotSupported,
 * reading ACLs still works and shows the owner's FULL_CONTROL (acl.ts).
 * BucketOwnerPreferred and ObjectWriter keep ACLs working (one account here,
 * so the two behave alike). New buckets are BucketOwnerEnforced, as S3 has
 * made them since April 2023; a bucket without controls (stored before this,
 * or after DeleteBucketOwnershipControls) behaves as ObjectWriter.
 */
import { AwsError } from "../../core/aws-error.js";
import { empty, xml, xmlBody, type S3Call, type S3Handler } from "./call.js";
import { malformedXml } from "./errors.js";
import type { BucketRecord } from "./object-store.js";

export type ObjectOwnership = "BucketOwnerEnforced" | "BucketOwnerPreferred" | "ObjectWriter";
const VALUES = new Set<string>(["BucketOwnerEnforced", "BucketOwnerPreferred", "ObjectWriter"]);

type WithOwnership = BucketRecord & { ownership?: ObjectOwnership };

export function ownershipOf(bucket: BucketRecord): ObjectOwnership | undefined {
  return (bucket as WithOwnership).ownership;
}

export function aclsDisabled(bucket: BucketRecord): boolean {
  return ownershipOf(bucket) === "BucketOwnerEnforced";
}

export const aclNotSupported = () => new AwsError("AccessControlListNotSupported", "The bucket does not allow ACLs");

/** CreateBucket's x-amz-object-ownership (default BucketOwnerEnforced); an unknown value is InvalidArgument. */
export function ownershipFromHeader(value: string | undefined): ObjectOwnership {
  if (value === undefined) return "BucketOwnerEnforced";
  if (!VALUES.has(value)) {
    throw new AwsError("InvalidArgument", "Invalid x-amz-object-ownership header: " + value, { fields: { ArgumentName: "x-amz-object-ownership", ArgumentValue: value } });
  }
  return value as ObjectOwnership;
}

export const putBucketOwnershipControls: S3Handler = (call: S3Call) => {
  const bucket = call.store.requireBucket(call.bucket);
  const rules = xmlBody(call, ["Rule"]).OwnershipControls?.Rule;
  // Exactly one rule naming a known setting.
  if (!Array.isArray(rules) || rules.length !== 1) throw malformedXml();
  const value = typeof rules[0] === "object" ? rules[0]?.ObjectOwnership : undefined;
  if (typeof value !== "string" || !VALUES.has(value)) throw malformedXml();
  call.store.updateBucket(bucket.name, { ownership: value as ObjectOwnership } as Partial<WithOwnership>);
  return empty(call, 200);
};

export const getBucketOwnershipControls: S3Handler = (call: S3Call) => {
  const bucket = call.store.requireBucket(call.bucket);
  const ownership = ownershipOf(bucket);
  if (!ownership) {
    throw new AwsError("OwnershipControlsNotFoundError", "The bucket ownership controls were not found", { status: 404, fields: { BucketName: bucket.name } });
  }
  return xml(call, "OwnershipControls", { Rule: [{ ObjectOwnership: ownership }] });
};

export const deleteBucketOwnershipControls: S3Handler = (call: S3Call) => {
  const bucket = call.store.requireBucket(call.bucket);
  call.store.updateBucket(bucket.name, { ownership: undefined } as Partial<WithOwnership>);
  return empty(call, 204);
};
