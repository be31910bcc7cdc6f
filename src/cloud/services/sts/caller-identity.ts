/**
 * STS GetCallerIdentity: who the request's credentials belong to. The
 * administrator's credentials (default test/test) are shown as the
 * account root (arn:aws:iam::000000000000:root, UserId = the account id, as
 * AWS shows a root caller); a key minted for a role session shows the
 * assumed-role ARN and the AROA…:<session> user id (core/identity.ts).
 */
import type { RequestContext } from "../../core/context.js";

export function getCallerIdentity(ctx: RequestContext) {
  return { UserId: ctx.principal.principalId, Account: ctx.principal.account, Arn: ctx.principal.arn };
}
