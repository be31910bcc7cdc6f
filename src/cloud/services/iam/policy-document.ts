/**
 * Policy documents as IAM accepts them: the grammar checks IAM runs before it
 * stores a trust policy (CreateRole, UpdateAssumeRolePolicy) or a permissions
 * policy (PutRolePolicy, CreatePolicy, CreatePolicyVersion), each failure a
 * MalformedPolicyDocument in AWS's words, plus the size quotas and the URL
 * encoding AWS applies to documents in its responses.
 *
 * Messages and where they come from (IAM user guide "policy grammar" and
 * errors seen from AWS in public issue trackers):
 * - not JSON → "This policy contains invalid Json"
 * - JSON that is not an object, an unknown top-level or statement element, a
 *   Statement that is not an object or a list of objects, an unknown Version
 *   → "Syntax errors in policy."
 * - an Effect other than Allow/Deny → "The policy failed legacy parsing"
 *   (what AWS answers for `"Effect": "allow"`)
 * - trust policy: "Missing required field Principal", "Has prohibited field
 *   Resource"; permissions policy: "Policy document should not specify a
 *   principal.", "Policy statement must contain actions.", "Policy statement
 *   must contain resources."
 * - UNCERTAIN: a missing Statement or Effect — AWS's exact sentence is not
 *   on record; we answer "Syntax errors in policy." and "Missing required
 *   field Effect".
 * A missing Version is accepted, as AWS accepts it (the 2008-10-17 grammar).
 * AWS stores and returns the document exactly as sent (whitespace included);
 * so do we — the parsed form is only for checking.
 */
import { limitExceeded, malformedPolicy } from "./errors.js";

export type PolicyKind = "trust" | "permissions";

const TOP_LEVEL = new Set(["Version", "Id", "Statement"]);
const STATEMENT_KEYS = new Set(["Sid", "Effect", "Action", "NotAction", "Resource", "NotResource", "Principal", "NotPrincipal", "Condition"]);
const VERSIONS = new Set(["2012-10-17", "2008-10-17"]);

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

/** A string or a non-empty list of strings (Action, Resource…). */
function isStringOrList(v: unknown): boolean {
  if (typeof v === "string") return true;
  return Array.isArray(v) && v.length > 0 && v.every((x) => typeof x === "string");
}

/** Principal: "*" or an object of AWS/Service/Federated/CanonicalUser → string or list. */
function isPrincipal(v: unknown): boolean {
  if (v === "*") return true;
  if (!isObject(v)) return false;
  const keys = Object.keys(v);
  if (!keys.length) return false;
  return keys.every((k) => ["AWS", "Service", "Federated", "CanonicalUser"].includes(k) && isStringOrList(v[k]));
}

/** Parse and check a policy document; throws MalformedPolicyDocument. Returns the parsed JSON. */
export function validatePolicyDocument(text: string, kind: PolicyKind): Record<string, unknown> {
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch {
    throw malformedPolicy("This policy contains invalid Json");
  }
  if (!isObject(doc)) throw malformedPolicy("Syntax errors in policy.");
  for (const key of Object.keys(doc)) if (!TOP_LEVEL.has(key)) throw malformedPolicy("Syntax errors in policy.");
  if (doc.Version !== undefined && (typeof doc.Version !== "string" || !VERSIONS.has(doc.Version))) {
    throw malformedPolicy("Syntax errors in policy.");
  }
  if (doc.Id !== undefined && typeof doc.Id !== "string") throw malformedPolicy("Syntax errors in policy.");
  const raw = doc.Statement;
  const statements = Array.isArray(raw) ? raw : raw === undefined ? null : [raw];
  if (!statements || !statements.length || !statements.every(isObject)) throw malformedPolicy("Syntax errors in policy.");
  for (const st of statements as Array<Record<string, unknown>>) checkStatement(st, kind);
  return doc;
}

