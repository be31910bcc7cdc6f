/**
 * Resource-policy checks SNS makes as an AWS service would: may
 * sns.amazonaws.com send to this queue / invoke this function (SNS → SQS,
 * SNS → Lambda), and may S3 / EventBridge publish to this topic.
 * The decision is the policy engine's (src/cloud/policy/evaluate.ts): the
 * full evaluation logic — Principal, Action, Resource, every condition
 * operator — with an explanation of which statement allowed or why none did.
 */
import type { PolicyDecision, PolicyRequest } from "../../policy/contract.js";
import { evaluateResourcePolicy } from "../../policy/evaluate.js";

/** Evaluate a resource policy for a service principal. No policy at all = implicit deny. */
export async function checkResourcePolicy(policy: string | undefined, request: PolicyRequest): Promise<PolicyDecision> {
  if (!policy) return { decision: "ImplicitDeny", explanation: "the resource has no policy, so no statement allows the request" };
  return evaluateResourcePolicy(policy, request);
}
