/**
 * The Condition element (IAM user guide, "condition operators" and
 * "conditions with multiple context keys or values"):
 * - several operators in one Condition, and several keys under one operator,
 *   must all hold (AND); several values for one key are alternatives (OR),
 *   except for negated operators (StringNotEquals, NotIpAddress, ArnNotLike…)
 *   where the request value must match none of them (NOR);
 * - a key the request does not carry makes a positive operator false and a
 *   negated operator true; `…IfExists` makes any operator true when the key is
 *   absent; `Null` tests presence itself ("true" = must be absent);
 * - `ForAnyValue:` holds when at least one request value satisfies the
 *   operator (false when the key is absent or empty); `ForAllValues:` holds when
 *   every request value does (true when the key is absent or empty).
 * An operator the evaluator does not know makes the condition false (AWS would
 * have refused the policy when it was saved); the reason says so.
 */
import { arnMatches, wildcardMatch } from "./matchers.js";
import { ipInCidr } from "./ip.js";
import type { RequestValues } from "./request-values.js";
import { hasVariables, patternRegExp, plainText, resolveVariables } from "./variables.js";

type Kind = "string" | "numeric" | "date" | "bool" | "binary" | "ip" | "arn";

interface BaseOperator {
  kind: Kind;
  negated: boolean;
  /** Does one request value match one policy value (before negation)? */
  test(requestValue: string, policyValue: string, values: RequestValues, variables: boolean): boolean;
}

/** Policy value after variable substitution, for exact comparisons; undefined when a variable is missing. */
function plain(policyValue: string, values: RequestValues, variables: boolean): string | undefined {
  if (!variables || !hasVariables(policyValue)) return policyValue;
  const parts = resolveVariables(policyValue, values);
  return parts && plainText(parts);
}

function like(requestValue: string, policyValue: string, values: RequestValues, variables: boolean): boolean {
  if (!variables || !hasVariables(policyValue)) return wildcardMatch(policyValue, requestValue, false);
  const parts = resolveVariables(policyValue, values);
  return parts !== undefined && patternRegExp(parts, false).test(requestValue);
}

function parseDate(text: string): number {
  // Dates are ISO 8601 or epoch seconds (IAM accepts both).
  return /^\d+(\.\d+)?$/.test(text.trim()) ? Number(text) * 1000 : Date.parse(text);
}

function numeric(compare: (a: number, b: number) => boolean) {
  return (r: string, p: string) => {
    const a = Number(r);
    const b = Number(p);
    return r.trim() !== "" && p.trim() !== "" && !Number.isNaN(a) && !Number.isNaN(b) && compare(a, b);
  };
}

function date(compare: (a: number, b: number) => boolean) {
  return (r: string, p: string) => {
    const a = parseDate(r);
    const b = parseDate(p);
    return !Number.isNaN(a) && !Number.isNaN(b) && compare(a, b);
  };
}

const stringEquals = (r: string, p: string, v: RequestValues, vars: boolean) => plain(p, v, vars) === r;
const stringEqualsIgnoreCase = (r: string, p: string, v: RequestValues, vars: boolean) => plain(p, v, vars)?.toLowerCase() === r.toLowerCase();
const arnTest = (r: string, p: string, v: RequestValues, vars: boolean) => {
  const resolved = plain(p, v, vars);
  return resolved !== undefined && arnMatches(resolved, r);
};

const eq = (a: number, b: number) => a === b;
const lt = (a: number, b: number) => a < b;
const le = (a: number, b: number) => a <= b;
const gt = (a: number, b: number) => a > b;
const ge = (a: number, b: number) => a >= b;

const OPERATORS: Record<string, BaseOperator> = {
  stringequals: { kind: "string", negated: false, test: stringEquals },
  stringnotequals: { kind: "string", negated: true, test: stringEquals },
  stringequalsignorecase: { kind: "string", negated: false, test: stringEqualsIgnoreCase },
  stringnotequalsignorecase: { kind: "string", negated: true, test: stringEqualsIgnoreCase },
  stringlike: { kind: "string", negated: false, test: like },
  stringnotlike: { kind: "string", negated: true, test: like },
  numericequals: { kind: "numeric", negated: false, test: numeric(eq) },
  numericnotequals: { kind: "numeric", negated: true, test: numeric(eq) },
  numericlessthan: { kind: "numeric", negated: false, test: numeric(lt) },
  numericlessthanequals: { kind: "numeric", negated: false, test: numeric(le) },
  numericgreaterthan: { kind: "numeric", negated: false, test: numeric(gt) },
  numericgreaterthanequals: { kind: "numeric", negated: false, test: numeric(ge) },
  dateequals: { kind: "date", negated: false, test: date(eq) },
  datenotequals: { kind: "date", negated: true, test: date(eq) },
  datelessthan: { kind: "date", negated: false, test: date(lt) },
  datelessthanequals: { kind: "date", negated: false, test: date(le) },
  dategreaterthan: { kind: "date", negated: false, test: date(gt) },
  dategreaterthanequals: { kind: "date", negated: false, test: date(ge) },
  bool: { kind: "bool", negated: false, test: (r, p) => r.toLowerCase() === p.toLowerCase() },
  binaryequals: { kind: "binary", negated: false, test: (r, p) => r === p },
  ipaddress: { kind: "ip", negated: false, test: (r, p) => ipInCidr(r, p) },
  notipaddress: { kind: "ip", negated: true, test: (r, p) => ipInCidr(r, p) },
  arnequals: { kind: "arn", negated: false, test: arnTest },
  arnlike: { kind: "arn", negated: false, test: arnTest },
  arnnotequals: { kind: "arn", negated: true, test: arnTest },
  arnnotlike: { kind: "arn", negated: true, test: arnTest },
};

