/**
 * Block Public Access on a bucket (Put/Get/DeletePublicAccessBlock,
 * ?publicAccessBlock) and the two places S3 enforces it here:
 * - BlockPublicAcls: a request that sets a public ACL (canned public-read,
 *   public-read-write, authenticated-read, or a grant to the AllUsers /
 *   AuthenticatedUsers groups) on PutObject or PutObjectAcl → 403 AccessDenied;
 * - BlockPublicPolicy: PutBucketPolicy with a public policy (an Allow to
 *   Principal "*" without a condition that pins the caller: source IP, VPC,
 *   account, ARN, organisation…) → 403 AccessDenied.
 * New buckets get all four settings true, as S3 has done since April 2023
 * (buckets.ts, CreateBucket); buckets stored before this have none.
 * Gaps: IgnorePublicAcls and RestrictPublicBuckets are stored and returned but
 * change nothing (ACLs never grant access here, see acl.ts); the account-level
 * block (s3control) is not modelled.
 */
import { AwsError } from "../../core/aws-error.js";
import { empty, xml, xmlBody, type S3Call, type S3Handler } from "./call.js";
import { malformedXml } from "./errors.js";
import type { BucketRecord } from "./object-store.js";

export interface PublicAccessBlock {
  BlockPublicAcls: boolean;
  IgnorePublicAcls: boolean;
  BlockPublicPolicy: boolean;
  RestrictPublicBuckets: boolean;
}

const FIELDS = ["BlockPublicAcls", "IgnorePublicAcls", "BlockPublicPolicy", "RestrictPublicBuckets"] as const;

export const ALL_BLOCKED: PublicAccessBlock = { BlockPublicAcls: true, IgnorePublicAcls: true, BlockPublicPolicy: true, RestrictPublicBuckets: true };

type WithBlock = BucketRecord & { publicAccessBlock?: PublicAccessBlock };

export function publicAccessBlockOf(bucket: BucketRecord): PublicAccessBlock | undefined {
  return (bucket as WithBlock).publicAccessBlock;
}

/** Throws AccessDenied (S3's plain "Access Denied") when the bucket blocks public ACLs and this ACL is public. */
export function checkPublicAcl(bucket: BucketRecord, isPublic: boolean): void {
  if (isPublic && publicAccessBlockOf(bucket)?.BlockPublicAcls) throw new AwsError("AccessDenied", "Access Denied", { status: 403 });
}

/** Condition keys that pin who may use a statement, making it non-public (S3 user guide, "The meaning of public"). */
const PINNING_KEYS = /^(aws:(SourceIp|SourceVpc|SourceVpce|SourceAccount|SourceArn|SourceOwner|PrincipalAccount|PrincipalArn|PrincipalOrgID|PrincipalOrgPaths|userid|PrincipalServiceName)|s3:DataAccessPointAccount|s3:DataAccessPointArn)$/i;

/** Is this bucket policy public: some Allow statement open to everyone, unpinned by its conditions? */
export function isPublicPolicy(policyText: string): boolean {
  let doc: any;
  try {
    doc = JSON.parse(policyText);
  } catch {
    return false; // the policy module reports the syntax error
  }
  const statements = Array.isArray(doc?.Statement) ? doc.Statement : [doc?.Statement];
  return statements.some((s: any) => {
    if (!s || s.Effect !== "Allow") return false;
    const p = s.Principal;
    const everyone = p === "*" || (p && typeof p === "object" && [p.AWS].flat().includes("*"));
    if (!everyone) return false;
    const keys = Object.values(s.Condition ?? {}).flatMap((byKey: any) => Object.keys(byKey ?? {}));
    return !keys.some((k) => PINNING_KEYS.test(k));
  });
}

/** PutBucketPolicy's check (called by routes.ts before the policy is stored). */
export function checkPublicPolicy(call: S3Call, bucket: BucketRecord, policyText: string): void {
  if (publicAccessBlockOf(bucket)?.BlockPublicPolicy && isPublicPolicy(policyText)) {
    throw new AwsError(
      "AccessDenied",
      `User: ${call.ctx.principal.arn} is not authorized to perform: s3:PutBucketPolicy on resource: "arn:aws:s3:::${bucket.name}" because public policies are blocked by the BlockPublicPolicy block public access setting.`,
      { status: 403 },
    );
  }
}

export const putPublicAccessBlock: S3Handler = (call: S3Call) => {
  const bucket = call.store.requireBucket(call.bucket);
  const root = xmlBody(call).PublicAccessBlockConfiguration;
  if (root === undefined) throw malformedXml();
  const config = {} as PublicAccessBlock;
  for (const field of FIELDS) {
    const raw = root && typeof root === "object" ? root[field] : undefined;
    if (raw !== undefined && !/^(true|false)$/i.test(String(raw).trim())) throw malformedXml();
    // A missing setting is false, as S3 stores it.
    config[field] = String(raw ?? "false").trim().toLowerCase() === "true";
  }
  call.store.updateBucket(bucket.name, { publicAccessBlock: config } as Partial<WithBlock>);
  return empty(call, 200);
};

export const getPublicAccessBlock: S3Handler = (call: S3Call) => {
  const bucket = call.store.requireBucket(call.bucket);
  const config = publicAccessBlockOf(bucket);
  if (!config) {
    throw new AwsError("NoSuchPublicAccessBlockConfiguration", "The public access block configuration was not found", { status: 404, fields: { BucketName: bucket.name } });
  }
  return xml(call, "PublicAccessBlockConfiguration", { ...config });
};

export const deletePublicAccessBlock: S3Handler = (call: S3Call) => {
  const bucket = call.store.requireBucket(call.bucket);
  call.store.updateBucket(bucket.name, { publicAccessBlock: undefined } as Partial<WithBlock>);
  return empty(call, 204);
};
