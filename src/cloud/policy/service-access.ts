/**
 * The one gate for AWS-service-to-resource access: may S3, SNS or
 * EventBridge send to this queue, publish to this topic or invoke this
 * function, per the resource's policy (aws:SourceArn / aws:SourceAccount
 * honoured)? Used at configuration time (PutBucketNotificationConfiguration)
 * and at delivery time (S3, SNS and EventBridge deliveries).
 *
 * With `--iam off` (LOCALCLOUD_IAM=off) every such check allows, like the
 * role-session checks: the switch relaxes all of IAM, not half of it. This is
 * a local-cloud convenience; AWS always evaluates these policies, which is
 * why enforcement is the default.
 */
import type { Cloud } from "../core/cloud.js";
import type { PolicyDecision } from "./contract.js";
import { allowsServicePrincipal } from "./evaluate.js";

export type ServiceAccessRequest = Parameters<typeof allowsServicePrincipal>[1];

export function serviceMayAccess(cloud: Cloud, policyJson: string | undefined, request: ServiceAccessRequest): PolicyDecision {
  if (cloud.config.iam === "off") {
    return { decision: "Allow", explanation: `IAM enforcement is off, so ${request.service} may ${request.action} on ${request.resource} without a resource policy check` };
  }
  return allowsServicePrincipal(policyJson, request);
}
