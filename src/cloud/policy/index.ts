/**
 * The policy engine (issue "Local cloud, part 4": IAM that says no). Not a
 * service: a library the cloud and the services use.
 *
 * - evaluate.ts — the evaluator behind contract.ts (identity + resource
 *   policies in AWS's order, explanations), with conditions.ts, matchers.ts,
 *   principals.ts, variables.ts, ip.ts, document.ts, explain.ts beside it;
 *   `allowsServicePrincipal` for delivery- and configuration-time checks
 *   (S3 notifications, SNS → SQS/Lambda, EventBridge → targets), reached by
 *   the services through service-access.ts (`serviceMayAccess`, which also
 *   honours `--iam off`).
 * - actions/ — the request-to-action map for every operation served here.
 * - enforce.ts — the Authorizer installed when IAM is enforced (the default;
 *   `--iam off` or LOCALCLOUD_IAM=off keeps allow-all, for role sessions and
 *   for service-to-resource checks alike), denial.ts — each
 *   service's AccessDenied shape.
 *
 * **Gaps** (not implemented): session policies passed
 * to AssumeRole, SCPs/RCPs, ACLs and S3 Object Ownership, KMS key policies, IAM
 * users and groups (so aws:username is never supplied), aws:PrincipalTag/*,
 * s3:ExistingObjectTag, aws:TokenIssueTime, path-scoped role resources in IAM
 * actions (the role's path is not in the request); DeleteObjects is denied as a
 * whole when any key is denied (AWS answers per key).
 * **By design**: the administrator's credentials (default test/test) are
 * the account's root and are never evaluated; unsigned (anonymous) callers
 * get only what resource policies grant (gateway/auth/anonymous.ts); an operation missing from the action
 * map is checked as "<prefix>:<Operation>" and logged, not denied outright;
 * an unknown condition operator makes its condition false (AWS refuses such a
 * policy when it is saved); every denial is traced ("iam.deny") and logged with
 * an explanation and the near-miss statements, which AWS does not do.
 * **Client quirks**: Lambda writes condition keys as "AWS:SourceArn" in
 * function policies, so condition keys are matched case-insensitively, as AWS
 * does; the SDK reports SNS's AuthorizationError as AuthorizationErrorException.
 */
export { evaluatePolicies, evaluateResourcePolicy, evaluateIdentityPolicies, allowsServicePrincipal, matchStatement, type NamedPolicy, type EvaluationInput } from "./evaluate.js";
export type { PolicyDecision, PolicyPrincipal, PolicyRequest } from "./contract.js";
export { actionsFor, type ActionCheck, type ActionMapping } from "./actions/index.js";
export { createEnforcingAuthorizer } from "./enforce.js";
export { serviceMayAccess, type ServiceAccessRequest } from "./service-access.js";
