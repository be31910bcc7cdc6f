/**
 * IAM and STS operations → IAM actions. Roles are
 * arn:aws:iam::<acct>:role/<name> (the role's path is not known from the
 * request; a path-scoped policy such as role/service-role/* therefore does not
 * match — a Gap); managed policies by their ARN; CreatePolicy on
 * arn:aws:iam::<acct>:policy/<path><name>. sts:GetCallerIdentity needs no
 * permission on AWS, so it is always allowed; AssumeRole is sts:AssumeRole on
 * the role (the role's trust policy is STS's own check).
 */
import type { ActionMapping, Input, Where } from "./types.js";
import { str } from "./types.js";

const IAM_KNOWN = new Set([
  "CreateRole", "GetRole", "DeleteRole", "ListRoles", "UpdateRole", "UpdateAssumeRolePolicy", "TagRole", "UntagRole", "ListRoleTags",
  "PutRolePolicy", "GetRolePolicy", "DeleteRolePolicy", "ListRolePolicies", "AttachRolePolicy", "DetachRolePolicy", "ListAttachedRolePolicies",
  "CreatePolicy", "GetPolicy", "DeletePolicy", "ListPolicies", "CreatePolicyVersion", "GetPolicyVersion", "DeletePolicyVersion", "ListPolicyVersions",
  "SetDefaultPolicyVersion", "ListEntitiesForPolicy",
]);

export function iamActions(operation: string, input: Input, where: Where): ActionMapping {
  const action = `iam:${operation}`;
  const role = str(input, "RoleName");
  const policyArn = str(input, "PolicyArn");
  let resource = "*";
  if (role) resource = `arn:aws:iam::${where.account}:role/${role}`;
  else if (policyArn) resource = policyArn;
  else if (operation === "CreatePolicy" && str(input, "PolicyName")) resource = `arn:aws:iam::${where.account}:policy${str(input, "Path") ?? "/"}${str(input, "PolicyName")}`;
  return { checks: [{ action, resource }], guessed: !IAM_KNOWN.has(operation) };
}

export function stsActions(operation: string, input: Input): ActionMapping {
  if (operation === "GetCallerIdentity") return { checks: [], alwaysAllowed: true };
  const action = `sts:${operation}`;
  const resource = str(input, "RoleArn") ?? "*";
  return { checks: [{ action, resource }], guessed: !["AssumeRole", "GetSessionToken", "AssumeRoleWithWebIdentity", "DecodeAuthorizationMessage", "GetAccessKeyInfo"].includes(operation) };
}
