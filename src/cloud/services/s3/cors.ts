/**
 * Bucket CORS, so a web page can use presigned URLs and POST forms: Put/Get/
 * DeleteBucketCors (the <CORSConfiguration> document, validated as S3 does),
 * the OPTIONS preflight (unsigned; 403 AccessForbidden unless a rule allows
 * the origin, method and requested headers), and the Access-Control-* headers
 * S3 adds to an ordinary request that carries an Origin a rule allows.
 *
 * Rule matching as S3 documents it: the first rule whose AllowedOrigin
 * (one "*" wildcard allowed) matches the Origin, whose AllowedMethod lists
 * the method, and whose AllowedHeader patterns cover every requested header.
 */
import { AwsError } from "../../core/aws-error.js";
import type { GatewayResponse } from "../../core/service.js";
import { empty, xml, xmlBody, type S3Call } from "./call.js";
import { malformedXml } from "./errors.js";

export const CORS_TABLE = "s3.bucket-cors";

export interface CorsRule {
  ID?: string;
  AllowedOrigins: string[];
  AllowedMethods: string[];
  AllowedHeaders: string[];
  ExposeHeaders: string[];
  MaxAgeSeconds?: number;
}

const METHODS = new Set(["GET", "PUT", "POST", "DELETE", "HEAD"]);
const MAX_RULES = 100;

function table(call: S3Call) {
  return call.cloud.store.table<{ rules: CorsRule[] }>(CORS_TABLE);
}

function list(value: unknown): string[] {
  if (value === undefined) return [];
  return (Array.isArray(value) ? value : [value]).map((v) => (typeof v === "string" ? v : "")).filter((v) => v !== "");
}

/** Glob with at most one "*" (S3's rule), case-insensitive for headers, exact otherwise. */
function globMatches(pattern: string, value: string, caseInsensitive = false): boolean {
  const p = caseInsensitive ? pattern.toLowerCase() : pattern;
  const v = caseInsensitive ? value.toLowerCase() : value;
  const star = p.indexOf("*");
  if (star < 0) return p === v;
  const head = p.slice(0, star);
  const tail = p.slice(star + 1);
  return v.length >= head.length + tail.length && v.startsWith(head) && v.endsWith(tail);
}

export function putBucketCors(call: S3Call): GatewayResponse {
  call.store.requireBucket(call.bucket);
  const doc = xmlBody(call, ["CORSRule", "AllowedOrigin", "AllowedMethod", "AllowedHeader", "ExposeHeader"]);
  const raw = doc.CORSConfiguration?.CORSRule;
  if (!Array.isArray(raw) || raw.length === 0 || raw.length > MAX_RULES) throw malformedXml();
  const rules = raw.map((r: any): CorsRule => {
    if (!r || typeof r !== "object") throw malformedXml();
    const rule: CorsRule = {
      ID: typeof r.ID === "string" ? r.ID : undefined,
      AllowedOrigins: list(r.AllowedOrigin),
      AllowedMethods: list(r.AllowedMethod),
      AllowedHeaders: list(r.AllowedHeader),
      ExposeHeaders: list(r.ExposeHeader),
      MaxAgeSeconds: r.MaxAgeSeconds !== undefined ? Number(r.MaxAgeSeconds) : undefined,
    };
    if (!rule.AllowedOrigins.length || !rule.AllowedMethods.length) throw malformedXml();
    if (rule.MaxAgeSeconds !== undefined && !Number.isInteger(rule.MaxAgeSeconds)) throw malformedXml();
    for (const method of rule.AllowedMethods) {
      if (!METHODS.has(method)) throw new AwsError("InvalidRequest", `Found unsupported HTTP method in CORS config. Unsupported method is ${method}`);
    }
    for (const origin of rule.AllowedOrigins) {
      if (origin.split("*").length > 2) throw new AwsError("InvalidRequest", `AllowedOrigin "${origin}" can not have more than one wildcard.`);
    }
    for (const header of rule.AllowedHeaders) {
      if (header.split("*").length > 2) throw new AwsError("InvalidRequest", `AllowedHeader "${header}" can not have more than one wildcard.`);
    }
    return rule;
  });
  table(call).set(call.bucket, { rules });
  return empty(call, 200);
}

