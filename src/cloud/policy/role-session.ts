/**
 * A role as the services that assume one judge it (Lambda's execution role,
 * EventBridge's target roles, Step Functions' machine role, the gateway's
 * assumed-role callers): does its trust policy let a service principal assume
 * it (with aws:SourceArn / aws:SourceAccount, so confused-deputy conditions
 * work), and what do its identity policies allow a session of it? Written once
 * so every service names the policies and the session the same way in its
 * explanations, and so a fix to either rule reaches them all.
 *
 * Permissions boundaries (IAM user guide, "policy evaluation logic"): a
 * session of a role with a boundary may do only what both its identity
 * policies and the boundary allow — an explicit Deny in either denies, and
 * without an Allow in the boundary the request is implicitly denied even when
 * an identity policy allows it. `evaluateBounded` is that rule, used for
 * service-side checks (evaluateRoleSession) and for callers signing with
 * session credentials at the gateway (enforce.ts).
 *
 * Gaps: AWS does not let a boundary limit an Allow of a same-account
 * resource-based policy that names the session ARN itself; here the boundary
 * limits every Allow of a session, whoever the resource policy names (no lab
 * writes a resource policy naming a session). Session policies do not exist.
 */
import type { IamInternalApi } from "../core/internal-apis.js";
import { allowsServicePrincipal, evaluatePolicies, type EvaluationInput, type NamedPolicy, type PolicyDecision, type PolicyRequest } from "./evaluate.js";

/** The role's identity policies, named as explanations quote them. */
export function rolePolicies(iam: IamInternalApi | undefined, account: string, roleName: string): NamedPolicy[] {
  return (iam?.rolePolicies(account, roleName) ?? []).map((p) => ({
    name: p.arn ? `managed policy ${p.arn} attached to role ${roleName}` : `inline policy ${p.name} of role ${roleName}`,
    document: p.document,
  }));
}

/** What a boundary that names a deleted policy is: a policy allowing nothing. */
const NOTHING_ALLOWED = JSON.stringify({ Version: "2012-10-17", Statement: [] });

/** The role's permissions boundary as a policy the engine reads, or undefined when it has none. */
export function roleBoundary(iam: IamInternalApi | undefined, account: string, roleName: string): NamedPolicy | undefined {
  const boundary = iam?.getRole(account, roleName)?.permissionsBoundary;
  if (!boundary) return undefined;
  return {
    name: `the permissions boundary ${boundary.arn} of role ${roleName}${boundary.document === undefined ? " (the policy no longer exists)" : ""}`,
    document: boundary.document ?? NOTHING_ALLOWED,
  };
}

export interface BoundedDecision extends PolicyDecision {
  /** Set when the permissions boundary decided the denial: its explicit Deny, or no Allow in it. */
  boundary?: "explicit-deny" | "no-allow";
}

/** evaluatePolicies, then the boundary (if any) on top: both must allow. */
export function evaluateBounded(request: PolicyRequest, input: EvaluationInput & { boundary?: NamedPolicy }): BoundedDecision {
  const decision = evaluatePolicies(request, input);
  if (!input.boundary || decision.decision === "ExplicitDeny") return decision;
  const bounded = evaluatePolicies(request, { identity: [input.boundary] });
  if (bounded.decision === "ExplicitDeny") return { ...bounded, boundary: "explicit-deny" };
  if (decision.decision !== "Allow" || bounded.decision === "Allow") return decision;
  return {
    decision: "ImplicitDeny",
    explanation: `${decision.explanation}, but no statement of ${input.boundary.name} allows it, and a role session may do only what both allow`,
    boundary: "no-allow",
    ...(bounded.hints?.length ? { hints: bounded.hints } : {}),
  };
}

/**
 * May `service` sts:AssumeRole this role, given its trust policy? An
 * unparsable trust policy trusts no one.
 */
export function trustsService(trustPolicy: string, roleArn: string, service: string, source: { account: string; arn?: string }): boolean {
  try {
    return (
      allowsServicePrincipal(trustPolicy, {
        service,
        action: "sts:AssumeRole",
        resource: roleArn,
        sourceAccount: source.account,
        sourceArn: source.arn,
        policyName: `the trust policy of ${roleArn}`,
      }).decision === "Allow"
    );
  } catch {
    return false;
  }
}

export interface SessionDecision extends PolicyDecision {
  /** arn:aws:sts::<account>:assumed-role/<role>/<session>, as AWS names the caller in a denial. */
  principalArn: string;
}

/** What the role's identity policies and its permissions boundary decide for a session of it calling `action` on `resource`. */
export function evaluateRoleSession(
  iam: IamInternalApi | undefined,
  session: { account: string; roleName: string; sessionName: string },
  action: string,
  resource: string,
): SessionDecision & BoundedDecision {
  const principalArn = `arn:aws:sts::${session.account}:assumed-role/${session.roleName}/${session.sessionName}`;
  const decision = evaluateBounded(
    { principal: { type: "AWS", arn: principalArn, account: session.account }, action, resource, context: {} },
    { identity: rolePolicies(iam, session.account, session.roleName), boundary: roleBoundary(iam, session.account, session.roleName) },
  );
  return { ...decision, principalArn };
}
