/**
 * Principal / NotPrincipal matching for resource policies (IAM user guide,
 * "AWS JSON policy elements: Principal"):
 * - "*" and {"AWS": "*"} name everyone, AWS services included;
 * - {"AWS": "<12-digit id>"} and {"AWS": "arn:aws:iam::<id>:root"} name every
 *   principal of that account;
 * - {"AWS": <role ARN>} names every session of that role; an assumed-role
 *   session ARN names that one session; a user ARN names that user;
 * - {"Service": "s3.amazonaws.com"} names that service (case-insensitively);
 * - Federated and CanonicalUser principals never match here (the local cloud
 *   has neither).
 */
import type { PolicyPrincipal } from "./contract.js";
import type { PrincipalBlock } from "./document.js";

/** The role ARN behind an assumed-role session ARN (without the role's path, which the session ARN lacks). */
function sessionRole(arn: string): { account: string; roleName: string } | undefined {
  const m = /^arn:aws:sts::(\d{12}):assumed-role\/([^/]+)\/.+$/.exec(arn);
  return m ? { account: m[1]!, roleName: m[2]! } : undefined;
}

function awsValueMatches(value: string, principal: PolicyPrincipal): boolean {
  if (value === "*") return true;
  if (principal.type !== "AWS") return false;
  if (/^\d{12}$/.test(value)) return principal.account === value;
  const root = /^arn:aws:iam::(\d{12}):root$/.exec(value);
  if (root) return principal.account === root[1];
  if (value === principal.arn) return true;
  const role = /^arn:aws:iam::(\d{12}):role\/(?:.*\/)?([^/]+)$/.exec(value);
  if (role) {
    if (principal.roleArn) return principal.roleArn === value;
    const session = sessionRole(principal.arn);
    return !!session && session.account === role[1] && session.roleName === role[2];
  }
  return false;
}

/** Does the Principal block name this principal? */
export function principalMatches(block: PrincipalBlock, principal: PolicyPrincipal): boolean {
  if (block === "*") return true;
  for (const [type, values] of Object.entries(block)) {
    if (type === "AWS") {
      if (values.some((v) => awsValueMatches(v, principal))) return true;
    } else if (type === "Service") {
      if (values.includes("*")) return true;
      if (principal.type === "Service" && values.some((v) => v.toLowerCase() === principal.service.toLowerCase())) return true;
    }
  }
  return false;
}

/** How a principal reads in an explanation. */
export function describePrincipal(principal: PolicyPrincipal): string {
  if (principal.type === "Service") return principal.service;
  if (principal.type === "AWS") return principal.arn;
  return "an anonymous caller";
}