export function getBucketCors(call: S3Call): GatewayResponse {
  call.store.requireBucket(call.bucket);
  const stored = table(call).get(call.bucket);
  if (!stored) throw new AwsError("NoSuchCORSConfiguration", "The CORS configuration does not exist", { status: 404, fields: { BucketName: call.bucket } });
  return xml(call, "CORSConfiguration", {
    CORSRule: stored.rules.map((r) => ({
      ID: r.ID,
      AllowedHeader: r.AllowedHeaders,
      AllowedMethod: r.AllowedMethods,
      AllowedOrigin: r.AllowedOrigins,
      ExposeHeader: r.ExposeHeaders,
      MaxAgeSeconds: r.MaxAgeSeconds,
    })),
  });
}

export function deleteBucketCors(call: S3Call): GatewayResponse {
  call.store.requireBucket(call.bucket);
  table(call).delete(call.bucket);
  return empty(call, 204);
}

/** The bucket is gone: so is its CORS configuration. */
export function forgetBucketCors(call: S3Call, bucket: string): void {
  table(call).delete(bucket);
}

function matchingRule(rules: CorsRule[], origin: string, method: string, requestHeaders: string[]): CorsRule | undefined {
  return rules.find(
    (r) =>
      r.AllowedOrigins.some((o) => globMatches(o, origin)) &&
      r.AllowedMethods.includes(method) &&
      requestHeaders.every((h) => r.AllowedHeaders.some((a) => globMatches(a, h, true))),
  );
}

function allowHeaders(rule: CorsRule, origin: string, method: string): Record<string, string> {
  const wildcard = rule.AllowedOrigins.includes("*");
  const headers: Record<string, string> = {
    "access-control-allow-origin": wildcard ? "*" : origin,
    "access-control-allow-methods": rule.AllowedMethods.join(", "),
    vary: "Origin, Access-Control-Request-Headers, Access-Control-Request-Method",
  };
  if (!wildcard) headers["access-control-allow-credentials"] = "true";
  if (rule.ExposeHeaders.length) headers["access-control-expose-headers"] = rule.ExposeHeaders.join(", ");
  if (rule.MaxAgeSeconds !== undefined && method === "OPTIONS") headers["access-control-max-age"] = String(rule.MaxAgeSeconds);
  return headers;
}

/** OPTIONS /{bucket}[/{key}]: the CORS preflight. */
export function preflight(call: S3Call): GatewayResponse {
  const origin = call.headers["origin"];
  if (!origin) throw new AwsError("BadRequest", "Insufficient information. Origin request header needed.");
  const method = call.headers["access-control-request-method"];
  if (!method) throw new AwsError("BadRequest", `Invalid Access-Control-Request-Method: null`);
  call.store.requireBucket(call.bucket);
  const stored = table(call).get(call.bucket);
  if (!stored) throw new AwsError("AccessForbidden", "CORSResponse: CORS is not enabled for this bucket.", { status: 403, fields: { Method: method, ResourceType: "BUCKET" } });
  const requested = (call.headers["access-control-request-headers"] ?? "").split(",").map((h) => h.trim().toLowerCase()).filter(Boolean);
  const rule = matchingRule(stored.rules, origin, method, requested);
  if (!rule) {
    throw new AwsError(
      "AccessForbidden",
      "CORSResponse: This CORS request is not allowed. This is usually because the evalution of Origin, request method / Access-Control-Request-Method or Access-Control-Request-Headers are not whitelisted by the resource's CORS spec.",
      { status: 403, fields: { Method: method, ResourceType: call.key === undefined ? "BUCKET" : "OBJECT" } },
    );
  }
  const headers = allowHeaders(rule, origin, "OPTIONS");
  if (requested.length) headers["access-control-allow-headers"] = requested.join(", ");
  return empty(call, 200, headers);
}

/** Access-Control-* headers for an ordinary request with an Origin (none when no rule allows it). */
export function corsResponseHeaders(call: S3Call): Record<string, string> {
  const origin = call.headers["origin"];
  if (!origin || !call.bucket) return {};
  const stored = table(call).get(call.bucket);
  if (!stored) return {};
  const rule = matchingRule(stored.rules, origin, call.req.method, []);
  return rule ? allowHeaders(rule, origin, call.req.method) : {};
}

/**
 * May a web page at this Origin use this request? Only when a CORS rule of the
 * bucket allows the origin and method (the gateway refuses every other
 * cross-origin request, gateway/auth/host-origin.ts).
 */
export function originAllowed(call: S3Call): boolean {
  return Object.keys(corsResponseHeaders(call)).length > 0;
}
