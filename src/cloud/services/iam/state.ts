/**
 * IAM records kept in the cloud's store (they survive a restart). IAM is a
 * global service, so keys carry the account but no region. Role names and
 * customer managed policy names are unique per account regardless of case, as
 * on AWS ("Role names are not distinguished by case"), so keys use the
 * lower-cased name while the record keeps the name as the caller wrote it.
 *
 * A role keeps its inline policies and the ARNs of its attached managed
 * policies in its own record, so one write changes one record; attachment
 * counts of managed policies are computed from the roles.
 */
import type { Table } from "../../core/store.js";
import type { Cloud } from "../../core/cloud.js";

export interface Tag {
  Key: string;
  Value: string;
}

export interface RoleRecord {
  account: string;
  roleName: string;
  roleId: string;
  path: string;
  arn: string;
  createDate: string;
  /** The trust policy exactly as the caller sent it (decoded JSON text). */
  assumeRolePolicyDocument: string;
  description?: string;
  maxSessionDuration: number;
  tags: Tag[];
  /** Inline policies: name → document as sent. */
  inlinePolicies: Record<string, string>;
  /** Attached managed policy ARNs, in attachment order. */
  attachedPolicyArns: string[];
  /** The managed policy that caps the role's permissions (permissions-boundaries.ts). */
  permissionsBoundaryArn?: string;
}

export interface PolicyVersionRecord {
  versionId: string;
  document: string;
  createDate: string;
}

export interface ManagedPolicyRecord {
  account: string;
  policyName: string;
  policyId: string;
  arn: string;
  path: string;
  description?: string;
  createDate: string;
  updateDate: string;
  defaultVersionId: string;
  versions: PolicyVersionRecord[];
  /** The number the next version gets (v1, v2… are never reused, as on AWS). */
  nextVersion: number;
  tags: Tag[];
}

export interface IamState {
  roles: Table<RoleRecord>;
  policies: Table<ManagedPolicyRecord>;
}

export function openState(cloud: Cloud): IamState {
  return {
    roles: cloud.store.table<RoleRecord>("iam.roles"),
    policies: cloud.store.table<ManagedPolicyRecord>("iam.policies"),
  };
}

export function roleKey(account: string, roleName: string): string {
  return `${account}/${roleName.toLowerCase()}`;
}

export function policyKey(account: string, policyName: string): string {
  return `${account}/${policyName.toLowerCase()}`;
}

/** Every role of an account, ordered by name as ListRoles shows them. */
export function rolesOf(state: IamState, account: string): RoleRecord[] {
  return state.roles.withPrefix(`${account}/`).map(([, role]) => role);
}

/** Every customer managed policy of an account, ordered by name. */
export function policiesOf(state: IamState, account: string): ManagedPolicyRecord[] {
  return state.policies.withPrefix(`${account}/`).map(([, policy]) => policy);
}

/** IAM timestamps: ISO 8601 without milliseconds, as AWS writes them. */
export function iamNow(): string {
  return new Date().toISOString().replace(/\.\d{3}Z$/, "Z");
}
