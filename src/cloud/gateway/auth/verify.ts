/**
 * SigV4 verification of a request, as AWS does it: the Authorization header
 * (`AWS4-HMAC-SHA256 Credential=…, SignedHeaders=…, Signature=…`) or the
 * presigned query (`X-Amz-Signature`…) is recomputed from the request with
 * the secret of its access key (identity.lookup) and compared in constant
 * time. Checked in AWS's order: the header is well formed, the key exists,
 * the session is not expired, the session token matches, the signing time is
 * within the allowed skew, then the signature.
 *
 * The payload hash: S3 signs `x-amz-content-sha256` as sent (a literal hash,
 * `UNSIGNED-PAYLOAD` or a `STREAMING-*` mode, whose chunk signatures S3
 * verifies while decoding, s3/aws-chunked.ts); a literal hash must match the
 * body (XAmzContentSHA256Mismatch). Every other service signs the body's
 * SHA-256.
 *
 * S3's presigned URLs are checked by S3 itself (s3/presign.ts: it answers in
 * S3's query-auth error vocabulary); here only their key is looked up.
 *
 * By design: an administrator's request that carries a session token is not
 * refused for it (AWS would: long-term keys have none) — a learner's shell may
 * still export an AWS_SESSION_TOKEN from real AWS; the signature is what counts.
 *
 * Client quirks: non-S3 services sign the path encoded twice (the SDKs'
 * `uriEscapePath`); a signature made over the once-encoded path is also
 * accepted, since some hand-written clients sign it that way.
 */
import type { IdentityRegistry, KeyLookup, Principal } from "../../core/identity.js";
import { AwsError } from "../../core/aws-error.js";
import { canonicalHeaderValue, canonicalPath, canonicalRawQuery, doubleEncodedPath, hmac, parseAmzDate, sameSignature, sha256Hex, signingKey } from "./sigv4.js";
import { AuthRejection } from "./errors.js";

export interface SignedRequest {
  method: string;
  rawPath: string;
  /** The query string as sent, without "?". */
  rawQuery: string;
  query: URLSearchParams;
  headers: Record<string, string>;
  host: string;
  body: Buffer;
  /** A large S3 upload spooled to disk (gateway/spool.ts): `body` is empty, the SHA-256 was computed as it streamed. */
  bodyFile?: { sha256: string };
  /** S3's signing rules (path once-encoded, payload hash as sent). */
  s3: boolean;
}

export interface Authenticated {
  principal: Principal;
  accessKeyId: string;
  /** "header" or "presigned"; S3 re-checks its own presigned URLs. */
  via: "header" | "presigned";
}

const HEADER = /^AWS4-HMAC-SHA256\s+(.*)$/s;

export function isPresignedQuery(query: URLSearchParams): boolean {
  return query.has("X-Amz-Signature") || query.has("X-Amz-Algorithm") || query.has("X-Amz-Credential") || (query.has("Signature") && query.has("AWSAccessKeyId"));
}

/** Does the request carry a signature at all (header or query)? */
export function isSigned(req: Pick<SignedRequest, "headers" | "query">): boolean {
  return req.headers["authorization"] !== undefined || isPresignedQuery(req.query);
}

function parseHeader(value: string): { accessKeyId: string; scope: string[]; signedHeaders: string[]; signature: string } {
  const m = HEADER.exec(value);
  if (!m) {
    if (/^AWS\s/.test(value)) throw new AuthRejection("malformed", "The authorization mechanism you have provided is not supported. Please use AWS4-HMAC-SHA256.");
    throw new AuthRejection("malformed", `Authorization header requires existence of either a 'X-Amz-Date' or a 'Date' header. Authorization=${value.split(/\s/)[0]}`);
  }
  const parts: Record<string, string> = {};
  for (const part of m[1]!.split(",")) {
    const eq = part.indexOf("=");
    if (eq > 0) parts[part.slice(0, eq).trim()] = part.slice(eq + 1).trim();
  }
  const missing = ["Credential", "SignedHeaders", "Signature"].filter((k) => !parts[k]);
  if (missing.length) {
    throw new AuthRejection("malformed", `Authorization header requires '${missing[0]}' parameter. Authorization=AWS4-HMAC-SHA256 ${m[1]}`);
  }
  const scope = parts.Credential!.split("/");
  if (scope.length !== 5 || scope[4] !== "aws4_request" || !/^\d{8}$/.test(scope[1]!)) {
    throw new AuthRejection("malformed", `Credential should be scoped to a valid region. the credential is mal-formed; expecting "<YOUR-AKID>/YYYYMMDD/REGION/SERVICE/aws4_request".`);
  }
  return { accessKeyId: scope[0]!, scope: scope.slice(1), signedHeaders: parts.SignedHeaders!.toLowerCase().split(";"), signature: parts.Signature! };
}

