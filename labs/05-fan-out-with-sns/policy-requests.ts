/**
 * Lab 05 — the requests the learner's policies must allow and must deny (the
 * grader's data, not a learner file; src/kit/grader/policy-table.ts runs them
 * through the policy evaluator):
 * - the topic policy: only S3, only sns:Publish, only for this bucket in this account;
 * - the audit queue's policy: only SNS, only sqs:SendMessage, only from this topic.
 */
import { OTHER_ACCOUNT, serviceGrantCases, type PolicyTable } from "../../src/kit/grader/policy-table.js";

export function topicPolicyTable(input: { topicArn: string; bucketName: string; accountId: string }): PolicyTable {
  const grant = serviceGrantCases({ service: "s3.amazonaws.com", action: "sns:Publish", resource: input.topicArn, sourceArn: `arn:aws:s3:::${input.bucketName}`, account: input.accountId, why: "S3 publishes this bucket's events to the topic" });
  const s3 = { caller: { service: "s3.amazonaws.com" }, sourceArn: `arn:aws:s3:::${input.bucketName}`, sourceAccount: input.accountId };
  return {
    name: "the topic policy",
    kind: "resource",
    account: input.accountId,
    mustAllow: grant.mustAllow,
    mustDeny: [
      ...grant.mustDeny,
      { why: "S3 only publishes; it never subscribes anyone", ...s3, action: "sns:Subscribe", resource: input.topicArn },
      { why: "S3 only publishes; it never changes the topic", ...s3, action: "sns:SetTopicAttributes", resource: input.topicArn },
      { why: "another account may not subscribe to your uploads", caller: { account: OTHER_ACCOUNT }, action: "sns:Subscribe", resource: input.topicArn },
      { why: "another account may not publish fake uploads", caller: { account: OTHER_ACCOUNT }, action: "sns:Publish", resource: input.topicArn },
    ],
  };
}

export function queuePolicyTable(input: { queueArn: string; topicArn: string; accountId: string }): PolicyTable {
  const sns = { caller: { service: "sns.amazonaws.com" }, action: "sqs:SendMessage", resource: input.queueArn };
  const otherTopic = input.topicArn.replace(/[^:]+$/, "someone-elses-topic");
  const sameNameOtherAccount = input.topicArn.replace(`:${input.accountId}:`, `:${OTHER_ACCOUNT}:`);
  return {
    name: "the audit queue's policy",
    kind: "resource",
    account: input.accountId,
    mustAllow: [{ why: "SNS delivers the topic's messages to the audit queue", ...sns, sourceArn: input.topicArn, sourceAccount: input.accountId }],
    mustDeny: [
      { why: "another topic is not yours: condition on aws:SourceArn = your topic", ...sns, sourceArn: otherTopic, sourceAccount: input.accountId },
      { why: "a look-alike topic name is another topic", ...sns, sourceArn: `${input.topicArn}-copy`, sourceAccount: input.accountId },
      { why: "a topic of the same name in another account is not yours", ...sns, sourceArn: sameNameOtherAccount, sourceAccount: OTHER_ACCOUNT },
      { why: "without aws:SourceArn the message may come from any topic", ...sns, sourceAccount: input.accountId },
      { why: "only SNS delivers here; S3 sends to the topic, not to the queue", ...sns, caller: { service: "s3.amazonaws.com" }, sourceArn: "arn:aws:s3:::any-bucket", sourceAccount: input.accountId },
      { why: "SNS only sends; it never reads or deletes the audit trail", ...sns, action: "sqs:ReceiveMessage", sourceArn: input.topicArn, sourceAccount: input.accountId },
      { why: "SNS only sends; it never reads or deletes the audit trail", ...sns, action: "sqs:DeleteMessage", sourceArn: input.topicArn, sourceAccount: input.accountId },
      { why: "another account may not write to your audit trail", ...sns, caller: { account: OTHER_ACCOUNT } },
      { why: "anonymous callers may not", ...sns, caller: "anonymous" },
    ],
  };
}
