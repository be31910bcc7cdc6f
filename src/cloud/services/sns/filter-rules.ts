/**
 * SNS's own rules for a FilterPolicy, checked before the shared matcher
 * (core/event-pattern.ts) sees it — SNS accepts less than EventBridge does
 * (SNS developer guide "Filter policy constraints", "string value matching",
 * "numeric value matching"; aws-behavior.md §12):
 * - at most 5 keys at the top level (for nested policies only the parent
 *   keys count): "Filter policy can not have more than 5 keys";
 * - at most 150 combinations: the product over the leaves of (number of
 *   values × depth of the leaf), `$or` branches added up: "Filter policy is
 *   too complex";
 * - a key's value is an object (MessageBody scope only) or an array:
 *   `"<key>" must be an object or an array`; MessageAttributes: "Filter policy
 *   scope MessageAttributes does not support nested filter policy";
 * - values are strings, numbers, true/false/null or one-key operators:
 *   prefix, suffix, equals-ignore-case (a string), anything-but (a value, a
 *   list, or {prefix|suffix}), numeric (ranges `">", 0, "<=", 5`), exists
 *   (true/false), cidr; anything else "Unrecognized match type <op>"
 *   (EventBridge's wildcard is not an SNS operator);
 * - 256 KB.
 * Messages follow SNS's ("Invalid parameter: FilterPolicy: …"; Subscribe adds
 * "Attributes Reason: ", subscriptions.ts).
 *
 * Gaps: the documented ±10^9 / 5-decimal limit on numbers is not enforced
 * (AWS was recorded accepting larger numbers; LocalStack notes the same).
 */
import { invalidParameter } from "./errors.js";
import { jsonDepthExceeds } from "../../core/json-depth.js";
import { MAX_PATTERN_DEPTH } from "../../core/event-pattern.js";

const MAX_KEYS = 5;
const MAX_COMBINATIONS = 150;
const MAX_BYTES = 256 * 1024;
const STRING_OPERATORS = new Set(["prefix", "suffix", "equals-ignore-case", "cidr"]);

const fail = (detail: string) => invalidParameter(`FilterPolicy: ${detail}`);
const isObject = (v: unknown): v is Record<string, unknown> => !!v && typeof v === "object" && !Array.isArray(v);

export function validateSnsFilterPolicy(text: string, scope: "MessageAttributes" | "MessageBody"): void {
  if (Buffer.byteLength(text) > MAX_BYTES) throw fail("Filter policy is too long");
  let policy: unknown;
  try {
    policy = JSON.parse(text);
  } catch {
    throw fail("failed to parse JSON.");
  }
  if (!isObject(policy)) throw fail("Filter policy must be a JSON object");
  // Before any recursive walk (issue 11: a 5000-deep policy is a 400, not a stack overflow).
  if (jsonDepthExceeds(policy, MAX_PATTERN_DEPTH)) throw fail(`Filter nests deeper than ${MAX_PATTERN_DEPTH} levels`);
  if (Object.keys(policy).length > MAX_KEYS) throw fail(`Filter policy can not have more than ${MAX_KEYS} keys`);
  if (combinations(policy, 1, 1, scope) > MAX_COMBINATIONS) throw fail("Filter policy is too complex");
}

/** Walks the policy (validating each rule) and returns the combination count AWS limits. */
function combinations(policy: Record<string, unknown>, depth: number, start: number, scope: string): number {
  let count = start;
  for (const [key, value] of Object.entries(policy)) {
    if (key === "$or") {
      if (!Array.isArray(value) || value.length < 2 || !value.every(isObject)) throw fail(`"$or" must be an array of at least two objects`);
      let sum = 0;
      for (const branch of value) sum += combinations(branch as Record<string, unknown>, depth, count, scope);
      count = sum;
    } else if (isObject(value)) {
      if (scope === "MessageAttributes") throw invalidParameter("Filter policy scope MessageAttributes does not support nested filter policy");
      count = combinations(value, depth + 1, count, scope);
    } else if (Array.isArray(value)) {
      if (value.length === 0) throw fail(`Empty arrays are not allowed`);
      for (const rule of value) validateRule(rule);
      count = count * value.length * depth;
    } else {
      throw fail(`"${key}" must be an object or an array`);
    }
    if (count > 1e9) return count; // already far past the limit; stop multiplying
  }
  return count;
}

function validateRule(rule: unknown): void {
  if (rule === null || typeof rule === "string" || typeof rule === "boolean" || typeof rule === "number") return;
  if (!isObject(rule)) throw fail("Match value must be String, number, true, false, or null");
  const keys = Object.keys(rule);
  if (keys.length !== 1) throw fail("Only one key allowed in match expression");
  const op = keys[0]!;
  const value = rule[op];
  if (STRING_OPERATORS.has(op)) {
    if (typeof value !== "string") throw fail(`${op} match pattern must be a string`);
    return;
  }
  switch (op) {
    case "exists":
      if (typeof value !== "boolean") throw fail("exists match pattern must be either true or false.");
      return;
    case "anything-but":
      if (typeof value === "string" || typeof value === "number") return;
      if (Array.isArray(value)) {
        if (!value.every((v) => typeof v === "string" || typeof v === "number")) throw fail("anything-but list must contain only strings or numbers");
        return;
      }
      if (isObject(value)) {
        const [inner, arg] = Object.entries(value)[0] ?? [];
        if (Object.keys(value).length !== 1 || (inner !== "prefix" && inner !== "suffix")) throw fail(`Unsupported anything-but pattern: ${Object.keys(value).join(", ")}`);
        if (typeof arg !== "string") throw fail(`${inner} match pattern must be a string`);
        return;
      }
      throw fail("anything-but match pattern must be a string, a number or a list");
    case "numeric":
      validateNumeric(value);
      return;
    default:
      throw fail(`Unrecognized match type ${op}`);
  }
}

function validateNumeric(value: unknown): void {
  if (!Array.isArray(value) || value.length === 0) throw fail("Invalid member in numeric match: ]");
  const [op, n, op2, n2, ...rest] = value as unknown[];
  if (typeof op !== "string") throw fail(`Invalid member in numeric match: ${JSON.stringify(op)}`);
  if (!["<", "<=", "=", ">", ">="].includes(op)) throw fail(`Unrecognized numeric range operator: ${op}`);
  if (typeof n !== "number") throw fail(`Value of ${op === "=" ? "equals" : op} must be numeric`);
  if (value.length === 2) return;
  if (op !== ">" && op !== ">=") throw fail("Too many elements in numeric expression");
  if (typeof op2 !== "string") throw fail(`Bad value in numeric range: ${JSON.stringify(op2)}`);
  if (op2 !== "<" && op2 !== "<=") throw fail(`Bad numeric range operator: ${op2}`);
  if (typeof n2 !== "number") throw fail(`Value of ${op2} must be numeric`);
  if (n2 <= n) throw fail("Bottom must be less than top");
  if (rest.length) throw fail("Too many terms in numeric range expression");
}