function isoSeconds(ms: number): string {
  return new Date(ms).toISOString().replace(/[-:]|\.\d{3}/g, "");
}

function checkSkew(signedAt: number, amzDate: string, now: number, maxSkewMs: number): void {
  if (!Number.isFinite(maxSkewMs)) return;
  const minutes = Math.round(maxSkewMs / 60_000);
  if (signedAt < now - maxSkewMs) {
    throw new AuthRejection("skew", `Signature expired: ${amzDate} is now earlier than ${isoSeconds(now - maxSkewMs)} (${isoSeconds(now)} - ${minutes} min.)`, {
      RequestTime: amzDate,
      ServerTime: new Date(now).toISOString(),
      MaxAllowedSkewMilliseconds: maxSkewMs,
    });
  }
  if (signedAt > now + maxSkewMs) {
    throw new AuthRejection("skew", `Signature not yet current: ${amzDate} is still later than ${isoSeconds(now + maxSkewMs)} (${isoSeconds(now)} + ${minutes} min.)`, {
      RequestTime: amzDate,
      ServerTime: new Date(now).toISOString(),
      MaxAllowedSkewMilliseconds: maxSkewMs,
    });
  }
}

/** The key's principal and secret, or the rejection AWS gives for it. */
function lookupKey(identity: IdentityRegistry, accessKeyId: string): Extract<KeyLookup, { principal: Principal }> {
  const found = identity.lookup(accessKeyId);
  if (found.status === "expired") throw new AuthRejection("expired");
  if (!("principal" in found)) throw new AuthRejection("unknown-key", "", { AWSAccessKeyId: accessKeyId });
  return found;
}

function bodySha256(req: SignedRequest): string {
  return req.bodyFile?.sha256 ?? sha256Hex(req.body);
}

function payloadHash(req: SignedRequest, declared: string | undefined): string {
  if (req.s3) {
    if (declared === undefined) throw new AuthRejection("malformed", "Missing required header for this request: x-amz-content-sha256");
    if (/^[0-9a-fA-F]{64}$/.test(declared)) {
      const computed = bodySha256(req);
      if (computed !== declared.toLowerCase()) {
        // S3's own error, not an authentication failure: the body is not the one signed.
        throw new AwsError("XAmzContentSHA256Mismatch", "The provided 'x-amz-content-sha256' header does not match what was computed.", {
          fields: { ClientComputedContentSHA256: declared, S3ComputedContentSHA256: computed },
        });
      }
    }
    return declared;
  }
  const computed = bodySha256(req);
  if (declared !== undefined && declared !== "UNSIGNED-PAYLOAD" && declared.toLowerCase() !== computed) throw new AuthRejection("signature");
  return declared ?? computed;
}

function expectedSignature(
  req: SignedRequest,
  secret: string,
  scope: string[],
  amzDate: string,
  signedHeaders: string[],
  payload: string,
  path: string,
  omitQuery: string[],
): string {
  const canonicalHeaders = signedHeaders.map((name) => `${name}:${canonicalHeaderValue(name === "host" ? req.host : (req.headers[name] ?? ""))}\n`).join("");
  const canonicalRequest = [req.method, path, canonicalRawQuery(req.rawQuery, omitQuery), canonicalHeaders, signedHeaders.join(";"), payload].join("\n");
  const [date, region, service] = scope as [string, string, string];
  const stringToSign = ["AWS4-HMAC-SHA256", amzDate, `${date}/${region}/${service}/aws4_request`, sha256Hex(canonicalRequest)].join("\n");
  return hmac(signingKey(secret, date, region, service), stringToSign).toString("hex");
}

function checkSignature(req: SignedRequest, secret: string, given: string, scope: string[], amzDate: string, signedHeaders: string[], payload: string, omit: string[]): void {
  const primary = req.s3 ? canonicalPath(req.rawPath) : doubleEncodedPath(req.rawPath);
  if (sameSignature(expectedSignature(req, secret, scope, amzDate, signedHeaders, payload, primary, omit), given)) return;
  if (!req.s3) {
    const single = canonicalPath(req.rawPath);
    if (single !== primary && sameSignature(expectedSignature(req, secret, scope, amzDate, signedHeaders, payload, single, omit), given)) return;
  }
  throw new AuthRejection("signature");
}

