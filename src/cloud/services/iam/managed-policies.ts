/**
 * Managed policies: customer managed ones (CreatePolicy, GetPolicy,
 * ListPolicies, DeletePolicy, CreatePolicyVersion, GetPolicyVersion,
 * ListPolicyVersions, DeletePolicyVersion, SetDefaultPolicyVersion) and the
 * AWS managed ones shipped in aws-managed-policies.ts, which every account
 * sees under arn:aws:iam::aws:policy/… and cannot change. ListEntitiesForPolicy
 * shows the roles a policy is attached to; AttachmentCount is computed from
 * the roles, so it can never drift.
 *
 * AWS's rules reproduced: names unique per account whatever the path; at
 * most 5 versions (LimitExceeded); the default version cannot be deleted;
 * a policy attached to anything, or with versions besides the default,
 * cannot be deleted (DeleteConflict); documents returned URL-encoded.
 */
import type { RequestContext } from "../../core/context.js";
import { AwsError } from "../../core/aws-error.js";
import { iamUniqueId } from "../../core/ids.js";
import { members } from "../../protocols/xml.js";
import { AWS_MANAGED_POLICIES, awsManagedPolicy, isAwsManagedArn } from "./aws-managed-policies.js";
import { awsManagedReadOnly, deleteConflict, limitExceeded, noSuchPolicy, noSuchPolicyVersion, policyExists } from "./errors.js";
import { checkManagedPolicySize, encodeDocument, validatePolicyDocument } from "./policy-document.js";
import { iamNow, policiesOf, policyKey, rolesOf, type IamState, type ManagedPolicyRecord, type PolicyVersionRecord, type Tag } from "./state.js";
import { Checks, checkPath, checkTags, paginate } from "./validation.js";

const MAX_VERSIONS = 5;

/** One managed policy, customer or AWS, in the shape the handlers need. */
export type ManagedPolicyView = Omit<ManagedPolicyRecord, "account" | "nextVersion"> & { awsManaged: boolean };

const CUSTOMER_ARN = /^arn:aws:iam::(\d{12}):policy(\/(?:.*\/)?)([^/]+)$/;

function fromRecord(p: ManagedPolicyRecord): ManagedPolicyView {
  return { ...p, awsManaged: false };
}

function awsViews(): ManagedPolicyView[] {
  return AWS_MANAGED_POLICIES.map((p) => ({
    policyName: p.policyName,
    policyId: p.policyId,
    arn: p.arn,
    path: p.path,
    description: p.description,
    createDate: p.createDate,
    updateDate: p.updateDate,
    defaultVersionId: p.defaultVersionId,
    versions: [{ versionId: p.defaultVersionId, document: p.document, createDate: p.updateDate }],
    tags: [],
    awsManaged: true,
  }));
}

/** The managed policy an ARN names, if this account can see it. */
export function resolvePolicyArn(state: IamState, account: string, arn: string): ManagedPolicyView | undefined {
  if (isAwsManagedArn(arn)) {
    const p = awsManagedPolicy(arn);
    return p ? awsViews().find((v) => v.arn === p.arn) : undefined;
  }
  const m = CUSTOMER_ARN.exec(arn);
  if (!m || m[1] !== account) return undefined;
  const record = state.policies.get(policyKey(account, m[3]!));
  return record && record.arn === arn ? fromRecord(record) : undefined;
}

/** The default version's document (decoded JSON text). */
export function defaultDocument(policy: ManagedPolicyView): string {
  return policy.versions.find((v) => v.versionId === policy.defaultVersionId)!.document;
}

function attachmentCount(state: IamState, account: string, arn: string): number {
  return rolesOf(state, account).filter((r) => r.attachedPolicyArns.includes(arn)).length;
}

function policyView(state: IamState, account: string, p: ManagedPolicyView, withDescription: boolean): Record<string, unknown> {
  return {
    PolicyName: p.policyName,
    PolicyId: p.policyId,
    Arn: p.arn,
    Path: p.path,
    DefaultVersionId: p.defaultVersionId,
    AttachmentCount: attachmentCount(state, account, p.arn),
    PermissionsBoundaryUsageCount: rolesOf(state, account).filter((r) => r.permissionsBoundaryArn === p.arn).length,
    IsAttachable: true,
    Description: withDescription ? p.description : undefined,
    CreateDate: p.createDate,
    UpdateDate: p.updateDate,
    Tags: withDescription && p.tags.length ? members(p.tags) : undefined,
  };
}

function versionView(p: ManagedPolicyView, v: PolicyVersionRecord, withDocument: boolean): Record<string, unknown> {
  return {
    Document: withDocument ? encodeDocument(v.document) : undefined,
    VersionId: v.versionId,
    IsDefaultVersion: v.versionId === p.defaultVersionId,
    CreateDate: v.createDate,
  };
}

