/**
 * Permissions boundaries of roles: CreateRole's PermissionsBoundary
 * parameter (checked here, stored by roles.ts), PutRolePermissionsBoundary,
 * DeleteRolePermissionsBoundary, and the PermissionsBoundary structure
 * GetRole/CreateRole return ({ PermissionsBoundaryType: "Policy",
 * PermissionsBoundaryArn }); ListRoles leaves it out, as AWS does. The policy
 * engine intersects a role session's identity policies with the boundary's
 * default version (policy/role-session.ts).
 *
 * A boundary is a managed policy ARN, AWS managed or of the caller's account.
 * An ARN of no existing policy is NoSuchEntity (404) "Scope ARN: <arn> does
 * not exist or is not attachable." — AWS's words. UNCERTAIN: for a value that
 * is not a policy ARN at all, AWS's exact code is not on record; the
 * InvalidParameterValue "Value (<arn>) for parameter PermissionsBoundary is
 * invalid." used here is the one other emulators reproduce.
 *
 * By design: DeleteRolePermissionsBoundary on a role without one succeeds
 * (nothing to remove; UNCERTAIN). A managed policy in use as a boundary can
 * still be deleted (AWS's DeletePolicy counts attachments only); a role whose
 * boundary no longer exists is then allowed nothing, the safe reading.
 */
import type { RequestContext } from "../../core/context.js";
import { AwsError } from "../../core/aws-error.js";
import { resolvePolicyArn } from "./managed-policies.js";
import { requireRole } from "./roles.js";
import { roleKey, type IamState, type RoleRecord } from "./state.js";
import { Checks } from "./validation.js";

const POLICY_ARN = /^arn:aws:iam::(\d{12}|aws):policy\/.+$/;

/** The checked boundary ARN of a request, or undefined when it names none. Throws AWS's errors. */
export function checkBoundary(state: IamState, account: string, raw: unknown, required: boolean): string | undefined {
  const checks = new Checks();
  if (required) checks.required(raw as string | undefined, "permissionsBoundary");
  if (raw !== undefined) checks.length(raw as string, "permissionsBoundary", 20, 2048);
  checks.throwIfAny();
  if (raw === undefined) return undefined;
  const arn = String(raw);
  if (!POLICY_ARN.test(arn)) throw new AwsError("InvalidParameterValue", `Value (${arn}) for parameter PermissionsBoundary is invalid.`);
  if (!resolvePolicyArn(state, account, arn)) throw new AwsError("NoSuchEntity", `Scope ARN: ${arn} does not exist or is not attachable.`, { status: 404 });
  return arn;
}

/** The Role structure's PermissionsBoundary member. */
export function boundaryView(role: RoleRecord): Record<string, unknown> | undefined {
  return role.permissionsBoundaryArn ? { PermissionsBoundaryType: "Policy", PermissionsBoundaryArn: role.permissionsBoundaryArn } : undefined;
}

export function permissionsBoundaryHandlers(state: IamState) {
  return {
    PutRolePermissionsBoundary(ctx: RequestContext, input: Record<string, any>) {
      const checks = new Checks();
      checks.name(input.RoleName, "roleName", 64);
      checks.throwIfAny();
      const arn = checkBoundary(state, ctx.account, input.PermissionsBoundary, true)!;
      const role = requireRole(state, ctx.account, input.RoleName);
      state.roles.set(roleKey(ctx.account, role.roleName), { ...role, permissionsBoundaryArn: arn });
      return {};
    },

    DeleteRolePermissionsBoundary(ctx: RequestContext, input: Record<string, any>) {
      const role = requireRole(state, ctx.account, input.RoleName);
      const { permissionsBoundaryArn: _removed, ...rest } = role;
      state.roles.set(roleKey(ctx.account, role.roleName), rest);
      return {};
    },
  };
}
