/** Lab 05 — reference solution: S3 may publish to the topic, only for this bucket in this account. */

export interface TopicPolicyInput {
  topicArn: string;
  bucketName: string;
  accountId: string;
}

export interface PolicyDocument {
  Version: "2012-10-17";
  Statement: Array<Record<string, unknown>>;
}

export function topicPolicy(input: TopicPolicyInput): PolicyDocument {
  return {
    Version: "2012-10-17",
    Statement: [
      {
        Sid: "AllowS3PublishFromMyBucket",
        Effect: "Allow",
        Principal: { Service: "s3.amazonaws.com" },
        Action: "sns:Publish",
        Resource: input.topicArn,
        Condition: {
          ArnLike: { "aws:SourceArn": `arn:aws:s3:::${input.bucketName}` },
          StringEquals: { "aws:SourceAccount": input.accountId },
        },
      },
    ],
  };
}