/**
 * The checks of a header-signed request that need no body — the header's
 * form, the key, the session token, the clock — so that a request that will
 * be refused is refused before its body is read (the gateway runs this first;
 * authenticate() repeats it with the signature).
 */
export function precheck(identity: IdentityRegistry, req: Omit<SignedRequest, "body">, now: number = Date.now()): void {
  const authorization = req.headers["authorization"];
  if (authorization === undefined || (isPresignedQuery(req.query) && req.s3)) return;
  checkHeaderWithoutBody(identity, req, authorization, now);
}

/** precheck's checks of an Authorization header; `verify` is false when the registry does not verify signatures. */
function checkHeaderWithoutBody(identity: IdentityRegistry, req: Omit<SignedRequest, "body">, authorization: string, now: number) {
  const header = parseHeader(authorization);
  const found = lookupKey(identity, header.accessKeyId);
  if (!identity.verifying) return { header, found, amzDate: "", verify: false };
  if (found.sessionToken !== undefined && req.headers["x-amz-security-token"] !== found.sessionToken) throw new AuthRejection("bad-token");
  const amzDate = req.headers["x-amz-date"] ?? "";
  let signedAt = parseAmzDate(amzDate);
  if (Number.isNaN(signedAt)) signedAt = Date.parse(req.headers["date"] ?? "");
  if (Number.isNaN(signedAt)) throw new AuthRejection("malformed", "Authorization header requires existence of either a 'X-Amz-Date' or a 'Date' header.");
  checkSkew(signedAt, amzDate, now, identity.auth.maxSkewMs);
  return { header, found, amzDate, verify: true };
}

/**
 * Authenticate a signed request. Returns null for an unsigned one (the
 * gateway decides what anonymous callers may do); throws AuthRejection (or,
 * for a body that is not the one signed, S3's AwsError) when it fails.
 */
export function authenticate(identity: IdentityRegistry, req: SignedRequest, now: number = Date.now()): Authenticated | null {
  const authorization = req.headers["authorization"];
  const presigned = isPresignedQuery(req.query);
  const verifying = identity.verifying;

  if (authorization !== undefined && !(presigned && req.s3)) {
    const { header, found, amzDate, verify } = checkHeaderWithoutBody(identity, req, authorization, now);
    if (!verify) return { principal: found.principal, accessKeyId: header.accessKeyId, via: "header" };
    const payload = payloadHash(req, req.headers["x-amz-content-sha256"]);
    checkSignature(req, found.secretAccessKey!, header.signature, header.scope, amzDate, header.signedHeaders, payload, []);
    return { principal: found.principal, accessKeyId: header.accessKeyId, via: "header" };
  }

  if (presigned) {
    const credential = req.query.get("X-Amz-Credential");
    const accessKeyId = credential ? credential.split("/")[0]! : (req.query.get("AWSAccessKeyId") ?? "");
    const found = lookupKey(identity, accessKeyId);
    // S3 checks its own presigned URLs (expiry, form, signature) in S3's words.
    if (req.s3 || !verifying) return { principal: found.principal, accessKeyId, via: "presigned" };
    const scope = (credential ?? "").split("/");
    const amzDate = req.query.get("X-Amz-Date") ?? "";
    const signedAt = parseAmzDate(amzDate);
    if (scope.length !== 5 || Number.isNaN(signedAt) || !req.query.get("X-Amz-Signature")) throw new AuthRejection("malformed", "Query-string authentication requires X-Amz-Credential, X-Amz-Date, X-Amz-SignedHeaders and X-Amz-Signature.");
    const expires = Number(req.query.get("X-Amz-Expires") ?? "900");
    if (now > signedAt + expires * 1000) throw new AuthRejection("skew", `Signature expired: ${amzDate} is now earlier than ${isoSeconds(now - expires * 1000)}`);
    const token = req.query.get("X-Amz-Security-Token") ?? req.headers["x-amz-security-token"];
    if (found.sessionToken !== undefined && token !== found.sessionToken) throw new AuthRejection("bad-token");
    const signedHeaders = (req.query.get("X-Amz-SignedHeaders") ?? "host").toLowerCase().split(";");
    const payload = req.query.get("X-Amz-Content-Sha256") ?? bodySha256(req);
    checkSignature(req, found.secretAccessKey!, req.query.get("X-Amz-Signature")!, scope.slice(1), amzDate, signedHeaders, payload, ["X-Amz-Signature"]);
    return { principal: found.principal, accessKeyId, via: "presigned" };
  }
  return null;
}
