/**
 * Resource-policy checks EventBridge makes as an AWS service would: may
 * events.amazonaws.com send to this queue, invoke this function or publish to
 * this topic (rule targets, as AWS checks them at delivery). The decision
 * is the policy engine's (src/cloud/policy/evaluate.ts, per policy/contract.ts);
 * it is loaded lazily so this file does not depend on it at import time.
 *
 * Until the policy engine is present in the tree, a minimal stand-in decides:
 * explicit Deny wins; an Allow needs a matching service principal (or "*"),
 * action (wildcards, case-insensitive), resource, and every condition among
 * StringEquals/StringLike/ArnEquals/ArnLike (keys case-insensitive).
 */
import type { PolicyDecision, PolicyRequest } from "../../policy/contract.js";

type Evaluate = (documentJson: string, request: PolicyRequest) => PolicyDecision;

let engine: Promise<Evaluate> | undefined;

function loadEngine(): Promise<Evaluate> {
  // A computed specifier keeps the type checker from requiring the module before it exists.
  const specifier = "../../policy/evaluate.js";
  engine ??= import(/* @vite-ignore */ specifier)
    .then((mod: { evaluateResourcePolicy?: Evaluate }) => mod.evaluateResourcePolicy ?? fallbackEvaluate)
    .catch(() => fallbackEvaluate);
  return engine;
}

/** Evaluate a resource policy for a service principal. No policy at all = implicit deny. */
export async function checkResourcePolicy(policy: string | undefined, request: PolicyRequest): Promise<PolicyDecision> {
  if (!policy) return { decision: "ImplicitDeny", explanation: "the resource has no policy, so no statement allows the request" };
  const evaluate = await loadEngine();
  try {
    return evaluate(policy, request);
  } catch (err) {
    return { decision: "ImplicitDeny", explanation: `the resource policy could not be evaluated: ${(err as Error).message}` };
  }
}

function wildcard(pattern: string, value: string, ignoreCase: boolean): boolean {
  const source = pattern.replace(/[.+^${}()|[\]\\]/g, "\\$&").replace(/\*/g, ".*").replace(/\?/g, ".");
  return new RegExp(`^${source}$`, ignoreCase ? "is" : "s").test(value);
}

function list(value: unknown): string[] {
  return value === undefined ? [] : Array.isArray(value) ? value.map(String) : [String(value)];
}

function fallbackEvaluate(documentJson: string, request: PolicyRequest): PolicyDecision {
  const doc = JSON.parse(documentJson) as { Statement?: unknown };
  const statements = (Array.isArray(doc.Statement) ? doc.Statement : [doc.Statement]) as Array<Record<string, any>>;
  const context = new Map(Object.entries(request.context).map(([k, v]) => [k.toLowerCase(), v]));
  const matches = (s: Record<string, any>): boolean => {
    const principal = s.Principal;
    const principalOk =
      principal === "*" ||
      (request.principal.type === "Service" && list(principal?.Service).includes(request.principal.service)) ||
      (request.principal.type === "AWS" && (list(principal?.AWS).includes("*") || list(principal?.AWS).includes(request.principal.arn)));
    if (!principalOk) return false;
    if (!list(s.Action).some((a) => wildcard(a, request.action, true))) return false;
    if (s.Resource !== undefined && !list(s.Resource).some((r) => wildcard(r, request.resource, false))) return false;
    for (const [operator, conditions] of Object.entries((s.Condition ?? {}) as Record<string, Record<string, unknown>>)) {
      for (const [key, expected] of Object.entries(conditions)) {
        const actual = list(context.get(key.toLowerCase()));
        if (actual.length === 0) return false;
        const like = /like$/i.test(operator);
        if (!actual.some((a) => list(expected).some((e) => (like ? wildcard(e, a, false) : e === a)))) return false;
      }
    }
    return true;
  };
  const deny = statements.find((s) => s?.Effect === "Deny" && matches(s));
  if (deny) return { decision: "ExplicitDeny", statement: { policy: "resource", sid: deny.Sid, effect: "Deny" }, explanation: `statement ${deny.Sid ?? "(no Sid)"} denies it` };
  const allow = statements.find((s) => s?.Effect === "Allow" && matches(s));
  if (allow) return { decision: "Allow", statement: { policy: "resource", sid: allow.Sid, effect: "Allow" }, explanation: `statement ${allow.Sid ?? "(no Sid)"} allows it` };
  return { decision: "ImplicitDeny", explanation: `no statement allows ${request.principal.type === "Service" ? request.principal.service : "the caller"} to ${request.action} on ${request.resource}` };
}
