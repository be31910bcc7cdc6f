/**
 * Resource Groups Tagging API operations → IAM actions (service prefix
 * `tag`, registered service name "tagging"). GetResources, GetTagKeys and
 * GetTagValues support no resource-level permissions: the resource is "*"
 * (Service Authorization Reference, Amazon Resource Group Tagging API).
 */
import type { ActionMapping } from "./types.js";

const KNOWN = new Set(["GetResources", "GetTagKeys", "GetTagValues"]);

export function taggingActions(operation: string): ActionMapping {
  return { checks: [{ action: `tag:${operation}`, resource: "*" }], guessed: !KNOWN.has(operation) };
}
