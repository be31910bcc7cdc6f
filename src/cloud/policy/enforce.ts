/**
 * IAM enforcement (issue "Local cloud, part 4", deliverable 3): the Authorizer
 * installed when the cloud runs with `iam: "enforce"` (the default).
 *
 * - Callers with credentials minted for a role session (STS AssumeRole, a
 *   Lambda function's execution role) are evaluated; the administrator is
 *   allowed (aws-behavior.md §8); anonymous callers never get here
 *   (gateway/auth/anonymous.ts decides for them).
 * - The request becomes one or more (action, resource, condition keys) checks
 *   (actions/); each is evaluated against the role's identity policies (inline
 *   and attached managed, read through IamInternalApi on every request, so a
 *   policy change applies at once) and the resource's own policy: S3 bucket
 *   policy, SQS queue policy, SNS topic policy, Lambda function policy, and
 *   for sts:AssumeRole (role chaining) the target role's trust policy.
 * - A denial throws the service's own AccessDenied shape (denial.ts), and is
 *   recorded in the trace log (kind "iam.deny"), which prints it with the
 *   explanation: "role thumbnail-role has no statement allowing
 *   dynamodb:PutItem on arn:aws:dynamodb:us-east-1:000000000000:table/ImageMetadata".
 *
 * Condition keys supplied on every request: aws:SourceIp, aws:CurrentTime,
 * aws:EpochTime, aws:SecureTransport ("false": the local endpoint is plain
 * HTTP), aws:PrincipalArn (the role's ARN), aws:PrincipalAccount,
 * aws:PrincipalType ("AssumedRole"), aws:userid ("AROA…:<session>"),
 * aws:RequestedRegion, aws:ResourceAccount; plus the service keys of the
 * action map (s3:prefix, s3:delimiter, events:source…), and
 * aws:ResourceTag/<key> / <service>:ResourceTag/<key> from the resource's
 * tags when a policy mentions them (resource-tags.ts).
 *
 * Gaps: aws:username is not supplied for role sessions (AWS supplies it only
 * for IAM users, which the local cloud does not have); aws:PrincipalTag/*
 * and aws:TokenIssueTime are not supplied; DeleteObjects is
 * denied as a whole when any key is denied (AWS reports per-key errors);
 * session policies and SCPs do not exist here. A role's permissions boundary
 * caps every check (role-session.ts evaluateBounded; AccessDenied then says
 * "because no permissions boundary allows …" or "with an explicit deny in a
 * permissions boundary", as AWS does).
 * By design: an operation missing from the action map is checked as
 * "<prefix>:<Operation>" and logged, rather than denied outright.
 */
import type { Authorizer, AuthorizationRequest } from "../core/authorizer.js";
import type { Cloud } from "../core/cloud.js";
import type { RequestContext } from "../core/context.js";
import type { IamInternalApi, LambdaInternalApi } from "../core/internal-apis.js";
import { bucketPolicy } from "../services/s3/bucket-policy.js";
import type { PolicyDecision, PolicyRequest } from "./contract.js";
import type { NamedPolicy } from "./evaluate.js";
import { actionsFor, type ActionCheck } from "./actions/index.js";
import { accessDenied } from "./denial.js";
import { requestGlobalKeys } from "./request-values.js";
import { evaluateBounded, roleBoundary, rolePolicies } from "./role-session.js";
import { resourcesWithTagKeys, resourceTagKeys, unqualifiedArn } from "./resource-tags.js";

/** The resource's own policy, for the services that have resource policies. */
function resourcePolicyFor(cloud: Cloud, account: string, check: ActionCheck): NamedPolicy | undefined {
  const arn = check.resource;
  if (check.action === "sts:AssumeRole" && arn.startsWith("arn:aws:iam::")) {
    // A role's trust policy is the resource policy of sts:AssumeRole.
    const role = cloud.use<IamInternalApi>("iam")?.getRole(account, arn);
    return role ? { name: `the trust policy of role ${role.roleName}`, document: role.assumeRolePolicyDocument } : undefined;
  }
  if (arn.startsWith("arn:aws:s3:::")) {
    const bucket = arn.slice("arn:aws:s3:::".length).split("/")[0]!;
    if (!bucket || bucket.includes("*")) return undefined;
    const document = bucketPolicy(cloud, account, bucket);
    return document ? { name: `the bucket policy of ${bucket}`, document } : undefined;
  }
  const service = arn.split(":")[2];
  if (service === "sqs" || service === "sns" || service === "lambda") {
    // A qualified function ARN shares the function's policy.
    const target = unqualifiedArn(arn);
    const document = cloud.destinations.resourcePolicy(target);
    const kind = service === "sqs" ? "queue policy" : service === "sns" ? "topic policy" : "resource-based policy";
    return document ? { name: `the ${kind} of ${target}`, document } : undefined;
  }
  return undefined;
}

