/**
 * Bucket policies: PutBucketPolicy / GetBucketPolicy / DeleteBucketPolicy.
 * The policy is stored as the JSON text the client sent (GetBucketPolicy
 * returns it verbatim, as S3 does) in the table "s3.bucket-policies", keyed
 * `<account>/<bucket>`; `bucketPolicy(cloud, account, bucket)` is how the
 * policy engine (src/cloud/policy/) reads it.
 *
 * PutBucketPolicy validates like S3 does before storing: JSON whose first byte
 * is `{`, a Statement, Effect Allow/Deny, a Principal, s3 actions only,
 * resources inside this bucket, known principals (a role ARN must name an
 * existing role when IAM runs here) — each failure a 400 MalformedPolicy with
 * S3's message. Condition blocks are checked for shape, not for known keys.
 */
import { Glob } from "../../policy/glob.js";
import type { Cloud } from "../../core/cloud.js";
import { AwsError } from "../../core/aws-error.js";
import type { IamInternalApi } from "../../core/internal-apis.js";

export const BUCKET_POLICY_TABLE = "s3.bucket-policies";

/** S3's limit on a bucket policy document. */
const MAX_POLICY_BYTES = 20 * 1024;

interface StoredPolicy {
  policy: string;
  updated: string;
}

const malformed = (message: string) => new AwsError("MalformedPolicy", message);

function table(cloud: Cloud) {
  return cloud.store.table<StoredPolicy>(BUCKET_POLICY_TABLE);
}

/** The bucket's policy document (JSON text), or undefined when it has none. For the policy engine. */
export function bucketPolicy(cloud: Cloud, account: string, bucket: string): string | undefined {
  return table(cloud).get(`${account}/${bucket}`)?.policy;
}

/** PutBucketPolicy: validate and store. The caller has checked that the bucket exists and is the caller's. */
export function putBucketPolicy(cloud: Cloud, account: string, bucket: string, body: Buffer | string): void {
  const text = typeof body === "string" ? body : body.toString("utf8");
  validateBucketPolicy(text, bucket, cloud.use<IamInternalApi>("iam"));
  table(cloud).set(`${account}/${bucket}`, { policy: text, updated: new Date().toISOString() });
}

/** GetBucketPolicy: the document, or 404 NoSuchBucketPolicy. */
export function getBucketPolicy(cloud: Cloud, account: string, bucket: string): string {
  const policy = bucketPolicy(cloud, account, bucket);
  if (policy === undefined) {
    throw new AwsError("NoSuchBucketPolicy", "The bucket policy does not exist", { status: 404, fields: { BucketName: bucket } });
  }
  return policy;
}

/** DeleteBucketPolicy: idempotent (204 whether or not a policy existed). */
export function deleteBucketPolicy(cloud: Cloud, account: string, bucket: string): void {
  table(cloud).delete(`${account}/${bucket}`);
}

/** Forget the policy of a deleted bucket (DeleteBucket calls this). */
export function forgetBucketPolicy(cloud: Cloud, account: string, bucket: string): void {
  table(cloud).delete(`${account}/${bucket}`);
}

const STATEMENT_FIELDS = new Set(["Sid", "Effect", "Principal", "NotPrincipal", "Action", "NotAction", "Resource", "NotResource", "Condition"]);

