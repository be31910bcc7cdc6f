/**
 * Wildcard matching as IAM does it: `*` is any run of characters (including
 * none, and including `/` and `:`), `?` is exactly one character. Actions
 * match case-insensitively ("S3:getobject" is s3:GetObject), resources and
 * condition values case-sensitively. Patterns are compiled once (policy/glob.ts:
 * no regular expressions, so a policy full of stars cannot stall the cloud by
 * backtracking) and cached, because the same few policies are evaluated on
 * every request.
 */
import { Glob } from "./glob.js";

const cache = new Map<string, Glob>();
const CACHE_LIMIT = 4096;

/** The compiled form of an IAM wildcard pattern. */
export function wildcardRegExp(pattern: string, ignoreCase: boolean): Glob {
  const key = (ignoreCase ? "i" : "s") + pattern;
  let re = cache.get(key);
  if (!re) {
    re = Glob.of(pattern, ignoreCase);
    if (cache.size >= CACHE_LIMIT) cache.clear();
    cache.set(key, re);
  }
  return re;
}

/** Does `value` match the IAM wildcard `pattern`? */
export function wildcardMatch(pattern: string, value: string, ignoreCase = false): boolean {
  if (pattern === "*") return true;
  if (!pattern.includes("*") && !pattern.includes("?")) {
    return ignoreCase ? pattern.toLowerCase() === value.toLowerCase() : pattern === value;
  }
  return wildcardRegExp(pattern, ignoreCase).test(value);
}

/** Action patterns: "service:Operation" with wildcards, case-insensitive ("*" matches every action). */
export function actionMatches(pattern: string, action: string): boolean {
  return wildcardMatch(pattern, action, true);
}

/** Resource patterns: ARNs with wildcards, case-sensitive ("*" matches every resource). */
export function resourceMatches(pattern: string, resource: string): boolean {
  return wildcardMatch(pattern, resource, false);
}

/**
 * ArnEquals / ArnLike: both compare the six colon-separated parts of an ARN one
 * by one, each with wildcards (the IAM reference documents the same matching for
 * both). The resource part keeps any further colons (arn:aws:lambda:…:function:f:1).
 */
export function arnMatches(pattern: string, value: string): boolean {
  const p = splitArn(pattern);
  const v = splitArn(value);
  if (!p || !v) return false;
  for (let i = 0; i < 6; i++) {
    if (!wildcardMatch(p[i]!, v[i]!, false)) return false;
  }
  return true;
}

function splitArn(arn: string): string[] | undefined {
  const parts = arn.split(":");
  if (parts.length < 6) {
    // A bare "*" pattern matches any ARN, part by part.
    return arn === "*" ? ["*", "*", "*", "*", "*", "*"] : undefined;
  }
  return [...parts.slice(0, 5), parts.slice(5).join(":")];
}
