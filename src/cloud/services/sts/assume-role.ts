/**
 * STS AssumeRole: the role must exist and the policy engine must let the
 * caller assume it (the trust policy, and for account-wide trust also the
 * caller's identity policies: trust-evaluation.ts); otherwise AccessDenied
 * (403) "User: <caller> is not authorized to perform: sts:AssumeRole on
 * resource: <role ARN>" — AWS gives the same answer for a missing role, so
 * existence is not revealed. DurationSeconds is 900 s up to the role's
 * MaxSessionDuration (1 hour when a role session assumes another role: "role
 * chaining"). The credentials are minted through
 * `cloud.identity.mintRoleSession`, so the gateway recognises them on later
 * requests as this role session (arn:aws:sts::<acct>:assumed-role/<role>/<session>).
 *
 * Every refusal is logged with its reason, so a learner can see why.
 */
import { AwsError } from "../../core/aws-error.js";
import type { RequestContext } from "../../core/context.js";
import type { IamInternalApi } from "../../core/internal-apis.js";
import { evaluateAssumeRole } from "./trust-evaluation.js";
import { StsChecks, intParam, stsTime } from "./validation.js";

/** AWS's hard limit for a session obtained by role chaining (IAM user guide, "Role chaining"). */
const ROLE_CHAINING_LIMIT = 3600;

function accessDenied(ctx: RequestContext, roleArn: string, reason: string): AwsError {
  ctx.cloud.log.warn(`sts: AssumeRole denied for ${ctx.principal.arn} on ${roleArn}: ${reason}`);
  return new AwsError("AccessDenied", `User: ${ctx.principal.arn} is not authorized to perform: sts:AssumeRole on resource: ${roleArn}`, { status: 403 });
}

export async function assumeRole(ctx: RequestContext, input: Record<string, any>) {
  const checks = new StsChecks();
  if (checks.required(input.RoleArn, "roleArn")) checks.length(input.RoleArn, "roleArn", 20, 2048);
  if (checks.required(input.RoleSessionName, "roleSessionName")) {
    checks.length(input.RoleSessionName, "roleSessionName", 2, 64);
    checks.pattern(input.RoleSessionName, "roleSessionName", /^[\w+=,.@-]*$/, "[\\w+=,.@-]*");
  }
  const duration = intParam(input.DurationSeconds, "durationSeconds");
  checks.range(duration, "durationSeconds", 900, 43200);
  checks.length(input.ExternalId, "externalId", 2, 1224);
  checks.pattern(input.ExternalId, "externalId", /^[\w+=,.@:/-]*$/, "[\\w+=,.@:\\/-]*");
  checks.throwIfAny();

  const roleArn = String(input.RoleArn);
  const iam = ctx.cloud.use<IamInternalApi>("iam");
  const account = /^arn:aws:iam::(\d{12}):role\//.exec(roleArn)?.[1];
  const role = account ? iam?.getRole(account, roleArn) : undefined;
  if (!role) throw accessDenied(ctx, roleArn, "no role has this ARN");

  const trust = await evaluateAssumeRole(ctx, role, account!, {
    externalId: input.ExternalId,
    roleSessionName: input.RoleSessionName,
    sourceIdentity: input.SourceIdentity,
  });
  if (!trust.allowed) throw accessDenied(ctx, roleArn, trust.explanation);

  const maxDuration = role.maxSessionDuration ?? 3600;
  const durationSeconds = duration ?? 3600;
  if (ctx.principal.kind === "assumed-role" && durationSeconds > ROLE_CHAINING_LIMIT) {
    throw new AwsError("ValidationError", "The requested DurationSeconds exceeds the 1 hour session limit for roles assumed by role chaining.");
  }
  if (durationSeconds > maxDuration) {
    throw new AwsError("ValidationError", "The requested DurationSeconds exceeds the MaxSessionDuration set for this role.");
  }
  if (input.Policy !== undefined || input.PolicyArns !== undefined) {
    ctx.cloud.log.warn(`sts: AssumeRole session policies are not applied by the local cloud; session ${input.RoleSessionName} of ${role.roleName} gets the role's full permissions`);
  }

  const session = ctx.cloud.identity.mintRoleSession({
    account: account!,
    roleArn: role.arn,
    roleName: role.roleName,
    roleId: role.roleId,
    sessionName: input.RoleSessionName,
    durationSeconds,
  });
  ctx.cloud.log.debug(`sts: ${ctx.principal.arn} assumed ${role.arn} as session ${input.RoleSessionName} (${trust.explanation})`);
  return {
    Credentials: {
      AccessKeyId: session.accessKeyId,
      SecretAccessKey: session.secretAccessKey,
      SessionToken: session.sessionToken,
      Expiration: stsTime(session.expiration),
    },
    AssumedRoleUser: {
      AssumedRoleId: `${role.roleId}:${input.RoleSessionName}`,
      Arn: `arn:aws:sts::${account}:assumed-role/${role.roleName}/${input.RoleSessionName}`,
    },
    SourceIdentity: input.SourceIdentity,
  };
}
