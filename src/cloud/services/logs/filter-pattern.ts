/**
 * CloudWatch Logs filter patterns for unstructured log events (the "Filter
 * pattern syntax" page of the CloudWatch Logs user guide): terms are
 * case-sensitive substrings; every plain term must appear (AND); `"a quoted
 * phrase"` is one term; `?term` terms form an OR group (at least one must
 * appear); `-term` excludes events containing it. An empty pattern matches
 * everything. JSON patterns (`{ $.field = … }`) are json-filter-pattern.ts;
 * space-delimited patterns (`[ip, user, …]`) and regular expressions
 * (`%…%`) are not implemented and are refused with InvalidParameterException
 * saying so.
 */
import { invalidParameter } from "./errors.js";
import { compileJsonPattern } from "./json-filter-pattern.js";

export type Matcher = (message: string) => boolean;

export function compileFilterPattern(pattern: string | undefined): Matcher {
  const source = (pattern ?? "").trim();
  if (!source || source === '""') return () => true;
  if (source.startsWith("{")) return compileJsonPattern(source);
  if (/^[[%]/.test(source)) {
    throw invalidParameter(
      `The local cloud supports plain-term and JSON filter patterns (terms, "quoted phrases", ?optional, -excluded; { $.field = value }), not space-delimited or regular-expression patterns: ${source}`,
    );
  }
  const all: string[] = [];
  const any: string[] = [];
  const none: string[] = [];
  const tokenizer = /([?-]?)(?:"((?:[^"\\]|\\.)*)"|(\S+))/g;
  for (let m = tokenizer.exec(source); m; m = tokenizer.exec(source)) {
    const term = m[2] !== undefined ? m[2].replace(/\\(.)/g, "$1") : m[3]!;
    if (!term) continue;
    if (m[1] === "?") any.push(term);
    else if (m[1] === "-") none.push(term);
    else all.push(term);
  }
  return (message) =>
    all.every((t) => message.includes(t)) && (any.length === 0 || any.some((t) => message.includes(t))) && !none.some((t) => message.includes(t));
}
