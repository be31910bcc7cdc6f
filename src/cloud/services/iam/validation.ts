/**
 * Input validation for IAM: AWS's model checks (protocols/model-validation.ts)
 * plus IAM's name, path and tag rules, and the Marker/MaxItems pagination
 * every IAM List operation shares.
 */
import { AwsError } from "../../core/aws-error.js";
import { intParam, ModelChecks } from "../../protocols/model-validation.js";
import type { Tag } from "./state.js";

/** AWS's model checks plus IAM's names. */
export class Checks extends ModelChecks {
  /** A name such as RoleName or PolicyName: [\w+=,.@-]+ of bounded length. */
  name(value: string | undefined, field: string, max: number, required = true): void {
    if (required && !this.required(value, field)) return;
    this.length(value, field, 1, max);
    this.pattern(value, field, /^[\w+=,.@-]+$/, "[\\w+=,.@-]+");
  }
}

export { intParam };

/**
 * IAM paths: "/" or "/segment/…/" of printable ASCII, up to 512 characters.
 * AWS answers a bad path with this exact ValidationError sentence.
 */
export function checkPath(path: string | undefined, field = "path"): string {
  if (path === undefined) return "/";
  const checks = new Checks();
  checks.length(path, field, 1, 512);
  checks.throwIfAny();
  if (!/^(\/|\/[\u0021-\u007E]+\/)$/.test(path)) {
    throw new AwsError(
      "ValidationError",
      `The specified value for ${field} is invalid. It must begin and end with / and contain only alphanumeric characters and/or / characters.`,
    );
  }
  return path;
}

/** Tags from `Tags.member.N.Key/Value`: at most 50, keys 1–128 and values 0–256 characters. */
export function checkTags(raw: unknown): Tag[] {
  if (raw === undefined) return [];
  const list = Array.isArray(raw) ? raw : [];
  const checks = new Checks();
  if (list.length > 50) checks.range(list.length, "tags", 0, 50);
  const tags: Tag[] = [];
  list.forEach((item, i) => {
    const tag = (item ?? {}) as { Key?: string; Value?: string };
    if (checks.required(tag.Key, `tags.${i + 1}.member.key`)) {
      checks.length(tag.Key, `tags.${i + 1}.member.key`, 1, 128);
      checks.pattern(tag.Key, `tags.${i + 1}.member.key`, /^[\p{L}\p{Z}\p{N}_.:/=+\-@]+$/u, "[\\p{L}\\p{Z}\\p{N}_.:/=+\\-@]+");
    }
    if (checks.required(tag.Value, `tags.${i + 1}.member.value`)) checks.length(tag.Value, `tags.${i + 1}.member.value`, 0, 256);
    tags.push({ Key: tag.Key ?? "", Value: tag.Value ?? "" });
  });
  checks.throwIfAny();
  const keys = new Set<string>();
  for (const tag of tags) {
    // AWS refuses the same key twice in one request (keys compare case-insensitively).
    const k = tag.Key.toLowerCase();
    if (keys.has(k)) throw new AwsError("InvalidInput", "Duplicate tag keys found. Please note that Tag keys are case insensitive.");
    keys.add(k);
  }
  return tags;
}

/** Merge new tags over existing ones: same key (any case) replaces the value, as TagRole does. */
export function mergeTags(existing: Tag[], added: Tag[]): Tag[] {
  const out = existing.filter((t) => !added.some((a) => a.Key.toLowerCase() === t.Key.toLowerCase()));
  return [...out, ...added];
}

export interface Page<T> {
  items: T[];
  IsTruncated: boolean;
  Marker?: string;
}

/**
 * IAM pagination: MaxItems (1–1000, default 100) and an opaque Marker. Ours
 * encodes the offset into the sorted list; a marker that is not ours is
 * InvalidInput, as AWS says for a marker it did not issue.
 */
export function paginate<T>(all: T[], input: { Marker?: string; MaxItems?: string | number }): Page<T> {
  const max = intParam(input.MaxItems, "maxItems") ?? 100;
  const checks = new Checks();
  checks.range(max, "maxItems", 1, 1000);
  checks.throwIfAny();
  let start = 0;
  if (input.Marker !== undefined) {
    const decoded = /^[A-Za-z0-9+/=]+$/.test(input.Marker) ? Buffer.from(input.Marker, "base64").toString("utf8") : "";
    const m = /^offset:(\d+)$/.exec(decoded);
    if (!m) throw new AwsError("InvalidInput", "Invalid Marker.");
    start = Number(m[1]);
  }
  const items = all.slice(start, start + max);
  const next = start + max;
  if (next < all.length) return { items, IsTruncated: true, Marker: Buffer.from(`offset:${next}`).toString("base64") };
  return { items, IsTruncated: false };
}
