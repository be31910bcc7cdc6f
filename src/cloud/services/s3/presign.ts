/**
 * Presigned URLs (SigV4 query-string authentication, and the expiry of legacy
 * SigV2 ones). What S3 checks, in its order: one auth mechanism only, the
 * X-Amz-* parameters present and well formed, the request not expired (403
 * AccessDenied "Request has expired"), then the signature.
 *
 * The signature is verified with the secret of the access key: the
 * administrator's configured one or a role session's minted one (the gateway
 * has already refused unknown and expired keys). A role session's URL must
 * carry its session token. With `--auth any` the administrator's secret is
 * not known, so for those keys only form and expiry are checked, as before.
 * SigV2 URLs are verified too (HMAC-SHA1 of S3's SigV2 string to sign) when
 * the secret is known.
 */
import { createHmac, timingSafeEqual } from "node:crypto";
import { AwsError } from "../../core/aws-error.js";
import { parseAddress } from "./addressing.js";
import type { GatewayRequest } from "../../core/service.js";
import { canonicalHeaderValue, canonicalPath, canonicalQuery, hmac, sameSignature, sha256Hex, signingKey } from "./sigv4.js";

/** Where the secret of a minted key comes from (cloud.identity implements it). */
export interface SecretSource {
  secretFor(accessKeyId: string): { secretAccessKey: string; sessionToken?: string } | undefined;
}

export interface PresignedInfo {
  version: 2 | 4;
  accessKeyId: string;
  /** True when the signature was checked cryptographically (the secret was known). */
  signatureVerified: boolean;
  /** When the URL stops working. */
  expiresAt: Date;
}

const MAX_EXPIRES = 604800;
const REQUIRED = ["X-Amz-Algorithm", "X-Amz-Credential", "X-Amz-Signature", "X-Amz-Date", "X-Amz-SignedHeaders", "X-Amz-Expires"];

const queryAuthError = (message: string) => new AwsError("AuthorizationQueryParametersError", message);

function expired(expires: string | undefined, expiresAt: Date, now: number): AwsError {
  return new AwsError("AccessDenied", "Request has expired", {
    status: 403,
    fields: { "X-Amz-Expires": expires, Expires: isoSeconds(expiresAt), ServerTime: isoSeconds(new Date(now)) },
  });
}

function isoSeconds(d: Date): string {
  return d.toISOString().replace(/\.\d{3}Z$/, "Z");
}

/** Is this request authenticated by query string (a presigned URL)? */
export function isPresigned(req: Pick<GatewayRequest, "query">): boolean {
  return req.query.has("X-Amz-Signature") || req.query.has("X-Amz-Algorithm") || req.query.has("X-Amz-Credential") || (req.query.has("Signature") && req.query.has("AWSAccessKeyId"));
}

/**
 * Check a presigned request. Returns null when the request is not presigned
 * (header-signed or anonymous), the details when it passes; throws AwsError otherwise.
 */
