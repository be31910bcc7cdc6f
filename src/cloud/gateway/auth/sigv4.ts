/**
 * SigV4 primitives, one implementation for every check of a signature: the
 * gateway's header and presigned-query verification (verify.ts), S3's
 * presigned URLs (s3/presign.ts), POST policies (s3/post-object.ts) and the
 * chunk signatures of `STREAMING-AWS4-HMAC-SHA256-PAYLOAD` bodies
 * (s3/aws-chunked.ts). The derivation
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

/**
 * Signing keys by secret, date, region and service: a key is four HMACs, and
 * the same few are used by every request of a day, so they are derived once
 * (the cost of verification is then two SHA-256 and one HMAC per request).
 * Bounded: cleared when it grows past a size no real workload reaches.
 */
const signingKeys = new Map<string, Buffer>();
const SIGNING_KEY_CACHE_LIMIT = 1024;

/** kSigning for a credential scope `yyyymmdd/region/service/aws4_request`. */
export function signingKey(secretAccessKey: string, date: string, region: string, service: string): Buffer {
  const id = `${secretAccessKey}\n${date}\n${region}\n${service}`;
  const cached = signingKeys.get(id);
  if (cached) return cached;
  const kDate = hmac("AWS4" + secretAccessKey, date);
  const kRegion = hmac(kDate, region);
  const kService = hmac(kRegion, service);
  const key = hmac(kService, "aws4_request");
  if (signingKeys.size >= SIGNING_KEY_CACHE_LIMIT) signingKeys.clear();
  signingKeys.set(id, key);
  return key;
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

/** Encoded name/value pairs sorted by name then value, joined as `a=1&b=2`. */
function joinSorted(pairs: Array<[string, string]>): string {
  pairs.sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : a[1] < b[1] ? -1 : a[1] > b[1] ? 1 : 0));
  return pairs.map(([k, v]) => `${k}=${v}`).join("&");
}

/** Canonical query string: every parameter except those in `omit`, encoded, sorted by name then value. */
export function canonicalQuery(query: URLSearchParams, omit: string[] = []): string {
  const pairs: Array<[string, string]> = [];
  for (const [k, v] of query) if (!omit.includes(k)) pairs.push([uriEncode(k), uriEncode(v)]);
  return joinSorted(pairs);
}

/** Canonical header value: trimmed, inner runs of spaces collapsed. */
export function canonicalHeaderValue(value: string): string {
  return value.trim().replace(/\s+/g, " ");
}

/**
 * Canonical path for every service but S3: SigV4 encodes the path the client
 * sent (already percent-encoded) a second time, after removing `.` and `..`
 * segments (the SDKs' `uriEscapePath`).
 */
export function doubleEncodedPath(rawPath: string): string {
  const out: string[] = [];
  for (const segment of rawPath.split("/")) {
    if (segment === ".") continue;
    if (segment === "..") {
      out.pop();
      continue;
    }
    out.push(uriEncode(segment));
  }
  const path = out.join("/");
  return path.startsWith("/") ? path : "/" + path;
}

/**
 * Canonical query string from the query as sent (not URLSearchParams, which
 * reads "+" as a space): each name and value decoded once and re-encoded,
 * sorted by name then value, `omit` left out.
 */
export function canonicalRawQuery(rawQuery: string, omit: string[] = []): string {
  if (!rawQuery) return "";
  const pairs: Array<[string, string]> = [];
  for (const part of rawQuery.split("&")) {
    if (!part) continue;
    const eq = part.indexOf("=");
    const name = safeDecode(eq < 0 ? part : part.slice(0, eq));
    if (omit.includes(name)) continue;
    pairs.push([uriEncode(name), uriEncode(safeDecode(eq < 0 ? "" : part.slice(eq + 1)))]);
  }
  return joinSorted(pairs);
}

function safeDecode(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}

/** `yyyyMMdd'T'HHmmss'Z'` → epoch ms; NaN when malformed. */
export function parseAmzDate(text: string | undefined): number {
  const m = text ? /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/.exec(text) : null;
  if (!m) return Number.NaN;
  return Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]), Number(m[4]), Number(m[5]), Number(m[6]));
}
