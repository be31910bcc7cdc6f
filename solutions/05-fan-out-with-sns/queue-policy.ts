/** Lab 05 — reference solution: SNS may send to the queue, only from this topic. */

export interface QueuePolicyInput {
  queueArn: string;
  topicArn: string;
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
        Sid: "AllowMyTopic",
        Effect: "Allow",
        Principal: { Service: "sns.amazonaws.com" },
        Action: "sqs:SendMessage",
        Resource: input.queueArn,
        // The topic ARN names its account, so matching it exactly is "this topic, in this account".
        Condition: { ArnEquals: { "aws:SourceArn": input.topicArn } },
      },
    ],
  };
}
