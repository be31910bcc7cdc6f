/**
 * Targets EventBridge reaches by assuming the target's RoleArn instead of
 * through a resource policy (aws-behavior.md §10 "EventBridge → Step
 * Functions", §13): Step Functions state machines. PutTargets refuses such a
 * target without RoleArn ("RoleArn is required for target <arn>."), and at
 * delivery the role must exist, trust events.amazonaws.com and allow the
 * target's action (states:StartExecution on the state machine) — otherwise the
 * invocation fails with NO_PERMISSIONS, straight to the DLQ, as on AWS.
 *
 * Roles come from IAM's internal API; without it, or with `--iam off`, the
 * role is not checked.
 */
import type { Cloud } from "../../core/cloud.js";
import type { IamInternalApi } from "../../core/internal-apis.js";
import { evaluateRoleSession, trustsService } from "../../policy/role-session.js";

const EVENTS_PRINCIPAL = "events.amazonaws.com";
/** Target kind → the action its role must allow. */
export const ROLE_ACTION: Record<string, string> = { states: "states:StartExecution" };

export function needsRole(kind: string): boolean {
  return kind in ROLE_ACTION;
}

/** undefined when the role may invoke the target; otherwise the reason it may not. */
export function roleDenial(cloud: Cloud, roleArn: string | undefined, kind: string, targetArn: string, rule: { arn: string; account: string }): string | undefined {
  const action = ROLE_ACTION[kind];
  if (!action) return undefined;
  if (!roleArn) return `the target has no RoleArn; EventBridge needs a role allowing ${action} on ${targetArn}`;
  if (cloud.config.iam !== "enforce") return undefined;
  const iam = cloud.use<IamInternalApi>("iam");
  if (!iam) return undefined;
  const m = /^arn:aws[a-zA-Z-]*:iam::(\d{12}):role\/?(.+)$/.exec(roleArn);
  const role = m ? iam.getRole(m[1]!, roleArn) : undefined;
  if (!role) return `the role ${roleArn} does not exist`;
  if (!trustsService(role.assumeRolePolicyDocument, role.arn, EVENTS_PRINCIPAL, { account: rule.account, arn: rule.arn })) return `the trust policy of ${roleArn} does not let ${EVENTS_PRINCIPAL} assume it`;
  const account = m![1]!;
  const decision = evaluateRoleSession(iam, { account, roleName: role.roleName, sessionName: rule.arn.split("/").pop()! }, action, targetArn);
  if (decision.decision !== "Allow") return `the role ${roleArn} does not allow ${action} on ${targetArn} (${decision.explanation})`;
  return undefined;
}
