/**
 * The state machine's role (aws-behavior.md §10, §7):
 * - CreateStateMachine / UpdateStateMachine refuse a role that does not exist
 *   or whose trust policy does not let states.amazonaws.com sts:AssumeRole,
 *   with AWS's AccessDeniedException "Neither the global service principal
 *   states.amazonaws.com, nor the regional one is authorized to assume the
 *   provided role.";
 * - each task's call is evaluated against the role's identity policies (as
 *   AWS evaluates the assumed-role session Step Functions makes), so a task
 *   the role does not allow fails the way AWS fails it ("User: <session> is
 *   not authorized to perform: lambda:InvokeFunction on resource: … because no
 *   identity-based policy allows …");
 * - SNS, SQS and DynamoDB tasks call those services through the cloud's own
 *   endpoint with credentials minted for a session of the role, so the
 *   gateway's IAM enforcement judges them exactly as it judges any caller.
 *
 * Without IAM's internal API the checks are skipped (logged once); with
 * `--iam off` permissions always allow (trust is still checked, as Lambda does).
 */
import { createHash } from "node:crypto";
import { randomFrom } from "../../core/ids.js";
import type { Cloud } from "../../core/cloud.js";
import { AwsError } from "../../core/aws-error.js";
import type { IamInternalApi } from "../../core/internal-apis.js";
import type { RoleSession } from "../../core/identity.js";
import { evaluateRoleSession, trustsService } from "../../policy/role-session.js";
import { constraint } from "./errors.js";

const ROLE_ARN = /^arn:aws[a-zA-Z-]*:iam::(\d{12}):role\/?([a-zA-Z_0-9+=,.@\-/]+)$/;
const STATES_PRINCIPAL = "states.amazonaws.com";
export const CANNOT_ASSUME = "Neither the global service principal states.amazonaws.com, nor the regional one is authorized to assume the provided role.";

export function validateRoleArn(role: unknown): string {
  if (typeof role !== "string" || role.length < 1 || role.length > 256) throw constraint(role, "roleArn", "Member must have length between 1 and 256");
  if (!ROLE_ARN.test(role)) throw new AwsError("InvalidArn", `Invalid Arn: 'Resource type not valid in this context: ${role}'`);
  return role;
}

/** A session name as Step Functions makes them: 32 random letters. */
export function sessionName(): string {
  return randomFrom("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz", 32);
}

export interface TaskPermission {
  decision: "Allow" | "Deny";
  /** AWS's "User: … is not authorized to perform: …" sentence, when denied. */
  message?: string;
  explanation?: string;
}

export class MachineRoles {
  private warned = false;
  private readonly sessions = new Map<string, RoleSession>();

  constructor(private readonly cloud: Cloud) {}

  private iam(): IamInternalApi | undefined {
    const iam = this.cloud.use<IamInternalApi>("iam");
    if (!iam && !this.warned) {
      this.warned = true;
      this.cloud.log.warn("stepfunctions: the IAM service offers no role lookup, so state machine roles are not checked");
    }
    return iam;
  }

  /** CreateStateMachine's and UpdateStateMachine's trust check. */
  checkTrust(roleArn: string, machineArn: string): void {
    const iam = this.iam();
    if (!iam) return;
    const account = ROLE_ARN.exec(roleArn)![1]!;
    const role = iam.getRole(account, roleArn);
    if (!role || !trustsService(role.assumeRolePolicyDocument, role.arn, STATES_PRINCIPAL, { account, arn: machineArn })) throw new AwsError("AccessDeniedException", CANNOT_ASSUME);
  }

  /** May the role's session call `action` on `resource`? */
  allows(roleArn: string, session: string, action: string, resource: string): TaskPermission {
    if (this.cloud.config.iam !== "enforce") return { decision: "Allow" };
    const iam = this.iam();
    if (!iam) return { decision: "Allow" };
    const m = ROLE_ARN.exec(roleArn);
    const account = m?.[1] ?? "000000000000";
    const roleName = m ? m[2]!.split("/").pop()! : "unknown";
    const role = iam.getRole(account, roleArn);
    // A role deleted since the machine was made has no policies: every task is denied, as on AWS.
    const decision = evaluateRoleSession(role ? iam : undefined, { account, roleName: role?.roleName ?? roleName, sessionName: session }, action, resource);
    const principalArn = decision.principalArn;
    if (decision.decision === "Allow") return { decision: "Allow" };
    const why = decision.decision === "ExplicitDeny" ? "with an explicit deny in an identity-based policy" : `because no identity-based policy allows the ${action} action`;
    return { decision: "Deny", message: `User: ${principalArn} is not authorized to perform: ${action} on resource: ${resource} ${why}`, explanation: decision.explanation };
  }

  /** Credentials of a session of the role, for the calls tasks make through the cloud's endpoint. */
  credentials(roleArn: string): RoleSession {
    const cached = this.sessions.get(roleArn);
    if (cached && Date.parse(cached.expiration) - Date.now() > 10 * 60_000) return cached;
    const m = ROLE_ARN.exec(roleArn);
    const account = m?.[1] ?? "000000000000";
    const role = this.cloud.use<IamInternalApi>("iam")?.getRole(account, roleArn);
    const session = this.cloud.identity.mintRoleSession({
      account,
      roleArn: role?.arn ?? roleArn,
      roleName: role?.roleName ?? (m ? m[2]!.split("/").pop()! : "unknown"),
      roleId: role?.roleId ?? "AROA" + createHash("sha256").update(roleArn).digest("hex").slice(0, 17).toUpperCase(),
      sessionName: sessionName(),
      durationSeconds: 3600 * 12,
    });
    this.sessions.set(roleArn, session);
    return session;
  }

  reset(): void {
    this.sessions.clear();
  }
}
