/**
 * Tags as a `{ Key, Value }` list, the shape RDS and Secrets Manager use on the
 * wire (IAM's list merges keys case-insensitively and validates more, so it
 * keeps its own; SNS, SQS, EventBridge and Step Functions use other shapes).
 * Each service passes its own error, since AWS names the exception per service.
 * Also the listing every "tags:<service>" provider answers with (taggedIn).
 */
import type { AwsError } from "./aws-error.js";
import type { TaggedResource } from "./internal-apis.js";

export interface KeyValueTag {
  Key: string;
  Value: string;
}

/** A list of tags as given; a missing Value is "" (AWS stores it so). */
export function keyValueTags(items: unknown[], invalid: (message: string) => AwsError): KeyValueTag[] {
  return items.map((t) => {
    const tag = t as { Key?: unknown; Value?: unknown };
    if (typeof tag?.Key !== "string" || tag.Key === "") throw invalid("A tag's Key must be a non-empty string.");
    return { Key: tag.Key, Value: typeof tag.Value === "string" ? tag.Value : "" };
  });
}

/** New tags over current ones: a key given again takes the new value, in its old place. */
export function mergeKeyValueTags(current: KeyValueTag[], added: KeyValueTag[]): KeyValueTag[] {
  const map = new Map(current.map((t) => [t.Key, t.Value]));
  for (const t of added) map.set(t.Key, t.Value);
  return [...map].map(([Key, Value]) => ({ Key, Value }));
}

/** Tags as a map, from either shape a service keeps them in (a missing set: none). */
export function tagMap(tags: Record<string, string> | KeyValueTag[] | undefined): Record<string, string> {
  return Array.isArray(tags) ? Object.fromEntries(tags.map((t) => [t.Key, t.Value])) : { ...tags };
}

/**
 * For a "tags:<service>" provider (core/internal-apis.ts TaggedResourcesApi):
 * the items of one account and region that `keep` allows, named by their ARN
 * (or `arnOf`), with their tags as a map.
 */
export function taggedIn<T extends { account: string; region: string; arn?: string; tags?: Record<string, string> | KeyValueTag[] }>(
  items: Iterable<T>,
  account: string,
  region: string,
  resourceType: string,
  opts: { arnOf?: (item: T) => string; keep?: (item: T) => boolean } = {},
): TaggedResource[] {
  const out: TaggedResource[] = [];
  for (const item of items) {
    if (item.account !== account || item.region !== region || (opts.keep && !opts.keep(item))) continue;
    out.push({ arn: opts.arnOf ? opts.arnOf(item) : item.arn!, resourceType, tags: tagMap(item.tags) });
  }
  return out;
}
