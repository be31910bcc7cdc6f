/**
 * Subscription filter policies (SNS developer guide "message filtering"):
 * FilterPolicy is matched with the cloud's one event-pattern matcher
 * (core/event-pattern.ts) against the message attributes (FilterPolicyScope
 * MessageAttributes, the default) or the message body parsed as JSON
 * (MessageBody). A body that is not JSON never matches a MessageBody policy;
 * a message without attributes never matches an attribute policy that needs one.
 * A body that is a JSON array or scalar never matches either (AWS: FilteredOut-InvalidMessageBody).
 * SNS's own limits and messages are in filter-rules.ts.
 */
import { matchesPattern, parsePattern, PatternError } from "../../core/event-pattern.js";
import { filterView, type SnsAttributes } from "./message-attributes.js";
import { invalidParameter } from "./errors.js";
import { validateSnsFilterPolicy } from "./filter-rules.js";

/** Validate FilterPolicy (and its scope) as SetSubscriptionAttributes does (filter-rules.ts), then as the matcher needs it. */
export function validateFilterPolicy(policy: string, scope: string | undefined): void {
  validateSnsFilterPolicy(policy, (scope ?? "MessageAttributes") as "MessageAttributes" | "MessageBody");
  try {
    parsePattern(policy);
  } catch (err) {
    if (err instanceof PatternError) throw invalidParameter(`FilterPolicy: ${err.message}`);
    throw err;
  }
}

export function validateFilterPolicyScope(scope: string): void {
  if (scope !== "MessageAttributes" && scope !== "MessageBody") {
    throw invalidParameter(`FilterPolicyScope: Invalid value [${scope}]. Please use either MessageBody or MessageAttributes`);
  }
}

/** Does a message pass a subscription's filter policy? No policy = everything passes. */
export function passesFilter(attributes: Record<string, string>, message: string, messageAttributes: SnsAttributes): boolean {
  const policy = attributes.FilterPolicy;
  if (!policy) return true;
  const pattern = parsePattern(policy);
  if (attributes.FilterPolicyScope === "MessageBody") {
    let body: unknown;
    try {
      body = JSON.parse(message);
    } catch {
      return false;
    }
    if (!body || typeof body !== "object" || Array.isArray(body)) return false;
    return matchesPattern(pattern, body);
  }
  return matchesPattern(pattern, filterView(messageAttributes));
}
