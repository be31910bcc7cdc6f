/**
 * Principal / NotPrincipal matching for resource policies (IAM user guide,
 * "AWS JSON policy elements: Principal"):
 * - "*" and {"AWS": "*"} name everyone, AWS services included;
 * - {"AWS": "<12-digit id>"} and {"AWS": "arn:aws:iam::<id>:root"} name every
 *   principal of that account — but only as a delegation: the account's own
 *   identity policies must still allow the request, so such a match alone
 *   never allows (the match is reported as "account");
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

export type PrincipalMatch = false | "specific" | "account";

function awsValueMatches(value: string, principal: PolicyPrincipal): PrincipalMatch {
  if (value === "*") return "specific";
  if (principal.type !== "AWS") return false;
  if (/^\d{12}$/.test(value)) return principal.account === value && "account";
  const root = /^arn:aws:iam::(\d{12}):root$/.exec(value);
  if (root) return principal.account === root[1] && "account";
  if (value === principal.arn) return "specific";
  const role = /^arn:aws:iam::(\d{12}):role\/(?:.*\/)?([^/]+)$/.exec(value);
  if (role) {
    if (principal.roleArn) return principal.roleArn === value && "specific";
    const session = sessionRole(principal.arn);
    return !!session && session.account === role[1] && session.roleName === role[2] && "specific";
  }
  return false;
}

/** Does the Principal block name this principal — specifically, or only through its account? */
export function principalMatches(block: PrincipalBlock, principal: PolicyPrincipal): PrincipalMatch {
  if (block === "*") return "specific";
  let match: PrincipalMatch = false;
  for (const [type, values] of Object.entries(block)) {
    if (type === "AWS") {
      for (const v of values) {
        const m = awsValueMatches(v, principal);
        if (m === "specific") return m;
        if (m) match = m;
      }
    } else if (type === "Service") {
      if (values.includes("*")) return "specific";
      if (principal.type === "Service" && values.some((v) => v.toLowerCase() === principal.service.toLowerCase())) return "specific";
    }
  }
  return match;
}

/** How a principal reads in an explanation. */
export function describePrincipal(principal: PolicyPrincipal): string {
  if (principal.type === "Service") return principal.service;
  if (principal.type === "AWS") return principal.arn;
  return "an anonymous caller";
}
