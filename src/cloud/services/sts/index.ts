/**
 * STS (awsQuery, version 2011-06-15, xmlns
 * https://sts.amazonaws.com/doc/2011-06-15/): GetCallerIdentity, AssumeRole
 * and GetSessionToken. Role-session credentials are minted through
 * `cloud.identity` (core/identity.ts), which stores them (so they survive a
 * restart) and lets the gateway recognise them on every later request; roles
 * come from IAM through `cloud.use("iam")`.
 *
 * Files: assume-role.ts, trust-evaluation.ts (the AssumeRole decision, made
 * by the policy engine in src/cloud/policy/), caller-identity.ts,
 * session-token.ts, validation.ts.
 *
 * **Gaps** (not implemented)
 * - AssumeRoleWithWebIdentity, AssumeRoleWithSAML, GetFederationToken,
 *   DecodeAuthorizationMessage, GetAccessKeyInfo, AssumeRoot: InvalidAction.
 * - Session policies (Policy, PolicyArns) are accepted and not applied — the
 *   session gets the role's full permissions; a warning is logged. Session
 *   tags and SourceIdentity are accepted and not kept (SourceIdentity is
 *   echoed in the response).
 * - MFA (SerialNumber/TokenCode) is not checked.
 *
 * **By design**
 * - The administrator caller (the configured credentials, default test/test) appears as the
 *   account root, arn:aws:iam::000000000000:root, and may assume any role whose
 *   trust policy names the account (or "*"). On AWS the root user cannot
 *   assume roles at all; locally the administrator stands for an admin user.
 * - GetSessionToken keys are registered and act as the administrator (see session-token.ts).
 * - A role session's AssumeRole is checked twice when IAM enforcement is on:
 *   first by the enforcing authorizer (src/cloud/policy/enforce.ts, trust
 *   policy as the resource policy), then fully by the handler
 *   (trust-evaluation.ts); both follow AWS's rules, so they agree. With
 *   `--iam off` the handler's check still applies: a trust policy is part of
 *   the role, not of enforcement.
 *
 * **Client quirks**
 * - SDK v3 (3.1169) and the AWS CLI v1 both speak awsQuery to STS (POST form
 *   with Action/Version, SigV4 scope "sts"); no JSON protocol is sent, so
 *   none is accepted.
 * - DurationSeconds arrives as text in the form body.
 */
import type { ServiceFactory } from "../../core/service.js";
import { queryProtocol } from "../../protocols/query.js";
import { assumeRole } from "./assume-role.js";
import { getCallerIdentity } from "./caller-identity.js";
import { getSessionToken } from "./session-token.js";

const createSts: ServiceFactory = () => ({
  name: "sts",
  signingNames: ["sts"],
  queryVersions: ["2011-06-15"],
  handle: queryProtocol({
    service: "sts",
    xmlns: "https://sts.amazonaws.com/doc/2011-06-15/",
    operations: {
      GetCallerIdentity: getCallerIdentity,
      AssumeRole: assumeRole,
      GetSessionToken: getSessionToken,
    },
  }),
});
export default createSts;
