/**
 * POST Object: browser-form uploads (multipart/form-data to POST /{bucket}),
 * as made by @aws-sdk/s3-presigned-post or an HTML form. S3's checks, in
 * order: the form shape (a `key` field, exactly one `file`, fields after
 * `file` ignored), the signature of the policy (SigV4 `x-amz-*` fields or
 * SigV2 `AWSAccessKeyId`/`signature`), the policy itself (expiration, every
 * condition — eq, starts-with, content-length-range — and no form field the
 * policy does not cover), then the same integrity and attribute rules as
 * PutObject. The object is written with the ObjectCreated:Post event.
 *
 * The policy's signature is verified with the signing key's secret (the
 * administrator's configured one, or a role session's minted one, whose form
 * must carry its x-amz-security-token); an unknown key is InvalidAccessKeyId.
 * A form with no policy is an anonymous request: it is written only when the
 * bucket policy grants anonymous s3:PutObject, as on S3. With `--auth any`
 * the administrator's secret is not known and its policies are not verified.
 */
import { createHmac } from "node:crypto";
import { AwsError } from "../../core/aws-error.js";
import type { GatewayResponse } from "../../core/service.js";
import type { RequestContext } from "../../core/context.js";
import { empty, xml, type S3Call } from "./call.js";
import { verifyChecksums } from "./checksums.js";
import { formBoundary, parseFormData, type FormField } from "./form-data.js";
import { readObjectAttributes } from "./object-headers.js";
import { checkKey } from "./objects.js";
import { hmac, sameSignature, signingKey } from "./sigv4.js";
import { parseTaggingBody } from "./tagging.js";

/** Form fields the policy need not mention (S3 documentation, "Creating a POST policy"). */
const EXEMPT = new Set(["x-amz-signature", "signature", "awsaccesskeyid", "file", "policy"]);

const policyDenied = (detail: string) => new AwsError("AccessDenied", `Invalid according to Policy: ${detail}`, { status: 403 });
const missingField = (name: string) =>
  new AwsError("InvalidArgument", `Bucket POST must contain a field named '${name}'.  If it is specified, please check the order of the fields.`, {
    fields: { ArgumentName: name, ArgumentValue: "" },
  });
const invalidPolicy = (detail: string) => new AwsError("InvalidPolicyDocument", `Invalid Policy: ${detail}`);

type Condition = { op: "eq" | "starts-with"; field: string; value: string; text: string } | { op: "content-length-range"; min: number; max: number; text: string };

function conditionText(parts: unknown[]): string {
  return `[${parts.map((p) => JSON.stringify(p)).join(", ")}]`;
}

function readPolicy(encoded: string): { expiration: number; conditions: Condition[] } {
  let doc: any;
  try {
    doc = JSON.parse(Buffer.from(encoded, "base64").toString("utf8"));
  } catch {
    throw invalidPolicy("Invalid JSON.");
  }
  if (!doc || typeof doc !== "object") throw invalidPolicy("Invalid JSON.");
  if (typeof doc.expiration !== "string") throw invalidPolicy("Policy missing expiration.");
  const expiration = Date.parse(doc.expiration);
  if (Number.isNaN(expiration)) throw invalidPolicy(`Invalid 'expiration' value: '${doc.expiration}'`);
  if (!Array.isArray(doc.conditions)) throw invalidPolicy("Policy missing conditions.");
  const conditions: Condition[] = doc.conditions.map((c: unknown): Condition => {
    if (c && typeof c === "object" && !Array.isArray(c)) {
      const entries = Object.entries(c as Record<string, unknown>);
      if (entries.length !== 1 || typeof entries[0]![1] !== "string") throw invalidPolicy("Invalid Simple-Condition: Simple-Conditions must have exactly one property specified.");
      const [field, value] = entries[0] as [string, string];
      return { op: "eq", field: field.toLowerCase(), value, text: conditionText(["eq", `$${field}`, value]) };
    }
    if (!Array.isArray(c) || c.length !== 3) throw invalidPolicy("Invalid Condition: conditions must be objects or three-element arrays.");
    const op = String(c[0]).toLowerCase();
    if (op === "content-length-range") {
      const min = Number(c[1]);
      const max = Number(c[2]);
      if (!Number.isInteger(min) || !Number.isInteger(max)) throw invalidPolicy("Invalid content-length-range: bounds must be integers.");
      return { op, min, max, text: conditionText(c) };
    }
    if ((op !== "eq" && op !== "starts-with") || typeof c[1] !== "string" || !c[1].startsWith("$") || typeof c[2] !== "string") {
      throw invalidPolicy(`Invalid Condition: ${conditionText(c)}`);
    }
    return { op, field: c[1].slice(1).toLowerCase(), value: c[2], text: conditionText(c) };
  });
  return { expiration, conditions };
}

