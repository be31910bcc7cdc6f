/**
 * A role's permissions: inline policies (PutRolePolicy, GetRolePolicy,
 * ListRolePolicies, DeleteRolePolicy) and attached managed policies
 * (AttachRolePolicy, DetachRolePolicy, ListAttachedRolePolicies). Inline
 * documents are checked by the permissions-policy grammar, limited to 10,240
 * characters per role in total, and returned URL-encoded. At most 10 managed
 * policies attach to one role (AWS's default quota); attaching twice is a
 * no-op, as on AWS.
 */
import type { RequestContext } from "../../core/context.js";
import { members } from "../../protocols/xml.js";
import { limitExceeded, noSuchPolicy, noSuchRolePolicy, notAttachable } from "./errors.js";
import { resolvePolicyArn } from "./managed-policies.js";
import { checkInlineAggregate, encodeDocument, validatePolicyDocument } from "./policy-document.js";
import { requireRole } from "./roles.js";
import { roleKey, type IamState, type RoleRecord } from "./state.js";
import { Checks, paginate } from "./validation.js";

const MANAGED_POLICIES_PER_ROLE = 10;

/** Inline policy names compare without case, as IAM names do. */
function inlineName(role: RoleRecord, name: string): string | undefined {
  const lower = name.toLowerCase();
  return Object.keys(role.inlinePolicies).find((n) => n.toLowerCase() === lower);
}

function checkPolicyArn(checks: Checks, arn: unknown): void {
  if (!checks.required(arn, "policyArn")) return;
  checks.length(arn as string, "policyArn", 20, 2048);
}

export function rolePolicyHandlers(state: IamState) {
  return {
    PutRolePolicy(ctx: RequestContext, input: Record<string, any>) {
      const checks = new Checks();
      checks.name(input.RoleName, "roleName", 64);
      checks.name(input.PolicyName, "policyName", 128);
      if (checks.required(input.PolicyDocument, "policyDocument")) checks.length(input.PolicyDocument, "policyDocument", 1, 131072);
      checks.throwIfAny();
      const role = requireRole(state, ctx.account, input.RoleName);
      validatePolicyDocument(input.PolicyDocument, "permissions");
      const inline = { ...role.inlinePolicies };
      const existing = inlineName(role, input.PolicyName);
      if (existing) delete inline[existing];
      inline[input.PolicyName] = input.PolicyDocument;
      checkInlineAggregate(role.roleName, Object.values(inline));
      state.roles.set(roleKey(ctx.account, role.roleName), { ...role, inlinePolicies: inline });
      return {};
    },

    GetRolePolicy(ctx: RequestContext, input: Record<string, any>) {
      const checks = new Checks();
      checks.name(input.RoleName, "roleName", 64);
      checks.name(input.PolicyName, "policyName", 128);
      checks.throwIfAny();
      const role = requireRole(state, ctx.account, input.RoleName);
      const name = inlineName(role, input.PolicyName);
      if (!name) throw noSuchRolePolicy(input.PolicyName);
      return { RoleName: role.roleName, PolicyName: name, PolicyDocument: encodeDocument(role.inlinePolicies[name]!) };
    },

    ListRolePolicies(ctx: RequestContext, input: Record<string, any>) {
      const role = requireRole(state, ctx.account, input.RoleName);
      const names = Object.keys(role.inlinePolicies).sort((a, b) => a.localeCompare(b));
      const page = paginate(names, input);
      return { PolicyNames: members(page.items), IsTruncated: page.IsTruncated, Marker: page.Marker };
    },

    DeleteRolePolicy(ctx: RequestContext, input: Record<string, any>) {
      const checks = new Checks();
      checks.name(input.RoleName, "roleName", 64);
      checks.name(input.PolicyName, "policyName", 128);
      checks.throwIfAny();
      const role = requireRole(state, ctx.account, input.RoleName);
      const name = inlineName(role, input.PolicyName);
      if (!name) throw noSuchRolePolicy(input.PolicyName);
      const inline = { ...role.inlinePolicies };
      delete inline[name];
      state.roles.set(roleKey(ctx.account, role.roleName), { ...role, inlinePolicies: inline });
      return {};
    },

    AttachRolePolicy(ctx: RequestContext, input: Record<string, any>) {
      const checks = new Checks();
      checks.name(input.RoleName, "roleName", 64);
      checkPolicyArn(checks, input.PolicyArn);
      checks.throwIfAny();
      const role = requireRole(state, ctx.account, input.RoleName);
      if (!resolvePolicyArn(state, ctx.account, input.PolicyArn)) throw notAttachable(input.PolicyArn);
      if (role.attachedPolicyArns.includes(input.PolicyArn)) return {};
      if (role.attachedPolicyArns.length >= MANAGED_POLICIES_PER_ROLE) {
        throw limitExceeded(`Cannot exceed quota for PoliciesPerRole: ${MANAGED_POLICIES_PER_ROLE}`);
      }
      state.roles.set(roleKey(ctx.account, role.roleName), { ...role, attachedPolicyArns: [...role.attachedPolicyArns, input.PolicyArn] });
      return {};
    },

    DetachRolePolicy(ctx: RequestContext, input: Record<string, any>) {
      const checks = new Checks();
      checks.name(input.RoleName, "roleName", 64);
      checkPolicyArn(checks, input.PolicyArn);
      checks.throwIfAny();
      const role = requireRole(state, ctx.account, input.RoleName);
      if (!role.attachedPolicyArns.includes(input.PolicyArn)) throw noSuchPolicy(input.PolicyArn);
      state.roles.set(roleKey(ctx.account, role.roleName), {
        ...role,
        attachedPolicyArns: role.attachedPolicyArns.filter((arn) => arn !== input.PolicyArn),
      });
      return {};
    },

    ListAttachedRolePolicies(ctx: RequestContext, input: Record<string, any>) {
      const role = requireRole(state, ctx.account, input.RoleName);
      const prefix = input.PathPrefix === undefined ? "/" : String(input.PathPrefix);
      const attached = role.attachedPolicyArns
        .map((arn) => resolvePolicyArn(state, ctx.account, arn))
        .filter((p): p is NonNullable<typeof p> => !!p && p.path.startsWith(prefix))
        .map((p) => ({ PolicyName: p.policyName, PolicyArn: p.arn }));
      const page = paginate(attached, input);
      return { AttachedPolicies: members(page.items), IsTruncated: page.IsTruncated, Marker: page.Marker };
    },
  };
}
