/**
 * The request context as the evaluator reads it: condition keys looked up
 * case-insensitively (AWS treats key names case-insensitively: "AWS:SourceArn"
 * in a Lambda policy is aws:SourceArn), every value a list of strings (a
 * single-valued key is a list of one). Built once per evaluation.
 */
import type { PolicyRequest } from "./contract.js";

export class RequestValues {
  private readonly map = new Map<string, string[]>();

  constructor(context: PolicyRequest["context"]) {
    for (const [key, value] of Object.entries(context)) {
      if (value === undefined) continue;
      this.map.set(key.toLowerCase(), Array.isArray(value) ? value.map(String) : [String(value)]);
    }
  }

  /** The key's values, or undefined when the request does not carry the key. */
  get(key: string): string[] | undefined {
    return this.map.get(key.toLowerCase());
  }

  has(key: string): boolean {
    return this.map.has(key.toLowerCase());
  }
}

/**
 * The global condition keys every request carries, whoever signs it: where it
 * came from, when, over what transport, to which region. Enforcement and the
 * STS trust check add the caller's own keys on top.
 */
export function requestGlobalKeys(ctx: { sourceIp: string; endpoint: string; region: string }, now = new Date()): PolicyRequest["context"] {
  return {
    "aws:SourceIp": ctx.sourceIp,
    "aws:CurrentTime": now.toISOString(),
    "aws:EpochTime": String(Math.floor(now.getTime() / 1000)),
    "aws:SecureTransport": ctx.endpoint.startsWith("https:") ? "true" : "false",
    "aws:RequestedRegion": ctx.region,
  };
}
