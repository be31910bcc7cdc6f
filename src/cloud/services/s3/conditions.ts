/**
 * Conditional reads and byte ranges of GetObject/HeadObject, in S3's order
 * (RFC 7232 as S3 applies it): If-Match, else If-Unmodified-Since, failing →
 * 412 PreconditionFailed; If-None-Match, else If-Modified-Since, failing →
 * 304 Not Modified. A date header that does not parse is ignored, as S3 does.
 * The same checks with the x-amz-copy-source-if-* headers guard CopyObject's
 * source (all failures there are 412).
 *
 * Range: one `bytes=first-last`, `bytes=first-` or `bytes=-suffix`; a range
 * beyond the object is 416 InvalidRange; a header S3 cannot parse (or several
 * ranges) is ignored and the whole object returned.
 */
import { AwsError } from "../../core/aws-error.js";
import { preconditionFailed } from "./errors.js";
import { etagMatches, type ObjectVersion } from "./object-store.js";
import { httpDate } from "./object-headers.js";

function parseDate(value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const t = Date.parse(value);
  return Number.isNaN(t) ? undefined : t;
}

/** Last-Modified at the one-second resolution HTTP dates carry. */
function modifiedSeconds(version: ObjectVersion): number {
  return Math.floor(Date.parse(version.lastModified) / 1000) * 1000;
}

export type ConditionOutcome = "ok" | "not-modified";

/** GET/HEAD conditions. Throws 412; returns "not-modified" for a 304. */
export function checkReadConditions(headers: Record<string, string>, version: ObjectVersion): ConditionOutcome {
  const ifMatch = headers["if-match"];
  const ifNoneMatch = headers["if-none-match"];
  const ifModifiedSince = parseDate(headers["if-modified-since"]);
  const ifUnmodifiedSince = parseDate(headers["if-unmodified-since"]);
  const modified = modifiedSeconds(version);

  if (ifMatch !== undefined) {
    if (!etagMatches(ifMatch, version.etag)) throw preconditionFailed("If-Match");
  } else if (ifUnmodifiedSince !== undefined && modified > ifUnmodifiedSince) {
    throw preconditionFailed("If-Unmodified-Since");
  }
  if (ifNoneMatch !== undefined) {
    if (etagMatches(ifNoneMatch, version.etag)) return "not-modified";
  } else if (ifModifiedSince !== undefined && modified <= ifModifiedSince) {
    return "not-modified";
  }
  return "ok";
}

/** CopyObject's source conditions (x-amz-copy-source-if-*): every failure is 412. */
export function checkCopySourceConditions(headers: Record<string, string>, version: ObjectVersion): void {
  const ifMatch = headers["x-amz-copy-source-if-match"];
  const ifNoneMatch = headers["x-amz-copy-source-if-none-match"];
  const ifModifiedSince = parseDate(headers["x-amz-copy-source-if-modified-since"]);
  const ifUnmodifiedSince = parseDate(headers["x-amz-copy-source-if-unmodified-since"]);
  const modified = modifiedSeconds(version);
  if (ifMatch !== undefined) {
    if (!etagMatches(ifMatch, version.etag)) throw preconditionFailed("x-amz-copy-source-If-Match");
  } else if (ifUnmodifiedSince !== undefined && modified > ifUnmodifiedSince) {
    throw preconditionFailed("x-amz-copy-source-If-Unmodified-Since");
  }
  if (ifNoneMatch !== undefined) {
    if (etagMatches(ifNoneMatch, version.etag)) throw preconditionFailed("x-amz-copy-source-If-None-Match");
  } else if (ifModifiedSince !== undefined && modified <= ifModifiedSince) {
    throw preconditionFailed("x-amz-copy-source-If-Modified-Since");
  }
}

/** The 304 response's headers (S3 sends the validators, no body). */
export function notModifiedHeaders(version: ObjectVersion): Record<string, string> {
  return { etag: `"${version.etag}"`, "last-modified": httpDate(version.lastModified) };
}

export interface ByteRange {
  start: number;
  end: number;
}

/** The range to serve, undefined for the whole object; throws 416 InvalidRange. */
export function parseRange(header: string | undefined, size: number): ByteRange | undefined {
  if (header === undefined) return undefined;
  const m = /^bytes=(\d*)-(\d*)$/.exec(header.trim());
  if (!m || (m[1] === "" && m[2] === "")) return undefined; // unparseable or multi-range: whole object
  const unsatisfiable = () =>
    new AwsError("InvalidRange", "The requested range is not satisfiable", {
      status: 416,
      fields: { RangeRequested: header, ActualObjectSize: size },
      headers: { "content-range": `bytes */${size}` },
    });
  if (m[1] === "") {
    const suffix = Number(m[2]);
    if (suffix === 0 || size === 0) throw unsatisfiable();
    return { start: Math.max(0, size - suffix), end: size - 1 };
  }
  const start = Number(m[1]);
  const end = m[2] === "" ? size - 1 : Math.min(Number(m[2]), size - 1);
  if (m[2] !== "" && Number(m[2]) < start) return undefined; // last < first: S3 ignores the header
  if (start >= size) throw unsatisfiable();
  return { start, end };
}
