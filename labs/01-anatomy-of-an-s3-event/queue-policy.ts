/**
 * Lab 01 — your queue policy.
 *
 * An SQS queue refuses messages from other AWS services unless its access
 * policy allows them. S3 sends event notifications as the service principal
 * `s3.amazonaws.com`, and S3 checks this policy when you save the bucket's
 * notification configuration: without it, S3 answers
 * "Unable to validate the following destination configurations".
 *
 * Return the policy document the kit will set as the queue's `Policy`.
 */

export interface QueuePolicyInput {
  /** e.g. arn:aws:sqs:us-east-1:000000000000:sel-ana-01-3fa9c2-events */
  queueArn: string;
  /** e.g. sel-ana-01-3fa9c2-uploads */
  bucketName: string;
  /** The 12-digit account that owns the bucket. */
  accountId: string;
}

export interface PolicyDocument {
  Version: "2012-10-17";
  Statement: Array<Record<string, unknown>>;
}

export function queuePolicy(input: QueuePolicyInput): PolicyDocument {
  void input;
  return {
    Version: "2012-10-17",
    Statement: [
      // TODO: one statement that lets the S3 service send messages to this queue,
      //   but only for events of YOUR bucket in YOUR account.
      //   Read: README "Steps" (step 3) and docs/glossary.md (service principal,
      //   SourceArn/SourceAccount); AWS: "Granting permissions to publish event
      //   notification messages to a destination"
      //   https://docs.aws.amazon.com/AmazonS3/latest/userguide/grant-destinations-permissions-to-s3.html
      //   Stuck? `npm run hint -- 01` (again for more).
    ],
  };
}
