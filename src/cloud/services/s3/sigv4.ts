/**
 * SigV4 primitives S3 needs for the parts of signing it checks itself:
 * presigned URLs (presign.ts) and the chunk signatures of
 * `STREAMING-AWS4-HMAC-SHA256-PAYLOAD` bodies (aws-chunked.ts). The derivation
 * follows the SigV4 spec: kSecret → date → region → service → "aws4_request",
 * and S3's URI-encoding rules (RFC 3986 unreserved characters stay, everything
 * else is %XX upper-case; S3 does not double-encode the path).
 */
import { createHash, createHmac, timingSafeEqual } from "node:crypto";

export const EMPTY_SHA256 = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";

export function sha256Hex(data: string | Buffer): string {
  return createHash("sha256").update(data).digest("hex");
}

export function hmac(key: Buffer | string, data: string): Buffer {
  return createHmac("sha256", key).update(data, "utf8").digest();
}

/** kSigning for a credential scope `yyyymmdd/region/service/aws4_request`. */
export function signingKey(secretAccessKey: string, date: string, region: string, service: string): Buffer {
  const kDate = hmac("AWS4" + secretAccessKey, date);
  const kRegion = hmac(kDate, region);
  const kService = hmac(kRegion, service);
  return hmac(kService, "aws4_request");
}

/** Constant-time comparison of two hex signatures (a wrong length is simply unequal). */
export function sameSignature(a: string, b: string): boolean {
  const x = Buffer.from(a.toLowerCase(), "utf8");
  const y = Buffer.from(b.toLowerCase(), "utf8");
  return x.length === y.length && timingSafeEqual(x, y);
}

/** RFC 3986 encoding as SigV4 wants it: unreserved characters stay, the rest is %XX. */
export function uriEncode(value: string): string {
  return encodeURIComponent(value).replace(/[!'()*]/g, (c) => "%" + c.charCodeAt(0).toString(16).toUpperCase());
}

/**
 * Canonical path for S3: the path as the client sent it, normalised to the
 * encoding SigV4 uses (decode each segment, re-encode) — S3 signs the path
 * once-encoded and never collapses `//` or `..`.
 */
export function canonicalPath(rawPath: string): string {
  return rawPath
    .split("/")
    .map((segment) => {
      try {
        return uriEncode(decodeURIComponent(segment));
      } catch {
        return segment; // malformed %-escape: sign it as sent, the signature will not match
      }
    })
    .join("/");
}

/** Canonical query string: every parameter except those in `omit`, encoded, sorted by name then value. */
export function canonicalQuery(query: URLSearchParams, omit: string[] = []): string {
  const pairs: Array<[string, string]> = [];
  for (const [k, v] of query) if (!omit.includes(k)) pairs.push([uriEncode(k), uriEncode(v)]);
  pairs.sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : a[1] < b[1] ? -1 : a[1] > b[1] ? 1 : 0));
  return pairs.map(([k, v]) => `${k}=${v}`).join("&");
}

/** Canonical header value: trimmed, inner runs of spaces collapsed. */
export function canonicalHeaderValue(value: string): string {
  return value.trim().replace(/\s+/g, " ");
}
