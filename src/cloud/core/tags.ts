/**
 * Tags as a `{ Key, Value }` list, the shape RDS and Secrets Manager use on the
 * wire (IAM's list merges keys case-insensitively and validates more, so it
 * keeps its own; SNS, SQS, EventBridge and Step Functions use other shapes).
 * Each service passes its own error, since AWS names the exception per service.
 */
import type { AwsError } from "./aws-error.js";

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