/** Throws MalformedPolicy with S3's message when the document would be refused by S3. */
export function validateBucketPolicy(text: string, bucket: string, iam?: IamInternalApi): void {
  if (Buffer.byteLength(text) > MAX_POLICY_BYTES) throw malformed("Policies must be less than 20 KB");
  let doc: unknown;
  try {
    if (!text.trimStart().startsWith("{")) throw new Error("not an object");
    doc = JSON.parse(text);
  } catch {
    throw malformed("Policies must be valid JSON and the first byte must be '{'");
  }
  if (!doc || typeof doc !== "object" || Array.isArray(doc)) throw malformed("Policies must be valid JSON and the first byte must be '{'");
  const policy = doc as Record<string, unknown>;
  for (const field of Object.keys(policy)) {
    if (!["Version", "Id", "Statement"].includes(field)) throw malformed(`Unknown field ${field}`);
  }
  if (policy.Version !== undefined && policy.Version !== "2012-10-17" && policy.Version !== "2008-10-17") {
    throw malformed("The policy must contain a valid version string");
  }
  if (policy.Statement === undefined) throw malformed("Missing required field Statement");
  const statements = Array.isArray(policy.Statement) ? policy.Statement : [policy.Statement];
  if (statements.length === 0) throw malformed("Could not parse the policy: Statement is empty!");
  const sids = new Set<string>();
  for (const raw of statements) {
    if (!raw || typeof raw !== "object" || Array.isArray(raw)) throw malformed("Policies must be valid JSON and the first byte must be '{'");
    const st = raw as Record<string, unknown>;
    for (const field of Object.keys(st)) if (!STATEMENT_FIELDS.has(field)) throw malformed(`Unknown field ${field}`);
    if (typeof st.Sid === "string") {
      if (sids.has(st.Sid)) throw malformed("Statement IDs (SID) in a single policy must be unique.");
      sids.add(st.Sid);
    }
    if (st.Effect === undefined) throw malformed("Missing required field Effect");
    if (st.Effect !== "Allow" && st.Effect !== "Deny") throw malformed(`Invalid effect: ${String(st.Effect)}`);
    const principal = st.Principal ?? st.NotPrincipal;
    if (principal === undefined) throw malformed("Missing required field Principal");
    checkPrincipal(principal, iam);
    const actions = st.Action ?? st.NotAction;
    if (actions === undefined) throw malformed("Missing required field Action");
    for (const action of stringList(actions, "Action")) {
      if (action !== "*" && !/^s3:[A-Za-z0-9*?]+$/i.test(action)) throw malformed("Policy has invalid action");
    }
    const resources = st.Resource ?? st.NotResource;
    if (resources === undefined) throw malformed("Missing required field Resource");
    for (const resource of stringList(resources, "Resource")) {
      if (!resourceInBucket(resource, bucket)) throw malformed("Policy has invalid resource");
    }
    if (st.Condition !== undefined) checkCondition(st.Condition);
  }
}

function stringList(value: unknown, field: string): string[] {
  const list = Array.isArray(value) ? value : [value];
  if (list.length === 0 || list.some((v) => typeof v !== "string")) {
    throw malformed(field === "Action" ? "Policy has invalid action" : "Policy has invalid resource");
  }
  return list as string[];
}

/** S3 accepts only resources in the bucket the policy is attached to (wildcards allowed). */
function resourceInBucket(resource: string, bucket: string): boolean {
  if (resource === "*") return true;
  const m = /^arn:aws:s3:::([^/]+)(\/.*)?$/.exec(resource);
  if (!m) return false;
  return Glob.of(m[1]!).test(bucket); // linear wildcard match (policy/glob.ts), no regex built from the policy
}

function checkPrincipal(principal: unknown, iam?: IamInternalApi): void {
  if (principal === "*") return;
  if (!principal || typeof principal !== "object" || Array.isArray(principal)) throw malformed("Invalid principal in policy");
  for (const [kind, value] of Object.entries(principal as Record<string, unknown>)) {
    const values = Array.isArray(value) ? value : [value];
    if (values.length === 0 || values.some((v) => typeof v !== "string")) throw malformed("Invalid principal in policy");
    for (const v of values as string[]) {
      if (kind === "AWS") {
        if (v === "*" || /^\d{12}$/.test(v) || /^arn:aws:iam::\d{12}:root$/.test(v) || /^arn:aws:sts::\d{12}:assumed-role\/.+/.test(v)) continue;
        const role = /^arn:aws:iam::(\d{12}):role\/(?:.*\/)?([^/]+)$/.exec(v);
        if (role) {
          // AWS resolves principals when the policy is saved: a role that does not exist is refused.
          if (iam && !iam.getRole(role[1]!, v)) throw malformed("Invalid principal in policy");
          continue;
        }
        if (/^arn:aws:iam::\d{12}:user\/.+$/.test(v)) continue;
        throw malformed("Invalid principal in policy");
      } else if (kind === "Service") {
        if (!/^[a-z0-9.-]+\.amazonaws\.com(\.cn)?$/.test(v)) throw malformed("Invalid principal in policy");
      } else if (kind === "CanonicalUser") {
        if (!/^[0-9a-f]{64}$/.test(v)) throw malformed("Invalid principal in policy");
      } else if (kind !== "Federated") {
        throw malformed("Invalid principal in policy");
      }
    }
  }
}

function checkCondition(condition: unknown): void {
  if (!condition || typeof condition !== "object" || Array.isArray(condition)) throw malformed("Invalid Condition type");
  for (const [operator, block] of Object.entries(condition as Record<string, unknown>)) {
    if (!/^[A-Za-z:]+$/.test(operator)) throw malformed(`Invalid Condition type : ${operator}`);
    if (!block || typeof block !== "object" || Array.isArray(block)) throw malformed(`Invalid Condition type : ${operator}`);
  }
}