/** Who signed the form; the signature is checked when the key's secret is known. */
function signer(call: S3Call, form: Map<string, string>, policy: string): RequestContext {
  const v4 = form.get("x-amz-credential");
  const v2 = form.get("awsaccesskeyid");
  const accessKeyId = v4 ? v4.split("/")[0] : v2;
  const lookup = accessKeyId ? call.cloud.identity.lookup(accessKeyId) : undefined;
  if (lookup?.status === "expired") throw new AwsError("ExpiredToken", "The provided token has expired.");
  if (accessKeyId && lookup?.status === "unknown") {
    throw new AwsError("InvalidAccessKeyId", "The AWS Access Key Id you provided does not exist in our records.", { status: 403, fields: { AWSAccessKeyId: accessKeyId } });
  }
  const principal = lookup && (lookup.status === "admin" || lookup.status === "session") ? lookup.principal : call.cloud.identity.resolve(accessKeyId);
  if (!principal) throw new AwsError("ExpiredToken", "The provided token has expired.");
  const known = accessKeyId ? call.cloud.identity.secretFor(accessKeyId) : undefined;
  if (v4) {
    if (form.get("x-amz-algorithm") !== "AWS4-HMAC-SHA256") throw missingField("x-amz-algorithm");
    const signature = form.get("x-amz-signature");
    if (!signature) throw missingField("x-amz-signature");
    const scope = /^[^/]+\/(\d{8})\/([^/]+)\/([^/]+)\/aws4_request$/.exec(v4);
    if (!scope) throw new AwsError("InvalidArgument", "Invalid credential: malformed x-amz-credential", { fields: { ArgumentName: "x-amz-credential", ArgumentValue: v4 } });
    if (known) {
      const expected = hmac(signingKey(known.secretAccessKey, scope[1]!, scope[2]!, scope[3]!), policy).toString("hex");
      if (!sameSignature(expected, signature)) throw signatureMismatch();
      if (known.sessionToken !== undefined && form.get("x-amz-security-token") !== known.sessionToken) throw new AwsError("InvalidToken", "The provided token is malformed or otherwise invalid.");
    }
  } else if (v2) {
    const signature = form.get("signature");
    if (!signature) throw missingField("signature");
    if (known) {
      const expected = createHmac("sha1", known.secretAccessKey).update(policy).digest("base64");
      if (!sameSignature(expected, signature)) throw signatureMismatch();
    }
  } else {
    throw missingField("x-amz-credential");
  }
  return { ...call.ctx, principal, account: principal.account };
}

const signatureMismatch = () =>
  new AwsError("SignatureDoesNotMatch", "The request signature we calculated does not match the signature you provided. Check your key and signing method.", { status: 403 });

function checkPolicy(conditions: Condition[], form: Map<string, string>, bucket: string, size: number): void {
  const valueOf = (field: string) => (field === "bucket" ? bucket : (form.get(field) ?? ""));
  const covered = new Set<string>(["bucket"]);
  for (const c of conditions) {
    if (c.op === "content-length-range") {
      if (size > c.max) throw new AwsError("EntityTooLarge", "Your proposed upload exceeds the maximum allowed size", { fields: { ProposedSize: size, MaxSizeAllowed: c.max } });
      if (size < c.min) throw new AwsError("EntityTooSmall", "Your proposed upload is smaller than the minimum allowed size", { fields: { ProposedSize: size, MinSizeAllowed: c.min } });
      continue;
    }
    covered.add(c.field);
    const value = valueOf(c.field);
    const ok = c.op === "eq" ? value === c.value : value.startsWith(c.value);
    if (!ok) throw policyDenied(`Policy Condition failed: ${c.text}`);
  }
  for (const name of form.keys()) {
    if (EXEMPT.has(name) || name.startsWith("x-ignore-") || covered.has(name)) continue;
    throw policyDenied(`Extra input fields: ${name}`);
  }
}

