/**
 * Policy variables (IAM user guide, "policy variables"): in a policy whose
 * Version is "2012-10-17", `${key}` inside a Resource or a String/Arn condition
 * value is replaced by that key's value in the request context
 * (`${aws:username}`, `${aws:userid}`, `${aws:PrincipalAccount}`, any other
 * key the request carries). `${key, 'default'}` supplies a default. The escapes
 * `${*}`, `${?}` and `${$}` stand for a literal `*`, `?` and `$` — literal, so an
 * escaped `*` is not a wildcard. A variable whose key the request lacks (and
 * that has no default) makes the element not match, as AWS does.
 */
import { Glob } from "./glob.js";
import type { RequestValues } from "./request-values.js";

/** A pattern after substitution: text that keeps wildcards, and literal text that does not. */
export type ResolvedPattern = Array<{ text: string; literal: boolean }>;

const VARIABLE = /\$\{([^}]*)\}/g;

export function hasVariables(text: string): boolean {
  return text.includes("${");
}

/** Substitute variables; undefined when a variable has no value. */
export function resolveVariables(text: string, values: RequestValues): ResolvedPattern | undefined {
  const parts: ResolvedPattern = [];
  let last = 0;
  for (const m of text.matchAll(VARIABLE)) {
    if (m.index! > last) parts.push({ text: text.slice(last, m.index), literal: false });
    last = m.index! + m[0].length;
    const inner = m[1]!.trim();
    if (inner === "*" || inner === "?" || inner === "$") {
      parts.push({ text: inner, literal: true });
      continue;
    }
    const withDefault = /^([^,]+?)\s*,\s*'([^']*)'$/.exec(inner);
    const key = withDefault ? withDefault[1]!.trim() : inner;
    const value = values.get(key);
    if (value !== undefined && value.length === 1) parts.push({ text: value[0]!, literal: true });
    else if (withDefault) parts.push({ text: withDefault[2]!, literal: true });
    else return undefined;
  }
  if (last < text.length) parts.push({ text: text.slice(last), literal: false });
  return parts;
}

/** The resolved text as a plain string (for exact comparisons). */
export function plainText(parts: ResolvedPattern): string {
  return parts.map((p) => p.text).join("");
}

/** The resolved pattern as a matcher (policy/glob.ts, linear, no regex): wildcards only in the non-literal parts. */
export function patternRegExp(parts: ResolvedPattern, ignoreCase: boolean): Glob {
  return new Glob(parts, ignoreCase);
}
