/**
 * IAM roles: CreateRole, GetRole, ListRoles, DeleteRole,
 * UpdateAssumeRolePolicy, UpdateRole, UpdateRoleDescription, TagRole,
 * UntagRole, ListRoleTags. A role's ARN is arn:aws:iam::<acct>:role<path><name>,
 * its id AROA + 17 characters; its trust policy is checked by the grammar in
 * policy-document.ts and returned URL-encoded, as AWS returns it.
 */
import type { RequestContext } from "../../core/context.js";
import { iamUniqueId } from "../../core/ids.js";
import { members } from "../../protocols/xml.js";
import { deleteConflict, limitExceeded, noSuchRole, roleExists } from "./errors.js";
import { checkAwsPrincipals, checkTrustPolicySize, encodeDocument, validatePolicyDocument } from "./policy-document.js";
import { iamNow, roleKey, rolesOf, type IamState, type RoleRecord } from "./state.js";
import { Checks, checkPath, checkTags, intParam, mergeTags, paginate } from "./validation.js";
import { boundaryView, checkBoundary } from "./permissions-boundaries.js";

const DESCRIPTION = /^[\u0009\u000A\u000D\u0020-\u007E\u00A1-\u00FF]*$/;

/** Find a role by name (any case) or throw NoSuchEntity. */
export function requireRole(state: IamState, account: string, roleName: unknown): RoleRecord {
  const checks = new Checks();
  checks.name(roleName as string | undefined, "roleName", 64);
  checks.throwIfAny();
  const role = state.roles.get(roleKey(account, roleName as string));
  if (!role) throw noSuchRole(roleName as string);
  return role;
}

/** The Role structure of GetRole/CreateRole; ListRoles leaves out PermissionsBoundary, Tags and RoleLastUsed, as AWS does. */
export function roleView(role: RoleRecord, full: boolean): Record<string, unknown> {
  return {
    Path: role.path,
    RoleName: role.roleName,
    RoleId: role.roleId,
    Arn: role.arn,
    CreateDate: role.createDate,
    AssumeRolePolicyDocument: encodeDocument(role.assumeRolePolicyDocument),
    Description: role.description,
    MaxSessionDuration: role.maxSessionDuration,
    PermissionsBoundary: full ? boundaryView(role) : undefined,
    Tags: full && role.tags.length ? members(role.tags) : undefined,
    RoleLastUsed: full ? {} : undefined,
  };
}

function checkMaxSessionDuration(raw: unknown): number | undefined {
  const value = intParam(raw, "maxSessionDuration");
  const checks = new Checks();
  checks.range(value, "maxSessionDuration", 3600, 43200);
  checks.throwIfAny();
  return value;
}

function checkDescription(checks: Checks, description: string | undefined): void {
  checks.length(description, "description", 0, 1000);
  checks.pattern(description, "description", DESCRIPTION, "[\\u0009\\u000A\\u000D\\u0020-\\u007E\\u00A1-\\u00FF]*");
}

function checkTrustDocument(checks: Checks, document: string | undefined, field: string): void {
  if (!checks.required(document, field)) return;
  checks.length(document, field, 1, 131072);
}

