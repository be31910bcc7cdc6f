/**
 * Lab 01 — reference solution: the queue policy.
 *
 * Lets the S3 service send to this queue, but only for events of this bucket
 * (aws:SourceArn) owned by this account (aws:SourceAccount) — without the
 * conditions, any bucket in any account could fill the queue.
 */

export interface QueuePolicyInput {
  queueArn: string;
  bucketName: string;
  accountId: string;
}

export interface PolicyDocument {
  Version: "2012-10-17";
  Statement: Array<Record<string, unknown>>;
}

export function queuePolicy(input: QueuePolicyInput): PolicyDocument {
  return {
    Version: "2012-10-17",
    Statement: [
      {
        Sid: "AllowS3EventsFromTheLabBucket",
        Effect: "Allow",
        Principal: { Service: "s3.amazonaws.com" },
        Action: "sqs:SendMessage",
        Resource: input.queueArn,
        Condition: {
          ArnLike: { "aws:SourceArn": `arn:aws:s3:::${input.bucketName}` },
          StringEquals: { "aws:SourceAccount": input.accountId },
        },
      },
    ],
  };
}