function resourceAccountOf(arn: string, fallback: string): string {
  const account = arn.split(":")[4];
  return account && /^\d{12}$/.test(account) ? account : fallback;
}

export interface EnforcementOutcome {
  check: ActionCheck;
  decision: PolicyDecision;
}

export function createEnforcingAuthorizer(cloud: Cloud): Authorizer {
  const warnedGuesses = new Set<string>();

  return {
    authorize(ctx: RequestContext, request: AuthorizationRequest): void | Promise<void> {
      const principal = ctx.principal;
      if (principal.kind !== "assumed-role" || !principal.roleName) return; // the administrator
      const account = principal.account;
      const iam = cloud.use<IamInternalApi>("iam");
      const mapping = actionsFor(request, {
        region: ctx.region,
        account: ctx.account,
        resolveArn: (service, id) => cloud.use<{ resolveArn?: (a: string, r: string, id: string) => string | undefined }>(service)?.resolveArn?.(ctx.account, ctx.region, id),
        roleBoundary: (name) => iam?.getRole(ctx.account, name)?.permissionsBoundary?.arn,
        mappingFunction: (uuid) => cloud.use<LambdaInternalApi>("lambda")?.mappingFunctionArn?.(ctx.account, ctx.region, uuid),
      });
      if (mapping.alwaysAllowed) return;
      if (mapping.guessed) {
        const key = `${request.service}:${request.operation}`;
        if (!warnedGuesses.has(key)) {
          warnedGuesses.add(key);
          cloud.log.info(`iam: ${key} is not in the action map; checking it as ${mapping.checks.map((c) => c.action).join(", ")}`);
        }
      }

      const roleName = principal.roleName;
      const identity: NamedPolicy[] = rolePolicies(iam, account, roleName);
      const identityNames = new Set(identity.map((p) => p.name));
      const boundary = roleBoundary(iam, account, roleName);

      const base: PolicyRequest["context"] = {
        ...requestGlobalKeys(ctx),
        "aws:PrincipalArn": principal.roleArn,
        "aws:PrincipalAccount": account,
        "aws:PrincipalType": "AssumedRole",
        "aws:userid": principal.principalId,
      };

      const checks = mapping.checks.map((check) => {
        const resourceAccount = resourceAccountOf(check.resource, ctx.account);
        return { check, resourceAccount, resource: resourcePolicyFor(cloud, resourceAccount, check) };
      });
      const judge = (tags?: Map<string, Record<string, string>>) => {
        for (const { check, resourceAccount, resource } of checks) {
          const decision = evaluateBounded(
            {
              principal: { type: "AWS", arn: principal.arn, account, roleArn: principal.roleArn },
              action: check.action,
              resource: check.resource,
              context: { ...base, "aws:ResourceAccount": resourceAccount, ...tags?.get(check.resource), ...check.context },
            },
            { identity, resource, resourceAccount, boundary },
          );
          if (decision.decision === "Allow") continue;

          const explanation =
            decision.decision === "ExplicitDeny" || decision.boundary
              ? `role ${roleName}: ${decision.explanation}`
              : `role ${roleName} has no statement allowing ${check.action} on ${check.resource}` +
                (identity.length === 0 ? " (the role has no policies)" : "") +
                (decision.hints?.length ? ` — ${decision.hints.join("; ")}` : "");
          cloud.trace.record({
            // A function's denied SDK call hangs under its invocation (ctx.causedBy), so the console shows why it failed.
            correlationId: ctx.causedBy?.correlationId ?? ctx.requestId,
            causedBy: ctx.causedBy,
            data: { requestId: ctx.requestId, action: check.action, resource: check.resource, role: roleName },
            kind: "iam.deny",
            source: principal.arn,
            target: check.resource,
            status: "denied",
            detail: explanation,
          });
          throw accessDenied({
            service: request.service,
            callerArn: principal.arn,
            action: check.action,
            resource: check.resource,
            decision,
            denyIn: decision.boundary ? "boundary" : decision.statement && !identityNames.has(decision.statement.policy) ? "resource" : "identity",
          });
        }
      };
      // Resource tags only when a policy asks for them (the usual request stays synchronous and pays nothing).
      const tagged = resourcesWithTagKeys([...identity, boundary, ...checks.map((c) => c.resource)], mapping.checks.map((c) => c.resource));
      if (!tagged.length) return judge();
      return resourceTagKeys(cloud, { account, region: ctx.region }, tagged).then(judge);
    },
  };
}
