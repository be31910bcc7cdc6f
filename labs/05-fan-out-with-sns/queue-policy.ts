/**
 * Lab 05 — your audit queue's policy.
 *
 * The audit queue is subscribed to the topic. SNS delivers to it as the
 * service principal `sns.amazonaws.com`, and only if the queue's policy allows
 * it — without it SNS's deliveries fail (silently, unless the subscription has
 * a dead-letter queue). Allow exactly that: SNS, sending messages, from THIS
 * topic only. The kit sets the same policy on the subscription's dead-letter
 * queue, which SNS must also be allowed to send to.
 *
 * Return the policy document the kit sets as the queue's `Policy` attribute.
 */

export interface QueuePolicyInput {
  /** e.g. arn:aws:sqs:us-east-1:000000000000:sel-ana-05-3fa9c2-audit */
  queueArn: string;
  /** The topic whose messages the queue accepts. */
  topicArn: string;
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
      // TODO: one statement that lets SNS send messages to this queue, only from your topic.
      //   Read: README "Steps" (step 3); AWS: "Subscribing an Amazon SQS queue to an Amazon SNS topic"
      //   https://docs.aws.amazon.com/sns/latest/dg/subscribe-sqs-queue-to-sns-topic.html
    ],
  };
}
