/**
 * Whether the caller may assume a role, decided by the policy engine
 * (src/cloud/policy/evaluate.ts) the way AWS decides AssumeRole (IAM user
 * guide, "policy evaluation logic" and "granting a principal permissions to
 * switch roles"):
 * - an explicit Deny in the role's trust policy or the caller's identity
 *   policies refuses;
 * - the trust policy must have an Allow naming the caller — specifically (its
 *   role ARN, its session ARN, "*") or through its account (the account id or
 *   arn:aws:iam::<acct>:root);
 * - a specific match in the same account is enough on its own; a match through
 *   the account (or any cross-account match) also needs an Allow for
 *   sts:AssumeRole on the role in the caller's identity policies.
 * The administrator caller (the configured credentials) has every
 * permission, so for it the trust policy alone decides.
 *
 * The engine is loaded on first use, so a cloud that never sees AssumeRole
 * never loads it.
 */
import type { RequestContext } from "../../core/context.js";
import type { IamInternalApi, IamRoleInfo } from "../../core/internal-apis.js";
import type { PolicyRequest } from "../../policy/contract.js";
import { rolePolicies } from "../../policy/role-session.js";

export interface TrustDecision {
  allowed: boolean;
  explanation: string;
}

/** The administrator's permissions, as a policy the engine can read. */
const ADMINISTRATOR_POLICY = JSON.stringify({ Version: "2012-10-17", Statement: [{ Effect: "Allow", Action: "*", Resource: "*" }] });

export async function evaluateAssumeRole(
  ctx: RequestContext,
  role: IamRoleInfo,
  roleAccount: string,
  keys: { externalId?: string; roleSessionName: string; sourceIdentity?: string },
): Promise<TrustDecision> {
  const [{ evaluatePolicies, matchStatement }, { parsePolicy }, { RequestValues, requestGlobalKeys }] = await Promise.all([
    import("../../policy/evaluate.js"),
    import("../../policy/document.js"),
    import("../../policy/request-values.js"),
  ]);
  const caller = ctx.principal;
  const request: PolicyRequest = {
    principal: { type: "AWS", arn: caller.arn, account: caller.account, roleArn: caller.roleArn },
    action: "sts:AssumeRole",
    resource: role.arn,
    context: {
      "sts:ExternalId": keys.externalId,
      "sts:RoleSessionName": keys.roleSessionName,
      "sts:SourceIdentity": keys.sourceIdentity,
      "aws:PrincipalArn": caller.roleArn ?? caller.arn,
      "aws:PrincipalAccount": caller.account,
      "aws:PrincipalType": caller.kind === "assumed-role" ? "AssumedRole" : "Account",
      "aws:userid": caller.principalId,
      ...requestGlobalKeys(ctx),
      "aws:ResourceAccount": roleAccount,
    },
  };

  const trust = { name: `the trust policy of role ${role.roleName}`, document: role.assumeRolePolicyDocument };
  const identity =
    caller.kind === "assumed-role" && caller.roleName
      ? rolePolicies(ctx.cloud.use<IamInternalApi>("iam"), caller.account, caller.roleName)
      : [{ name: "the administrator's permissions", document: ADMINISTRATOR_POLICY }];

  // Explicit denies anywhere decide first.
  const combined = evaluatePolicies(request, { identity, resource: trust, resourceAccount: roleAccount });
  if (combined.decision === "ExplicitDeny") return { allowed: false, explanation: combined.explanation };

  // Does an Allow of the trust policy name the caller, and how?
  let named: "specific" | "account" | undefined;
  try {
    const parsed = parsePolicy(trust.document);
    const values = new RequestValues(request.context);
    for (const statement of parsed.statements) {
      if (statement.effect !== "Allow") continue;
      const match = matchStatement(statement, request, values, { kind: "resource", variables: parsed.variables });
      if (match.matches) named = match.delegated ? (named ?? "account") : "specific";
    }
  } catch (err) {
    return { allowed: false, explanation: `${trust.name} could not be read (${(err as Error).message})` };
  }
  if (!named) {
    const trustOnly = evaluatePolicies(request, { resource: trust, resourceAccount: roleAccount });
    const hints = trustOnly.hints?.length ? ` — ${trustOnly.hints.join("; ")}` : "";
    return { allowed: false, explanation: `no statement of ${trust.name} allows ${caller.arn} to call sts:AssumeRole${hints}` };
  }
  if (named === "specific" && roleAccount === caller.account) {
    return { allowed: true, explanation: `${trust.name} names ${caller.arn}` };
  }
  const own = evaluatePolicies(request, { identity });
  if (own.decision === "Allow") return { allowed: true, explanation: `${trust.name} names the account and ${own.explanation}` };
  return {
    allowed: false,
    explanation: `${trust.name} names the caller's account, so an identity policy of the caller must allow sts:AssumeRole on ${role.arn}, and none does`,
  };
}
