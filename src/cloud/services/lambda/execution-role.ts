/**
 * The execution role (aws-behavior.md §5 "Role check", §7): CreateFunction
 * and UpdateFunctionConfiguration refuse a role that does not exist or whose
 * trust policy does not let lambda.amazonaws.com sts:AssumeRole, with AWS's
 * "The role defined for the function cannot be assumed by Lambda."; and every
 * execution environment gets temporary credentials minted for a session of
 * that role (session name = function name, as on AWS), so the function's SDK
 * calls are evaluated as the role by IAM enforcement.
 *
 * IAM is another service: its roles come through `cloud.use<IamInternalApi>("iam")`.
 * When the IAM service does not provide that API, the check is skipped (and
 * said so once in the log) and credentials are minted for the ARN as given.
 */
import { createHash } from "node:crypto";
import type { Cloud } from "../../core/cloud.js";
import type { RoleSession } from "../../core/identity.js";
import type { IamInternalApi } from "../../core/internal-apis.js";
import { trustsService } from "../../policy/role-session.js";
import { constraint, invalidParameter } from "./errors.js";
import type { FunctionRecord } from "./state.js";

const ROLE_ARN = /^arn:(aws[a-zA-Z-]*)?:iam::(\d{12}):role\/?([a-zA-Z_0-9+=,.@\-/]+)$/;
export const CANNOT_ASSUME = "The role defined for the function cannot be assumed by Lambda.";
const LAMBDA_PRINCIPAL = "lambda.amazonaws.com";
/** Renew a cached session this long before it expires. */
const RENEW_BEFORE_MS = 10 * 60 * 1000;

export function validateRoleArn(role: unknown): string {
  if (typeof role !== "string" || !ROLE_ARN.test(role)) {
    throw constraint(role, "role", "Member must satisfy regular expression pattern: arn:(aws[a-zA-Z-]*)?:iam::\\d{12}:role/?[a-zA-Z_0-9+=,.@\\-_/]+");
  }
  return role;
}

/**
 * Does this trust policy let Lambda assume the role? Evaluated by the policy
 * engine as AWS evaluates a trust policy: principal lambda.amazonaws.com,
 * action sts:AssumeRole, with aws:SourceAccount / aws:SourceArn of the
 * function (so confused-deputy conditions in trust policies work).
 */
export function trustsLambda(document: string, roleArn: string, fn: { account: string; arn?: string }): boolean {
  return trustsService(document, roleArn, LAMBDA_PRINCIPAL, fn);
}

export class ExecutionRoles {
  private warnedNoIam = false;
  private readonly sessions = new Map<string, RoleSession>();

  constructor(private readonly cloud: Cloud) {}

  /** The role check of CreateFunction / UpdateFunctionConfiguration. */
  check(roleArn: string, fn: { account: string; arn?: string }): void {
    const iam = this.cloud.use<IamInternalApi>("iam");
    if (!iam) {
      if (!this.warnedNoIam) {
        this.warnedNoIam = true;
        this.cloud.log.warn("lambda: the IAM service offers no role lookup, so execution roles are not checked (any well-formed role ARN is accepted)");
      }
      return;
    }
    const account = ROLE_ARN.exec(roleArn)![2]!;
    const role = iam.getRole(account, roleArn);
    if (!role || !trustsLambda(role.assumeRolePolicyDocument, role.arn, fn)) throw invalidParameter(CANNOT_ASSUME);
  }

  /** Credentials for an execution environment of this function. */
  credentials(fn: FunctionRecord): { accessKeyId: string; secretAccessKey: string; sessionToken: string } {
    const cached = this.sessions.get(fn.arn);
    if (cached && cached.roleArn === fn.role && Date.parse(cached.expiration) - Date.now() > RENEW_BEFORE_MS) return cached;
    const m = ROLE_ARN.exec(fn.role);
    const roleName = m ? m[3]!.split("/").pop()! : "unknown";
    const role = this.cloud.use<IamInternalApi>("iam")?.getRole(m?.[2] ?? fn.account, fn.role);
    const session = this.cloud.identity.mintRoleSession({
      account: m?.[2] ?? fn.account,
      roleArn: role?.arn ?? fn.role,
      roleName: role?.roleName ?? roleName,
      // Without IAM, a stable made-up role id so the principal id is the same across environments.
      roleId: role?.roleId ?? "AROA" + createHash("sha256").update(fn.role).digest("hex").slice(0, 17).toUpperCase(),
      sessionName: fn.name,
      durationSeconds: 3600 * 12,
    });
    this.sessions.set(fn.arn, session);
    return session;
  }

  forget(fn: FunctionRecord): void {
    this.sessions.delete(fn.arn);
  }

  reset(): void {
    this.sessions.clear();
  }
}
