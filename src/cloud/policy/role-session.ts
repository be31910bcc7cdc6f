/**
 * A role as the services that assume one judge it (Lambda's execution role,
 * EventBridge's target roles, Step Functions' machine role, the gateway's
 * assumed-role callers): does its trust policy let a service principal assume
 * it (with aws:SourceArn / aws:SourceAccount, so confused-deputy conditions
 * work), and what do its identity policies allow a session of it? Written once
 * so every service names the policies and the session the same way in its
 * explanations, and so a fix to either rule reaches them all.
 */
import type { IamInternalApi } from "../core/internal-apis.js";
import { allowsServicePrincipal, evaluateIdentityPolicies, type NamedPolicy, type PolicyDecision } from "./evaluate.js";

/** The role's identity policies, named as explanations quote them. */
export function rolePolicies(iam: IamInternalApi | undefined, account: string, roleName: string): NamedPolicy[] {
  return (iam?.rolePolicies(account, roleName) ?? []).map((p) => ({
    name: p.arn ? `managed policy ${p.arn} attached to role ${roleName}` : `inline policy ${p.name} of role ${roleName}`,
    document: p.document,
  }));
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

/** What the role's identity policies decide for a session of it calling `action` on `resource`. */
export function evaluateRoleSession(
  iam: IamInternalApi | undefined,
  session: { account: string; roleName: string; sessionName: string },
  action: string,
  resource: string,
): SessionDecision {
  const principalArn = `arn:aws:sts::${session.account}:assumed-role/${session.roleName}/${session.sessionName}`;
  const decision = evaluateIdentityPolicies(rolePolicies(iam, session.account, session.roleName), {
    principal: { type: "AWS", arn: principalArn, account: session.account },
    action,
    resource,
    context: {},
  });
  return { ...decision, principalArn };
}