export async function postObject(call: S3Call): Promise<GatewayResponse> {
  const bucket = call.store.requireBucket(call.bucket);
  const boundary = formBoundary(call.headers["content-type"]);
  if (!boundary) {
    throw new AwsError("PreconditionFailed", "At least one of the pre-conditions you specified did not hold", {
      status: 412,
      fields: { Condition: "Bucket POST must be of the enclosure-type multipart/form-data" },
    });
  }
  const fields = parseFormData(call.req.body, boundary);
  const file = fields.find((f) => f.name.toLowerCase() === "file");
  const form = new Map<string, string>();
  for (const f of fields) if (f !== file && !form.has(f.name.toLowerCase())) form.set(f.name.toLowerCase(), f.value.toString("utf8"));
  if (!form.has("key")) throw missingField("key");
  if (!file) throw new AwsError("InvalidArgument", "POST requires exactly one file upload per request.", { fields: { ArgumentName: "file", ArgumentValue: 0 } });
  const body = (file as FormField).value;
  const key = form.get("key")!.replace(/\$\{filename\}/g, file.filename ?? "");
  if (key === "") throw new AwsError("InvalidArgument", "User key must have a length greater than 0.", { fields: { ArgumentName: "key" } });
  checkKey(key);

  let ctx = call.ctx;
  const policy = form.get("policy");
  if (policy !== undefined) {
    ctx = signer(call, form, policy);
    const { expiration, conditions } = readPolicy(policy);
    if (expiration < Date.now()) throw policyDenied("Policy expired.");
    checkPolicy(conditions, form, bucket.name, body.length);
  } else if (form.has("x-amz-signature") || form.has("signature")) {
    throw missingField("policy");
  }
  await call.cloud.authorizer.authorize(ctx, { service: "s3", operation: "PutObject", input: { Bucket: bucket.name, Key: key } });

  // Form fields stand in for the headers of a PutObject.
  const headers: Record<string, string> = {};
  for (const [name, value] of form) {
    if (name === "content-type" || name === "content-md5" || name.startsWith("x-amz-meta-") || name.startsWith("x-amz-checksum-") || name === "x-amz-storage-class") headers[name] = value;
    if (["cache-control", "content-disposition", "content-encoding", "expires", "x-amz-website-redirect-location"].includes(name)) headers[name] = value;
  }
  const verified = await verifyChecksums(headers, {}, body);
  const attributes = readObjectAttributes(headers);
  const tagging = form.get("tagging");
  const written = await call.store.writeObject(ctx, {
    bucket: bucket.name,
    key,
    body,
    etag: verified.md5Hex,
    contentType: attributes.contentType,
    headers: attributes.headers,
    metadata: attributes.metadata,
    storageClass: attributes.storageClass,
    tags: tagging !== undefined ? parseTaggingBody(Buffer.from(tagging), "Object") : undefined,
    checksum: verified.checksum,
    eventName: "ObjectCreated:Post",
    ids: call.ids,
  });

  const location = `${call.ctx.endpoint}/${encodeURIComponent(bucket.name)}/${key.split("/").map(encodeURIComponent).join("/")}`;
  const responseHeaders: Record<string, string> = { etag: `"${written.etag}"`, location, ...verified.headers };
  if (written.versionId) responseHeaders["x-amz-version-id"] = written.versionId;
  const redirect = form.get("success_action_redirect") ?? form.get("redirect");
  if (redirect) {
    try {
      const target = new URL(redirect);
      target.searchParams.set("bucket", bucket.name);
      target.searchParams.set("key", key);
      target.searchParams.set("etag", `"${written.etag}"`);
      return empty(call, 303, { ...responseHeaders, location: target.toString() });
    } catch {
      // S3 ignores a redirect that is not a URL and answers with the status instead.
    }
  }
  const status = form.get("success_action_status");
  if (status === "201") return xml(call, "PostResponse", { Location: location, Bucket: bucket.name, Key: key, ETag: `"${written.etag}"` }, responseHeaders, 201);
  return empty(call, status === "200" ? 200 : 204, responseHeaders);
}
