/**
 * Lab 01 — the requests the learner's queue policy must allow and must deny
 * (the grader's data, not a learner file; src/kit/grader/policy-table.ts runs
 * them through the policy evaluator). S3 sends event notifications as
 * s3.amazonaws.com with aws:SourceArn = the bucket and aws:SourceAccount = the
 * bucket owner; nobody else may send, and S3 may do nothing else.
 */
import { OTHER_ACCOUNT, type PolicyTable } from "../../src/kit/grader/policy-table.js";

export function queuePolicyTable(input: { queueArn: string; bucketName: string; accountId: string }): PolicyTable {
  const bucketArn = `arn:aws:s3:::${input.bucketName}`;
  const s3 = { service: "s3.amazonaws.com" };
  const send = { action: "sqs:SendMessage", resource: input.queueArn };
  return {
    name: "the queue policy",
    kind: "resource",
    account: input.accountId,
    caller: s3,
    mustAllow: [{ why: "S3 delivers this bucket's events", ...send, sourceArn: bucketArn, sourceAccount: input.accountId }],
    mustDeny: [
      { why: "another bucket's events are not yours", ...send, sourceArn: "arn:aws:s3:::someone-elses-bucket", sourceAccount: input.accountId },
      { why: "a look-alike bucket name is another bucket", ...send, sourceArn: `${bucketArn}-copy`, sourceAccount: input.accountId },
      { why: "a bucket of that name in another account (bucket names are reused after deletion) is not yours: condition on aws:SourceAccount", ...send, sourceArn: bucketArn, sourceAccount: OTHER_ACCOUNT },
      { why: "without aws:SourceArn the request is not from your bucket", ...send, sourceAccount: input.accountId },
      { why: "without aws:SourceAccount the bucket could belong to anyone", ...send, sourceArn: bucketArn },
      { why: "only S3 sends here", ...send, caller: { service: "sns.amazonaws.com" }, sourceArn: bucketArn, sourceAccount: input.accountId },
      { why: "another account may not send to your queue", ...send, caller: { account: OTHER_ACCOUNT } },
      { why: "anonymous callers may not send", ...send, caller: "anonymous" },
      { why: "S3 only sends; it never reads or deletes messages", action: "sqs:ReceiveMessage", resource: input.queueArn, sourceArn: bucketArn, sourceAccount: input.accountId },
      { why: "S3 only sends; it never purges the queue", action: "sqs:PurgeQueue", resource: input.queueArn, sourceArn: bucketArn, sourceAccount: input.accountId },
      { why: "S3 never changes the queue's attributes", action: "sqs:SetQueueAttributes", resource: input.queueArn, caller: { account: OTHER_ACCOUNT } },
    ],
  };
}
