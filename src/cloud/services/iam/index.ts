/**
 * IAM (awsQuery, version 2010-05-08, xmlns
 * https://iam.amazonaws.com/doc/2010-05-08/): roles with trust policies,
 * tags and permissions boundaries, inline role policies, customer managed policies with versions, the
 * AWS managed policies the labs attach, and the internal API other services
 * use to read roles and their policies (`cloud.provide("iam", …)`). State is
 * kept in the store (tables iam.roles, iam.policies) and survives a restart.
 *
 * Files: roles.ts (role API and tags), role-policies.ts (inline policies,
 * attach/detach), permissions-boundaries.ts (role permissions boundaries), managed-policies.ts (policies and versions,
 * ListEntitiesForPolicy), aws-managed-policies.ts (data), policy-document.ts
 * (grammar checks, quotas, URL encoding), validation.ts (ValidationError
 * wording, paths, tags, Marker/MaxItems), internal-api.ts, state.ts,
 * errors.ts.
 *
 * **Gaps** (not implemented)
 * - Users, groups, access keys, instance profiles, OIDC/SAML providers,
 *   service-linked roles, user permissions boundaries, policy tagging
 *   operations (TagPolicy…), GetAccountAuthorizationDetails,
 *   SimulatePrincipalPolicy: any such Action answers InvalidAction naming it.
 *   ListEntitiesForPolicy therefore only ever lists roles.
 * - Trust policy AWS principals are checked for shape, and role ARNs of the
 *   same account for existence ("Invalid principal in policy"); user ARNs and
 *   other accounts' ARNs are not checked (there are no users here). AWS also
 *   swaps a principal ARN for the role's unique id once the role is deleted;
 *   we keep the ARN.
 * - RoleLastUsed is always empty.
 * - Permissions boundaries exist for roles only; ListEntitiesForPolicy's
 *   PolicyUsageFilter is ignored (it lists attachments, never boundary uses),
 *   though GetPolicy counts them (PermissionsBoundaryUsageCount).
 * - Only the AWS managed policies listed in aws-managed-policies.ts exist;
 *   any other arn:aws:iam::aws:policy/… is NoSuchEntity. Each carries only its
 *   current default version (GetPolicyVersion of an older one is NoSuchEntity).
 * - Policy tags on CreatePolicy are stored and returned; TagPolicy/UntagPolicy
 *   are not implemented. Service-specific quotas beyond those named in the
 *   code (roles per account, policies per account) are not enforced.
 *
 * **By design**
 * - Malformed input (issue 11): form parameters are shape-checked against the SDK's model
 *   (ValidationError); policy wildcards are matched by policy/glob.ts, never by a regex built
 *   from the policy (no backtracking on `*a*a*a…`).
 * - IAM is global: state is keyed by account only; the region of the request
 *   does not matter.
 * - AWS managed policy ids are derived from their names (stable, not AWS's).
 * - Where AWS's exact message for a malformed policy is not on record
 *   (missing Statement/Effect, see policy-document.ts) we use the closest
 *   AWS sentence; each such case is marked UNCERTAIN in the code.
 * - DeleteRole does not revoke sessions already minted for the role; the
 *   policy engine finds no policies for them and denies.
 *
 * **Client quirks**
 * - The SDK v3 returns policy documents exactly as sent on the wire: URL-
 *   encoded (decodeURIComponent them). The AWS CLI decodes them and prints
 *   JSON (botocore's policy-document customization).
 * - The AWS CLI sends `file://` documents as read, whitespace and newlines
 *   included; AWS (and we) store them as sent and count quota sizes without
 *   white space.
 * - Booleans (SetAsDefault, OnlyAttached) and numbers (MaxItems,
 *   MaxSessionDuration) arrive as text in the form body.
 */
import type { ServiceFactory } from "../../core/service.js";
import type { IamInternalApi } from "../../core/internal-apis.js";
import { queryProtocol } from "../../protocols/query.js";
import { openState } from "./state.js";
import { roleHandlers } from "./roles.js";
import { rolePolicyHandlers } from "./role-policies.js";
import { managedPolicyHandlers } from "./managed-policies.js";
import { iamInternalApi } from "./internal-api.js";
import { permissionsBoundaryHandlers } from "./permissions-boundaries.js";

const createIam: ServiceFactory = (cloud) => {
  const state = openState(cloud);
  cloud.provide<IamInternalApi>("iam", iamInternalApi(state));
  return {
    name: "iam",
    signingNames: ["iam"],
    queryVersions: ["2010-05-08"],
    handle: queryProtocol({
      service: "iam",
      xmlns: "https://iam.amazonaws.com/doc/2010-05-08/",
      operations: {
        ...roleHandlers(state),
        ...rolePolicyHandlers(state),
        ...managedPolicyHandlers(state),
        ...permissionsBoundaryHandlers(state),
      },
    }),
  };
};
export default createIam;