export interface ParsedOperator {
  name: string;
  set?: "any" | "all";
  ifExists: boolean;
  isNull: boolean;
  base?: BaseOperator;
}

const parsedCache = new Map<string, ParsedOperator>();

export function parseOperator(name: string): ParsedOperator {
  let parsed = parsedCache.get(name);
  if (parsed) return parsed;
  let rest = name.trim();
  let set: ParsedOperator["set"];
  const qualifier = /^(ForAnyValue|ForAllValues):/i.exec(rest);
  if (qualifier) {
    set = qualifier[1]!.toLowerCase() === "foranyvalue" ? "any" : "all";
    rest = rest.slice(qualifier[0].length);
  }
  const ifExists = /IfExists$/i.test(rest) && rest.toLowerCase() !== "ifexists";
  if (ifExists) rest = rest.slice(0, -"IfExists".length);
  const lower = rest.toLowerCase();
  parsed = { name, set, ifExists, isNull: lower === "null" && !ifExists, base: OPERATORS[lower] };
  parsedCache.set(name, parsed);
  return parsed;
}

export type ConditionOutcome = { holds: true } | { holds: false; reason: string };

function list(value: unknown): string[] {
  if (value === undefined || value === null) return [];
  return Array.isArray(value) ? value.map((v) => String(v)) : [String(value)];
}

function show(values: string[]): string {
  return values.length === 1 ? JSON.stringify(values[0]) : `[${values.map((v) => JSON.stringify(v)).join(", ")}]`;
}

/** Evaluate one key under one operator. */
export function evaluateKey(operator: ParsedOperator, key: string, policyValues: string[], values: RequestValues, variables: boolean): ConditionOutcome {
  const requestValues = values.get(key);
  const label = `${operator.name} ${key}`;
  if (operator.isNull) {
    const absent = requestValues === undefined || requestValues.length === 0;
    const holds = policyValues.some((p) => (p.toLowerCase() === "true") === absent);
    return holds ? { holds } : { holds, reason: `condition ${label}: the key is ${absent ? "absent" : "present"} in the request` };
  }
  const base = operator.base;
  if (!base) return { holds: false, reason: `condition operator ${operator.name} is not one the local cloud knows, so the condition does not hold` };
  const present = requestValues !== undefined && requestValues.length > 0;
  if (!present) {
    if (operator.ifExists) return { holds: true };
    if (operator.set === "all") return { holds: true };
    if (operator.set === "any") return { holds: false, reason: `condition ${label}: the request has no ${key}` };
    if (base.negated) return { holds: true };
    return { holds: false, reason: `condition ${label}: the request has no ${key}` };
  }
  // One request value satisfies the operator: matches one policy value (OR), or for a negated operator matches none (NOR).
  const satisfies = (r: string) => {
    const matched = policyValues.some((p) => base.test(r, p, values, variables));
    return base.negated ? !matched : matched;
  };
  const holds = operator.set === "all" ? requestValues.every(satisfies) : requestValues.some(satisfies);
  return holds ? { holds } : { holds, reason: `condition ${label}: the request has ${show(requestValues)}, the policy ${base.negated ? "excludes" : "wants"} ${show(policyValues)}` };
}

/** Evaluate a whole Condition element (AND over operators and keys). */
export function evaluateCondition(condition: unknown, values: RequestValues, variables: boolean): ConditionOutcome {
  if (condition === undefined || condition === null) return { holds: true };
  if (typeof condition !== "object" || Array.isArray(condition)) return { holds: false, reason: "the Condition element is not an object" };
  for (const [operatorName, block] of Object.entries(condition as Record<string, unknown>)) {
    const operator = parseOperator(operatorName);
    if (!block || typeof block !== "object" || Array.isArray(block)) return { holds: false, reason: `condition ${operatorName} is not an object of keys` };
    for (const [key, expected] of Object.entries(block as Record<string, unknown>)) {
      const outcome = evaluateKey(operator, key, list(expected), values, variables);
      if (!outcome.holds) return outcome;
    }
  }
  return { holds: true };
}
