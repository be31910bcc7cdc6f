/**
 * A small, local check of a role's trust policy for AssumeRole: does some
 * Allow statement name the caller as principal and allow sts:AssumeRole, and
 * no Deny statement match? It stands in until the policy engine
 * (src/cloud/policy/evaluate.ts, issue "Local cloud, part 4") lands.
 *
 * TODO(policy engine): replace `checkTrustPolicy` with the engine's
 * evaluation of the trust policy as a resource policy (principal = the
 * caller, action sts:AssumeRole, resource = the role ARN, the context keys
 * below), and delete this file.
 *
 * What it understands:
 * - Principal "*" / {"AWS": "*"}; {"AWS": <account id> | arn:aws:iam::<acct>:root}
 *   (any principal of that account); {"AWS": <role ARN>} for a role session
 *   of that role; {"AWS": <assumed-role session ARN>}. Service and Federated
 *   principals never match an API caller. NotPrincipal is honoured.
 * - Action / NotAction with * and ? wildcards, case-insensitively.
 * - Conditions with StringEquals, StringNotEquals, StringEqualsIgnoreCase,
 *   StringLike, StringNotLike, ArnEquals, ArnLike (and their IfExists forms)
 *   on the keys in `TrustContext`. Any other operator makes the statement
 *   fail closed: an Allow does not apply, a Deny does. That is stricter than
 *   AWS and says so in the explanation.
 */
import type { Principal } from "../../core/identity.js";

export interface TrustContext {
  /** Condition keys AWS supplies for AssumeRole (lower-cased names). */
  [key: string]: string | undefined;
}

export interface TrustDecision {
  allowed: boolean;
  explanation: string;
}

type Statement = Record<string, unknown>;

function list(v: unknown): string[] {
  if (v === undefined) return [];
  return Array.isArray(v) ? v.map(String) : [String(v)];
}

function wildcard(pattern: string, value: string, ignoreCase = true): boolean {
  const re = pattern.replace(/[.+^${}()|[\]\\]/g, "\\$&").replace(/\*/g, ".*").replace(/\?/g, ".");
  return new RegExp(`^${re}$`, ignoreCase ? "i" : "").test(value);
}

/** The ARNs by which a trust policy can name this caller. */
function callerNames(caller: Principal): string[] {
  const names = [caller.arn];
  if (caller.roleArn) names.push(caller.roleArn);
  return names;
}

function principalMatches(principal: unknown, caller: Principal): boolean {
  if (principal === "*") return true;
  if (!principal || typeof principal !== "object") return false;
  const aws = list((principal as Record<string, unknown>).AWS);
  return aws.some((entry) => {
    if (entry === "*") return true;
    if (entry === caller.account || entry === `arn:aws:iam::${caller.account}:root`) return true;
    return callerNames(caller).includes(entry);
  });
}

function actionMatches(st: Statement): boolean {
  if (st.Action !== undefined) return list(st.Action).some((a) => wildcard(a, "sts:AssumeRole"));
  if (st.NotAction !== undefined) return !list(st.NotAction).some((a) => wildcard(a, "sts:AssumeRole"));
  return false;
}

const STRING_TESTS: Record<string, (pattern: string, value: string) => boolean> = {
  stringequals: (p, v) => p === v,
  stringnotequals: (p, v) => p !== v,
  stringequalsignorecase: (p, v) => p.toLowerCase() === v.toLowerCase(),
  stringlike: (p, v) => wildcard(p, v, false),
  stringnotlike: (p, v) => !wildcard(p, v, false),
  arnequals: (p, v) => p === v,
  arnlike: (p, v) => wildcard(p, v, false),
};
const NEGATED = new Set(["stringnotequals", "stringnotlike"]);

/** true / false, or "unsupported" for an operator this check does not know. */
function conditionsHold(st: Statement, context: TrustContext): boolean | "unsupported" {
  const condition = st.Condition as Record<string, Record<string, unknown>> | undefined;
  if (!condition) return true;
  for (const [rawOp, block] of Object.entries(condition)) {
    const ifExists = /IfExists$/i.test(rawOp);
    const op = rawOp.replace(/IfExists$/i, "").toLowerCase();
    const test = STRING_TESTS[op];
    if (!test || !block || typeof block !== "object") return "unsupported";
    for (const [key, expected] of Object.entries(block)) {
      const value = context[key.toLowerCase()];
      if (value === undefined) {
        if (ifExists || NEGATED.has(op)) continue;
        return false;
      }
      const patterns = list(expected);
      const ok = NEGATED.has(op) ? patterns.every((p) => test(p, value)) : patterns.some((p) => test(p, value));
      if (!ok) return false;
    }
  }
  return true;
}

export function checkTrustPolicy(document: string, caller: Principal, context: TrustContext): TrustDecision {
  let doc: { Statement?: unknown };
  try {
    doc = JSON.parse(document);
  } catch {
    return { allowed: false, explanation: "the trust policy is not valid JSON" };
  }
  const statements = (Array.isArray(doc.Statement) ? doc.Statement : [doc.Statement]).filter(
    (s): s is Statement => !!s && typeof s === "object",
  );
  let allowedBy: string | undefined;
  for (const [i, st] of statements.entries()) {
    const label = typeof st.Sid === "string" && st.Sid ? `statement "${st.Sid}"` : `statement ${i + 1}`;
    const principalOk = st.Principal !== undefined ? principalMatches(st.Principal, caller) : st.NotPrincipal !== undefined && !principalMatches(st.NotPrincipal, caller);
    if (!principalOk || !actionMatches(st)) continue;
    const holds = conditionsHold(st, context);
    if (st.Effect === "Deny" && holds !== false) {
      return { allowed: false, explanation: `${label} of the trust policy denies it${holds === "unsupported" ? " (its condition uses an operator the local check does not evaluate, so it is applied)" : ""}` };
    }
    if (st.Effect === "Allow" && holds === true) allowedBy ??= label;
  }
  if (allowedBy) return { allowed: true, explanation: `${allowedBy} of the trust policy allows it` };
  return { allowed: false, explanation: `no statement of the role's trust policy allows ${caller.arn} to call sts:AssumeRole` };
}
