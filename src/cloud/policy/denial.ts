/**
 * Each service's own AccessDenied shape (aws-behavior.md §7), with AWS's
 * sentence: "User: <arn> is not authorized to perform: <action> on resource:
 * <arn> because no identity-based policy allows the <action> action" (or
 * "with an explicit deny in an identity-based / a resource-based policy"; for
 * a role's permissions boundary "because no permissions boundary allows the
 * <action> action" / "with an explicit deny in a permissions boundary").
 * S3 quotes the resource ARN; SQS writes the action in lower case
 * (sqs:sendmessage); SNS writes the prefix upper-case (SNS:Publish).
 *
 * UNCERTAIN: SQS's troubleshooting guide still shows the older sentence
 * "Access to the resource https://sqs.us-east-1.amazonaws.com/ is denied.";
 * current SQS (JSON protocol) answers with the "User: … is not authorized"
 * form used here, which also tells a learner what is missing. S3 answers the
 * detailed form for same-account callers (the older bare "Access Denied" is
 * what it still sends to anonymous and cross-account callers).
 */
import { AwsError } from "../core/aws-error.js";
import type { PolicyDecision } from "./contract.js";

export interface DenialInput {
  service: string;
  callerArn: string;
  action: string;
  resource: string;
  decision: PolicyDecision;
  /**
   * Where the deciding Deny was ("identity" or "resource"), for explicit denials;
   * "boundary" when the role's permissions boundary decided (its Deny, or no Allow in it).
   */
  denyIn?: "identity" | "resource" | "boundary";
  /** Cross-account: the resource policy was missing the Allow. */
  missingResourceAllow?: boolean;
}

export function denialMessage(input: DenialInput): string {
  const { service } = input;
  const action = service === "sqs" ? input.action.toLowerCase() : service === "sns" ? input.action.replace(/^sns:/i, "SNS:") : input.action;
  const resource = service === "s3" ? `"${input.resource}"` : input.resource;
  const reason =
    input.decision.decision === "ExplicitDeny"
      ? `with an explicit deny in ${input.denyIn === "resource" ? "a resource-based policy" : input.denyIn === "boundary" ? "a permissions boundary" : "an identity-based policy"}`
      : input.denyIn === "boundary"
        ? `because no permissions boundary allows the ${action} action`
        : input.missingResourceAllow
        ? `because no resource-based policy allows the ${action} action`
        : `because no identity-based policy allows the ${action} action`;
  return `User: ${input.callerArn} is not authorized to perform: ${action} on resource: ${resource} ${reason}`;
}

/** The AwsError the service itself would return. */
export function accessDenied(input: DenialInput): AwsError {
  const message = denialMessage(input);
  switch (input.service) {
    case "s3":
      return new AwsError("AccessDenied", message, { status: 403 });
    case "sqs":
      // JSON protocol: AccessDeniedException, with the awsQuery code AccessDenied (what SDKs report).
      return new AwsError("AccessDeniedException", message, { status: 403, queryCode: "AccessDenied" });
    case "sns":
      return new AwsError("AuthorizationError", message, { status: 403 });
    case "lambda":
    case "rds-data":
      return new AwsError("AccessDeniedException", message, { status: 403 });
    case "dynamodb":
    case "logs":
    case "events":
    case "states":
    case "secretsmanager":
    case "tagging":
      return new AwsError("AccessDeniedException", message, { status: 400 });
    default:
      // IAM, STS and anything else speaking awsQuery.
      return new AwsError("AccessDenied", message, { status: 403 });
  }
}
