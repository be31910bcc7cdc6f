/**
 * The policy evaluator (issue "Local cloud, part 4"; IAM user guide, "policy
 * evaluation logic"), implementing policy/contract.ts:
 * 1. every statement of every applicable policy — the caller's identity
 *    policies (inline and attached managed) and the resource's policy — is
 *    matched against the request: Principal/NotPrincipal (resource policies
 *    only), Action/NotAction (wildcards, case-insensitive),
 *    Resource/NotResource (wildcards, case-sensitive, policy variables),
 *    Condition (conditions.ts);
 * 2. a matching Deny anywhere wins (explicit deny);
 * 3. otherwise a matching Allow in an identity policy, or in a resource policy
 *    of the same account, allows (across accounts both sides must allow);
 *    service principals are decided by the resource policy alone;
 * 4. otherwise the request is implicitly denied.
 * Every decision explains itself: the statement that decided, or that none
 * matched, with the Allow statements that came close (hints).
 *
 * Permissions boundaries are applied on top by policy/role-session.ts
 * (evaluateBounded). Not evaluated (Gaps): session policies, SCPs/RCPs,
 * ACLs — the local cloud has none of them.
 */
import type { PolicyDecision, PolicyPrincipal, PolicyRequest } from "./contract.js";
import { parsePolicy, type ParsedPolicy, type Statement } from "./document.js";
import { actionMatches, resourceMatches } from "./matchers.js";
import { evaluateCondition } from "./conditions.js";
import { RequestValues } from "./request-values.js";
import { hasVariables, patternRegExp, resolveVariables } from "./variables.js";
import { describePrincipal, principalMatches } from "./principals.js";
import { statementLabel } from "./explain.js";

export type { PolicyDecision, PolicyPrincipal, PolicyRequest } from "./contract.js";

export interface NamedPolicy {
  /** How explanations name it: "inline policy s3-write of role thumbnail-role", "bucket policy of photos"… */
  name: string;
  /** The document as JSON text. */
  document: string;
}

export interface EvaluationInput {
  /** The caller's identity-based policies (empty for service principals). */
  identity?: NamedPolicy[];
  /** The resource's own policy, if it has one. */
  resource?: NamedPolicy;
  /** The account that owns the resource; a resource policy alone allows only callers of this account. Default: the caller's. */
  resourceAccount?: string;
}

type Match = { matches: true; delegated?: boolean } | { matches: false; stage: "principal" | "action" | "resource" | "condition" | "effect"; reason: string };

function resourceElementMatches(pattern: string, resource: string, values: RequestValues, variables: boolean): boolean {
  if (!variables || !hasVariables(pattern)) return resourceMatches(pattern, resource);
  const parts = resolveVariables(pattern, values);
  return parts !== undefined && patternRegExp(parts, false).test(resource);
}

/** Does one statement apply to the request? */
export function matchStatement(
  statement: Statement,
  request: PolicyRequest,
  values: RequestValues,
  options: { kind: "identity" | "resource"; variables: boolean },
): Match {
  if (statement.effect === "Invalid") return { matches: false, stage: "effect", reason: "its Effect is neither Allow nor Deny" };
  let delegated = false;
  if (options.kind === "resource") {
    if (statement.principal) {
      const principal = principalMatches(statement.principal, request.principal);
      if (!principal) {
        return { matches: false, stage: "principal", reason: `its Principal does not name ${describePrincipal(request.principal)}` };
      }
      delegated = principal === "account";
    } else if (statement.notPrincipal) {
      if (principalMatches(statement.notPrincipal, request.principal)) {
        return { matches: false, stage: "principal", reason: `its NotPrincipal excludes ${describePrincipal(request.principal)}` };
      }
    } else {
      return { matches: false, stage: "principal", reason: "it has no Principal" };
    }
  }
  if (statement.action) {
    if (!statement.action.some((a) => actionMatches(a, request.action))) {
      return { matches: false, stage: "action", reason: `its Action does not include ${request.action}` };
    }
  } else if (statement.notAction) {
    if (statement.notAction.some((a) => actionMatches(a, request.action))) {
      return { matches: false, stage: "action", reason: `its NotAction excludes ${request.action}` };
    }
  } else {
    return { matches: false, stage: "action", reason: "it has no Action" };
  }
  // A statement without Resource/NotResource (trust policies, some resource policies) applies to the resource it is attached to.
  if (statement.resource) {
    if (!statement.resource.some((r) => resourceElementMatches(r, request.resource, values, options.variables))) {
      return { matches: false, stage: "resource", reason: `its Resource ${JSON.stringify(statement.resource.length === 1 ? statement.resource[0] : statement.resource)} does not cover ${request.resource}` };
    }
  } else if (statement.notResource) {
    if (statement.notResource.some((r) => resourceElementMatches(r, request.resource, values, options.variables))) {
      return { matches: false, stage: "resource", reason: `its NotResource excludes ${request.resource}` };
    }
  }
  const condition = evaluateCondition(statement.condition, values, options.variables);
  if (!condition.holds) return { matches: false, stage: "condition", reason: condition.reason };
  return { matches: true, delegated };
}

interface Found {
  policy: NamedPolicy;
  statement: Statement;
  kind: "identity" | "resource";
}

