/**
 * The contract of the policy engine (issue "Local cloud, part 4"), used by
 * every service that checks a resource policy (S3 → SQS/SNS/Lambda
 * destination validation, SNS → SQS delivery, Lambda AddPermission checks)
 * and by IAM enforcement. evaluate.ts implements it.
 */
export type PolicyPrincipal =
  | { type: "Service"; service: string } // e.g. "s3.amazonaws.com"
  /**
   * A role session, user or root. For a role session `arn` is the session ARN
   * (arn:aws:sts::<acct>:assumed-role/<role>/<session>) and `roleArn` the role's
   * (arn:aws:iam::<acct>:role/<path><name>), which a Principal may name instead.
   */
  | { type: "AWS"; arn: string; account: string; roleArn?: string }
  | { type: "Anonymous" };

export interface PolicyRequest {
  principal: PolicyPrincipal;
  /** e.g. "sqs:SendMessage" (matched case-insensitively). */
  action: string;
  /** The resource ARN. */
  resource: string;
  /** Condition keys, e.g. { "aws:SourceArn": "arn:aws:s3:::photos", "aws:SourceAccount": "000000000000" }. Keys are case-insensitive. */
  context: Record<string, string | string[] | undefined>;
}

export interface PolicyDecision {
  decision: "Allow" | "ExplicitDeny" | "ImplicitDeny";
  /** The statement that decided, when one did. */
  statement?: { policy: string; sid?: string; effect: "Allow" | "Deny" };
  /** A sentence a learner can read: which statement allowed/denied, or that none matched and why. */
  explanation: string;
  /** For implicit denials: the Allow statements that came close and why each did not apply. */
  hints?: string[];
}
