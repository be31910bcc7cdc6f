/**
 * STS GetSessionToken: temporary credentials for the caller itself.
 * DurationSeconds 900–129,600 (default 43,200), as AWS allows for IAM users.
 * A role session cannot call it (AccessDenied "Cannot call GetSessionToken
 * with session credentials", as AWS answers).
 *
 * The keys are registered (identity.mintAdminSession) and verified like a
 * role session's — secret and session token — and act as the administrator
 * who asked for them, which is what they are on AWS (the same user's
 * permissions).
 */
import { AwsError } from "../../core/aws-error.js";
import type { RequestContext } from "../../core/context.js";
import { StsChecks, intParam, stsTime } from "./validation.js";

export function getSessionToken(ctx: RequestContext, input: Record<string, any>) {
  const duration = intParam(input.DurationSeconds, "durationSeconds");
  const checks = new StsChecks();
  checks.range(duration, "durationSeconds", 900, 129600);
  checks.throwIfAny();
  if (ctx.principal.kind === "assumed-role") {
    throw new AwsError("AccessDenied", "Cannot call GetSessionToken with session credentials", { status: 403 });
  }
  const session = ctx.cloud.identity.mintAdminSession(ctx.account, duration ?? 43200);
  return {
    Credentials: {
      AccessKeyId: session.accessKeyId,
      SecretAccessKey: session.secretAccessKey,
      SessionToken: session.sessionToken,
      Expiration: stsTime(session.expiration),
    },
  };
}
