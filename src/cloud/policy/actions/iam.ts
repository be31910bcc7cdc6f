/**
 * IAM and STS operations → IAM actions. Roles are
 * arn:aws:iam::<acct>:role/<name> (the role's path is not known from the
 * request; a path-scoped policy such as role/service-role/* therefore does not
 * match — a Gap); managed policies by their ARN; CreatePolicy on
 * arn:aws:iam::<acct>:policy/<path><name>. sts:GetCallerIdentity needs no
 * permission on AWS, so it is always allowed; AssumeRole is sts:AssumeRole on
 * the role, whose trust policy is the resource policy (enforce.ts reads it):
 * a trust policy naming the caller's role ARN allows role chaining alone, one
 * naming the account needs the caller's identity policy to allow too.
 * Condition keys: iam:PermissionsBoundary — the boundary the request sets
 * (CreateRole, PutRolePermissionsBoundary) or the one the role has now
 * (DeleteRolePermissionsBoundary, Put/DeleteRolePolicy, Attach/DetachRolePolicy;
 * absent when it has none, so a StringEquals on it does not match) — and
 * iam:PolicyARN (Attach/DetachRolePolicy).
 */
import type { ActionMapping, Input, Where } from "./types.js";
import { str } from "./types.js";

const IAM_KNOWN = new Set([
  "CreateRole", "GetRole", "DeleteRole", "ListRoles", "UpdateRole", "UpdateAssumeRolePolicy", "TagRole", "UntagRole", "ListRoleTags",
  "PutRolePolicy", "GetRolePolicy", "DeleteRolePolicy", "ListRolePolicies", "AttachRolePolicy", "DetachRolePolicy", "ListAttachedRolePolicies",
  "CreatePolicy", "GetPolicy", "DeletePolicy", "ListPolicies", "CreatePolicyVersion", "GetPolicyVersion", "DeletePolicyVersion", "ListPolicyVersions",
  "SetDefaultPolicyVersion", "ListEntitiesForPolicy", "PutRolePermissionsBoundary", "DeleteRolePermissionsBoundary",
]);

/** Actions whose iam:PermissionsBoundary is the boundary the request sets. */
const SETS_BOUNDARY = new Set(["CreateRole", "PutRolePermissionsBoundary"]);
/** Actions whose iam:PermissionsBoundary is the boundary the role has now (Service Authorization Reference). */
const ROLE_BOUNDARY = new Set(["DeleteRolePermissionsBoundary", "PutRolePolicy", "DeleteRolePolicy", "AttachRolePolicy", "DetachRolePolicy"]);

export function iamActions(operation: string, input: Input, where: Where): ActionMapping {
  const action = `iam:${operation}`;
  const role = str(input, "RoleName");
  const policyArn = str(input, "PolicyArn");
  let resource = "*";
  if (role) resource = `arn:aws:iam::${where.account}:role/${role}`;
  else if (policyArn) resource = policyArn;
  else if (operation === "CreatePolicy" && str(input, "PolicyName")) resource = `arn:aws:iam::${where.account}:policy${str(input, "Path") ?? "/"}${str(input, "PolicyName")}`;
  const context: Record<string, string | undefined> = {};
  if (SETS_BOUNDARY.has(operation)) context["iam:PermissionsBoundary"] = str(input, "PermissionsBoundary");
  else if (ROLE_BOUNDARY.has(operation) && role) context["iam:PermissionsBoundary"] = where.roleBoundary?.(role);
  if ((operation === "AttachRolePolicy" || operation === "DetachRolePolicy") && policyArn) context["iam:PolicyARN"] = policyArn;
  const check = Object.values(context).some((v) => v !== undefined) ? { action, resource, context } : { action, resource };
  return { checks: [check], guessed: !IAM_KNOWN.has(operation) };
}

export function stsActions(operation: string, input: Input): ActionMapping {
  // GetCallerIdentity needs no permission on AWS; GetSessionToken is refused to session credentials by STS itself.
  if (operation === "GetCallerIdentity" || operation === "GetSessionToken") return { checks: [], alwaysAllowed: true };
  const action = `sts:${operation}`;
  const resource = str(input, "RoleArn") ?? "*";
  return { checks: [{ action, resource }], guessed: !["AssumeRole", "GetSessionToken", "AssumeRoleWithWebIdentity", "DecodeAuthorizationMessage", "GetAccessKeyInfo"].includes(operation) };
}
