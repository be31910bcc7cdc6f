/**
 * Prefix/suffix key filters (S3 user guide, "notification-how-to-filtering";
 * aws-behavior.md §3). Matching compares the stored (decoded) object key with
 * the filter values, decoded the way S3 documents writing them: a space as
 * "+", other characters as %XX. Overlap is the test S3 applies between two
 * configurations for the same event type: prefixes overlap when one is a
 * prefix of the other, suffixes when one is a suffix of the other, and a
 * missing rule ("") overlaps everything.
 */
import type { FilterRule } from "./config-types.js";

/** A filter value as a key fragment: "+" is a space, %XX are UTF-8 bytes; undecodable input stays as written. */
export function decodeFilterValue(value: string): string {
  const spaced = value.replace(/\+/g, " ");
  try {
    return decodeURIComponent(spaced);
  } catch {
    return spaced;
  }
}

export function prefixOf(rules: FilterRule[]): string {
  return decodeFilterValue(rules.find((r) => r.name === "Prefix")?.value ?? "");
}

export function suffixOf(rules: FilterRule[]): string {
  return decodeFilterValue(rules.find((r) => r.name === "Suffix")?.value ?? "");
}

/** Does the object key pass the configuration's filter? */
export function keyMatches(rules: FilterRule[], key: string): boolean {
  if (rules.length === 0) return true;
  return key.startsWith(prefixOf(rules)) && key.endsWith(suffixOf(rules));
}

/** Could one key match both filters? (S3's overlap rule: prefixes overlap and suffixes overlap.) */
export function filtersOverlap(a: FilterRule[], b: FilterRule[]): boolean {
  const pa = prefixOf(a);
  const pb = prefixOf(b);
  const sa = suffixOf(a);
  const sb = suffixOf(b);
  const prefixes = pa.startsWith(pb) || pb.startsWith(pa);
  const suffixes = sa.endsWith(sb) || sb.endsWith(sa);
  return prefixes && suffixes;
}