function checkArn(checks: Checks, arn: unknown): void {
  if (!checks.required(arn, "policyArn")) return;
  checks.length(arn as string, "policyArn", 20, 2048);
}

function checkVersionId(checks: Checks, versionId: unknown): void {
  if (!checks.required(versionId, "versionId")) return;
  checks.pattern(versionId as string, "versionId", /^v[1-9][0-9]*(\.[A-Za-z0-9-]*)?$/, "v[1-9][0-9]*(\\.[A-Za-z0-9-]*)?");
}

export function managedPolicyHandlers(state: IamState) {
  /** A policy by ARN or NoSuchEntity. */
  function requirePolicy(account: string, arn: string): ManagedPolicyView {
    const policy = resolvePolicyArn(state, account, arn);
    if (!policy) throw noSuchPolicy(arn);
    return policy;
  }

  /** A customer managed policy's record, for changes; AWS managed ones are read-only. */
  function requireOwnPolicy(ctx: RequestContext, arn: string, action: string): ManagedPolicyRecord {
    const policy = requirePolicy(ctx.account, arn);
    if (policy.awsManaged) throw awsManagedReadOnly(action, arn, ctx.principal.arn);
    return state.policies.get(policyKey(ctx.account, policy.policyName))!;
  }

  return {
    CreatePolicy(ctx: RequestContext, input: Record<string, any>) {
      const checks = new Checks();
      checks.name(input.PolicyName, "policyName", 128);
      if (checks.required(input.PolicyDocument, "policyDocument")) checks.length(input.PolicyDocument, "policyDocument", 1, 131072);
      checks.length(input.Description, "description", 0, 1000);
      checks.throwIfAny();
      const path = checkPath(input.Path);
      const tags = checkTags(input.Tags);
      validatePolicyDocument(input.PolicyDocument, "permissions");
      checkManagedPolicySize(input.PolicyDocument);
      const key = policyKey(ctx.account, input.PolicyName);
      if (state.policies.has(key)) throw policyExists(input.PolicyName);
      const now = iamNow();
      const record: ManagedPolicyRecord = {
        account: ctx.account,
        policyName: input.PolicyName,
        policyId: iamUniqueId("ANPA"),
        arn: `arn:aws:iam::${ctx.account}:policy${path}${input.PolicyName}`,
        path,
        description: input.Description,
        createDate: now,
        updateDate: now,
        defaultVersionId: "v1",
        versions: [{ versionId: "v1", document: input.PolicyDocument, createDate: now }],
        nextVersion: 2,
        tags,
      };
      state.policies.set(key, record);
      const view = policyView(state, ctx.account, fromRecord(record), false);
      return { Policy: { ...view, Tags: tags.length ? members(tags) : undefined } };
    },

    GetPolicy(ctx: RequestContext, input: Record<string, any>) {
      const checks = new Checks();
      checkArn(checks, input.PolicyArn);
      checks.throwIfAny();
      return { Policy: policyView(state, ctx.account, requirePolicy(ctx.account, input.PolicyArn), true) };
    },

    ListPolicies(ctx: RequestContext, input: Record<string, any>) {
      const scope = input.Scope ?? "All";
      if (!["All", "AWS", "Local"].includes(scope)) {
        throw new AwsError("ValidationError", `1 validation error detected: Value '${scope}' at 'scope' failed to satisfy constraint: Member must satisfy enum value set: [All, AWS, Local]`);
      }
      const prefix = input.PathPrefix === undefined ? "/" : String(input.PathPrefix);
      const onlyAttached = String(input.OnlyAttached) === "true";
      const all: ManagedPolicyView[] = [
        ...(scope !== "AWS" ? policiesOf(state, ctx.account).map(fromRecord) : []),
        ...(scope !== "Local" ? awsViews() : []),
      ];
      const filtered = all
        .filter((p) => p.path.startsWith(prefix))
        .filter((p) => !onlyAttached || attachmentCount(state, ctx.account, p.arn) > 0)
        .sort((a, b) => a.policyName.localeCompare(b.policyName));
      const page = paginate(filtered, input);
      return { Policies: members(page.items.map((p) => policyView(state, ctx.account, p, false))), IsTruncated: page.IsTruncated, Marker: page.Marker };
    },

    DeletePolicy(ctx: RequestContext, input: Record<string, any>) {
      const checks = new Checks();
      checkArn(checks, input.PolicyArn);
      checks.throwIfAny();
      const record = requireOwnPolicy(ctx, input.PolicyArn, "DeletePolicy");
      if (attachmentCount(state, ctx.account, record.arn) > 0) throw deleteConflict("Cannot delete a policy attached to entities.");
      if (record.versions.length > 1) {
        throw deleteConflict(
          "This policy has more than one version. Before you delete a policy, you must delete the policy's versions. The default version is deleted with the policy.",
        );
      }
      state.policies.delete(policyKey(ctx.account, record.policyName));
      return {};
    },

    CreatePolicyVersion(ctx: RequestContext, input: Record<string, any>) {
      const checks = new Checks();
      checkArn(checks, input.PolicyArn);
      if (checks.required(input.PolicyDocument, "policyDocument")) checks.length(input.PolicyDocument, "policyDocument", 1, 131072);
      checks.throwIfAny();
      const record = requireOwnPolicy(ctx, input.PolicyArn, "CreatePolicyVersion");
      validatePolicyDocument(input.PolicyDocument, "permissions");
      checkManagedPolicySize(input.PolicyDocument);
      if (record.versions.length >= MAX_VERSIONS) {
        throw limitExceeded("A managed policy can have up to 5 versions. Before you create a new version, you must delete an existing version.");
      }
      const now = iamNow();
      const version: PolicyVersionRecord = { versionId: `v${record.nextVersion}`, document: input.PolicyDocument, createDate: now };
      const setAsDefault = String(input.SetAsDefault) === "true";
      const updated: ManagedPolicyRecord = {
        ...record,
        versions: [...record.versions, version],
        nextVersion: record.nextVersion + 1,
        defaultVersionId: setAsDefault ? version.versionId : record.defaultVersionId,
        updateDate: setAsDefault ? now : record.updateDate,
      };
      state.policies.set(policyKey(ctx.account, record.policyName), updated);
      return { PolicyVersion: versionView(fromRecord(updated), version, false) };
    },

    GetPolicyVersion(ctx: RequestContext, input: Record<string, any>) {
      const checks = new Checks();
      checkArn(checks, input.PolicyArn);
      checkVersionId(checks, input.VersionId);
      checks.throwIfAny();
      const policy = requirePolicy(ctx.account, input.PolicyArn);
      const version = policy.versions.find((v) => v.versionId === input.VersionId);
      if (!version) throw noSuchPolicyVersion(input.PolicyArn, input.VersionId);
      return { PolicyVersion: versionView(policy, version, true) };
    },

    ListPolicyVersions(ctx: RequestContext, input: Record<string, any>) {
      const checks = new Checks();
      checkArn(checks, input.PolicyArn);
      checks.throwIfAny();
      const policy = requirePolicy(ctx.account, input.PolicyArn);
      // Newest first.
      const versions = [...policy.versions].reverse().map((v) => versionView(policy, v, false));
      const page = paginate(versions, input);
      return { Versions: members(page.items), IsTruncated: page.IsTruncated, Marker: page.Marker };
    },

    DeletePolicyVersion(ctx: RequestContext, input: Record<string, any>) {
      const checks = new Checks();
      checkArn(checks, input.PolicyArn);
      checkVersionId(checks, input.VersionId);
      checks.throwIfAny();
      const record = requireOwnPolicy(ctx, input.PolicyArn, "DeletePolicyVersion");
      if (!record.versions.some((v) => v.versionId === input.VersionId)) throw noSuchPolicyVersion(input.PolicyArn, input.VersionId);
      if (record.defaultVersionId === input.VersionId) throw deleteConflict("Cannot delete the default version of a policy.");
      state.policies.set(policyKey(ctx.account, record.policyName), {
        ...record,
        versions: record.versions.filter((v) => v.versionId !== input.VersionId),
      });
      return {};
    },

    SetDefaultPolicyVersion(ctx: RequestContext, input: Record<string, any>) {
      const checks = new Checks();
      checkArn(checks, input.PolicyArn);
      checkVersionId(checks, input.VersionId);
      checks.throwIfAny();
      const record = requireOwnPolicy(ctx, input.PolicyArn, "SetDefaultPolicyVersion");
      if (!record.versions.some((v) => v.versionId === input.VersionId)) throw noSuchPolicyVersion(input.PolicyArn, input.VersionId);
      state.policies.set(policyKey(ctx.account, record.policyName), { ...record, defaultVersionId: input.VersionId, updateDate: iamNow() });
      return {};
    },

    ListEntitiesForPolicy(ctx: RequestContext, input: Record<string, any>) {
      const checks = new Checks();
      checkArn(checks, input.PolicyArn);
      checks.throwIfAny();
      const policy = requirePolicy(ctx.account, input.PolicyArn);
      const filter = input.EntityFilter as string | undefined;
      const prefix = input.PathPrefix === undefined ? "/" : String(input.PathPrefix);
      const roles =
        filter === undefined || filter === "Role"
          ? rolesOf(state, ctx.account).filter((r) => r.attachedPolicyArns.includes(policy.arn) && r.path.startsWith(prefix))
          : [];
      const page = paginate(roles, input);
      return {
        PolicyGroups: members([]),
        PolicyUsers: members([]),
        PolicyRoles: members(page.items.map((r) => ({ RoleName: r.roleName, RoleId: r.roleId }))),
        IsTruncated: page.IsTruncated,
        Marker: page.Marker,
      };
    },
  };
}
