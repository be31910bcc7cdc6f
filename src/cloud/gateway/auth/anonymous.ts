/**
 * What an unsigned request may do. The gateway lets anonymous callers reach
 * only S3 (and SNS's ConfirmSubscription link); this authorizer, wrapped
 * around the cloud's own (policy/enforce.ts or allow-all with `--iam off`),
 * decides for them whatever the IAM mode: an anonymous caller has no identity
 * policies, so only a bucket policy naming `"Principal": "*"` (or
 * `{"AWS": "*"}`) can allow it — as on S3, where a bucket with no such policy
 * answers 403 AccessDenied to anonymous requests. Everyone else goes to the
 * wrapped authorizer unchanged.
 */
import type { Authorizer, AuthorizationRequest } from "../../core/authorizer.js";
import type { Cloud } from "../../core/cloud.js";
import type { RequestContext } from "../../core/context.js";

/** The policy engine, loaded on the first anonymous request (start-up stays lean, as with --iam off). */
async function engine() {
  const [actions, evaluate, denial, values, policy] = await Promise.all([
    import("../../policy/actions/index.js"),
    import("../../policy/evaluate.js"),
    import("../../policy/denial.js"),
    import("../../policy/request-values.js"),
    import("../../services/s3/bucket-policy.js"),
  ]);
  return { actionsFor: actions.actionsFor, evaluatePolicies: evaluate.evaluatePolicies, accessDenied: denial.accessDenied, requestGlobalKeys: values.requestGlobalKeys, bucketPolicy: policy.bucketPolicy };
}

/**
 * Operations answered without a signature: SNS's confirmation link is a plain
 * GET a subscriber opens; Lambda's code-download URL (on AWS a presigned S3
 * URL) checks its own HMAC.
 */
const ANONYMOUS_OPERATIONS = new Set(["sns:ConfirmSubscription", "lambda:GetFunctionCodeDownload"]);

export function withAnonymousAccess(cloud: Cloud, inner: Authorizer): Authorizer {
  let loaded: ReturnType<typeof engine> | undefined;
  return {
    authorize(ctx: RequestContext, request: AuthorizationRequest) {
      if (ctx.principal.kind !== "anonymous") return inner.authorize(ctx, request);
      if (ANONYMOUS_OPERATIONS.has(`${request.service}:${request.operation}`)) return;
      return authorizeAnonymous(ctx, request);
    },
  };

  async function authorizeAnonymous(ctx: RequestContext, request: AuthorizationRequest): Promise<void> {
    const { actionsFor, evaluatePolicies, accessDenied, requestGlobalKeys, bucketPolicy } = await (loaded ??= engine());
    const mapping = actionsFor(request, { region: ctx.region, account: ctx.account });
    if (mapping.checks.length === 0) throw accessDenied({ service: request.service, callerArn: "anonymous", action: `${request.service}:${request.operation}`, resource: "*", decision: { decision: "ImplicitDeny", explanation: "anonymous callers need a resource policy that allows them" }, denyIn: "resource" });
    for (const check of mapping.checks) {
      const bucket = request.service === "s3" && check.resource.startsWith("arn:aws:s3:::") ? check.resource.slice("arn:aws:s3:::".length).split("/")[0] : undefined;
      const document = bucket && !bucket.includes("*") ? bucketPolicy(cloud, ctx.account, bucket) : undefined;
      const decision = evaluatePolicies(
        { principal: { type: "Anonymous" }, action: check.action, resource: check.resource, context: { ...requestGlobalKeys(ctx), ...check.context } },
        { identity: [], resource: document ? { name: `the bucket policy of ${bucket}`, document } : undefined, resourceAccount: ctx.account },
      );
      if (decision.decision === "Allow") continue;
      cloud.trace.record({ correlationId: ctx.requestId, kind: "iam.deny", source: "anonymous", target: check.resource, status: "denied", detail: decision.explanation });
      throw accessDenied({ service: request.service, callerArn: "anonymous", action: check.action, resource: check.resource, decision, denyIn: "resource" });
    }
  }
}