/** Evaluate identity and resource policies together, in AWS's order. */
export function evaluatePolicies(request: PolicyRequest, input: EvaluationInput): PolicyDecision {
  const values = new RequestValues(request.context);
  const sources: Array<{ policy: NamedPolicy; kind: "identity" | "resource" }> = [];
  // Service principals and anonymous callers have no identity policies.
  if (request.principal.type === "AWS") for (const policy of input.identity ?? []) sources.push({ policy, kind: "identity" });
  if (input.resource) sources.push({ policy: input.resource, kind: "resource" });

  let identityAllow: Found | undefined;
  let resourceAllow: Found | undefined;
  let resourceDelegated: Found | undefined;
  const hints: string[] = [];
  const unreadable: string[] = [];
  for (const { policy, kind } of sources) {
    let parsed: ParsedPolicy;
    try {
      parsed = parsePolicy(policy.document);
    } catch (err) {
      unreadable.push(`${policy.name} could not be read (${(err as Error).message})`);
      continue;
    }
    for (const statement of parsed.statements) {
      const match = matchStatement(statement, request, values, { kind, variables: parsed.variables });
      if (match.matches) {
        if (statement.effect === "Deny") {
          return {
            decision: "ExplicitDeny",
            statement: { policy: policy.name, sid: statement.sid, effect: "Deny" },
            explanation: `${request.action} on ${request.resource} is explicitly denied by ${statementLabel(statement)} of ${policy.name}`,
          };
        }
        const found = { policy, statement, kind };
        if (kind === "identity") identityAllow ??= found;
        else if (!match.delegated) resourceAllow ??= found;
        // An Allow that names only the caller's account delegates to the account's identity policies.
        else if ((resourceDelegated ??= found) && hints.length < 5) hints.push(`${statementLabel(statement)} of ${policy.name} names the account ${request.principal.type === "AWS" ? request.principal.account : ""}, which delegates to the caller's identity policies: one of them must allow ${request.action} too`);
      } else if (statement.effect === "Allow" && (match.stage === "resource" || match.stage === "condition" || (match.stage === "principal" && kind === "resource"))) {
        // A near miss: the statement was about this action but something else did not fit.
        if (hints.length < 5) hints.push(`${statementLabel(statement)} of ${policy.name} does not apply: ${match.reason}`);
      }
    }
  }

  const caller = request.principal;
  const crossAccount = caller.type === "AWS" && input.resourceAccount !== undefined && input.resourceAccount !== caller.account;
  const allowedBy = (found: Found): PolicyDecision => ({
    decision: "Allow",
    statement: { policy: found.policy.name, sid: found.statement.sid, effect: "Allow" },
    explanation: `${request.action} on ${request.resource} is allowed by ${statementLabel(found.statement)} of ${found.policy.name}`,
  });
  if (crossAccount) {
    const crossAllow = resourceAllow ?? resourceDelegated;
    if (identityAllow && crossAllow) return allowedBy(crossAllow);
  } else if (identityAllow) {
    return allowedBy(identityAllow);
  } else if (resourceAllow) {
    return allowedBy(resourceAllow);
  }

  const searched = sources.length === 0 ? "there is no policy to allow it" : `no statement in ${sources.map((s) => s.policy.name).join(", ")} allows it`;
  const why = crossAccount && (identityAllow || resourceAllow || resourceDelegated)
    ? `the caller is in account ${caller.type === "AWS" ? caller.account : "?"} and the resource in ${input.resourceAccount}: both an identity policy and the resource policy must allow it, and only ${identityAllow ? "the identity policy" : "the resource policy"} does`
    : searched;
  return {
    decision: "ImplicitDeny",
    explanation: `${describePrincipal(caller)} may not ${request.action} on ${request.resource}: ${why}${unreadable.length ? `; ${unreadable.join("; ")}` : ""}`,
    ...(hints.length ? { hints } : {}),
  };
}

/** Evaluate identity policies only (no resource policy). */
export function evaluateIdentityPolicies(policies: NamedPolicy[], request: PolicyRequest): PolicyDecision {
  return evaluatePolicies(request, { identity: policies });
}

/**
 * Evaluate one resource policy on its own, for any principal (tests and
 * tools; deliveries go through allowsServicePrincipal).
 */
export function evaluateResourcePolicy(documentJson: string, request: PolicyRequest): PolicyDecision {
  return evaluatePolicies(request, { resource: { name: "the resource policy", document: documentJson } });
}

/**
 * May an AWS service deliver to a resource, per that resource's policy? For
 * delivery-time and configuration-time checks (S3 notifications → SQS/SNS/Lambda,
 * SNS → SQS, EventBridge → targets). Supplies the keys such deliveries carry:
 * aws:SourceArn, aws:SourceAccount, aws:SecureTransport (services use TLS),
 * aws:CurrentTime, aws:EpochTime, aws:PrincipalServiceName. No policy = implicit deny.
 */
export function allowsServicePrincipal(
  policyJson: string | undefined,
  request: {
    service: string;
    action: string;
    resource: string;
    sourceArn?: string;
    sourceAccount?: string;
    /** Extra condition keys. */
    context?: PolicyRequest["context"];
    /** How explanations name the policy (default "the resource policy of <resource>"). */
    policyName?: string;
  },
): PolicyDecision {
  const policyName = request.policyName ?? `the resource policy of ${request.resource}`;
  const now = new Date();
  const policyRequest: PolicyRequest = {
    principal: { type: "Service", service: request.service },
    action: request.action,
    resource: request.resource,
    context: {
      "aws:SourceArn": request.sourceArn,
      "aws:SourceAccount": request.sourceAccount,
      "aws:SecureTransport": "true",
      "aws:PrincipalServiceName": request.service,
      "aws:CurrentTime": now.toISOString(),
      "aws:EpochTime": String(Math.floor(now.getTime() / 1000)),
      ...request.context,
    },
  };
  if (!policyJson) {
    return {
      decision: "ImplicitDeny",
      explanation: `${request.service} may not ${request.action} on ${request.resource}: the resource has no policy, so nothing allows it`,
    };
  }
  return evaluatePolicies(policyRequest, { resource: { name: policyName, document: policyJson } });
}
