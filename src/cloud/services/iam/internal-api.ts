/**
 * What IAM offers the rest of the cloud through `cloud.provide("iam", …)`
 * (core/internal-apis.ts): a role by name or ARN — for Lambda's role check,
 * STS AssumeRole and the policy engine — and every identity policy of a role
 * (inline documents and the default versions of attached managed policies),
 * as plain JSON text, for the policy engine to evaluate; a role's permissions
 * boundary comes with getRole, its document read at each call (a new default
 * version applies at once).
 */
import type { IamInternalApi, IamRoleInfo } from "../../core/internal-apis.js";
import { defaultDocument, resolvePolicyArn } from "./managed-policies.js";
import { roleKey, type IamState, type RoleRecord } from "./state.js";

const ROLE_ARN = /^arn:aws:iam::(\d{12}):role(\/(?:.*\/)?)([^/]+)$/;

function findRole(state: IamState, account: string, roleNameOrArn: string): RoleRecord | undefined {
  const m = ROLE_ARN.exec(roleNameOrArn);
  if (!m) return state.roles.get(roleKey(account, roleNameOrArn));
  // An ARN names its own account and path; both must match the role that has the name.
  const role = state.roles.get(roleKey(m[1]!, m[3]!));
  return role && role.path === m[2] && role.roleName === m[3] ? role : undefined;
}

function boundaryOf(state: IamState, role: RoleRecord): { arn: string; document?: string } {
  const arn = role.permissionsBoundaryArn!;
  const policy = resolvePolicyArn(state, role.account, arn);
  return policy ? { arn, document: defaultDocument(policy) } : { arn };
}

export function iamInternalApi(state: IamState): IamInternalApi {
  return {
    getRole(account: string, roleNameOrArn: string): IamRoleInfo | undefined {
      const role = findRole(state, account, roleNameOrArn);
      if (!role) return undefined;
      return {
        roleName: role.roleName,
        roleId: role.roleId,
        arn: role.arn,
        path: role.path,
        assumeRolePolicyDocument: role.assumeRolePolicyDocument,
        maxSessionDuration: role.maxSessionDuration,
        ...(role.permissionsBoundaryArn ? { permissionsBoundary: boundaryOf(state, role) } : {}),
      };
    },

    rolePolicies(account: string, roleName: string) {
      const role = findRole(state, account, roleName);
      if (!role) return [];
      const inline = Object.entries(role.inlinePolicies).map(([name, document]) => ({ name, document }));
      const attached = role.attachedPolicyArns.flatMap((arn) => {
        const policy = resolvePolicyArn(state, role.account, arn);
        return policy ? [{ name: policy.policyName, arn: policy.arn, document: defaultDocument(policy) }] : [];
      });
      return [...inline, ...attached];
    },
  };
}