export function verifyPresigned(req: GatewayRequest, secrets: SecretSource, now: number = Date.now()): PresignedInfo | null {
  if (!isPresigned(req)) return null;
  if (req.headers["authorization"]) {
    throw new AwsError(
      "InvalidArgument",
      "Only one auth mechanism allowed; only the X-Amz-Algorithm query parameter, Signature query string parameter or the Authorization header should be specified",
      { fields: { ArgumentName: "Authorization", ArgumentValue: req.headers["authorization"] } },
    );
  }
  if (!req.query.has("X-Amz-Algorithm") && !req.query.has("X-Amz-Credential")) return verifyV2(req, secrets, now);

  for (const name of REQUIRED) {
    if (!req.query.get(name)) {
      throw queryAuthError(
        "Query-string authentication version 4 requires the X-Amz-Algorithm, X-Amz-Credential, X-Amz-Signature, X-Amz-Date, X-Amz-SignedHeaders, and X-Amz-Expires parameters.",
      );
    }
  }
  const q = (name: string) => req.query.get(name)!;
  if (q("X-Amz-Algorithm") !== "AWS4-HMAC-SHA256") {
    throw queryAuthError('X-Amz-Algorithm only supports "AWS4-HMAC-SHA256 and AWS4-ECDSA-P256-SHA256"');
  }
  const credential = /^([^/]+)\/(\d{8})\/([^/]+)\/([^/]+)\/aws4_request$/.exec(q("X-Amz-Credential"));
  if (!credential) {
    throw queryAuthError('Error parsing the X-Amz-Credential parameter; the Credential is mal-formed; expecting "<YOUR-AKID>/YYYYMMDD/REGION/SERVICE/aws4_request".');
  }
  const [, accessKeyId, scopeDate, region, service] = credential;
  const amzDate = q("X-Amz-Date");
  const dateMatch = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/.exec(amzDate);
  if (!dateMatch) throw queryAuthError("X-Amz-Date must be in the ISO8601 Long Format \"yyyyMMdd'T'HHmmss'Z'\"");
  if (amzDate.slice(0, 8) !== scopeDate) {
    throw queryAuthError(`Error parsing the X-Amz-Credential parameter; incorrect date. This should be the date in X-Amz-Date: "${amzDate.slice(0, 8)}".`);
  }
  const expiresText = q("X-Amz-Expires");
  if (!/^-?\d+$/.test(expiresText)) throw queryAuthError("X-Amz-Expires should be a number");
  const expires = Number(expiresText);
  if (expires < 0) throw queryAuthError("X-Amz-Expires must be non-negative");
  if (expires > MAX_EXPIRES) throw queryAuthError("X-Amz-Expires must be less than a week (in seconds) that is; 7 days");

  const [, y, mo, d, h, mi, s] = dateMatch;
  const signedAt = Date.UTC(Number(y), Number(mo) - 1, Number(d), Number(h), Number(mi), Number(s));
  const expiresAt = new Date(signedAt + expires * 1000);
  // S3 allows 15 minutes of clock skew for a URL signed "in the future".
  if (signedAt - 15 * 60_000 > now) throw new AwsError("AccessDenied", "Request is not valid yet", { status: 403 });
  if (now > expiresAt.getTime()) throw expired(expiresText, expiresAt, now);

  const signedHeaders = q("X-Amz-SignedHeaders").toLowerCase().split(";");
  if (!signedHeaders.includes("host")) {
    throw queryAuthError("Query-string authentication requires the host header to be signed.");
  }
  const known = secrets.secretFor(accessKeyId!);
  if (!known) return { version: 4, accessKeyId: accessKeyId!, signatureVerified: false, expiresAt };

  const token = req.query.get("X-Amz-Security-Token") ?? req.headers["x-amz-security-token"];
  // A role session's URL must carry its token; an administrator's key has none to check.
  if (known.sessionToken !== undefined && token !== known.sessionToken) {
    throw new AwsError("InvalidToken", "The provided token is malformed or otherwise invalid.", { fields: { Token: token } });
  }
  const canonicalHeaders = signedHeaders
    .map((name) => `${name}:${canonicalHeaderValue(name === "host" ? req.host : (req.headers[name] ?? ""))}\n`)
    .join("");
  const payloadHash = req.query.get("X-Amz-Content-Sha256") ?? "UNSIGNED-PAYLOAD";
  const canonicalRequest = [
    req.method,
    canonicalPath(req.rawPath),
    canonicalQuery(req.query, ["X-Amz-Signature"]),
    canonicalHeaders,
    signedHeaders.join(";"),
    payloadHash,
  ].join("\n");
  const scope = `${scopeDate}/${region}/${service}/aws4_request`;
  const stringToSign = ["AWS4-HMAC-SHA256", amzDate, scope, sha256Hex(canonicalRequest)].join("\n");
  const expected = hmac(signingKey(known.secretAccessKey, scopeDate!, region!, service!), stringToSign).toString("hex");
  if (!sameSignature(expected, q("X-Amz-Signature"))) {
    throw new AwsError(
      "SignatureDoesNotMatch",
      "The request signature we calculated does not match the signature you provided. Check your key and signing method.",
      {
        status: 403,
        fields: { AWSAccessKeyId: accessKeyId, StringToSign: stringToSign, SignatureProvided: q("X-Amz-Signature"), CanonicalRequest: canonicalRequest },
      },
    );
  }
  return { version: 4, accessKeyId: accessKeyId!, signatureVerified: true, expiresAt };
}

/** Sub-resources that are part of SigV2's CanonicalizedResource (S3 developer guide, "Signing and authenticating REST requests"). */
const V2_SUBRESOURCES = new Set([
  "acl", "cors", "delete", "lifecycle", "location", "logging", "notification", "partNumber", "policy", "requestPayment",
  "response-cache-control", "response-content-disposition", "response-content-encoding", "response-content-language",
  "response-content-type", "response-expires", "tagging", "torrent", "uploadId", "uploads", "versionId", "versioning", "versions", "website",
]);

/** SigV2 query authentication (`AWSAccessKeyId`, `Expires` in epoch seconds, `Signature`): expiry, then HMAC-SHA1 when the secret is known. */
function verifyV2(req: GatewayRequest, secrets: SecretSource, now: number): PresignedInfo {
  const expiresText = req.query.get("Expires") ?? "";
  if (!/^\d+$/.test(expiresText)) {
    throw new AwsError("AccessDenied", "Query-string authentication requires the Signature, Expires and AWSAccessKeyId parameters", { status: 403 });
  }
  const expiresAt = new Date(Number(expiresText) * 1000);
  if (now > expiresAt.getTime()) throw expired(undefined, expiresAt, now);
  const accessKeyId = req.query.get("AWSAccessKeyId") ?? "";
  const known = secrets.secretFor(accessKeyId);
  if (!known) return { version: 2, accessKeyId, signatureVerified: false, expiresAt };
  const address = parseAddress(req.host, req.rawPath);
  const sub = [...req.query]
    .filter(([k]) => V2_SUBRESOURCES.has(k))
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([k, v]) => (v === "" ? k : `${k}=${v}`));
  const resource = (address.virtualHosted ? `/${address.bucket}` : "") + req.rawPath + (sub.length ? `?${sub.join("&")}` : "");
  const amzHeaders = Object.keys(req.headers)
    .filter((h) => h.startsWith("x-amz-"))
    .sort()
    .map((h) => `${h}:${canonicalHeaderValue(req.headers[h]!)}\n`)
    .join("");
  const stringToSign = [req.method, req.headers["content-md5"] ?? "", req.headers["content-type"] ?? "", expiresText, amzHeaders + resource].join("\n");
  const expected = createHmac("sha1", known.secretAccessKey).update(stringToSign, "utf8").digest("base64");
  const given = req.query.get("Signature") ?? "";
  if (expected.length !== given.length || !timingSafeEqual(Buffer.from(expected), Buffer.from(given))) {
    throw new AwsError("SignatureDoesNotMatch", "The request signature we calculated does not match the signature you provided. Check your key and signing method.", {
      status: 403,
      fields: { AWSAccessKeyId: accessKeyId, StringToSign: stringToSign, SignatureProvided: given },
    });
  }
  return { version: 2, accessKeyId, signatureVerified: true, expiresAt };
}