export function roleHandlers(state: IamState) {
  /** Grammar, principals and size of a trust policy, as CreateRole and UpdateAssumeRolePolicy check them. */
  function checkTrustPolicy(account: string, document: string): void {
    const doc = validatePolicyDocument(document, "trust");
    checkAwsPrincipals(doc, account, (arn) => state.roles.get(roleKey(account, arn.slice(arn.lastIndexOf("/") + 1)))?.arn === arn);
    checkTrustPolicySize(document);
  }

  return {
    CreateRole(ctx: RequestContext, input: Record<string, any>) {
      const checks = new Checks();
      checks.name(input.RoleName, "roleName", 64);
      checkTrustDocument(checks, input.AssumeRolePolicyDocument, "assumeRolePolicyDocument");
      checkDescription(checks, input.Description);
      checks.throwIfAny();
      const path = checkPath(input.Path);
      const maxSessionDuration = checkMaxSessionDuration(input.MaxSessionDuration) ?? 3600;
      const tags = checkTags(input.Tags);
      checkTrustPolicy(ctx.account, input.AssumeRolePolicyDocument);
      const permissionsBoundaryArn = checkBoundary(state, ctx.account, input.PermissionsBoundary, false);
      const key = roleKey(ctx.account, input.RoleName);
      if (state.roles.has(key)) throw roleExists(input.RoleName);
      const role: RoleRecord = {
        account: ctx.account,
        roleName: input.RoleName,
        roleId: iamUniqueId("AROA"),
        path,
        arn: `arn:aws:iam::${ctx.account}:role${path}${input.RoleName}`,
        createDate: iamNow(),
        assumeRolePolicyDocument: input.AssumeRolePolicyDocument,
        description: input.Description,
        maxSessionDuration,
        tags,
        inlinePolicies: {},
        attachedPolicyArns: [],
        ...(permissionsBoundaryArn ? { permissionsBoundaryArn } : {}),
      };
      state.roles.set(key, role);
      // CreateRole's Role has no RoleLastUsed; it does carry the tags it was given.
      return { Role: { ...roleView(role, false), PermissionsBoundary: boundaryView(role), Tags: tags.length ? members(tags) : undefined } };
    },

    GetRole(ctx: RequestContext, input: Record<string, any>) {
      return { Role: roleView(requireRole(state, ctx.account, input.RoleName), true) };
    },

    ListRoles(ctx: RequestContext, input: Record<string, any>) {
      const prefix = input.PathPrefix === undefined ? "/" : String(input.PathPrefix);
      const checks = new Checks();
      checks.length(prefix, "pathPrefix", 1, 512);
      checks.pattern(prefix, "pathPrefix", /^\u002F[\u0021-\u007F]*$/, "\\u002F[\\u0021-\\u007F]*");
      checks.throwIfAny();
      const page = paginate(rolesOf(state, ctx.account).filter((r) => r.path.startsWith(prefix)), input);
      return { Roles: members(page.items.map((r) => roleView(r, false))), IsTruncated: page.IsTruncated, Marker: page.Marker };
    },

    DeleteRole(ctx: RequestContext, input: Record<string, any>) {
      const role = requireRole(state, ctx.account, input.RoleName);
      // UNCERTAIN which check AWS makes first when both apply; attached policies go first here.
      if (role.attachedPolicyArns.length) throw deleteConflict("Cannot delete entity, must detach all policies first.");
      if (Object.keys(role.inlinePolicies).length) throw deleteConflict("Cannot delete entity, must delete policies first.");
      state.roles.delete(roleKey(ctx.account, role.roleName));
      // Sessions already minted for the role are not revoked: an unknown key would resolve to the
      // administrator (identity.ts), and a session of a deleted role should be denied, not promoted.
      return {};
    },

    UpdateAssumeRolePolicy(ctx: RequestContext, input: Record<string, any>) {
      const checks = new Checks();
      checks.name(input.RoleName, "roleName", 64);
      checkTrustDocument(checks, input.PolicyDocument, "policyDocument");
      checks.throwIfAny();
      const role = requireRole(state, ctx.account, input.RoleName);
      checkTrustPolicy(ctx.account, input.PolicyDocument);
      state.roles.set(roleKey(ctx.account, role.roleName), { ...role, assumeRolePolicyDocument: input.PolicyDocument });
      return {};
    },

    UpdateRole(ctx: RequestContext, input: Record<string, any>) {
      const checks = new Checks();
      checks.name(input.RoleName, "roleName", 64);
      checkDescription(checks, input.Description);
      checks.throwIfAny();
      const maxSessionDuration = checkMaxSessionDuration(input.MaxSessionDuration);
      const role = requireRole(state, ctx.account, input.RoleName);
      state.roles.set(roleKey(ctx.account, role.roleName), {
        ...role,
        description: input.Description ?? role.description,
        maxSessionDuration: maxSessionDuration ?? role.maxSessionDuration,
      });
      return {};
    },

    UpdateRoleDescription(ctx: RequestContext, input: Record<string, any>) {
      const checks = new Checks();
      checks.name(input.RoleName, "roleName", 64);
      if (checks.required(input.Description, "description")) checkDescription(checks, input.Description);
      checks.throwIfAny();
      const role = requireRole(state, ctx.account, input.RoleName);
      const updated = { ...role, description: input.Description };
      state.roles.set(roleKey(ctx.account, role.roleName), updated);
      return { Role: roleView(updated, true) };
    },

    TagRole(ctx: RequestContext, input: Record<string, any>) {
      const checks = new Checks();
      checks.name(input.RoleName, "roleName", 64);
      checks.required(input.Tags, "tags");
      checks.throwIfAny();
      const tags = checkTags(input.Tags);
      const role = requireRole(state, ctx.account, input.RoleName);
      const merged = mergeTags(role.tags, tags);
      // UNCERTAIN: AWS's wording for the 50-tag quota; this follows its other quota messages.
      if (merged.length > 50) throw limitExceeded("Cannot exceed quota for TagsPerRole: 50");
      state.roles.set(roleKey(ctx.account, role.roleName), { ...role, tags: merged });
      return {};
    },

    UntagRole(ctx: RequestContext, input: Record<string, any>) {
      const checks = new Checks();
      checks.name(input.RoleName, "roleName", 64);
      checks.required(input.TagKeys, "tagKeys");
      checks.throwIfAny();
      const keys = (Array.isArray(input.TagKeys) ? input.TagKeys : []).map((k: string) => String(k).toLowerCase());
      const role = requireRole(state, ctx.account, input.RoleName);
      state.roles.set(roleKey(ctx.account, role.roleName), { ...role, tags: role.tags.filter((t) => !keys.includes(t.Key.toLowerCase())) });
      return {};
    },

    ListRoleTags(ctx: RequestContext, input: Record<string, any>) {
      const role = requireRole(state, ctx.account, input.RoleName);
      const page = paginate(role.tags, input);
      return { Tags: members(page.items), IsTruncated: page.IsTruncated, Marker: page.Marker };
    },
  };
}