function checkStatement(st: Record<string, unknown>, kind: PolicyKind): void {
  for (const key of Object.keys(st)) if (!STATEMENT_KEYS.has(key)) throw malformedPolicy("Syntax errors in policy.");
  if (st.Sid !== undefined && typeof st.Sid !== "string") throw malformedPolicy("Syntax errors in policy.");
  if (st.Effect === undefined) throw malformedPolicy("Missing required field Effect");
  if (st.Effect !== "Allow" && st.Effect !== "Deny") throw malformedPolicy("The policy failed legacy parsing");
  if (st.Action !== undefined && st.NotAction !== undefined) throw malformedPolicy("Syntax errors in policy.");
  for (const key of ["Action", "NotAction", "Resource", "NotResource"]) {
    if (st[key] !== undefined && !isStringOrList(st[key])) throw malformedPolicy("Syntax errors in policy.");
  }
  if (st.Condition !== undefined && !isObject(st.Condition)) throw malformedPolicy("Syntax errors in policy.");
  if (kind === "trust") {
    if (st.Resource !== undefined) throw malformedPolicy("Has prohibited field Resource");
    if (st.NotResource !== undefined) throw malformedPolicy("Has prohibited field NotResource");
    if (st.Principal === undefined && st.NotPrincipal === undefined) throw malformedPolicy("Missing required field Principal");
    const principal = st.Principal ?? st.NotPrincipal;
    if (!isPrincipal(principal)) {
      throw malformedPolicy("Invalid principal in policy: com.amazon.balsa.error.InvalidPolicyException: The passed in policy has a statement with no principals!");
    }
    if (st.Action === undefined && st.NotAction === undefined) throw malformedPolicy("Missing required field Action");
  } else {
    if (st.Principal !== undefined || st.NotPrincipal !== undefined) throw malformedPolicy("Policy document should not specify a principal.");
    if (st.Action === undefined && st.NotAction === undefined) throw malformedPolicy("Policy statement must contain actions.");
    if (st.Resource === undefined && st.NotResource === undefined) throw malformedPolicy("Policy statement must contain resources.");
  }
}

/** The AWS-principal entries of a trust policy's statements (Principal and NotPrincipal). */
export function awsPrincipals(doc: Record<string, unknown>): string[] {
  const raw = doc.Statement;
  const statements = (Array.isArray(raw) ? raw : [raw]) as Array<Record<string, unknown>>;
  const out: string[] = [];
  for (const st of statements) {
    for (const principal of [st.Principal, st.NotPrincipal]) {
      if (!isObject(principal) || principal.AWS === undefined) continue;
      out.push(...(Array.isArray(principal.AWS) ? principal.AWS.map(String) : [String(principal.AWS)]));
    }
  }
  return out;
}

const AWS_PRINCIPAL = /^(\*|\d{12}|arn:aws:iam::\d{12}:(root|role\/.+|user\/.+)|arn:aws:sts::\d{12}:(assumed-role|federated-user)\/.+)$/;

/**
 * AWS principals must be "*", an account id or an IAM/STS ARN; a role ARN of
 * this account must name an existing role (AWS resolves it to the role's
 * unique id when storing). Either failure is, in AWS's words,
 * `Invalid principal in policy: "AWS":"<value>"`.
 */
export function checkAwsPrincipals(doc: Record<string, unknown>, account: string, roleExists: (roleArn: string) => boolean): void {
  for (const value of awsPrincipals(doc)) {
    const sameAccountRole = value.startsWith(`arn:aws:iam::${account}:role/`);
    if (!AWS_PRINCIPAL.test(value) || (sameAccountRole && !roleExists(value))) {
      throw malformedPolicy(`Invalid principal in policy: "AWS":"${value}"`);
    }
  }
}

/** IAM's size quotas count characters without white space (IAM user guide, "IAM and AWS STS quotas"). */
export function policySize(text: string): number {
  return text.replace(/\s/g, "").length;
}

/** Trust policy: 2,048 characters (ACLSizePerRole). */
export function checkTrustPolicySize(text: string): void {
  if (policySize(text) > 2048) throw limitExceeded("Cannot exceed quota for ACLSizePerRole: 2048");
}

/** Managed policy: 6,144 characters. */
export function checkManagedPolicySize(text: string): void {
  if (policySize(text) > 6144) throw limitExceeded("Cannot exceed quota for PolicySize: 6144");
}

/** All inline policies of one role together: 10,240 characters. */
export function checkInlineAggregate(roleName: string, documents: string[]): void {
  const total = documents.reduce((sum, d) => sum + policySize(d), 0);
  if (total > 10240) throw limitExceeded(`Maximum policy size of 10240 bytes exceeded for role ${roleName}`);
}

/**
 * Documents leave IAM URL-encoded (RFC 3986: everything but unreserved
 * characters is percent-encoded). The SDK v3 hands this text to the caller
 * as is; the AWS CLI decodes it (botocore's policy-document customization).
 */
export function encodeDocument(text: string): string {
  return encodeURIComponent(text).replace(/[!'()*]/g, (c) => "%" + c.charCodeAt(0).toString(16).toUpperCase());
}
